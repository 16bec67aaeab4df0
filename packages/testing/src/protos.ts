import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

/*
 * A strict proto3-JSON checker for webhook responses, built on the protos Google publishes in
 * @google-cloud/dialogflow (v2) and @google-cloud/dialogflow-cx (v3). It applies the rules
 * Dialogflow's parser applies: an unknown field is an error ("Cannot find field"), as are a
 * value of the wrong kind, an enum name that does not exist and two members of one oneof.
 * Stricter than the spec in one way: `null` is refused outside Struct/Value, since the
 * builders never need it.
 */

const requireJson = createRequire(__filename);

function loadRoot(path: string): protobuf.Root {
  const root = protobuf.Root.fromJSON(requireJson(path) as protobuf.INamespace);
  root.resolveAll();
  return root;
}

let esRoot: protobuf.Root | undefined;
let cxRoot: protobuf.Root | undefined;

const ES_RESPONSE = 'google.cloud.dialogflow.v2.WebhookResponse';
const CX_RESPONSE = 'google.cloud.dialogflow.cx.v3.WebhookResponse';

/** Problems found checking `json` against a message type of the ES (v2) or CX (v3) protos. */
export function protoErrors(edition: 'es' | 'cx', json: unknown, typeName?: string): string[] {
  const root =
    edition === 'es'
      ? (esRoot ??= loadRoot('@google-cloud/dialogflow/build/protos/protos.json'))
      : (cxRoot ??= loadRoot('@google-cloud/dialogflow-cx/build/protos/protos.json'));
  const type = root.lookupType(typeName ?? (edition === 'es' ? ES_RESPONSE : CX_RESPONSE));
  const errors: string[] = [];
  checkMessage(type, json, '', errors);
  return errors;
}

/** Throws with every problem listed when `json` is not a valid WebhookResponse. */
export function assertValidResponse(edition: 'es' | 'cx', json: unknown): void {
  const errors = protoErrors(edition, json);
  if (errors.length > 0) {
    throw new Error(
      `Invalid ${edition.toUpperCase()} WebhookResponse:\n  ${errors.join('\n  ')}\n${JSON.stringify(json)}`,
    );
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const WRAPPERS: Record<string, string> = {
  '.google.protobuf.DoubleValue': 'double',
  '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool',
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
};

function checkMessage(type: protobuf.Type, json: unknown, path: string, errors: string[]): void {
  const name = type.fullName;
  const at = path || '<root>';
  switch (name) {
    case '.google.protobuf.Struct':
      if (!isPlainObject(json)) errors.push(`${at}: Struct must be a JSON object`);
      else for (const [k, v] of Object.entries(json)) checkJsonValue(v, `${path}.${k}`, errors);
      return;
    case '.google.protobuf.Value':
      checkJsonValue(json, at, errors);
      return;
    case '.google.protobuf.ListValue':
      if (!Array.isArray(json)) errors.push(`${at}: ListValue must be an array`);
      else json.forEach((v, i) => checkJsonValue(v, `${path}[${i}]`, errors));
      return;
    case '.google.protobuf.Duration':
      if (typeof json !== 'string' || !/^-?\d+(\.\d{1,9})?s$/.test(json)) {
        errors.push(`${at}: Duration must be a string like "1.5s"`);
      }
      return;
    case '.google.protobuf.Timestamp':
      if (
        typeof json !== 'string' ||
        !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(json)
      ) {
        errors.push(`${at}: Timestamp must be an RFC 3339 string`);
      }
      return;
    case '.google.protobuf.FieldMask':
      if (typeof json !== 'string') errors.push(`${at}: FieldMask must be a string`);
      return;
    case '.google.protobuf.Any':
      errors.push(`${at}: Any is not expected in a webhook response`);
      return;
  }
  const wrapped = WRAPPERS[name];
  if (wrapped) {
    checkScalar(wrapped, json, at, errors);
    return;
  }
  if (!isPlainObject(json)) {
    errors.push(`${at}: ${name.slice(1)} must be a JSON object, got ${kindOf(json)}`);
    return;
  }
  const byName = new Map<string, protobuf.Field>();
  for (const field of type.fieldsArray) {
    byName.set(field.name, field);
    byName.set(snake(field.name), field);
    const jsonName = (field.options as Record<string, unknown> | undefined)?.json_name;
    if (typeof jsonName === 'string') byName.set(jsonName, field);
  }
  const present = new Set<protobuf.Field>();
  for (const [key, value] of Object.entries(json)) {
    const field = byName.get(key);
    const fieldPath = path ? `${path}.${key}` : key;
    if (!field) {
      errors.push(`${fieldPath}: Cannot find field "${key}" in message ${name.slice(1)}`);
      continue;
    }
    if (present.has(field)) {
      errors.push(`${fieldPath}: field set twice (by two names)`);
      continue;
    }
    present.add(field);
    checkField(field, value, fieldPath, errors);
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((f) => present.has(f));
    if (set.length > 1) {
      errors.push(
        `${at}: oneof ${oneof.name} has more than one member set (${set.map((f) => f.name).join(', ')})`,
      );
    }
  }
}

function checkField(field: protobuf.Field, value: unknown, path: string, errors: string[]): void {
  if (value === null && field.resolvedType?.fullName !== '.google.protobuf.Value') {
    errors.push(`${path}: null is not allowed`);
    return;
  }
  if (field instanceof protobuf.MapField) {
    if (!isPlainObject(value)) {
      errors.push(`${path}: map field must be a JSON object`);
      return;
    }
    for (const [k, v] of Object.entries(value)) checkSingle(field, v, `${path}.${k}`, errors);
    return;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) {
      errors.push(`${path}: repeated field must be an array, got ${kindOf(value)}`);
      return;
    }
    value.forEach((v, i) => checkSingle(field, v, `${path}[${i}]`, errors));
    return;
  }
  checkSingle(field, value, path, errors);
}

function checkSingle(field: protobuf.Field, value: unknown, path: string, errors: string[]): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    checkMessage(resolved, value, path, errors);
  } else if (resolved instanceof protobuf.Enum) {
    if (typeof value === 'string') {
      if (!(value in resolved.values)) {
        errors.push(`${path}: "${value}" is not a value of enum ${resolved.fullName.slice(1)}`);
      }
    } else if (typeof value === 'number') {
      if (!Object.values(resolved.values).includes(value)) {
        errors.push(`${path}: ${value} is not a value of enum ${resolved.fullName.slice(1)}`);
      }
    } else {
      errors.push(`${path}: enum must be a name or number, got ${kindOf(value)}`);
    }
  } else {
    checkScalar(field.type, value, path, errors);
  }
}

const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

function checkScalar(type: string, value: unknown, path: string, errors: string[]): void {
  const bad = (what: string) => errors.push(`${path}: expected ${what}, got ${kindOf(value)}`);
  if (type === 'string') {
    if (typeof value !== 'string') bad('a string');
  } else if (type === 'bool') {
    if (typeof value !== 'boolean') bad('a boolean');
  } else if (type === 'bytes') {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) bad('base64 bytes');
  } else if (type === 'double' || type === 'float') {
    const ok =
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && /^(NaN|-?Infinity|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(value));
    if (!ok) bad('a number');
  } else if (INT32.has(type) || UINT32.has(type) || INT64.has(type)) {
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      bad('an integer');
      return;
    }
    if (INT32.has(type) && (n < -(2 ** 31) || n >= 2 ** 31)) bad('an int32');
    if (UINT32.has(type) && (n < 0 || n >= 2 ** 32)) bad('a uint32');
    if (type.startsWith('u') && n < 0) bad('an unsigned integer');
  } else {
    errors.push(`${path}: unknown scalar type ${type}`);
  }
}

function checkJsonValue(value: unknown, path: string, errors: string[]): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) errors.push(`${path}: non-finite number in Struct`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJsonValue(v, `${path}[${i}]`, errors));
    return;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) checkJsonValue(v, `${path}.${k}`, errors);
    return;
  }
  errors.push(`${path}: ${kindOf(value)} is not a JSON value`);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
