/*
 * `npm run dialogflow-stand-in -- --port N --webhook URL [--agent DIR]`: a local Dialogflow
 * (ES v2 and CX v3 Sessions/DetectIntent over gRPC) that runs the agent files of agent/ and
 * calls the webhook at URL. Point `npm run detect` at it with DIALOGFLOW_EMULATOR_HOST.
 */
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from '@dialogflow-functions/core/config';
import { AgentFormatError } from '../lib/agent/load';
import { webhookAuthHeaders } from '../lib/agent/webhook-auth';
import { AGENT_DIR, loadAgents } from './load-agents';
import { startDialogflowStandIn } from './server';

const USAGE = 'usage: npm run dialogflow-stand-in -- --port N --webhook URL [--agent DIR]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      webhook: { type: 'string' },
      agent: { type: 'string', default: AGENT_DIR },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!values.port || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number\n${USAGE}`);
    process.exit(2);
  }
  let webhook: URL;
  try {
    webhook = new URL(values.webhook ?? '');
    if (!/^https?:$/.test(webhook.protocol)) throw new Error('not http');
  } catch {
    console.error(`--webhook must be an http(s) URL\n${USAGE}`);
    process.exit(2);
  }
  let config;
  try {
    config = parseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  let agents;
  try {
    agents = loadAgents(values.agent);
  } catch (err) {
    if (err instanceof AgentFormatError) {
      console.error(`Cannot read the agent: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  for (const agent of [agents.es, agents.cx]) {
    for (const w of agent.warnings) console.warn(`warning (${agent.edition}): ${w}`);
  }
  const standIn = await startDialogflowStandIn({
    ...agents,
    webhookUrl: webhook.href,
    webhookHeaders: webhookAuthHeaders(config),
    port,
    onTurn: (line) => console.log(line),
  });
  console.log(
    `Dialogflow stand-in (ES v2 + CX v3 Sessions) on ${standIn.host}, webhook ${webhook.href}\n` +
      `DIALOGFLOW_EMULATOR_HOST=${standIn.host}`,
  );
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      void standIn.stop().then(() => process.exit(0));
    });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
