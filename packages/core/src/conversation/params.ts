import type { Parameters } from '../dialogflow';
import { isRecord } from '../is-record';

/** Parameter values larger than this (as JSON) are treated as missing. */
export const MAX_PARAMETER_BYTES = 1024;

/**
 * Reads parameters in the shapes Dialogflow resolves system entities to. Every reader returns
 * `undefined` for a missing, empty, oversized or wrongly shaped value, so a handler asks again
 * instead of failing.
 */
export interface ParamReader {
  /** The raw value when present and at most 1 KiB as JSON. */
  raw(name: string): unknown;
  /** A non-empty trimmed string (numbers become strings; a list gives its first element). */
  string(name: string): string | undefined;
  /** An identifier: letters, digits, `_` and `-`, 1–64 characters; integers become strings. */
  id(name: string): string | undefined;
  /** A finite number (numbers or numeric strings). */
  number(name: string): number | undefined;
  /** A positive integer (e.g. party size), 1…max. */
  count(name: string, max?: number): number | undefined;
  /** A calendar date as `YYYY-MM-DD` (ES ISO date-time, CX `{year,month,day}`, or plain). */
  date(name: string): string | undefined;
  /** A time of day as `HH:MM` (ES ISO date-time, CX `{hours,minutes}`, or plain `HH:MM`). */
  time(name: string): string | undefined;
  /** A person's name (@sys.person `{name}` or a string). */
  person(name: string): string | undefined;
}

export function createParamReader(params: Parameters): ParamReader {
  const raw = (name: string): unknown => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return undefined;
    const value = params[name];
    if (value === null || value === undefined || value === '') return undefined;
    if (jsonSize(value) > MAX_PARAMETER_BYTES) return undefined;
    return value;
  };
  const scalar = (name: string): unknown => {
    const v = raw(name);
    return Array.isArray(v) ? v.find((x) => x !== '' && x !== null) : v;
  };

  const reader: ParamReader = {
    raw,
    string(name) {
      return asString(scalar(name));
    },
    id(name) {
      const v = scalar(name);
      const s =
        typeof v === 'number'
          ? Number.isSafeInteger(v) && v >= 0
            ? String(v)
            : undefined
          : asString(v);
      return s !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(s) ? s : undefined;
    },
    number(name) {
      return asNumber(scalar(name));
    },
    count(name, max = 1000) {
      const n = asNumber(scalar(name));
      return n !== undefined && Number.isInteger(n) && n >= 1 && n <= max ? n : undefined;
    },
    date(name) {
      return asDate(scalar(name));
    },
    time(name) {
      return asTime(scalar(name));
    },
    person(name) {
      const v = scalar(name);
      if (isRecord(v)) return asString(v.name);
      return asString(v);
    },
  };
  return reader;
}

function jsonSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return Infinity;
  }
}

function asString(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return s === '' ? undefined : s;
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

function validDate(y: number, m: number, d: number): string | undefined {
  if (![y, m, d].every(Number.isInteger) || y < 1 || y > 9999) return undefined;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return undefined;
  }
  return `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`;
}

function validTime(h: number, m: number): string | undefined {
  if (!Number.isInteger(h) || !Number.isInteger(m) || h < 0 || h > 23 || m < 0 || m > 59) {
    return undefined;
  }
  return `${pad(h)}:${pad(m)}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

function asDate(v: unknown): string | undefined {
  if (typeof v === 'string') {
    // ES @sys.date: "2026-12-24T12:00:00+08:00" (the agent's time zone); plain "2026-12-24".
    const m = v.trim().match(/^(\d{4})-(\d{2})-(\d{2})(?:$|T)/);
    return m ? validDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  }
  if (isRecord(v)) {
    if ('year' in v || 'month' in v || 'day' in v) {
      const y = asNumber(v.year);
      const mo = asNumber(v.month);
      const d = asNumber(v.day);
      return y !== undefined && mo !== undefined && d !== undefined
        ? validDate(y, mo, d)
        : undefined;
    }
    // ES @sys.date-time can come as {date_time: "..."}.
    if (typeof v.date_time === 'string') return asDate(v.date_time);
  }
  return undefined;
}

function asTime(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const s = v.trim();
    const iso = s.match(/^\d{4}-\d{2}-\d{2}T(\d{2}):(\d{2})/);
    if (iso) return validTime(Number(iso[1]), Number(iso[2]));
    const plain = s.match(/^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/);
    if (plain) return validTime(Number(plain[1]), Number(plain[2]));
    return undefined;
  }
  if (isRecord(v)) {
    if ('hours' in v || 'minutes' in v) {
      const h = v.hours === undefined ? 0 : asNumber(v.hours);
      const m = v.minutes === undefined ? 0 : asNumber(v.minutes);
      return h !== undefined && m !== undefined ? validTime(h, m) : undefined;
    }
    if (typeof v.date_time === 'string') return asTime(v.date_time);
  }
  return undefined;
}
