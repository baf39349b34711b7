import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import type { BreakerSnapshot } from '../breaker/BreakerSnapshot.js';
import type { StateStore } from './StateStore.js';
import { StateFileError } from './StateFileError.js';

/**
 * The `format` field every state file carries, so a file from another program or a future version is
 * refused.
 *
 * @example
 * ```ts
 * JSON.parse(readFileSync('breaker-state.json', 'utf8')).format === STATE_FILE_FORMAT; // true
 * ```
 */
export const STATE_FILE_FORMAT = 'p99-breaker/state-file';
const STATE_FILE_VERSION = 1;

let tempCounter = 0;

/**
 * The embedded {@link StateStore}: one JSON file holding the snapshots of every breaker that uses it,
 * keyed by breaker name (`{ format, version, breakers: { [name]: snapshot } }`).
 *
 * Every save is atomic: the whole file is written to a temporary file in the same directory, flushed
 * with `fsync`, renamed over the old one, and the directory is flushed so the rename itself survives a
 * power loss. A crash at any point leaves either the old file or the new one, never a torn one (a killed
 * writer may leave its `.tmp` file behind; it is never read). Each save re-reads the file, so several
 * stores (or breakers) sharing one file within a process keep each other's entries.
 *
 * @see https://lwn.net/Articles/457667/ (ensuring data reaches disk: write, fsync, rename, fsync the directory)
 * @example
 * ```ts
 * const store = new FileStateStore('breaker-state.json');
 * const breaker = createCircuitBreaker({ name: 'venue', restore: store.load('venue') });
 * attachStateStore(breaker, store);
 * ```
 */
export class FileStateStore implements StateStore {
  /** The state file's path, as given. */
  readonly file: string;
  readonly #path: string;

  /** @param file - the state file's path; its directory must exist. The file itself may not yet. */
  constructor(file: string) {
    if (typeof file !== 'string' || file.length === 0) {
      throw new TypeError(`FileStateStore expects a file path, got ${typeof file === 'string' ? '""' : typeof file}`);
    }
    this.file = file;
    this.#path = resolve(file);
  }

  /**
   * The snapshot saved under `name`, or `undefined` when the file or the entry does not exist.
   *
   * @throws {@link StateFileError} naming the file when it cannot be read or is corrupt.
   */
  load(name: string): BreakerSnapshot | undefined {
    return this.#read().get(name);
  }

  /** Every snapshot in the file, by breaker name (empty when the file does not exist). */
  loadAll(): ReadonlyMap<string, BreakerSnapshot> {
    return this.#read();
  }

  /**
   * Replaces the snapshot saved under `name`, atomically.
   *
   * @throws {@link StateFileError} when the existing file is corrupt (it is left untouched for a person
   *   to look at) or the write fails.
   */
  save(name: string, snapshot: BreakerSnapshot): void {
    const breakers = this.#read();
    breakers.set(name, snapshot);
    let text: string;
    try {
      text = JSON.stringify({ format: STATE_FILE_FORMAT, version: STATE_FILE_VERSION, breakers: Object.fromEntries(breakers) });
    } catch (error) {
      throw new StateFileError(this.file, `snapshot of "${name}" is not JSON-serializable`, { cause: error });
    }
    this.#writeAtomically(text);
  }

  #read(): Map<string, BreakerSnapshot> {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new StateFileError(this.file, `cannot be read (${(error as Error).message})`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new StateFileError(this.file, `is corrupt: not valid JSON (${(error as Error).message})`, { cause: error });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new StateFileError(this.file, 'is corrupt: expected a JSON object');
    }
    const header = parsed as { format?: unknown; version?: unknown; breakers?: unknown };
    if (header.format !== STATE_FILE_FORMAT) {
      throw new StateFileError(this.file, `is not a p99-breaker state file (format ${JSON.stringify(header.format)}, expected "${STATE_FILE_FORMAT}")`);
    }
    if (header.version !== STATE_FILE_VERSION) {
      throw new StateFileError(this.file, `has version ${JSON.stringify(header.version)}; this p99-breaker reads version ${STATE_FILE_VERSION}`);
    }
    const entries = header.breakers;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
      throw new StateFileError(this.file, 'is corrupt: "breakers" must be an object keyed by breaker name');
    }
    const breakers = new Map<string, BreakerSnapshot>();
    for (const [name, snapshot] of Object.entries(entries)) {
      if (typeof snapshot !== 'object' || snapshot === null || Array.isArray(snapshot)) {
        throw new StateFileError(this.file, `is corrupt: the entry of breaker "${name}" is not a snapshot object`);
      }
      breakers.set(name, snapshot as BreakerSnapshot);
    }
    return breakers;
  }

  #writeAtomically(text: string): void {
    const dir = dirname(this.#path);
    // pid + counter + random: a temp file left by a killed process whose pid was reused never collides.
    const temp = join(dir, `.${basename(this.#path)}.${process.pid}.${++tempCounter}.${randomBytes(4).toString('hex')}.tmp`);
    let fd: number | undefined;
    try {
      fd = openSync(temp, 'wx');
      writeFileSync(fd, text, 'utf8');
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      renameSync(temp, this.#path);
    } catch (error) {
      if (fd !== undefined) closeQuietly(fd);
      try {
        unlinkSync(temp);
      } catch {
        // never created, or already renamed
      }
      throw new StateFileError(this.file, `cannot be written (${(error as Error).message})`, { cause: error });
    }
    fsyncDirectory(dir);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already failing; the original error is the one to report
  }
}

/** Makes the rename durable. Some platforms (Windows) cannot open a directory; the rename is then as durable as the OS makes it. */
function fsyncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // EINVAL/EPERM on file systems that do not support it
  } finally {
    closeQuietly(fd);
  }
}
