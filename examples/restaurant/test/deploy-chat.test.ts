import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandLines,
  flagOf,
  GcloudSandbox,
  isRead,
  splitShell,
  type GcloudCall,
  type ScriptResult,
  type StandInState,
} from '@dialogflow-functions/dev/lib/gcloud-sandbox';

// dff deploy (packages/dev/src/deploy.sh) deploys the chat function with the webhook and the
// worker: its own identity (only roles/dialogflow.client) and its session secret in Secret
// Manager; CHAT_ALLOWED_ORIGINS by default the project's own Firebase Hosting sites. In dry runs
// without gcloud, and for real against the recording stand-in for gcloud
// (packages/dev/test/deploy.test.ts covers everything else).

const PROJECT = 'my-bot-123';
const NUMBER = '123456789012';
const REGION = 'asia-east1';
const CHAT_SA = `fulfillment-chat@${PROJECT}.iam.gserviceaccount.com`;
const ORIGINS = 'https://shop.example,https://www.shop.example';
const SECRET = 'chat-session-secret-that-is-32-chars-or-more-91c2';

const words = (call: GcloudCall) => call.argv.filter((a) => !a.startsWith('--')).join(' ');
const envVars = (value: string | true | undefined): Record<string, string> =>
  Object.fromEntries(
    String(value)
      .slice(3)
      .split('|')
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );

describe('dff deploy --dry-run with only GOOGLE_CLOUD_PROJECT, no gcloud', () => {
  const sandbox = new GcloudSandbox(false);
  let result: ScriptResult;
  beforeAll(async () => {
    result = await sandbox.run('deploy.sh', ['--dry-run'], { GOOGLE_CLOUD_PROJECT: PROJECT });
  }, 120_000);
  afterAll(() => sandbox.remove());

  it("plans the chat, answering only the project's own Firebase Hosting sites", () => {
    expect(result.code).toBe(0);
    const line = commandLines(result.stdout).find((l) =>
      l.startsWith('gcloud functions deploy chat '),
    )!;
    expect(line).toBeDefined();
    expect(flagOf(line, 'service-account')).toBe(CHAT_SA);
    expect(envVars(flagOf(line, 'set-env-vars'))).toMatchObject({
      NODE_ENV: 'production',
      CHAT_ALLOWED_ORIGINS: `https://${PROJECT}.web.app,https://${PROJECT}.firebaseapp.com`,
    });
    expect(flagOf(line, 'set-secrets')).toMatch(/^CHAT_SESSION_SECRET=CHAT_SESSION_SECRET:/);
  });
});

describe('dff deploy --dry-run with CHAT_ALLOWED_ORIGINS, no gcloud', () => {
  const sandbox = new GcloudSandbox(false);
  let result: ScriptResult;
  beforeAll(async () => {
    result = await sandbox.run('deploy.sh', ['--dry-run'], {
      GOOGLE_CLOUD_PROJECT: PROJECT,
      CHAT_ALLOWED_ORIGINS: ORIGINS,
    });
  }, 120_000);
  afterAll(() => sandbox.remove());

  it('plans the chat function with its own identity, only roles/dialogflow.client, and a generated secret', () => {
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = commandLines(result.stdout);
    expect(lines.find((l) => l.startsWith('gcloud services enable '))).toContain(
      'dialogflow.googleapis.com',
    );
    expect(
      lines.some((l) => l.startsWith('gcloud iam service-accounts create fulfillment-chat ')),
    ).toBe(true);
    // Every grant to the chat's identity: DetectIntent, and reading its own secret.
    const grants = lines
      .filter((l) => l.includes(`--member=serviceAccount:${CHAT_SA}`))
      .map((l) => `${l.split(' ').slice(0, 4).join(' ')} ${flagOf(l, 'role')}`)
      .sort();
    expect(grants).toEqual(
      [
        `gcloud projects add-iam-policy-binding ${PROJECT} roles/dialogflow.client`,
        'gcloud secrets add-iam-policy-binding CHAT_SESSION_SECRET roles/secretmanager.secretAccessor',
      ].sort(),
    );
    expect(
      lines.some((l) =>
        /^node -e .*randomBytes\(32\).* \| gcloud secrets versions add CHAT_SESSION_SECRET --data-file=- /.test(
          l,
        ),
      ),
    ).toBe(true);
    const deploy = lines.filter((l) => l.startsWith('gcloud functions deploy chat '));
    expect(deploy).toHaveLength(1);
    const line = deploy[0]!;
    const args = splitShell(line);
    for (const flag of ['--gen2', '--runtime=nodejs22', '--trigger-http', '--entry-point=chat']) {
      expect(args).toContain(flag);
    }
    expect(args).toContain('--allow-unauthenticated');
    expect(flagOf(line, 'service-account')).toBe(CHAT_SA);
    expect(flagOf(line, 'set-secrets')).toMatch(
      /^CHAT_SESSION_SECRET=CHAT_SESSION_SECRET:(latest|\d+)$/,
    );
    const env = envVars(flagOf(line, 'set-env-vars'));
    expect(env).toMatchObject({ NODE_ENV: 'production', CHAT_ALLOWED_ORIGINS: ORIGINS });
    // The webhook's and the worker's identities get nothing for Dialogflow.
    expect(lines.filter((l) => l.includes('roles/dialogflow.client'))).toHaveLength(1);
    expect(result.stdout).toMatch(
      /^# Chat URL \(the widget's endpoint, for .*\): https:\/\/chat-/m,
    );
  });
});

describe('dff deploy with CHAT_ALLOWED_ORIGINS against a project', () => {
  const sandbox = new GcloudSandbox(true);
  const env = { GOOGLE_CLOUD_PROJECT: PROJECT, CHAT_ALLOWED_ORIGINS: ORIGINS };
  let first: ScriptResult;
  let second: ScriptResult;
  let state: StandInState;
  beforeAll(async () => {
    first = await sandbox.run('deploy.sh', [], env);
    state = sandbox.state();
    second = await sandbox.run('deploy.sh', [], { ...env, CHAT_SESSION_SECRET: SECRET });
  }, 240_000);
  afterAll(() => sandbox.remove());

  it('creates the chat function as its own identity, with its secret', () => {
    expect(first.code).toBe(0);
    expect(state.serviceAccounts).toContain(CHAT_SA);
    expect(Object.keys(state.functions).sort()).toEqual(['chat', 'webhook', 'worker']);
    expect(state.functions.chat!.flags['service-account']).toBe(CHAT_SA);
    expect(state.secrets.CHAT_SESSION_SECRET).toHaveLength(1);
    expect(state.secrets.CHAT_SESSION_SECRET![0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(state.services).toContain('dialogflow.googleapis.com');
    expect(first.stdout).toContain(
      `# Chat URL (the widget's endpoint, for ${ORIGINS}): https://chat-${NUMBER}.${REGION}.run.app`,
    );
    // The generated value is never printed.
    expect(first.stdout).not.toContain(state.secrets.CHAT_SESSION_SECRET![0]);
  });

  it('a second run with a given secret adds it as a new version and redeploys; it creates nothing else', () => {
    expect(second.code).toBe(0);
    const changes = second.calls.filter((c) => !isRead(c)).map(words);
    expect(changes).toContain('functions deploy chat');
    expect(changes).toContain('secrets versions add CHAT_SESSION_SECRET');
    expect(changes.filter((c) => / create /.test(` ${c} `))).toEqual([]);
    expect(sandbox.state().secrets.CHAT_SESSION_SECRET!.at(-1)).toBe(SECRET);
    expect(second.stdout).not.toContain(SECRET);
  });

  it('refuses origins that are not origins before changing anything', async () => {
    const bad = await sandbox.run('deploy.sh', ['--dry-run'], {
      ...env,
      CHAT_ALLOWED_ORIGINS: 'https://shop.example/path',
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/CHAT_ALLOWED_ORIGINS must be comma-separated origins/);
    expect(bad.calls).toEqual([]);
  });
});
