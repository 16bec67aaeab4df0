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
  /** Turns the context stays active; 0 ends it (CX: its parameters are removed from the session). */
  lifespanCount: number;
  parameters?: JsonObject;
}

/** CX form-parameter validation result for pageInfo.formInfo. */
export interface FormParameterUpdate {
  parameter: string;
  state: 'FILLED' | 'INVALID' | 'EMPTY';
  /** The (normalised) value to keep; omitted: unchanged. */
  value?: JsonValue;
}

/** A picture: a public HTTPS URL and what it shows (read by screen readers and text fallbacks). */
export interface Image {
  url: string;
  alt: string;
}

/** A card button: opens a URL, or sends `postback` as if the user had said it. */
export type Button = { text: string; url: string } | { text: string; postback: string };

/** A card: title, optional subtitle, body text, image and buttons. */
export interface Card {
  kind: 'card';
  title: string;
  subtitle?: string;
  text?: string;
  image?: Image;
  buttons?: Button[];
  /** What text-only platforms say instead (default: built from the fields). */
  fallback?: string;
}

/** A picture on its own. */
export interface ImageMessage {
  kind: 'image';
  image: Image;
  /** What text-only platforms say instead (default: the image's `alt`). */
  fallback?: string;
}

/** One choice of a list or carousel; picking it sends `postback` as if the user had said it. */
export interface ListItem {
  title: string;
  description?: string;
  image?: Image;
  postback: string;
}

/** Choices to pick from: a vertical list, or a carousel of cards. */
export interface ListMessage {
  kind: 'list';
  style: 'list' | 'carousel';
  title?: string;
  items: ListItem[];
  /** What text-only platforms say instead (default: the title and a numbered list). */
  fallback?: string;
}

/** A collapsible section: a title that opens to its text. */
export interface Accordion {
  kind: 'accordion';
  title: string;
  subtitle?: string;
  text: string;
  image?: Image;
  /** What text-only platforms say instead (default: title, subtitle and text). */
  fallback?: string;
}

/** Everything a reply can show besides plain text. */
export type RichElement = Card | ImageMessage | ListMessage | Accordion;

/** An ES session entity type for this session (`@name` extended or replaced). */
export interface SessionEntityType {
  /** The entity type's display name. */
  name: string;
  /** `override` replaces the agent's entities for this session; `supplement` adds to them. */
  mode: 'override' | 'supplement';
  entities: { value: string; synonyms?: string[] }[];
}

/**
 * What a handler returns: edition-neutral, rendered to a strict ES or CX WebhookResponse for
 * the platform the request came from. Fields an edition has no place for are ignored there
 * (documented per field).
 */
export interface Reply {
  /**
   * Text messages, in order. May be empty when `rich` elements carry the answer: text-only
   * channels then get the elements' fallbacks, so nobody gets an empty reply.
   */
  texts: string[];
  /**
   * Cards, images, lists/carousels and accordions, after the texts. Each platform gets its
   * native form (ES cards, Actions on Google basic card/carousel, LINE Flex, CX Dialogflow
   * Messenger richContent) or, where it cannot show one, the element's text fallback.
   */
  rich?: RichElement[];
  /** Quick replies: ES quickReplies, LINE's native quick reply, AoG suggestions, CX chips. */
  suggestions?: string[];
  /** Custom payloads per platform. */
  payloads?: PlatformPayload[];
  /**
   * ES output contexts. In CX (which has no contexts) their parameters become session
   * parameters, so `job_id` lands in context `pending_job` (ES) or the session (CX).
   */
  contexts?: OutputContext[];
  /** CX session parameter updates (`null` removes one). ES: ignored, use `contexts`. */
  sessionParameters?: { [key: string]: JsonValue };
  /** CX form validation (pageInfo.formInfo). ES: ignored. */
  form?: FormParameterUpdate[];
  /**
   * ES follow-up event (followupEventInput), in the turn's language unless given. Dialogflow
   * then runs the event's intent and ignores this reply's texts and messages. CX: ignored.
   */
  followupEvent?: { name: string; parameters?: JsonObject; languageCode?: string };
  /** ES session entity types. CX: ignored (its webhook response has no such field). */
  sessionEntityTypes?: SessionEntityType[];
  /** CX transition: a page or flow resource name. ES: ignored. */
  target?: { page: string } | { flow: string };
  /** CX: how these messages combine with the agent's queued ones (default: Dialogflow's, append). */
  mergeBehavior?: 'APPEND' | 'REPLACE';
  /**
   * Hand the conversation to a human. CX: a `liveAgentHandoff` message with the metadata;
   * ES: a `{liveAgentHandoff: {metadata}}` custom payload for the integration to act on.
   */
  handoff?: { metadata?: JsonObject };
  /** CX: a `conversationSuccess` message with metadata (for analytics). ES: ignored. */
  conversationSuccess?: { metadata?: JsonObject };
  /**
   * What voice channels say instead of the texts. CX: `outputAudioText`; ES: the Actions on
   * Google simple response's `ssml`/`textToSpeech`.
   */
  speech?: { ssml: string } | { text: string };
  /** CX voice: play an audio file (`playAudio`). ES: ignored. */
  playAudio?: { audioUri: string };
  /** CX telephony: transfer the call (`telephonyTransferCall`). ES: ignored. */
  transferCall?: { phoneNumber: string };
}

/** A reply of text messages, optionally with suggestions. */
export function say(texts: string | string[], suggestions?: string[]): Reply {
  return { texts: Array.isArray(texts) ? texts : [texts], ...(suggestions ? { suggestions } : {}) };
}

/** A reply whose answer is rich elements (texts optional), optionally with suggestions. */
export function show(
  rich: RichElement | RichElement[],
  options: { texts?: string[]; suggestions?: string[] } = {},
): Reply {
  return {
    texts: options.texts ?? [],
    rich: Array.isArray(rich) ? rich : [rich],
    ...(options.suggestions ? { suggestions: options.suggestions } : {}),
  };
}
