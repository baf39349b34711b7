// Public API of the persistence family; re-exported from src/index.ts.
export type { StateStore } from './StateStore.js';
export { FileStateStore, STATE_FILE_FORMAT } from './FileStateStore.js';
export { MemoryStateStore } from './MemoryStateStore.js';
export { StateFileError, isStateFileError } from './StateFileError.js';
export { attachStateStore } from './attachStateStore.js';
export { resolveStateStore, type PersistOption } from './resolveStateStore.js';
