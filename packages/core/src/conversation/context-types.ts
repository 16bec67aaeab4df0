import type { LogFields, Logger } from '../logger';
import type { Language, Messages, MessagesFor } from '../messages';
import type { Parameters, ParsedRequest } from '../dialogflow';
import type { Budget } from '../deadline';
import type { ParamReader } from './params';
import type { Platform } from './reply';
import type { DeferOutcome } from '../jobs/defer';
import type { JobRequest } from '../jobs/registry';

// The turn context's types, apart from the code that builds it, so that the edition builders
// (context-es, context-cx, context-shared) and context.ts import them without a cycle.

/** An ES input context with its short name (the part after `/contexts/`). */
export interface InputContext {
  name: string;
  lifespanCount: number;
  parameters: Parameters;
}

/** A CX form parameter as pageInfo.formInfo reports it. */
export interface FormParameter {
  displayName: string;
  /** `EMPTY`, `INVALID` or `FILLED` (undefined when CX sends none or another value). */
  state: 'EMPTY' | 'INVALID' | 'FILLED' | undefined;
  value: unknown;
  /** Filled by the user's last input (this turn). */
  justCollected: boolean;
  required: boolean;
}

/** Who sent the message, where a platform names them (LINE: payload.data.source.userId). */
export interface ChannelUser {
  platform: Platform;
  userId: string;
}

/** Extra recipients of a deferred job's notification. */
export interface DeferNotify {
  email?: string | undefined;
}

/** What the user's turn was: words typed or spoken, or something that stands for them. */
export interface TurnQuery {
  /** `text` typed, `transcript` spoken, `intent`/`event` triggered, `dtmf` keypad digits. */
  kind: 'text' | 'transcript' | 'intent' | 'event' | 'dtmf';
  value: string;
}

/** Sentiment of the user's words (agents with sentiment analysis on). */
export interface Sentiment {
  /** -1 (negative) … 1 (positive). */
  score: number;
  /** Strength of the emotion, ≥ 0, regardless of sign. */
  magnitude: number;
}

/** One of the messages the CX agent has queued for this turn (besides the webhook's reply). */
export interface AgentMessage {
  text: string[] | undefined;
  payload: Parameters | undefined;
  /** `ENTRY_PROMPT`, `PARAMETER_PROMPT`, `HANDLER_PROMPT`… */
  responseType: string | undefined;
  /** `VIRTUAL_AGENT`, `HUMAN_AGENT`… */
  source: string | undefined;
}

/** Everything a handler may read about a turn, the same for ES and CX. */
export interface TurnContext {
  edition: 'es' | 'cx';
  /** The routing key: ES intent display name or CX fulfillment tag ('' when none). */
  name: string;
  /** ES intent display name, or CX `intentInfo.displayName`. */
  intentDisplayName: string | undefined;
  /** How sure Dialogflow is of the intent, 0…1 (ES intentDetectionConfidence, CX intentInfo.confidence). */
  intentConfidence: number | undefined;
  /** CX fulfillment tag. */
  tag: string | undefined;
  /** The user's words (typed text or speech transcript), when the turn had any. */
  queryText: string | undefined;
  /** What the turn was: text, transcript, triggered intent or event, DTMF digits. */
  query: TurnQuery | undefined;
  /** Sentiment of the user's words, when the agent analyses it. */
  sentiment: Sentiment | undefined;
  /** Parameters: ES queryResult.parameters; CX intent parameters, then session, then form values. */
  parameters: Parameters;
  params: ParamReader;
  /**
   * The request's language tag: ES queryResult.languageCode; CX languageInfo.resolvedLanguageCode
   * when present (the language the agent detected), else languageCode.
   */
  languageCode: string | undefined;
  /** The reply language negotiated from `languageCode` (`en`, `zh-TW`, `ja`). */
  language: Language;
  /** The message catalogue in the turn's language. */
  t: Messages;
  /** The full session path (`projects/…/sessions/…`), when the request has one. */
  session: string | undefined;
  /** A hash of the session, for logs and keys that must not carry the id. */
  sessionKey: string | undefined;
  /** ES responseId or CX detectIntentResponseId: unique per turn, same on Dialogflow's retries. */
  responseId: string | undefined;
  /** The raw source (`line`, `slack`, …) and the platform it maps to. */
  source: string | undefined;
  platform: Platform | undefined;
  user: ChannelUser | undefined;
  /** ES input contexts (empty for CX). */
  contexts: InputContext[];
  /** CX session parameters (empty for ES). */
  sessionParameters: Parameters;
  /** CX current page (undefined for ES). */
  page: { name: string | undefined; displayName: string | undefined } | undefined;
  /** CX form parameters with their state (empty for ES). */
  form: FormParameter[];
  /** CX: the messages the agent has queued for this turn (empty for ES). */
  agentMessages: AgentMessage[];
  budget: Budget;
  log: Logger;
  request: ParsedRequest;
  /**
   * Hands slow work to the worker: records the job and creates its Cloud Task within the
   * budget. `ok: false` means nothing was queued (say so to the user). `notify.email`: an
   * address the user gave, to mail the outcome to (when SMTP is configured).
   */
  defer(job: JobRequest, notify?: DeferNotify): Promise<DeferOutcome>;
}

/** The parts of a TurnContext every edition fills the same way. */
export interface TurnServices {
  budget: Budget;
  /** The turn's logger, given the fields that name the turn (edition, intent, session hash). */
  logFor: (fields: LogFields) => Logger;
  defer: (job: JobRequest, notify?: DeferNotify) => Promise<DeferOutcome>;
  /** The catalogue per language (the framework's strings and the bot's). */
  messages: MessagesFor;
}
