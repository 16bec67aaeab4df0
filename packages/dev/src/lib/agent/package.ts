import { join } from 'node:path';
import { projectDir } from '../../project';
import { createZip } from '../zip';
import { agentFiles } from './generate';
import type { AgentFiles } from './load';

/** The agent's folder: its sources (agent.yaml, intents/, entities/), or exports in es/ and cx/. */
export const AGENT_ROOT = join(projectDir(), 'agent');

export interface WebhookSettings {
  /** The webhook function's URL (https). */
  url: string;
  /** Headers Dialogflow sends with every call (the webhook's token or basic auth). */
  headers: Record<string, string>;
  /** CX: send a Google ID token of the Dialogflow service agent (WEBHOOK_OIDC_AUDIENCE). */
  idToken: boolean;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * The agent's files with the webhook filled in: ES `agent.json` `webhook.url`/`headers`,
 * CX every `webhooks/*.json` `genericWebService.uri`/`requestHeaders` (and
 * `serviceAgentAuth: ID_TOKEN` when the webhook checks Google ID tokens).
 */
export function withWebhook(
  edition: 'es' | 'cx',
  files: AgentFiles,
  webhook: WebhookSettings,
): AgentFiles {
  const out: AgentFiles = new Map(files);
  if (edition === 'es') {
    const agent = JSON.parse(files.get('agent.json') ?? '{}') as {
      webhook?: Record<string, unknown>;
    };
    agent.webhook = {
      ...agent.webhook,
      url: webhook.url,
      headers: webhook.headers,
      available: true,
    };
    out.set('agent.json', json(agent));
    return out;
  }
  for (const [path, text] of files) {
    if (!/^webhooks\/[^/]+\.json$/.test(path)) continue;
    const resource = JSON.parse(text) as { genericWebService?: Record<string, unknown> };
    resource.genericWebService = {
      ...resource.genericWebService,
      uri: webhook.url,
      ...(Object.keys(webhook.headers).length ? { requestHeaders: webhook.headers } : {}),
      ...(webhook.idToken ? { serviceAgentAuth: 'ID_TOKEN' } : {}),
    };
    out.set(path, json(resource));
  }
  return out;
}

/** The import/restore zip of the agent's <edition> export (generated from its sources) for a webhook. */
export function buildAgentZip(
  edition: 'es' | 'cx',
  webhook: WebhookSettings,
  root: string = AGENT_ROOT,
): Buffer {
  const files = withWebhook(edition, agentFiles(edition, root), webhook);
  return createZip([...files].map(([path, data]) => ({ path, data })));
}
