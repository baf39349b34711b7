// Public API of the persistence family; re-exported from src/index.ts.
export {};
