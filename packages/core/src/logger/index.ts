import { sha256Hex } from '../sha256';

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** Fields a log entry may carry: ids, tags, numbers. Never bodies, parameters or tokens. */
export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose entries all carry these fields (trace, intent, …). */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

const TRACE_KEY = 'logging.googleapis.com/trace';

/**
 * Structured logger: one JSON line per entry, in the shape Cloud Logging reads from stdout
 * (`severity`, `message`, trace). `sink` defaults to {@link stdoutSink}; tests pass their own.
 */
export function createLogger(
  options: { sink?: LogSink; fields?: LogFields; minSeverity?: Severity } = {},
): Logger {
  return new JsonLogger(
    options.sink ?? stdoutSink,
    { ...options.fields },
    RANK[options.minSeverity ?? 'DEBUG'],
  );
}

class JsonLogger implements Logger {
  /** Its own fields are all plain values: its lines may wait to be serialised. */
  private readonly deferrable: boolean;
  /** About how many characters its own fields add to a line. */
  private readonly fieldChars: number = 0;

  constructor(
    private readonly sink: LogSink,
    private readonly fields: LogFields,
    private readonly min: number,
  ) {
    let deferrable = sink === stdoutSink;
    for (const key in fields) {
      if (!deferrable) break;
      const value = fields[key];
      deferrable = isPlain(value);
      this.fieldChars += charsOf(key, value);
    }
    this.deferrable = deferrable;
  }

  debug(message: string, fields?: LogFields): void {
    this.write('DEBUG', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('INFO', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('WARNING', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('ERROR', message, fields);
  }
  child(fields: LogFields): Logger {
    return new JsonLogger(this.sink, { ...this.fields, ...fields }, this.min);
  }

  private write(severity: Severity, message: string, fields: LogFields | undefined): void {
    if (RANK[severity] < this.min) return;
    if (this.deferrable && queueEntry(severity, message, this.fields, this.fieldChars, fields)) {
      return;
    }
    this.sink(serialize(severity, message, this.fields, fields, Date.now()));
  }
}

/**
 * One entry's JSON line: `severity`, `message`, the logger's fields, the call's fields (a field
 * given again overrides the earlier one in its place, as in an object spread), `time` last.
 * JSON.stringify leaves out undefined fields. A null-prototype object, so that a field named
 * `__proto__` is a field like any other.
 */
function serialize(
  severity: Severity,
  message: string,
  base: LogFields,
  fields: LogFields | undefined,
  time: number,
): string {
  const entry: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  entry.severity = severity;
  entry.message = message;
  for (const key in base) if (hasOwn(base, key)) entry[key] = base[key];
  for (const key in fields) if (hasOwn(fields, key)) entry[key] = fields[key];
  entry.time = new Date(time).toISOString();
  return JSON.stringify(entry);
}

/**
 * What the default sink holds until its next write, flat: a line is `LINE, text`; an entry is
 * `ENTRY, severity, message, the logger's fields, time, n, key1, value1, … keyN, valueN`. An
 * entry is serialised when its batch is written, not when it is logged: a turn only copies its
 * call's fields (their values, so a caller changing the object afterwards changes nothing) and
 * a busy instance serialises its batch in one go. Measured with `npm run bench` on Node 22, the
 * turn's line cost a warm welcome about 15 µs of CPU serialised in the turn (a twelfth of it).
 */
let queue: unknown[] = [];
let queuedChars = 0;
const LINE = 0;
const ENTRY = 1;
/**
 * Towards {@link MAX_PENDING_CHARS}, an entry not yet serialised counts as this (its severity,
 * time and punctuation) plus the lengths of its message, keys and string values.
 */
const ENTRY_CHARS = 64;
let flushScheduled = false;
let exitHooked = false;
/** When the last batch was written (`Date.now()`), to space the writes of a busy instance. */
let lastWrite = -Infinity;
/** Lines kept at most before they are written at once (a burst never grows memory). */
const MAX_PENDING_CHARS = 64 * 1024;
/**
 * Under a steady stream of turns, batches are written at least this far apart: a loaded instance
 * answers a few turns per event-loop turn, and one `write` system call per loop turn cost it about
 * a tenth of a warm welcome's CPU (`npm run bench`). A quiet instance writes each line at once.
 */
const BATCH_SPACING_MS = 20;

/** Writes what is pending to stdout in one write. */
export function flushLogs(): void {
  flushScheduled = false;
  if (queue.length === 0) return;
  const items = queue;
  queue = [];
  queuedChars = 0;
  let chunk = '';
  for (let i = 0; i < items.length;) {
    if (items[i++] === LINE) {
      chunk += `${items[i++] as string}\n`;
      continue;
    }
    const severity = items[i++] as Severity;
    const message = items[i++] as string;
    const base = items[i++] as LogFields;
    const time = items[i++] as number;
    const n = items[i++] as number;
    let fields: LogFields | undefined;
    if (n > 0) {
      fields = Object.create(null) as LogFields;
      for (let f = 0; f < n; f++) fields[items[i++] as string] = items[i++] as LogFields[string];
    }
    chunk += `${serialize(severity, message, base, fields, time)}\n`;
  }
  lastWrite = Date.now();
  process.stdout.write(chunk);
}

/**
 * The default sink: stdout, one line per entry, written in batches. A line logged when nothing
 * was written for {@link BATCH_SPACING_MS} goes out right after the current turn of the event
 * loop (`setImmediate`); on a busy instance, the lines of the next few milliseconds join it, so
 * it makes one write system call per batch instead of one per line or per loop turn. Nothing is
 * lost on the way out: the batch is written when it reaches 64 KiB, on process exit
 * (`process.exit`, a crash, the end of the event loop) and on SIGTERM/SIGINT, before Node stops.
 */
export function stdoutSink(line: string): void {
  queue.push(LINE, line);
  queued(line.length + 1);
}

/**
 * A logger's entry for {@link stdoutSink}, kept unserialised until its batch is written; false
 * (nothing queued) when a field's value is not a plain one (an object, a bigint, a getter's
 * throw): the caller serialises it now, as it is now, and any error is the caller's.
 */
function queueEntry(
  severity: Severity,
  message: string,
  base: LogFields,
  baseChars: number,
  fields: LogFields | undefined,
): boolean {
  const start = queue.length;
  queue.push(ENTRY, severity, message, base, Date.now(), 0);
  let n = 0;
  let chars = ENTRY_CHARS + message.length + baseChars;
  try {
    for (const key in fields) {
      if (!hasOwn(fields, key)) continue;
      const value = fields[key];
      if (!isPlain(value)) {
        queue.length = start;
        return false;
      }
      queue.push(key, value);
      n++;
      chars += charsOf(key, value);
    }
  } catch {
    queue.length = start;
    return false;
  }
  queue[start + 5] = n;
  queued(chars);
  return true;
}

/** About how many characters a plain field adds to a line (a string's length, 8 for others). */
function charsOf(key: string, value: unknown): number {
  return key.length + (typeof value === 'string' ? value.length : 8);
}

/** What JSON shows as it is and no later change can alter: what a line may keep unserialised. */
function isPlain(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    typeof value === 'number'
  );
}

const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

function queued(chars: number): void {
  queuedChars += chars;
  if (queuedChars >= MAX_PENDING_CHARS) {
    flushLogs();
    return;
  }
  if (flushScheduled) return;
  flushScheduled = true;
  if (!exitHooked) hookExit();
  const wait = lastWrite + BATCH_SPACING_MS - Date.now();
  if (wait <= 0) setImmediate(flushLogs);
  else setTimeout(flushLogs, wait).unref();
}

/**
 * Pending lines are written when the process exits, and when a signal stops it: a process with
 * no handler of its own for SIGTERM/SIGINT (functions-framework has one, which exits) is then
 * stopped by the same signal again, as it would have been without this hook.
 */
function hookExit(): void {
  exitHooked = true;
  process.on('exit', flushLogs);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = () => {
      flushLogs();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

const RANK: Record<Severity, number> = {
  DEBUG: 0,
  INFO: 1,
  NOTICE: 2,
  WARNING: 3,
  ERROR: 4,
  CRITICAL: 5,
};

/**
 * The Cloud Logging trace field from `X-Cloud-Trace-Context` (`TRACE/SPAN;o=1`) or W3C
 * `traceparent` (`00-TRACE-SPAN-01`), or an empty object when neither is usable.
 */
export function traceFields(
  projectId: string,
  headers: Record<string, string | string[] | undefined>,
): LogFields {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  let traceId: string | undefined;
  const cloud = first(headers['x-cloud-trace-context']);
  const m1 = cloud?.match(/^([0-9a-fA-F]{32})(?:\/|$)/);
  if (m1) traceId = m1[1];
  if (!traceId) {
    const tp = first(headers['traceparent']);
    const m2 = tp?.match(/^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/);
    if (m2) traceId = m2[1];
  }
  if (!traceId || /^0+$/.test(traceId)) return {};
  return { [TRACE_KEY]: `projects/${projectId}/traces/${traceId.toLowerCase()}` };
}

/**
 * The ids of the sessions seen last: a conversation's turns hash their session once. Only ids of
 * a session name's usual size are kept (a request may carry a much longer one), so the memo
 * holds at most 1,024 × 256 characters.
 */
const hashedIds = new Map<string, string>();
const HASHED_IDS_KEPT = 1024;
const HASHED_ID_MAX_CHARS = 256;

/** A short, stable, non-reversible id for a session: lets logs be correlated without the id. */
export function hashId(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.length > HASHED_ID_MAX_CHARS) return sha256Hex(value).slice(0, 16);
  let hashed = hashedIds.get(value);
  if (hashed === undefined) {
    hashed = sha256Hex(value).slice(0, 16);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: bounds the memo only
    if (hashedIds.size >= HASHED_IDS_KEPT) hashedIds.clear();
    hashedIds.set(value, hashed);
  }
  return hashed;
}
