import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { spawnFunction, waitForPort, type Service } from '@dialogflow-functions/testing/processes';
import { PROJECT } from './helpers/paths';
import { commandLines, flagOf, GcloudSandbox } from '@dialogflow-functions/dev/lib/gcloud-sandbox';
import { freePort } from '@dialogflow-functions/testing/ports';
import { textOf } from '@dialogflow-functions/testing/replies';
import { post } from './helpers/servers';

/*
 * The environment dff deploy gives each function (its --set-env-vars, plus a value for
 * each of its --set-secrets) is enough for that function to start in production and serve, from
 * the built entry, as Cloud Functions loads it (FUNCTION_TARGET): one function's settings never
 * depend on the other's.
 */
const TOKEN = 'deploy-startup-token-0123456789abcdefghijklmn';
const DEPLOY_ENV = {
  GOOGLE_CLOUD_PROJECT: 'my-bot-123',
  WEATHER_API_KEY: 'weather-key-startup',
  LINE_CHANNEL_ACCESS_TOKEN: 'line-token-startup',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/startup',
  NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/bot',
  NOTIFY_WEBHOOK_SECRET: 'notify-secret-startup',
  SMTP_URL: 'smtps://bot:smtp-pass@smtp.example.com:465',
  NOTIFY_EMAIL_FROM: 'bot@example.com',
  RESERVATION_SLOT_CAPACITY: '12',
  WATCH_ORDER_CHECK_SECONDS: '300',
};
/** What Secret Manager would hold: the values given above, and the token the script generates. */
const SECRET_VALUES: Record<string, string> = {
  ...DEPLOY_ENV,
  WEBHOOK_TOKEN: TOKEN,
  CHAT_SESSION_SECRET: 'deploy-startup-chat-secret-0123456789abcdef',
};

/** A function's runtime environment from its printed deploy command. */
function runtimeEnv(line: string): Record<string, string> {
  const plain = flagOf(line, 'set-env-vars')!;
  const env: Record<string, string> = {};
  for (const pair of plain.slice('^|^'.length).split('|')) {
    env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
  }
  for (const ref of (flagOf(line, 'set-secrets') ?? '').split(',').filter(Boolean)) {
    const name = ref.slice(0, ref.indexOf('='));
    expect(SECRET_VALUES[name], name).toBeDefined();
    env[name] = SECRET_VALUES[name]!;
  }
  return env;
}

describe('each function starts in production with exactly what dff deploy gives it', () => {
  const sandbox = new GcloudSandbox(false);
  const output: string[] = [];
  const services: Service[] = [];
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    expect(existsSync(join(PROJECT, 'dist', 'index.js')), 'run `npm run build` first').toBe(true);
    const plan = await sandbox.run('deploy.sh', ['--dry-run'], DEPLOY_ENV);
    expect(plan.code).toBe(0);
    for (const target of ['webhook', 'worker', 'chat'] as const) {
      const line = commandLines(plan.stdout).find((l) =>
        l.startsWith(`gcloud functions deploy ${target} `),
      )!;
      const port = await freePort();
      const service = spawnFunction({
        source: PROJECT,
        target,
        port,
        env: { PATH: process.env.PATH, FUNCTION_TARGET: target, ...runtimeEnv(line) },
        onLine: (l) => output.push(`${target}: ${l}`),
      });
      services.push(service);
      await waitForPort('127.0.0.1', port, 20_000, service);
      urls[target] = `http://127.0.0.1:${port}/`;
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    sandbox.remove();
  });

  it('the webhook answers Dialogflow with the token, and refuses a call without it', async () => {
    const ok = await post(urls.webhook!, esRequest({ name: 'Default Welcome Intent' }), {
      'x-webhook-token': TOKEN,
    });
    expect(ok.status).toBe(200);
    expect(textOf('es', ok.body)).toBeTruthy();
    const refused = await post(urls.webhook!, esRequest({ name: 'Default Welcome Intent' }));
    expect(refused.status).toBe(401);
  });

  it('the worker serves (and refuses a request that is not from Cloud Tasks)', async () => {
    const res = await post(urls.worker!, {});
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Cloud Tasks/);
  });

  it("the chat answers a browser of the project's own site, and refuses another origin", async () => {
    const origin = `https://${DEPLOY_ENV.GOOGLE_CLOUD_PROJECT}.web.app`;
    const forged = await post(urls.chat!, { text: 'hi', session: 'x.y' }, { origin });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('access-control-allow-origin')).toBe(origin);
    const refused = await post(urls.chat!, { text: 'hi' }, { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
  });

  it('none logged a configuration error', () => {
    expect(output.filter((l) => /Invalid configuration|CRITICAL/.test(l))).toEqual([]);
  });
});
