import type { JsonObject, JsonValue } from '../dialogflow';

/** Chat platforms Dialogflow integrations name in their requests. */
export type Platform = 'LINE' | 'SLACK' | 'TELEGRAM' | 'FACEBOOK' | 'ACTIONS_ON_GOOGLE';

/** A custom payload for one platform (ES `payload` message), or for any (`platform` unset). */
export interface PlatformPayload {
  platform?: Platform;
  payload: JsonObject;
}

/** ES output context (short name; the renderer prefixes the session path). */
export interface OutputContext {
  name: string;
  lifespanCount: number;
  parameters?: JsonObject;
}

/** CX form-parameter validation result for pageInfo.formInfo. */
export interface FormParameterUpdate {
  parameter: string;
  state: 'VALID' | 'INVALID' | 'EMPTY';
}

/**
 * What a handler returns: edition-neutral, rendered to a strict ES or CX WebhookResponse.
 * Fields an edition has no place for are ignored there (documented per field).
 */
export interface Reply {
  /** Text messages, in order. */
  texts: string[];
  /** Quick replies: ES quickReplies (+ LINE quickReply payload), CX richContent chips. */
  suggestions?: string[];
  /** Custom payloads per platform. */
  payloads?: PlatformPayload[];
  /**
   * ES output contexts. In CX (which has no contexts) their parameters become session
   * parameters, so `job_id` lands in context `pending_job` (ES) or the session (CX).
   */
  contexts?: OutputContext[];
  /** CX session parameter updates (`null` deletes). ES: ignored, use `contexts`. */
  sessionParameters?: { [key: string]: JsonValue };
  /** CX form validation (pageInfo.formInfo). ES: ignored. */
  form?: FormParameterUpdate[];
  /** ES follow-up event (followupEventInput). CX: ignored. */
  followupEvent?: { name: string; parameters?: JsonObject };
  /** CX transition: a page or flow resource name. ES: ignored. */
  target?: { page: string } | { flow: string };
}

/** A reply of text messages, optionally with suggestions. */
export function say(texts: string | string[], suggestions?: string[]): Reply {
  return { texts: Array.isArray(texts) ? texts : [texts], ...(suggestions ? { suggestions } : {}) };
}
