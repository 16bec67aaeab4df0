/*
 * `npm run simulate -- <intent-or-tag> [name=value ...] [--cx] [--lang zh-TW] [--source line]`
 * Posts a realistic Dialogflow request to the local webhook and prints the reply.
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../shared/config';
import { cxRequest, esRequest, REQUEST_SOURCES, type RequestSource } from './lib/requests';
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

function printReply(edition: 'es' | 'cx', reply: Json): void {
  if (edition === 'es') {
    const messages = (reply.fulfillmentMessages ?? []) as Json[];
    for (const m of messages.filter((x) => x.platform === undefined && x.text)) {
      console.log(`  ${(m.text as { text: string[] }).text.join(' ')}`);
    }
    const qr = messages.find(
      (m) => m.quickReplies && (m.platform ?? 'PLATFORM_UNSPECIFIED') === 'PLATFORM_UNSPECIFIED',
    );
    if (qr)
      console.log(
        `  suggestions: ${((qr.quickReplies as Json).quickReplies as string[]).join(' | ')}`,
      );
    const platforms = [
      ...new Set(messages.map((m) => m.platform).filter((p) => p && p !== 'PLATFORM_UNSPECIFIED')),
    ];
    if (platforms.length) console.log(`  platform messages: ${platforms.join(', ')}`);
    for (const c of (reply.outputContexts ?? []) as Json[]) {
      const short = String(c.name).split('/contexts/')[1];
      console.log(
        `  context ${short} (lifespan ${String(c.lifespanCount)}): ${JSON.stringify(c.parameters ?? {})}`,
      );
    }
    if (reply.followupEventInput)
      console.log(`  followup event: ${JSON.stringify(reply.followupEventInput)}`);
    return;
  }
  const messages = ((reply.fulfillmentResponse as Json | undefined)?.messages ?? []) as Json[];
  for (const m of messages) {
    if (m.text) console.log(`  ${(m.text as { text: string[] }).text.join(' ')}`);
    const rich = (m.payload as Json | undefined)?.richContent as Json[][] | undefined;
    const chips = rich?.flat().find((c) => c.type === 'chips');
    if (chips)
      console.log(
        `  suggestions: ${(chips.options as { text: string }[]).map((o) => o.text).join(' | ')}`,
      );
  }
  const params = (reply.sessionInfo as Json | undefined)?.parameters;
  if (params) console.log(`  session parameters: ${JSON.stringify(params)}`);
  const form = (reply.pageInfo as Json | undefined)?.formInfo;
  if (form) console.log(`  form: ${JSON.stringify(form)}`);
  if (reply.targetPage) console.log(`  target page: ${String(reply.targetPage)}`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
