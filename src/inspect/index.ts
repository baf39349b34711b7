// Public API of the inspect family; re-exported from src/index.ts.
export {};
