import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { fromStruct, fromProtoValue, toProtoValue, toStruct, type Json } from './values';

/*
 * Between proto3 JSON (what the sessions speak, like Dialogflow's REST API and webhooks) and
 * the objects @grpc/proto-loader serializes: they differ where the well-known types are
 * (Struct, Value, ListValue, Duration) and in proto-loader's virtual oneof fields.
 */

const require = createRequire(__filename);

const roots = new Map<string, protobuf.Root>();

/** The protobufjs root of the protos shipped in a @google-cloud package. */
export function protoRoot(
  pkg: '@google-cloud/dialogflow' | '@google-cloud/dialogflow-cx',
): protobuf.Root {
  let root = roots.get(pkg);
  if (!root) {
    root = protobuf.Root.fromJSON(
      require(`${pkg}/build/protos/protos.json`) as protobuf.INamespace,
    );
    root.resolveAll();
    roots.set(pkg, root);
  }
  return root;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** proto3 JSON → an object for proto-loader to serialize as `type`. */
export function jsonToMessage(type: protobuf.Type, json: unknown): unknown {
  switch (type.fullName) {
    case '.google.protobuf.Struct':
      return toStruct(isObj(json) ? json : {});
    case '.google.protobuf.Value':
      return toProtoValue(json);
    case '.google.protobuf.ListValue':
      return { values: (Array.isArray(json) ? json : []).map(toProtoValue) };
    case '.google.protobuf.Duration': {
      const m = typeof json === 'string' ? json.match(/^(-?\d+)(?:\.(\d{1,9}))?s$/) : null;
      return m ? { seconds: m[1], nanos: Number((m[2] ?? '').padEnd(9, '0')) } : json;
    }
  }
  if (!isObj(json)) return json;
  const out: Obj = {};
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key] ?? type.fieldsArray.find((f) => f.name === key);
    if (!field || value === undefined) continue;
    out[field.name] = convertField(field, value, jsonToMessage);
  }
  return out;
}

/**
 * A proto-loader object of `type` → proto3 JSON. Fields at their default value are left out,
 * as proto3 JSON does (google-gax decodes with `defaults: true`).
 */
export function messageToJson(type: protobuf.Type, message: unknown): unknown {
  switch (type.fullName) {
    case '.google.protobuf.Struct':
      return fromStruct(message as Parameters<typeof fromStruct>[0]);
    case '.google.protobuf.Value':
      return fromProtoValue(message as Parameters<typeof fromProtoValue>[0]);
    case '.google.protobuf.ListValue':
      return ((message as { values?: unknown[] } | null)?.values ?? []).map((v) =>
        fromProtoValue(v as Parameters<typeof fromProtoValue>[0]),
      );
  }
  if (!isObj(message)) return message;
  const out: Obj = {};
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null || isDefault(field, value)) continue;
    out[field.name] = convertField(field, value, messageToJson);
  }
  return out;
}

function isDefault(field: protobuf.Field, value: unknown): boolean {
  if (field.repeated) return Array.isArray(value) && value.length === 0;
  if (field instanceof protobuf.MapField) return isObj(value) && Object.keys(value).length === 0;
  if (field.partOf) return false; // a oneof member that is set is set, even to its default
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return value === 0 || resolved.valuesById[0] === value;
  if (resolved) return false;
  return value === '' || value === 0 || value === '0' || value === false;
}

function convertField(
  field: protobuf.Field,
  value: unknown,
  convert: (type: protobuf.Type, v: unknown) => unknown,
): unknown {
  const resolved = field.resolvedType;
  if (!(resolved instanceof protobuf.Type)) return value;
  if (field instanceof protobuf.MapField && isObj(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(resolved, v)]));
  }
  if (field.repeated && Array.isArray(value)) return value.map((v) => convert(resolved, v));
  return convert(resolved, value);
}

export type { Json };
