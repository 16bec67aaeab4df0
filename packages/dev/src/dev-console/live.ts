import type { Firestore, Timestamp } from '@google-cloud/firestore';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { describeJob, JOBS, type JobRegistry } from '@dialogflow-functions/core/jobs';
import {
  createMessages,
  resolveLanguage,
  type MessagesFor,
} from '@dialogflow-functions/core/messages';
import { sessionIdOf } from './notifications';

/*
 * Live state for the page: the jobs in Firestore (a snapshot listener on the emulator) and the
 * Cloud Tasks emulator's queues, tasks and dispatches (its JSON status page, polled).
 */

/** Per-channel delivery state as the page shows it. */
export interface ChannelView {
  state: 'sent' | 'failed' | 'sending' | 'pending';
  /** The recipient recorded for the channel (LINE user id, email address). */
  to?: string;
  attempts?: number;
  lastError?: string;
  sentAt?: number;
}

/** `jobs/{id}` as the page shows it (times in ms since the epoch). */
export interface JobView {
  id: string;
  type: string;
  status: string;
  attempts: number;
  createdAt?: number;
  updatedAt?: number;
  session: string | null;
  /** The console session id, when the job came from a console conversation. */
  sessionId?: string;
  language?: string;
  request?: unknown;
  result?: unknown;
  error?: string;
  notify: Record<string, ChannelView>;
  notifiedAt?: number;
  /** The job's state as task_status would tell the user, in the job's language. */
  summary?: string;
}

type Obj = Record<string, unknown>;

function millis(v: unknown): number | undefined {
  if (v && typeof (v as Timestamp).toMillis === 'function') return (v as Timestamp).toMillis();
  if (v instanceof Date) return v.getTime();
  return undefined;
}

/** Firestore Timestamps anywhere in a value → ISO strings (for `request`/`result`). */
function plain(v: unknown): unknown {
  const ms = millis(v);
  if (ms !== undefined) return new Date(ms).toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/**
 * One stored job document → its view. Unknown fields are ignored; missing ones stay unset.
 * With the bot's job registry, `summary` is what the user would be told about it (in the bot's
 * strings, `messages`).
 */
export function jobView(
  id: string,
  data: Obj,
  jobs?: JobRegistry,
  messages: MessagesFor = createMessages(),
): JobView {
  const notify: Record<string, ChannelView> = {};
  const n = (data.notify ?? {}) as Record<string, Obj>;
  for (const [channel, s] of Object.entries(n)) {
    if (!s || typeof s !== 'object') continue;
    const sentAt = millis(s.sentAt);
    const claimed = millis(s.claimedUntil);
    notify[channel] = {
      state: sentAt
        ? 'sent'
        : s.failedAt
          ? 'failed'
          : claimed && claimed > Date.now()
            ? 'sending'
            : 'pending',
      ...(typeof s.to === 'string' ? { to: s.to } : {}),
      ...(typeof s.attempts === 'number' ? { attempts: s.attempts } : {}),
      ...(typeof s.lastError === 'string' ? { lastError: s.lastError } : {}),
      ...(sentAt ? { sentAt } : {}),
    };
  }
  const session = typeof data.session === 'string' ? data.session : null;
  let summary: string | undefined;
  const parsed = jobs?.jobDoc.safeParse(data);
  if (jobs && parsed?.success) {
    summary = describeJob(jobs, id, parsed.data, messages(resolveLanguage(data.language)));
  }
  return {
    id,
    type: String(data.type ?? '?'),
    status: String(data.status ?? '?'),
    attempts: typeof data.attempts === 'number' ? data.attempts : 0,
    createdAt: millis(data.createdAt),
    updatedAt: millis(data.updatedAt),
    session,
    sessionId: sessionIdOf(session),
    language: typeof data.language === 'string' ? data.language : undefined,
    request: plain(data.request),
    result: plain(data.result),
    error: typeof data.error === 'string' ? data.error : undefined,
    notify,
    notifiedAt: millis(data.notifiedAt),
    ...(summary ? { summary } : {}),
  };
}

export interface JobsWatch {
  jobs(): JobView[];
  get(id: string): JobView | undefined;
  stop(): Promise<void>;
}

/**
 * Watches the newest `limit` jobs with a snapshot listener on the Firestore emulator at
 * `host`; `onChange` gets the whole list after each change. A listener error (the emulator
 * went away) is reported once and the watch restarts after a second.
 */
export async function watchJobs(options: {
  host: string;
  projectId: string;
  /** The bot's job types (for the summaries). */
  jobs?: JobRegistry;
  /** The bot's catalogue per language (for the summaries). */
  messages?: MessagesFor;
  onChange: (jobs: JobView[]) => void;
  onError?: (err: Error) => void;
  limit?: number;
}): Promise<JobsWatch> {
  const { Firestore } = await import('@google-cloud/firestore');
  const db: Firestore = new Firestore({
    projectId: options.projectId,
    ...emulatorSettings(options.host),
  });
  let current: JobView[] = [];
  let unsubscribe: (() => void) | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const listen = () => {
    unsubscribe = db
      .collection(JOBS)
      .orderBy('createdAt', 'desc')
      .limit(options.limit ?? 100)
      .onSnapshot(
        (snap) => {
          current = snap.docs.map((d) => jobView(d.id, d.data(), options.jobs, options.messages));
          options.onChange(current);
        },
        (err) => {
          if (stopped) return;
          options.onError?.(err);
          retry = setTimeout(listen, 1000);
        },
      );
  };
  listen();
  return {
    jobs: () => current,
    get: (id) => current.find((j) => j.id === id),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      unsubscribe?.();
      await db.terminate();
    },
  };
}

/** One dispatch attempt of the Cloud Tasks emulator. */
export interface DispatchView {
  task: string;
  jobId: string;
  attempt: number;
  at?: number;
  status: number | string;
  latencyMs: number;
  outcome: string;
  nextAttemptInMs?: number;
}

/** A task still in the emulator's queue (not yet delivered, or being retried). */
export interface TaskView {
  name: string;
  jobId: string;
  /** When the next attempt is due (ms since the epoch). */
  scheduleAt?: number;
  dispatchCount: number;
  running: boolean;
  lastStatus?: string;
}

export interface TasksView {
  available: boolean;
  /** Why not, when it is not (no status page, or it did not answer). */
  reason?: string;
  queues: { name: string; state?: string }[];
  tasks: TaskView[];
  dispatches: DispatchView[];
}

/** A google.protobuf.Timestamp in proto-object form (`{seconds: "…", nanos}`) → ms. */
function protoMillis(v: unknown): number | undefined {
  const t = (v ?? {}) as Obj;
  const seconds = Number(t.seconds);
  return Number.isFinite(seconds)
    ? seconds * 1000 + Math.round(Number(t.nanos ?? 0) / 1e6)
    : undefined;
}

/** The last segment of a task name: the job id (task names are `…/tasks/{jobId}`). */
const lastSegment = (name: string) => name.slice(name.lastIndexOf('/') + 1);

/** The emulator's status page (GET /) → what the page shows. */
export function tasksView(page: unknown): TasksView {
  const p = (page ?? {}) as Obj;
  const arr = (v: unknown) => (Array.isArray(v) ? (v as Obj[]) : []);
  return {
    available: true,
    queues: arr(p.queues).map((q) => ({
      name: String(q.name),
      ...(typeof q.state === 'string' ? { state: q.state } : {}),
    })),
    tasks: arr(p.tasks).map((t) => {
      const last = (t.lastAttempt ?? {}) as Obj;
      const status = (last.responseStatus ?? {}) as Obj;
      return {
        name: String(t.name),
        jobId: lastSegment(String(t.name)),
        scheduleAt: protoMillis(t.scheduleTime),
        dispatchCount: Number(t.dispatchCount ?? 0),
        running: t.running === true,
        ...(typeof status.message === 'string' ? { lastStatus: status.message } : {}),
      };
    }),
    dispatches: arr(p.recentDispatches).map((d) => ({
      task: String(d.task),
      jobId: lastSegment(String(d.task)),
      attempt: Number(d.attempt ?? 0),
      ...(typeof d.at === 'number' ? { at: d.at } : {}),
      status: typeof d.status === 'number' || typeof d.status === 'string' ? d.status : '?',
      latencyMs: Number(d.latencyMs ?? 0),
      outcome: String(d.outcome ?? '?'),
      ...(typeof d.nextAttemptInMs === 'number' ? { nextAttemptInMs: d.nextAttemptInMs } : {}),
    })),
  };
}

export interface TasksPoll {
  current(): TasksView;
  /** Reads the status page now (whether or not anyone is watching). */
  refresh(): Promise<TasksView>;
  stop(): void;
}

/**
 * Polls the Cloud Tasks emulator's status page every `intervalMs` while `active()` says
 * someone is watching, and calls `onChange` when what it shows changed.
 */
export function pollTasks(options: {
  statusUrl: string | undefined;
  onChange: (view: TasksView) => void;
  active: () => boolean;
  intervalMs?: number;
}): TasksPoll {
  let current: TasksView = options.statusUrl
    ? { available: false, reason: 'not read yet', queues: [], tasks: [], dispatches: [] }
    : {
        available: false,
        reason: 'the Cloud Tasks emulator was not started by npm start (no status page)',
        queues: [],
        tasks: [],
        dispatches: [],
      };
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const read = async (): Promise<TasksView> => {
    let next: TasksView;
    try {
      const res = await fetch(options.statusUrl!, { signal: AbortSignal.timeout(2000) });
      next = res.ok
        ? tasksView(await res.json())
        : { ...current, available: false, reason: `status page answered HTTP ${res.status}` };
    } catch (err) {
      next = { ...current, available: false, reason: (err as Error).message };
    }
    const json = JSON.stringify(next);
    if (json !== last) {
      last = json;
      current = next;
      options.onChange(next);
    }
    return current;
  };
  const tick = async () => {
    if (stopped || !options.statusUrl) return;
    if (options.active()) await read();
    if (!stopped) timer = setTimeout(() => void tick(), options.intervalMs ?? 500);
  };
  void tick();
  return {
    current: () => current,
    refresh: () => (options.statusUrl && !stopped ? read() : Promise.resolve(current)),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
