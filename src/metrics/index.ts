// Public API of the metrics family; re-exported from src/index.ts.
export {};
