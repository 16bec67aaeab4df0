/*
 * `dff agent evaluate [es|cx] [--min-f1 N] [--folds K]`: cross-validation of the agent's phrases
 * with the stand-in's NLU (lib/agent/evaluate.ts).
 * `npm run agent -- es|cx [--webhook-url URL] [--out FILE]`: the agent, generated from its
 * sources in agent/ (agent.yaml, intents/, entities/), as the zip Dialogflow imports (ES: Settings → Export and Import → Restore/Import from zip;
 * CX: Agent settings → Restore, JSON package), with the webhook URL and its auth header
 * filled in from the configuration (WEBHOOK_TOKEN, WEBHOOK_BASIC_AUTH, WEBHOOK_OIDC_AUDIENCE).
 * `dff agent export DIR`: the generated es/ and cx/ files in DIR (to read or diff them);
 * `dff agent import DIR`: sources in agent/ from an ES export and a CX package (DIR/es, DIR/cx).
 */
import { isCommand } from './project';
import { exportAgent, importAgent } from './lib/agent/files';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, type Config } from '@dialogflow-functions/core/config';
import { runEvaluate } from './lib/agent/evaluate';
import { agentFiles } from './lib/agent/generate';
import { AgentFormatError, loadAgent } from './lib/agent/load';
import { AGENT_ROOT, buildAgentZip } from './lib/agent/package';
import { webhookAuthHeaders } from './lib/agent/webhook-auth';

const USAGE = [
  'usage: dff agent es|cx [--webhook-url https://…] [--out FILE]',
  '       dff agent export DIR   (the generated es/ and cx/ files)',
  '       dff agent import DIR   (sources in agent/ from DIR/es and DIR/cx)',
  '       dff agent evaluate [es|cx] [--min-f1 N] [--folds K]',
].join('\n');

/** The deployed webhook's URL as scripts/deploy.sh deploys it (gen2, region TASKS_LOCATION). */
export function deployedWebhookUrl(config: Pick<Config, 'projectId' | 'tasks'>): string {
  return `https://${config.tasks.location}-${config.projectId}.cloudfunctions.net/webhook`;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'webhook-url': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const edition = positionals[0];
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if ((edition === 'export' || edition === 'import') && positionals.length === 2) {
    try {
      const done = (edition === 'export' ? exportAgent : importAgent)(
        AGENT_ROOT,
        resolve(positionals[1]!),
      );
      console.log(done);
      return 0;
    } catch (err) {
      if (err instanceof AgentFormatError) {
        console.error(`agent: ${err.message}`);
        return 1;
      }
      throw err;
    }
  }
  if ((edition !== 'es' && edition !== 'cx') || positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  let config: Config;
  try {
    config = parseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 78;
    }
    throw err;
  }
  let url = values['webhook-url'];
  if (!url) {
    if (config.projectId === 'demo-local') {
      console.error(
        'Give --webhook-url (the deployed webhook, https), or GOOGLE_CLOUD_PROJECT to use the URL scripts/deploy.sh gives it.',
      );
      return 2;
    }
    url = deployedWebhookUrl(config);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    console.error(`--webhook-url is not a URL: ${url}`);
    return 2;
  }
  if (parsed.protocol !== 'https:') {
    console.error(`Dialogflow calls webhooks over HTTPS only: ${url}`);
    return 2;
  }
  try {
    // Refuse to package files the stand-in (and so probably Dialogflow) cannot read.
    loadAgent(edition, agentFiles(edition, AGENT_ROOT));
  } catch (err) {
    if (err instanceof AgentFormatError) {
      console.error(`agent (${edition}): ${err.message}`);
      return 1;
    }
    throw err;
  }
  const headers = webhookAuthHeaders(config);
  const zip = buildAgentZip(edition, {
    url: parsed.href,
    headers,
    idToken: Boolean(config.webhook.auth.oidc),
  });
  const out = resolve(values.out ?? `agent-${edition}.zip`);
  writeFileSync(out, zip);
  const auth = [
    ...Object.keys(headers).map((h) => `header ${h}`),
    ...(config.webhook.auth.oidc
      ? [edition === 'cx' ? 'Google ID token' : '(ES cannot send ID tokens)']
      : []),
  ];
  console.log(
    `${out}: ${edition.toUpperCase()} agent, ${zip.length} bytes, webhook ${parsed.href}${auth.length ? ` (${auth.join(', ')})` : ' (no auth header)'}`,
  );
  console.log(
    edition === 'es'
      ? 'Import it in the Dialogflow ES console: agent settings → Export and Import → Restore from zip.'
      : 'Restore it in the Dialogflow CX console: agent settings → Restore → upload (JSON package).',
  );
  return 0;
}

if (isCommand(module)) {
  if (process.argv[2] === 'evaluate') {
    runEvaluate(process.argv.slice(3)).then(
      (code) => process.exit(code),
      (err: unknown) => {
        console.error(err instanceof Error ? err.message : String(err));
        process.exit(1);
      },
    );
  } else process.exit(main());
}
