/*
 * `npm run detect -- "text" [--cx] [--lang zh-TW] [--session ID] [--json] [--timeout SECONDS]`
 * Sends the text to the agent with DetectIntent and prints the matched intent (and CX page),
 * confidence, parameters, replies and the webhook's status and latency. The agent is
 * DIALOGFLOW_AGENT (ES: project id; CX: projects/P/locations/L/agents/A) with Application
 * Default Credentials, or the local stand-in at DIALOGFLOW_EMULATOR_HOST.
 */
import { isCommand } from './project';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from '@dialogflow-functions/core/config';
import { DETECT_TIMEOUT_MS, detectTimeoutMs } from './lib/detect-timeout';
import {
  DetectIntentClient,
  DetectSetupError,
  DetectUnansweredError,
  type DetectResult,
  type MatchExplanation,
} from './lib/dialogflow-client';

const USAGE =
  'usage: npm run detect -- "text" [--cx] [--lang CODE] [--session ID] [--json] [--timeout SECONDS]\n' +
  '  the agent: DIALOGFLOW_AGENT (ES project id, or CX projects/P/locations/L/agents/A),\n' +
  '  or DIALOGFLOW_EMULATOR_HOST=host:port for the local stand-in (npm start prints it)\n' +
  `  --timeout: how long the call may take, retries included (default ${DETECT_TIMEOUT_MS / 1000})`;

/** The stand-in's "why it matched": how, the top three candidates, the entities found. */
export function formatWhy(why: MatchExplanation): string[] {
  const lines = [
    `  why: ${why.source === 'exact' ? 'an exact training phrase' : why.source === 'classifier' ? 'the classifier' : 'nothing above the threshold'}`,
  ];
  for (const c of why.candidates) {
    const params = Object.keys(c.parameters).length ? ` ${JSON.stringify(c.parameters)}` : '';
    lines.push(`    candidate ${c.intent} ${c.score.toFixed(2)}${params}`);
  }
  if (why.looksLike) {
    lines.push(
      `    note: the text looks like ${why.looksLike}, not the request's language (use --lang; the stand-in does not detect languages)`,
    );
  }
  for (const e of why.entities) {
    lines.push(`    entity ${JSON.stringify(e.text)} → ${e.type} → ${JSON.stringify(e.value)}`);
  }
  return lines;
}

export function formatResult(text: string, result: DetectResult): string {
  const lines: string[] = [];
  const where = result.page ? ` @ page ${JSON.stringify(result.page)}` : '';
  lines.push(
    `${result.edition.toUpperCase()} ${JSON.stringify(text)} (${result.languageCode}) → ${result.intent ?? '(no intent matched)'}${where}, confidence ${result.confidence.toFixed(2)}`,
  );
  lines.push(`  parameters: ${JSON.stringify(result.parameters)}`);
  if (result.sessionParameters) {
    lines.push(`  session parameters: ${JSON.stringify(result.sessionParameters)}`);
  }
  for (const t of result.texts) lines.push(`  reply: ${t}`);
  const others = result.messages.filter((m) => !m.text).map((m) => Object.keys(m).join('+'));
  if (others.length) lines.push(`  other messages: ${others.join(', ')}`);
  for (const c of result.contexts) {
    lines.push(
      `  context ${c.name} (lifespan ${c.lifespanCount}): ${JSON.stringify(c.parameters)}`,
    );
  }
  if (result.why) lines.push(...formatWhy(result.why));
  const w = result.webhook;
  lines.push(
    w.outcome === 'none'
      ? '  webhook: not called'
      : `  webhook: ${w.outcome} (code ${w.code ?? 0}${w.message ? `, ${w.message}` : ''})${w.latencyMs === undefined ? '' : ` in ${w.latencyMs} ms`}`,
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      cx: { type: 'boolean', default: false },
      lang: { type: 'string', default: 'en' },
      session: { type: 'string', default: 'detect-cli' },
      json: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const text = positionals.join(' ').trim();
  if (values.help || !text) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!/^[A-Za-z0-9_-]{1,36}$/.test(values.session)) {
    console.error('--session must be 1-36 letters, digits, - or _');
    return 2;
  }
  const timeoutMs = detectTimeoutMs(values.timeout);
  if (timeoutMs === undefined) {
    console.error('--timeout must be a number of seconds, above 0 and at most 600');
    return 2;
  }
  let config;
  try {
    config = parseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 78;
    }
    throw err;
  }
  let client: DetectIntentClient | undefined;
  try {
    client = new DetectIntentClient(values.cx ? 'cx' : 'es', {
      agent: config.dialogflow.agent,
      emulatorHost: config.dialogflow.emulatorHost,
      localProject: config.projectId,
      timeoutMs,
    });
    const result = await client.detect({
      text,
      languageCode: values.lang,
      sessionId: values.session,
    });
    console.log(
      values.json ? JSON.stringify(result.response, null, 2) : formatResult(text, result),
    );
    return 0;
  } catch (err) {
    if (err instanceof DetectSetupError) {
      console.error(err.message);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    const where = config.dialogflow.emulatorHost
      ? `the stand-in at ${config.dialogflow.emulatorHost} (is \`npm start\` running?)`
      : `agent ${config.dialogflow.agent}`;
    if (err instanceof DetectUnansweredError) {
      console.error(`Nothing answers: ${where} gave ${message}`);
      return 1;
    }
    console.error(`DetectIntent failed against ${where}: ${message}`);
    return 1;
  } finally {
    await client?.close();
  }
}

if (isCommand(module)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
