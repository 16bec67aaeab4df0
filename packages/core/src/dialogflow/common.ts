import * as z from 'zod';

/** A Struct of parameters as Dialogflow sends it: any JSON values. Not an object → ignored. */
export const Parameters = z.record(z.string(), z.unknown());
export type Parameters = z.infer<typeof Parameters>;

/** An optional string that becomes `undefined` instead of failing when it has the wrong kind. */
export const lenientString = z.string().optional().catch(undefined);
/** An optional Struct that becomes `undefined` instead of failing when it has the wrong kind. */
export const lenientParameters = Parameters.optional().catch(undefined);

/** JSON values allowed in a google.protobuf.Struct we send. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
