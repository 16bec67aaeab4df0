import { createHash } from 'node:crypto';

/*
 * Name-based UUIDs (RFC 9562 version 5: SHA-1 of a namespace and a name), so every id in a
 * generated agent export follows from the names in its sources: the same sources give the same
 * ids on every run and every machine, and renaming an intent gives it a new one.
 */

/** The namespace of every id the agent generator derives (a fixed, random v4 UUID). */
export const AGENT_ID_NAMESPACE = '6f1d3c1e-8b0a-4e52-9a57-2d7c4b8e9f10';

/** The version 5 UUID of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of one resource of a generated export, from its kind and its names (`es:intent:check_order`). */
export function agentId(...names: string[]): string {
  return uuidV5(names.join(':'), AGENT_ID_NAMESPACE);
}
