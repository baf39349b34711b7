// Public API of the trading family; re-exported from src/index.ts.
export {};
