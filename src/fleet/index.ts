// Public API of the fleet family; re-exported from src/index.ts.
export {};
