import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
} from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredQueue, StoredTask } from './model';

/*
 * The data dir (--data-dir): a snapshot of the whole state plus a journal of the changes made
 * since. A change is appended to the journal and fsynced before any RPC that made it is
 * answered; every change made while a write runs goes into the next one (group commit), so
 * concurrent RPCs share one fsync and a write costs what changed, not the size of the state.
 * When the journal outgrows the snapshot, a new snapshot is written to a temporary file,
 * fsynced, renamed over the old one (the directory fsynced too) and a new journal begun, so
 * after a crash (kill -9, power loss) the dir holds exactly the changes that were acknowledged.
 */

export interface SavedState {
  queues: StoredQueue[];
  tasks: StoredTask[];
  /** Task names that cannot be reused until the given time (ms). */
  tombstones: [string, number][];
}

/** What the journal records: the current value of one queue, task or used name (null: gone). */
type Entry =
  | { queue: string; value: StoredQueue | null }
  | { task: string; value: StoredTask | null }
  | { tombstone: string; value: number | null };

/** A key whose current value the next write records. */
export type Changed = { queue: string } | { task: string } | { tombstone: string };

/** Reads the current value of a key, and the whole state for a snapshot. */
export interface StateSource {
  queue(name: string): StoredQueue | undefined;
  task(name: string): StoredTask | undefined;
  tombstone(name: string): number | undefined;
  all(): SavedState;
}

interface SnapshotFile extends SavedState {
  version: 1;
  /** Which journal continues this snapshot (absent in files written before journals). */
  generation?: number;
}

const SNAPSHOT = 'tasks-emulator.json';
const journalName = (generation: number) => `tasks-emulator.${generation}.journal`;
const JOURNAL_PATTERN = /^tasks-emulator\.(\d+)\.journal$/;
/** A journal is folded into a new snapshot once it is larger than this and than the snapshot. */
const MIN_COMPACT_BYTES = 1024 * 1024;

/** Where the emulator's state lives: memory only, or a data dir. */
export interface StateStore {
  /** Number of the last change that is durable. */
  readonly savedChanges: number;
  /** Records a change to these keys; returns its number. */
  changed(...keys: Changed[]): number;
  /** Resolves once change `n` (default: the last one made) is durable; rejects if saving failed. */
  saved(n?: number): Promise<void>;
  /** Waits for pending writes and closes the files. */
  close(): Promise<void>;
}

/** No data dir: every change is as durable as it will ever be at once. */
export class MemoryStore implements StateStore {
  private changes = 0;
  get savedChanges(): number {
    return this.changes;
  }
  changed(): number {
    return ++this.changes;
  }
  saved(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Loaded {
  state: SavedState;
  generation: number;
}

/** Reads the state saved in `dir` (snapshot, then its journal), if any. */
export function loadState(dir: string): Loaded | undefined {
  const file = join(dir, SNAPSHOT);
  const snapshot: SnapshotFile | undefined = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as SnapshotFile)
    : undefined;
  const generation = snapshot?.generation ?? 0;
  const journal = join(dir, journalName(generation));
  if (!snapshot && !existsSync(journal)) return undefined;
  const queues = new Map((snapshot?.queues ?? []).map((q) => [q.name, q]));
  const tasks = new Map((snapshot?.tasks ?? []).map((t) => [t.name, t]));
  const tombstones = new Map(snapshot?.tombstones ?? []);
  if (existsSync(journal)) {
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line) return;
      let entries: Entry[];
      try {
        entries = JSON.parse(line) as Entry[];
      } catch (err) {
        // Only the text after the last newline can be cut short: a write that never finished,
        // so never answered. DataDirStore cuts it off before appending.
        if (i === lines.length - 1) return;
        throw new Error(`${journal} line ${i + 1} is not valid JSON`, { cause: err });
      }
      for (const e of entries) {
        if ('queue' in e) setOrDelete(queues, e.queue, e.value);
        else if ('task' in e) setOrDelete(tasks, e.task, e.value);
        else setOrDelete(tombstones, e.tombstone, e.value);
      }
    });
  }
  return {
    state: {
      queues: [...queues.values()],
      tasks: [...tasks.values()],
      tombstones: [...tombstones.entries()],
    },
    generation,
  };
}

function setOrDelete<V>(map: Map<string, V>, key: string, value: V | null): void {
  if (value === null) map.delete(key);
  else map.set(key, value);
}

interface Waiter {
  change: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class DataDirStore implements StateStore {
  savedChanges = 0;
  private changes = 0;
  private dirty = new Map<string, Changed>();
  private readonly waiters: Waiter[] = [];
  private saving: Promise<void> | undefined;
  private journal: FileHandle | undefined;
  private journalBytes = 0;
  private snapshotBytes = 0;

  /**
   * @param generation the journal generation loadState found (0 for a new dir)
   * @param onSaved called after each write with the number of the last change it holds
   */
  constructor(
    private readonly dir: string,
    private readonly source: StateSource,
    private generation: number,
    private readonly onSaved: (change: number) => void = () => {},
  ) {
    const created = !existsSync(dir);
    mkdirSync(dir, { recursive: true });
    if (created) syncDirSync(join(dir, '..'));
    const snapshot = join(dir, SNAPSHOT);
    this.snapshotBytes = existsSync(snapshot) ? readFileSync(snapshot).length : 0;
    const journal = join(dir, journalName(generation));
    this.journalBytes = existsSync(journal) ? cutTornTail(journal) : 0;
    // Journals of older generations are already in the snapshot.
    for (const f of readdirSync(dir)) {
      const m = f.match(JOURNAL_PATTERN);
      if (m && Number(m[1]) !== generation) void unlink(join(dir, f)).catch(() => undefined);
    }
  }

  changed(...keys: Changed[]): number {
    for (const k of keys) this.dirty.set(JSON.stringify(k), k);
    this.changes++;
    this.startSaving();
    return this.changes;
  }

  saved(change: number = this.changes): Promise<void> {
    if (change <= this.savedChanges) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ change, resolve, reject });
      this.startSaving();
    });
  }

  async close(): Promise<void> {
    await this.saved().catch(() => undefined);
    await this.saving;
    await this.journal?.close();
    this.journal = undefined;
  }

  private startSaving(): void {
    this.saving ??= this.saveUntilCurrent().finally(() => {
      this.saving = undefined;
      // Changes made after a failed write: try again for whoever waits for them.
      if (this.savedChanges < this.changes && this.waiters.length > 0) this.startSaving();
    });
  }

  /** Writes until the dir holds the last change; each pass takes every change made so far. */
  private async saveUntilCurrent(): Promise<void> {
    while (this.savedChanges < this.changes) {
      const change = this.changes;
      const keys = [...this.dirty.values()];
      this.dirty = new Map();
      try {
        if (this.journalBytes > Math.max(MIN_COMPACT_BYTES, this.snapshotBytes)) {
          await this.writeSnapshot();
        } else {
          await this.append(keys.map((k) => this.entry(k)));
        }
      } catch (err) {
        // Not written: keep the keys for the next write, and tell whoever waits.
        for (const k of keys) this.dirty.set(JSON.stringify(k), k);
        const error = new Error(`could not save to ${this.dir}: ${(err as Error).message}`);
        for (const w of this.waiters.splice(0)) w.reject(error);
        return;
      }
      this.savedChanges = change;
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i]!;
        if (w.change <= change) {
          this.waiters.splice(i, 1);
          w.resolve();
        }
      }
      this.onSaved(change);
    }
  }

  private entry(key: Changed): Entry {
    if ('queue' in key) return { queue: key.queue, value: this.source.queue(key.queue) ?? null };
    if ('task' in key) {
      const task = this.source.task(key.task);
      return { task: key.task, value: task ? { ...task, running: false } : null };
    }
    return { tombstone: key.tombstone, value: this.source.tombstone(key.tombstone) ?? null };
  }

  /** Appends one line of entries to the journal and fsyncs it. */
  private async append(entries: Entry[]): Promise<void> {
    if (entries.length === 0) return;
    if (!this.journal) {
      const path = join(this.dir, journalName(this.generation));
      const isNew = !existsSync(path);
      this.journal = await open(path, 'a');
      if (isNew) await syncDir(this.dir);
    }
    const line = `${JSON.stringify(entries)}\n`;
    await this.journal.appendFile(line);
    await this.journal.datasync();
    this.journalBytes += Buffer.byteLength(line);
  }

  /** A new snapshot of the whole state, continued by a new, empty journal. */
  private async writeSnapshot(): Promise<void> {
    const generation = this.generation + 1;
    const snapshot: SnapshotFile = { version: 1, generation, ...this.source.all() };
    const text = JSON.stringify(snapshot);
    const file = join(this.dir, SNAPSHOT);
    const tmp = `${file}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } catch (err) {
      await handle.close();
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await handle.close();
    await rename(tmp, file);
    await syncDir(this.dir);
    // The snapshot now names the new generation: the old journal is no longer read.
    const old = this.journal;
    const oldPath = join(this.dir, journalName(this.generation));
    this.journal = undefined;
    this.generation = generation;
    this.journalBytes = 0;
    this.snapshotBytes = Buffer.byteLength(text);
    await old?.close();
    await unlink(oldPath).catch(() => undefined);
  }
}

/** Cuts a last line left unfinished by a crash, so appends start on a line of their own. */
function cutTornTail(path: string): number {
  const bytes = readFileSync(path);
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end === bytes.length) return end;
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, end);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return end;
}

/** fsync a directory so a rename or a new file in it is durable (a no-op where unsupported). */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch (err) {
    if (!isUnsupported(err)) throw err;
  } finally {
    await handle.close();
  }
}

function syncDirSync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    if (!isUnsupported(err)) throw err;
  } finally {
    closeSync(fd);
  }
}

const isUnsupported = (err: unknown) =>
  ['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '');
