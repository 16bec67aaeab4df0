import * as z from 'zod';

/*
 * The chat function's wire format (DESIGN.md, "Wire formats"): what a client posts and the
 * neutral messages it gets back to show, whatever the agent's edition.
 */

/** Dialogflow's own limit on a text query. */
export const CHAT_TEXT_MAX_CHARS = 256;
/** Chat bodies are tiny; anything larger is refused with 413. */
export const CHAT_BODY_MAX_BYTES = 16 * 1024;

/** One thing to show, in order. */
export type Message =
  | { type: 'text'; text: string }
  | { type: 'chips'; chips: { text: string }[] }
  | {
      type: 'card';
      title: string;
      subtitle?: string;
      imageUrl?: string;
      buttons?: ({ text: string; url: string } | { text: string; postback: string })[];
    }
  | { type: 'image'; url: string; alt: string }
  | {
      type: 'list';
      title?: string;
      items: { title: string; subtitle?: string; postback?: string }[];
    }
  | { type: 'handoff' };

/** A 200 answer. */
export interface ChatResponse {
  /** The session token to send with the next request. */
  session: string;
  messages: Message[];
  /** The matched intent (ES display name, CX intent display name), when one matched. */
  intent?: string;
  /** The agent ended the conversation: the next request should start a new session. */
  end?: boolean;
}

const chars = (s: string) => [...s].length;

/** The request body: exactly one of `text` / `event`; unknown fields are ignored. */
export const ChatRequest = z
  .object({
    text: z
      .string({ error: 'text must be a string' })
      .refine((s) => s.trim() !== '', 'text must not be empty')
      .refine(
        (s) => chars(s) <= CHAT_TEXT_MAX_CHARS,
        `text must be at most ${CHAT_TEXT_MAX_CHARS} characters`,
      )
      .optional(),
    event: z
      .string({ error: 'event must be a string' })
      .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,149}$/, 'event must be an event name')
      .optional(),
    languageCode: z
      .string({ error: 'languageCode must be a string' })
      .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$/, 'languageCode must be a BCP-47 tag')
      .optional(),
    session: z.string({ error: 'session must be a string' }).min(1).optional(),
  })
  .refine((r) => (r.text === undefined) !== (r.event === undefined), {
    message: 'send exactly one of text and event',
  });
export type ChatRequest = z.infer<typeof ChatRequest>;
