import type { EntityValue, ZonedNow } from './entities';

/*
 * Values in the shapes Dialogflow gives them: ES and CX resolve system entities differently
 * (ES dates and times are ISO date-times in the agent's zone, CX has objects), and gRPC
 * carries JSON as google.protobuf.Struct.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ES: @sys.date → "2026-12-24T12:00:00+08:00", @sys.time → today at that time, person → {name}. */
export function esValue(value: EntityValue, now: ZonedNow): Json {
  switch (value.kind) {
    case 'number':
      return value.value;
    case 'date':
      return `${pad(value.year, 4)}-${pad(value.month)}-${pad(value.day)}T12:00:00${now.offset}`;
    case 'time':
      return `${pad(now.year, 4)}-${pad(now.month)}-${pad(now.day)}T${pad(value.hours)}:${pad(value.minutes)}:00${now.offset}`;
    case 'person':
      return { name: value.name };
    case 'string':
      return value.value;
    case 'datetime':
      return `${pad(value.year, 4)}-${pad(value.month)}-${pad(value.day)}T${pad(value.hours)}:${pad(value.minutes)}:00${now.offset}`;
    case 'period':
      return {
        startDate: `${pad(value.start.year, 4)}-${pad(value.start.month)}-${pad(value.start.day)}T00:00:00${now.offset}`,
        endDate: `${pad(value.end.year, 4)}-${pad(value.end.month)}-${pad(value.end.day)}T23:59:59${now.offset}`,
      };
    case 'json':
      return value.es as Json;
    case 'composite':
      return Object.fromEntries(Object.entries(value.parts).map(([k, v]) => [k, esValue(v, now)]));
  }
}

/** CX: @sys.date → {year, month, day}, @sys.time → {hours, minutes, seconds, nanos}. */
export function cxValue(value: EntityValue): Json {
  switch (value.kind) {
    case 'number':
      return value.value;
    case 'date':
      return { year: value.year, month: value.month, day: value.day };
    case 'time':
      return { hours: value.hours, minutes: value.minutes, seconds: 0, nanos: 0 };
    case 'person':
      return { name: value.name };
    case 'string':
      return value.value;
    case 'datetime':
      return { year: value.year, month: value.month, day: value.day, hours: value.hours, minutes: value.minutes, seconds: 0, nanos: 0 }; // prettier-ignore
    case 'period':
      return { startDate: { ...value.start }, endDate: { ...value.end } };
    case 'json':
      return value.cx as Json;
    case 'composite':
      return Object.fromEntries(Object.entries(value.parts).map(([k, v]) => [k, cxValue(v)]));
  }
}

/** google.protobuf.Value as @grpc/proto-loader objects ({stringValue: …}). */
export type ProtoValue =
  | { nullValue: 'NULL_VALUE' }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: ProtoStruct }
  | { listValue: { values: ProtoValue[] } };
export interface ProtoStruct {
  fields: Record<string, ProtoValue>;
}

export function toProtoValue(value: unknown): ProtoValue {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toProtoValue) } };
  if (typeof value === 'object') return { structValue: toStruct(value as Record<string, unknown>) };
  return { stringValue: String(value) };
}

export function toStruct(object: Record<string, unknown>): ProtoStruct {
  const fields: Record<string, ProtoValue> = {};
  for (const [k, v] of Object.entries(object)) if (v !== undefined) fields[k] = toProtoValue(v);
  return { fields };
}

type LooseValue = Partial<{
  nullValue: unknown;
  numberValue: number;
  stringValue: string;
  boolValue: boolean;
  structValue: { fields?: Record<string, LooseValue> };
  listValue: { values?: LooseValue[] };
  kind: string;
}>;

export function fromProtoValue(value: LooseValue | undefined): Json {
  if (!value) return null;
  const kind =
    value.kind ??
    (['numberValue', 'stringValue', 'boolValue', 'structValue', 'listValue', 'nullValue'].find(
      (k) => (value as Record<string, unknown>)[k] !== undefined,
    ) as string | undefined);
  switch (kind) {
    case 'numberValue':
      return value.numberValue ?? 0;
    case 'stringValue':
      return value.stringValue ?? '';
    case 'boolValue':
      return value.boolValue ?? false;
    case 'structValue':
      return fromStruct(value.structValue);
    case 'listValue':
      return (value.listValue?.values ?? []).map(fromProtoValue);
    default:
      return null;
  }
}

export function fromStruct(
  struct: { fields?: Record<string, LooseValue> } | undefined | null,
): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(struct?.fields ?? {})) out[k] = fromProtoValue(v);
  return out;
}
