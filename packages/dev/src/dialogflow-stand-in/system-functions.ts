import { randomUUID } from 'node:crypto';
import type { Json, JsonObject } from './values';

/*
 * CX's inline system functions (`$sys.func.NAME(...)`, the system functions reference) that the
 * stand-in runs. A function called with values of the wrong kind gives null, as Dialogflow logs
 * an error in SystemFunctionResults and goes on. The date functions that need Dialogflow's date
 * objects and formats (NOW, ADD_DATE, FORMAT_DATE, IS_FUTURE_DATE, IS_PAST_DATE), FILTER (JSONPath)
 * and the phone-number ones are not here: the loader names every use of them in a warning.
 */

const num = (v: Json): number | undefined =>
  typeof v === 'number'
    ? v
    : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;
const list = (v: Json): Json[] => (Array.isArray(v) ? v : v === null ? [] : [v]);
const text = (v: Json): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : undefined;
const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);

function numbers(args: Json[]): number[] | undefined {
  const out = args.map(num);
  return out.every((n) => n !== undefined) ? (out as number[]) : undefined;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** IS_DATE with a java.time pattern of y/u (year), M/MM/MMM (month), d/dd (day) and literals. */
function isDate(value: string, pattern: string): boolean | null {
  const fields: ('y' | 'M' | 'MMM' | 'd')[] = [];
  let re = '';
  for (const m of pattern.matchAll(/([uy]+|M+|d+|'[^']*'|[^uyMd'])/g)) {
    const p = m[0];
    if (/^[uy]+$/.test(p)) {
      fields.push('y');
      re += p.length === 2 ? '(\\d{2})' : '(\\d{4})';
    } else if (/^M+$/.test(p)) {
      if (p.length >= 3) {
        fields.push('MMM');
        re += '([A-Za-z]{3,9})';
      } else {
        fields.push('M');
        re += p.length === 2 ? '(\\d{2})' : '(\\d{1,2})';
      }
    } else if (/^d+$/.test(p)) {
      fields.push('d');
      re += p.length === 2 ? '(\\d{2})' : '(\\d{1,2})';
    } else if (/^[A-Za-z]$/.test(p)) {
      return null; // A pattern letter it does not read (hours, eras, …).
    } else {
      re += p.replace(/^'|'$/g, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  const m = new RegExp(`^${re}$`).exec(value.trim());
  if (!m) return false;
  let year = 2000;
  let month = 1;
  let day = 1;
  fields.forEach((f, i) => {
    const v = m[i + 1] as string;
    if (f === 'y') year = v.length === 2 ? 2000 + Number(v) : Number(v);
    else if (f === 'M') month = Number(v);
    else if (f === 'MMM') month = MONTHS.indexOf(v.slice(0, 3).toLowerCase()) + 1;
    else day = Number(v);
  });
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function luhn(value: string): boolean {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

function field(object: Json, path: string): Json {
  let v: Json | undefined = object;
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (v === null || v === undefined || typeof v !== 'object') return null;
    v =
      m[2] !== undefined
        ? Array.isArray(v)
          ? v[Number(m[2])]
          : undefined
        : (v as JsonObject)[m[1] as string];
  }
  return v ?? null;
}

type SystemFunction = (args: Json[]) => Json;

const FUNCTIONS: Record<string, SystemFunction> = {
  ADD: (a) => numbers(a)?.reduce((x, y) => x + y, 0) ?? null,
  MINUS: (a) => {
    const n = numbers(a);
    return n && n.length === 2 ? (n[0] as number) - (n[1] as number) : null;
  },
  MULTIPLY: (a) => numbers(a)?.reduce((x, y) => x * y, 1) ?? null,
  DIVIDE: (a) => {
    const n = numbers(a.slice(0, 2));
    if (!n || n[1] === 0) return null;
    const q = (n[0] as number) / (n[1] as number);
    const digits = a[2] === undefined ? undefined : num(a[2] as Json);
    return digits === undefined ? q : Number(q.toFixed(digits));
  },
  ROUND: (a) => {
    const x = num(a[0] ?? null);
    const digits = a[1] === undefined ? 0 : num(a[1] as Json);
    return x === undefined || digits === undefined ? null : Number(x.toFixed(digits));
  },
  RAND: () => Math.random(),
  UUID: () => randomUUID(),
  IF: (a) => (a[0] === true ? (a[1] ?? null) : (a[2] ?? null)),
  IDENTITY: (a) => a[0] ?? null,
  CONCATENATE: (a) => a.map((v) => text(v) ?? (v === null ? '' : JSON.stringify(v))).join(''),
  LEN: (a) => (typeof a[0] === 'string' ? [...a[0]].length : null),
  LOWER: (a) => (typeof a[0] === 'string' ? a[0].toLowerCase() : null),
  UPPER: (a) => (typeof a[0] === 'string' ? a[0].toUpperCase() : null),
  MID: (a) => {
    const s = text(a[0] ?? null);
    const start = num(a[1] ?? null);
    const length = num(a[2] ?? null);
    if (s === undefined || start === undefined || length === undefined || start < 1) return null;
    return [...s].slice(start - 1, start - 1 + length).join('');
  },
  SUBSTITUTE: (a) => {
    const [s, from, to] = a.map((v) => text(v ?? null));
    return s === undefined || from === undefined || to === undefined || from === ''
      ? null
      : s.split(from).join(to);
  },
  SPLIT: (a) => {
    const [s, sep] = a.map((v) => text(v ?? null));
    return s === undefined || sep === undefined ? null : s.split(sep);
  },
  JOIN: (a) => {
    const sep = text(a[0] ?? null);
    if (sep === undefined || !Array.isArray(a[1])) return null;
    const items = a[1].map((v) => text(v) ?? JSON.stringify(v));
    const last = a[2] === undefined ? undefined : text(a[2] as Json);
    if (last === undefined || items.length < 2) return items.join(sep);
    return `${items.slice(0, -1).join(sep)}${last}${items[items.length - 1]}`;
  },
  URL_ENCODE: (a) => (typeof a[0] === 'string' ? encodeURIComponent(a[0]) : null),
  APPEND: (a) => [...list(a[0] ?? null), ...a.slice(1).flatMap((v) => (Array.isArray(v) ? v : [v]))],
  REMOVE: (a) => {
    const drop = a.slice(1).flatMap((v) => (Array.isArray(v) ? v : [v]));
    return list(a[0] ?? null).filter((v) => !drop.some((d) => same(d, v)));
  },
  COUNT: (a) => (Array.isArray(a[0]) ? a[0].length : a[0] === null || a[0] === undefined ? 0 : 1),
  UNIQUE: (a) =>
    list(a[0] ?? null).filter((v, i, all) => all.findIndex((w) => same(v, w)) === i),
  CONTAIN: (a) => list(a[0] ?? null).some((v) => same(v, a[1] ?? null)),
  MATCH: (a) => list(a[0] ?? null).findIndex((v) => same(v, a[1] ?? null)),
  GET: (a) => {
    const i = num(a[1] ?? null);
    return Array.isArray(a[0]) && i !== undefined ? (a[0][i] ?? null) : null;
  },
  GET_FIELD: (a) => {
    const key = text(a[1] ?? null);
    const o = a[0];
    return o && typeof o === 'object' && !Array.isArray(o) && key !== undefined
      ? (o[key] ?? null)
      : null;
  },
  NESTED_FIELD: (a) => a.slice(1).reduce<Json>((o, k) => field(o, text(k) ?? ''), a[0] ?? null),
  TO_TEXT: (a) => text(a[0] ?? null) ?? (a[0] === null || a[0] === undefined ? null : JSON.stringify(a[0])),
  TO_NUMBER: (a) => num(a[0] ?? null) ?? null,
  TO_OBJECT: (a) => {
    if (typeof a[0] !== 'string') return null;
    try {
      return JSON.parse(a[0]) as Json;
    } catch {
      return null;
    }
  },
  IS_DATE: (a) =>
    typeof a[0] === 'string' && typeof a[1] === 'string' ? isDate(a[0], a[1]) : false,
  IS_CREDIT_CARD_NUMBER: (a) => (typeof a[0] === 'string' ? luhn(a[0]) : false),
}; // prettier-ignore

/** The system functions the stand-in runs (by their capitalised name). */
export const SYSTEM_FUNCTIONS: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));

/** Calls a system function the stand-in runs (SYSTEM_FUNCTIONS has its name). */
export function callSystemFunction(name: string, args: Json[]): Json {
  const fn = FUNCTIONS[name];
  if (!fn) return null;
  return fn(args);
}
