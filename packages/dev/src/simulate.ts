/*
 * `npm run simulate -- <intent-or-tag> [name=value ...] [--cx] [--lang zh-TW] [--source line]`
 * Posts a realistic Dialogflow request to the local webhook and prints the reply.
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '@dialogflow-functions/core/config';
import {
  cxRequest,
  esRequest,
  REQUEST_SOURCES,
  type RequestSource,
} from '@dialogflow-functions/testing/requests';
import { toDialogflowValue } from './lib/values';

const USAGE = `usage: npm run simulate -- <intent-or-tag> [name=value ...] [--cx] [--lang CODE] [--source SOURCE]
         [--session ID] [--url URL] [--json]
  sources: ${REQUEST_SOURCES.join(', ')}`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      cx: { type: 'boolean', default: false },
      lang: { type: 'string', default: 'en' },
      source: { type: 'string', default: 'console' },
      session: { type: 'string', default: 'simulator-session' },
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [name, ...pairs] = positionals;
  if (values.help || !name) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!REQUEST_SOURCES.includes(values.source as RequestSource)) {
    console.error(`unknown --source ${values.source}\n${USAGE}`);
    return 2;
  }
  const edition = values.cx ? 'cx' : 'es';
  const parameters: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) {
      console.error(`parameters are name=value, got ${JSON.stringify(pair)}\n${USAGE}`);
      return 2;
    }
    const key = pair.slice(0, eq);
    parameters[key] = toDialogflowValue(key, pair.slice(eq + 1), edition);
  }
  const config = parseConfig();
  const url = values.url ?? `http://127.0.0.1:${config.ports.webhook}/`;
  const options = {
    name,
    parameters,
    languageCode: values.lang,
    source: values.source as RequestSource,
    sessionId: values.session,
  };
  const body = edition === 'cx' ? cxRequest(options) : esRequest(options);

  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders() },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    console.error(
      `Could not reach the webhook at ${url} (${(err as Error).message}). Is \`npm start\` running?`,
    );
    return 1;
  }
  const ms = Math.round(performance.now() - started);
  const text = await res.text();
  console.log(`${edition.toUpperCase()} ${JSON.stringify(name)} → HTTP ${res.status} in ${ms} ms`);
  let reply: Record<string, unknown>;
  try {
    reply = JSON.parse(text) as Record<string, unknown>;
  } catch {
    console.log(text);
    return 1;
  }
  if (values.json || res.status !== 200) {
    console.log(JSON.stringify(reply, null, 2));
    return res.status === 200 ? 0 : 1;
  }
  printReply(edition, reply);
  return 0;
}

function authHeaders(): Record<string, string> {
  const h: Record<string, string> = {};
  const basic = process.env.WEBHOOK_BASIC_AUTH;
  if (basic) h.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  const token = process.env.WEBHOOK_TOKEN;
  if (token) h[(process.env.WEBHOOK_TOKEN_HEADER || 'x-webhook-token').toLowerCase()] = token;
  return h;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const quote = (v: unknown) => JSON.stringify(v);

function printReply(edition: 'es' | 'cx', reply: Json): void {
  const lines = edition === 'es' ? describeEs(reply) : describeCx(reply);
  console.log(lines.length > 0 ? lines.map((l) => `  ${l}`).join('\n') : '  (no messages)');
}

/** ES: the default messages as a console would show them, then each platform's own. */
function describeEs(reply: Json): string[] {
  const out: string[] = [];
  const messages = (reply.fulfillmentMessages ?? []) as Json[];
  const byPlatform = new Map<string, Json[]>();
  for (const m of messages) {
    const p = String(m.platform ?? 'PLATFORM_UNSPECIFIED');
    byPlatform.set(p, [...(byPlatform.get(p) ?? []), m]);
  }
  for (const [platform, list] of byPlatform) {
    const lines = list.flatMap((m) => describeEsMessage(m));
    if (platform === 'PLATFORM_UNSPECIFIED') out.push(...lines);
    else
      out.push(
        `${platform}: ${list.length} message${list.length === 1 ? '' : 's'}`,
        ...lines.map((l) => `  ${l}`),
      );
  }
  for (const c of (reply.outputContexts ?? []) as Json[]) {
    const short = String(c.name).split('/contexts/')[1];
    out.push(
      `context ${short} (lifespan ${String(c.lifespanCount ?? 0)}): ${quote(c.parameters ?? {})}`,
    );
  }
  for (const e of (reply.sessionEntityTypes ?? []) as Json[]) {
    out.push(
      `session entity type ${String(e.name).split('/entityTypes/')[1]} (${String(e.entityOverrideMode)}): ${quote(e.entities)}`,
    );
  }
  if (reply.followupEventInput) out.push(`followup event: ${quote(reply.followupEventInput)}`);
  return out;
}

function describeEsMessage(m: Json): string[] {
  if (isObj(m.text)) return (m.text.text as string[]).map((t) => t);
  if (isObj(m.quickReplies))
    return [`suggestions: ${(m.quickReplies.quickReplies as string[]).join(' | ')}`];
  if (isObj(m.card)) {
    const c = m.card;
    const buttons = ((c.buttons ?? []) as Json[]).map(
      (b) => `[${String(b.text)} → ${String(b.postback)}]`,
    );
    return [
      `card: ${[c.title, c.subtitle].filter(Boolean).join(' — ').replace(/\n/g, ' / ')}${c.imageUri ? ` (image ${String(c.imageUri)})` : ''} ${buttons.join(' ')}`.trim(),
    ];
  }
  if (isObj(m.image))
    return [`image: ${String(m.image.accessibilityText ?? '')} (${String(m.image.imageUri)})`];
  if (isObj(m.simpleResponses)) {
    const s = (m.simpleResponses.simpleResponses as Json[])[0] ?? {};
    return [
      `simple response: ${quote(s.displayText ?? s.textToSpeech)}${s.ssml ? ` (SSML ${quote(s.ssml)})` : ''}`,
    ];
  }
  if (isObj(m.basicCard)) return [`basic card: ${quote(m.basicCard)}`];
  if (isObj(m.listSelect))
    return [
      `list: ${((m.listSelect.items ?? []) as Json[]).map((i) => String(i.title)).join(' | ')}`,
    ];
  if (isObj(m.carouselSelect))
    return [
      `carousel: ${((m.carouselSelect.items ?? []) as Json[]).map((i) => String(i.title)).join(' | ')}`,
    ];
  if (isObj(m.suggestions))
    return [
      `suggestions: ${((m.suggestions.suggestions ?? []) as Json[]).map((s) => String(s.title)).join(' | ')}`,
    ];
  if (isObj(m.linkOutSuggestion)) return [`link out: ${quote(m.linkOutSuggestion)}`];
  if (isObj(m.payload)) {
    if (isObj(m.payload.line)) return describeLine(m.payload.line);
    return [`payload: ${quote(m.payload)}`];
  }
  return [quote(m)];
}

/** A LINE message object in a few lines: its kind, what it shows, its quick reply. */
function describeLine(line: Json): string[] {
  const out: string[] = [];
  if (line.type === 'text') out.push(`LINE text: ${quote(line.text)}`);
  else if (line.type === 'flex') {
    const contents = line.contents as Json;
    const bubbles = contents.type === 'carousel' ? (contents.contents as Json[]) : [contents];
    out.push(
      `LINE flex (${bubbles.length === 1 ? 'one bubble' : `carousel of ${bubbles.length}`}), altText ${quote(line.altText)}`,
    );
    for (const b of bubbles) {
      const texts: string[] = [];
      const actions: string[] = [];
      const walk = (c: unknown): void => {
        if (!isObj(c)) return;
        if (c.type === 'text') texts.push(String(c.text));
        if (isObj(c.action))
          actions.push(`[${String(c.action.label)} → ${String(c.action.uri ?? c.action.text)}]`);
        for (const x of (c.contents ?? []) as unknown[]) walk(x);
      };
      walk(b.body);
      walk(b.footer);
      const hero = isObj(b.hero) ? ` image ${String(b.hero.url)}` : '';
      out.push(`  bubble:${hero} ${texts.join(' | ')} ${actions.join(' ')}`.trimEnd());
    }
  } else out.push(`LINE ${quote(line)}`);
  const items = isObj(line.quickReply) ? (line.quickReply.items as Json[]) : [];
  if (items.length > 0) {
    out.push(`  quick reply: ${items.map((i) => String((i.action as Json).label)).join(' | ')}`);
  }
  return out;
}

/** CX: each message, the richContent as Dialogflow CX Messenger shows it, and the session. */
function describeCx(reply: Json): string[] {
  const out: string[] = [];
  const fulfillment = (reply.fulfillmentResponse ?? {}) as Json;
  for (const m of (fulfillment.messages ?? []) as Json[]) {
    if (isObj(m.text)) out.push(...(m.text.text as string[]));
    else if (isObj(m.payload) && Array.isArray(m.payload.richContent)) {
      out.push('richContent:');
      for (const card of m.payload.richContent as Json[][]) {
        out.push(`  ${card.map(describeRichElement).join('; ')}`);
      }
    } else if (isObj(m.payload)) out.push(`payload: ${quote(m.payload)}`);
    else {
      const [kind, value] = Object.entries(m)[0] ?? ['?', undefined];
      out.push(`${kind}: ${quote(value)}`);
    }
  }
  if (fulfillment.mergeBehavior) out.push(`merge behavior: ${String(fulfillment.mergeBehavior)}`);
  const params = (reply.sessionInfo as Json | undefined)?.parameters;
  if (params) out.push(`session parameters: ${quote(params)}`);
  const form = ((reply.pageInfo as Json | undefined)?.formInfo as Json | undefined)?.parameterInfo;
  const meaning: Record<string, string> = {
    FILLED: 'accepted',
    INVALID: 'rejected: cleared, CX asks again',
    EMPTY: 'cleared',
  };
  for (const p of (form ?? []) as Json[]) {
    const value = p.value === undefined ? '' : ` = ${quote(p.value)}`;
    const state = String(p.state);
    out.push(`form: ${String(p.displayName)}${value} ${state} (${meaning[state] ?? 'state set'})`);
  }
  if (reply.targetPage) out.push(`target page: ${String(reply.targetPage)}`);
  if (reply.targetFlow) out.push(`target flow: ${String(reply.targetFlow)}`);
  return out;
}

function describeRichElement(e: Json): string {
  switch (e.type) {
    case 'info':
      return `info ${quote(e.title)}${e.subtitle ? ` (${String(e.subtitle)})` : ''}${isObj(e.image) ? ` image ${String(e.image.rawUrl)}` : ''}`;
    case 'description':
      return `description ${quote([e.title, ...((e.text ?? []) as string[])].filter(Boolean).join(' '))}`;
    case 'image':
      return `image ${String(e.rawUrl)}`;
    case 'button':
      return `button ${quote(e.text)} → ${String((e.anchor as Json | undefined)?.href ?? '')}`;
    case 'list':
      return `list item ${quote(e.title)}`;
    case 'accordion':
      return `accordion ${quote(e.title)}`;
    case 'chips':
      return `chips: ${((e.options ?? []) as Json[]).map((o) => String(o.text)).join(' | ')}`;
    case 'divider':
      return '—';
    default:
      return quote(e);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
