import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { systemClock, type Clock } from './clock';
import { LIMITS, RpcError, type StoredQueue, type StoredTask } from './model';
import {
  DataDirStore,
  loadState,
  MemoryStore,
  type SavedState,
  type StateStore,
} from './persistence';
import { Dispatcher, type DispatchLog } from './scheduler';
import {
  givenTaskName,
  locationName,
  newQueue,
  newTask,
  page,
  queueName,
  taskInput,
  taskName,
  taskParent,
  updatedQueue,
} from './validation';
import { isObj, type Obj } from './wire';

export type { DispatchLog } from './scheduler';

export interface EmulatorOptions {
  dataDir?: string;
  /** One line per dispatch and per notable event. */
  log?: (message: string, fields: Record<string, unknown>) => void;
  now?: () => number;
  /** Time and timers for scheduling and dispatch deadlines (default: the system's). */
  clock?: Clock;
  /** Longest sleep between scheduler passes in ms (default 250). */
  tickMs?: number;
}

/**
 * The Cloud Tasks v2 service for HTTP targets: queue and task RPCs over the emulator's state,
 * checked by ./validation, dispatched by ./scheduler, saved by ./persistence. An RPC changes
 * the state at once; its answer waits for `saved()` (see server.ts), so with a data dir
 * nothing is acknowledged before it is on disk, and a new task is not dispatched before then.
 */
export class TasksEmulator {
  readonly queues = new Map<string, StoredQueue>();
  readonly tasks = new Map<string, StoredTask>();
  /** Task names that cannot be reused until the given time (ms). */
  readonly tombstones = new Map<string, number>();

  private readonly now: () => number;
  private readonly store: StateStore;
  private readonly dispatcher: Dispatcher;
  /** The change that created each task not yet known to be saved. */
  private readonly createdBy = new WeakMap<StoredTask, number>();

  constructor(options: EmulatorOptions = {}) {
    const clock = options.clock ?? systemClock;
    this.now = options.now ?? (() => clock.now());
    this.dispatcher = new Dispatcher(
      {
        queues: this.queues,
        tasks: this.tasks,
        dispatchable: (task) => (this.createdBy.get(task) ?? 0) <= this.store.savedChanges,
        removeTask: (task) => this.removeTask(task),
        changed: (task) => this.store.changed({ task: task.name }),
      },
      {
        now: this.now,
        clock,
        log: options.log ?? (() => {}),
        tickMs: options.tickMs,
      },
    );
    if (options.dataDir) {
      const loaded = loadState(options.dataDir);
      if (loaded) this.restore(loaded.state);
      this.store = new DataDirStore(
        options.dataDir,
        {
          queue: (name) => this.queues.get(name),
          task: (name) => this.tasks.get(name),
          tombstone: (name) => this.tombstones.get(name),
          all: () => this.snapshot(),
        },
        loaded?.generation ?? 0,
        () => this.dispatcher.kick(),
      );
    } else {
      this.store = new MemoryStore();
    }
  }

  /** The last 1000 dispatch attempts, oldest first. */
  get dispatches(): DispatchLog[] {
    return this.dispatcher.dispatches;
  }

  /** Resolves once every change made so far is durable (at once without a data dir). */
  saved(): Promise<void> {
    return this.store.saved();
  }

  // ---------------------------------------------------------------- queues

  listQueues(req: Obj): Obj {
    const parent = locationName(req.parent);
    const all = [...this.queues.values()].filter((q) => q.name.startsWith(`${parent}/queues/`));
    return page(all, req, 'queues');
  }

  getQueue(req: Obj): StoredQueue {
    return this.requireQueue(req.name);
  }

  createQueue(req: Obj): StoredQueue {
    const queue = newQueue(req);
    if (this.queues.has(queue.name))
      throw new RpcError(status.ALREADY_EXISTS, `Queue ${queue.name} already exists`);
    this.queues.set(queue.name, queue);
    this.store.changed({ queue: queue.name });
    return queue;
  }

  updateQueue(req: Obj): StoredQueue {
    const name = queueName(isObj(req.queue) ? req.queue.name : undefined, 'queue.name');
    // As the service does, UpdateQueue creates a queue that does not exist.
    const queue = updatedQueue(req, this.queues.get(name));
    this.queues.set(name, queue);
    this.store.changed({ queue: name });
    return queue;
  }

  deleteQueue(req: Obj): void {
    const queue = this.requireQueue(req.name);
    const gone = [...this.tasks.values()].filter((t) => t.queue === queue.name);
    for (const t of gone) this.tasks.delete(t.name);
    this.queues.delete(queue.name);
    this.store.changed({ queue: queue.name }, ...gone.map((t) => ({ task: t.name })));
  }

  purgeQueue(req: Obj): StoredQueue {
    const queue = this.requireQueue(req.name);
    for (const t of [...this.tasks.values()]) if (t.queue === queue.name) this.removeTask(t);
    queue.purgeTimeMs = this.now();
    this.store.changed({ queue: queue.name });
    return queue;
  }

  setQueueState(req: Obj, state: 'RUNNING' | 'PAUSED'): StoredQueue {
    const queue = this.requireQueue(req.name);
    queue.state = state;
    this.store.changed({ queue: queue.name });
    this.dispatcher.kick();
    return queue;
  }

  // ----------------------------------------------------------------- tasks

  listTasks(req: Obj): Obj & { tasks: StoredTask[] } {
    const queue = this.requireQueue(req.parent);
    const all = [...this.tasks.values()]
      .filter((t) => t.queue === queue.name)
      .sort((a, b) => a.scheduleTimeMs - b.scheduleTimeMs || a.name.localeCompare(b.name));
    return page(all, req, 'tasks') as Obj & { tasks: StoredTask[] };
  }

  getTask(req: Obj): StoredTask {
    return this.requireTask(req.name);
  }

  createTask(req: Obj): StoredTask {
    const parent = taskParent(req);
    if (!this.queues.has(parent))
      throw new RpcError(status.NOT_FOUND, `Queue ${parent} does not exist. Create it first.`);
    const input = taskInput(req);
    let name = givenTaskName(input, parent);
    if (name) {
      this.expireTombstones();
      if (this.tasks.has(name))
        throw new RpcError(status.ALREADY_EXISTS, `Task ${name} already exists`);
      if (this.tombstones.has(name)) {
        throw new RpcError(
          status.ALREADY_EXISTS,
          `Task ${name} was created recently and cannot be reused yet`,
        );
      }
    } else {
      name = `${parent}/tasks/${randomBytes(16).toString('hex')}`;
    }
    const task = newTask(input, parent, name, this.now());
    this.tasks.set(name, task);
    this.createdBy.set(task, this.store.changed({ task: name }));
    this.dispatcher.kick();
    return task;
  }

  deleteTask(req: Obj): void {
    this.removeTask(this.requireTask(req.name));
  }

  runTask(req: Obj): StoredTask {
    const task = this.requireTask(req.name);
    if (task.running)
      throw new RpcError(status.FAILED_PRECONDITION, `Task ${task.name} is already running`);
    const snapshot = structuredClone(task);
    task.forced = true;
    this.store.changed({ task: task.name });
    this.dispatcher.kick();
    return snapshot;
  }

  // ------------------------------------------------------------- lifecycle

  /** Starts dispatching. */
  start(): void {
    this.dispatcher.start();
  }

  /** Stops dispatching, aborts attempts in flight (they stay pending) and saves. */
  async stop(): Promise<void> {
    this.dispatcher.stop();
    await this.store.close();
  }

  // ---------------------------------------------------------------- helpers

  /** Ends a task; its name stays used for an hour. */
  private removeTask(task: StoredTask): void {
    this.tasks.delete(task.name);
    this.tombstones.set(task.name, this.now() + LIMITS.nameReuseMs);
    this.store.changed({ task: task.name }, { tombstone: task.name });
  }

  private expireTombstones(): void {
    const now = this.now();
    for (const [name, until] of this.tombstones) {
      if (until > now) continue;
      this.tombstones.delete(name);
      this.store.changed({ tombstone: name });
    }
  }

  private requireQueue(value: unknown): StoredQueue {
    const name = queueName(value);
    const queue = this.queues.get(name);
    if (!queue) throw new RpcError(status.NOT_FOUND, `Queue ${name} does not exist`);
    return queue;
  }

  private requireTask(value: unknown): StoredTask {
    const name = taskName(value);
    const task = this.tasks.get(name);
    if (!task) throw new RpcError(status.NOT_FOUND, `Task ${name} does not exist`);
    return task;
  }

  private snapshot(): SavedState {
    return {
      queues: [...this.queues.values()],
      tasks: [...this.tasks.values()].map((t) => ({ ...t, running: false })),
      tombstones: [...this.tombstones.entries()],
    };
  }

  private restore(saved: SavedState): void {
    for (const q of saved.queues) this.queues.set(q.name, q);
    for (const t of saved.tasks) this.tasks.set(t.name, { ...t, running: false });
    for (const [n, until] of saved.tombstones) this.tombstones.set(n, until);
  }
}
