import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEV_ROOT } from '../src/project';
import {
  commandLines,
  flagOf,
  isRead,
  splitShell,
  type GcloudCall,
  type ScriptResult,
  type StandInState,
} from '../src/lib/gcloud-sandbox';
import { GCP_PROJECT, GCP_PROJECT_NUMBER, gcloudSandboxes, serviceAccount } from './helpers/gcloud';

// dff deploy, run for real against a recording stand-in for gcloud (a small model of a
// project: test/helpers/gcloud-stand-in.js), and in dry runs with and without gcloud installed.

const PROJECT = GCP_PROJECT;
const NUMBER = GCP_PROJECT_NUMBER;
const REGION = 'asia-east1';
const sa = serviceAccount;
const WEBHOOK_SA = sa('fulfillment-webhook');
const WORKER_SA = sa('fulfillment-worker');
const TASKS_SA = sa('fulfillment-tasks');
const BUILD_SA = sa('fulfillment-build');
const CHAT_SA = sa('fulfillment-chat');
const WORKER_URL = `https://worker-${NUMBER}.${REGION}.run.app`;

const APIS = [
  'cloudfunctions.googleapis.com',
  'cloudbuild.googleapis.com',
  'run.googleapis.com',
  'cloudtasks.googleapis.com',
  'firestore.googleapis.com',
  'secretmanager.googleapis.com',
  'artifactregistry.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'cloudscheduler.googleapis.com',
  'dialogflow.googleapis.com',
];

/** Secret values: each must reach Secret Manager on stdin and appear nowhere else. */
const SECRETS = {
  WEATHER_API_KEY: 'weather-key-5f2a9c71',
  MYSQL_URL: `mysql://inventory:mysql-pass-1a8b3f@localhost/inventory?socketPath=/cloudsql/${PROJECT}:${REGION}:inventory`,
  LINE_CHANNEL_ACCESS_TOKEN: 'line-token-8c1d7e2a',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/slack-secret-4b6e90',
  NOTIFY_WEBHOOK_SECRET: 'notify-secret-2e9f1a55',
  SMTP_URL: 'smtps://bot:smtp-pass-7d3c11@smtp.example.com:465',
} as const;
const SETTINGS = {
  NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/bot',
  NOTIFY_EMAIL_FROM: 'bot@example.com',
  INVENTORY_SOURCE: 'mysql',
  WEATHER_API_BASE_URL: 'https://api.openweathermap.org',
  LINE_API_BASE_URL: 'https://api.line.me',
  RESERVATION_SLOT_CAPACITY: '12',
  WATCH_ORDER_CHECK_SECONDS: '300',
  WEBHOOK_DEADLINE_MS: '4500',
  WEBHOOK_MIN_INSTANCES: '1',
};
const ALERTS = {
  ALERT_EMAIL: 'oncall@example.com',
  ALERT_SLACK_CHANNEL: '#bot-alerts',
  ALERT_SLACK_AUTH_TOKEN: 'xoxb-slack-alert-token-9e8d',
};
const SECRET_VALUES = [...Object.values(SECRETS), ALERTS.ALERT_SLACK_AUTH_TOKEN];

/** A printed command that creates something or grants a role. */
const CREATING =
  /\b(create|create-oidc|enable|add-iam-policy-binding|add-invoker-policy-binding|versions add)\b/;
/** A recorded call as one line, e.g. "functions deploy worker". */
const words = (call: GcloudCall) => call.argv.filter((a) => !a.startsWith('--')).join(' ');
const mutations = (r: ScriptResult) => r.calls.filter((c) => !isRead(c)).map(words);

/** `--set-env-vars=^|^A=1|B=2` as a map. */
function envVars(value: string | true | undefined): Record<string, string> {
  expect(typeof value).toBe('string');
  const text = value as string;
  expect(text.startsWith('^|^')).toBe(true);
  return Object.fromEntries(
    text
      .slice(3)
      .split('|')
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}
/** `--set-secrets=ENV=SECRET:VERSION,...` as a map. */
function secretRefs(value: string | true | undefined): Record<string, string> {
  if (value === undefined) return {};
  return Object.fromEntries(
    (value as string).split(',').map((p) => p.split('=') as [string, string]),
  );
}
const bindings = (state: StandInState, key: string) =>
  (state.policies[key] ?? []).map(([role, member]) => `${role} ${member}`).sort();

function deployLine(stdout: string, fn: 'webhook' | 'worker'): string {
  const lines = commandLines(stdout).filter((l) => l.startsWith(`gcloud functions deploy ${fn} `));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

/** What every first deploy plans, whether gcloud is there to read the project or not. */
function expectCompletePlan(stdout: string): void {
  const lines = commandLines(stdout);
  const has = (re: RegExp) =>
    expect(
      lines.some((l) => re.test(l)),
      String(re),
    ).toBe(true);
  const enable = lines.find((l) => l.startsWith('gcloud services enable '));
  for (const api of APIS) expect(enable).toContain(api);
  for (const id of [
    'fulfillment-webhook',
    'fulfillment-worker',
    'fulfillment-tasks',
    'fulfillment-build',
    'fulfillment-chat',
  ]) {
    has(new RegExp(`^gcloud iam service-accounts create ${id} `));
  }
  // Project roles: Firestore for the webhook's and the worker's identities, DetectIntent for
  // the chat's, the build's three; nothing else.
  const projectGrants = lines
    .filter((l) => l.startsWith(`gcloud projects add-iam-policy-binding ${PROJECT} `))
    .map((l) => `${flagOf(l, 'role')} ${flagOf(l, 'member')}`)
    .sort();
  expect(projectGrants).toEqual(
    [
      `roles/datastore.user serviceAccount:${WEBHOOK_SA}`,
      `roles/datastore.user serviceAccount:${WORKER_SA}`,
      `roles/dialogflow.client serviceAccount:${CHAT_SA}`,
      `roles/logging.logWriter serviceAccount:${BUILD_SA}`,
      `roles/artifactregistry.writer serviceAccount:${BUILD_SA}`,
      `roles/storage.objectAdmin serviceAccount:${BUILD_SA}`,
    ].sort(),
  );
  has(
    /^gcloud firestore databases create '--database=\(default\)' --location=asia-east1 --type=firestore-native /,
  );
  const queue = JSON.parse(readFileSync(join(DEV_ROOT, 'src', 'queue.json'), 'utf8')) as {
    retryConfig: Record<string, number>;
    rateLimits: Record<string, number>;
  };
  const create = lines.find((l) => l.startsWith('gcloud tasks queues create fulfillment-jobs '))!;
  expect(flagOf(create, 'location')).toBe(REGION);
  expect(flagOf(create, 'max-attempts')).toBe(String(queue.retryConfig.maxAttempts));
  expect(flagOf(create, 'min-backoff')).toBe(`${queue.retryConfig.minBackoffSeconds}s`);
  expect(flagOf(create, 'max-backoff')).toBe(`${queue.retryConfig.maxBackoffSeconds}s`);
  expect(flagOf(create, 'max-doublings')).toBe(String(queue.retryConfig.maxDoublings));
  expect(flagOf(create, 'max-concurrent-dispatches')).toBe(
    String(queue.rateLimits.maxConcurrentDispatches),
  );
  for (const who of [WEBHOOK_SA, WORKER_SA]) {
    has(
      new RegExp(
        `^gcloud tasks queues add-iam-policy-binding fulfillment-jobs .*--member=serviceAccount:${who} --role=roles/cloudtasks.enqueuer$`,
      ),
    );
    has(
      new RegExp(
        `^gcloud iam service-accounts add-iam-policy-binding ${TASKS_SA} .*--member=serviceAccount:${who} --role=roles/iam.serviceAccountUser$`,
      ),
    );
  }
  // No webhook auth configured: a random token, created through stdin, readable by the webhook only.
  has(/^gcloud secrets create WEBHOOK_TOKEN --replication-policy=automatic /);
  has(/^node -e .*randomBytes\(32\).* \| gcloud secrets versions add WEBHOOK_TOKEN --data-file=- /);
  has(
    new RegExp(
      `^gcloud secrets add-iam-policy-binding WEBHOOK_TOKEN .*--member=serviceAccount:${WEBHOOK_SA} --role=roles/secretmanager.secretAccessor$`,
    ),
  );

  const worker = deployLine(stdout, 'worker');
  const webhook = deployLine(stdout, 'webhook');
  for (const [line, fn, account] of [
    [worker, 'worker', WORKER_SA],
    [webhook, 'webhook', WEBHOOK_SA],
  ] as const) {
    const args = splitShell(line);
    for (const flag of [
      '--gen2',
      '--runtime=nodejs22',
      '--trigger-http',
      // The restaurant is a workspace project: its upload is staged with its packages packed in.
      '--source=.data/deploy-source',
      `--entry-point=${fn}`,
      '--serve-all-traffic-latest-revision', // a deploy goes live even after a rollback
    ]) {
      expect(args).toContain(flag);
    }
    expect(flagOf(line, 'service-account')).toBe(account);
    expect(flagOf(line, 'build-service-account')).toBe(
      `projects/${PROJECT}/serviceAccounts/${BUILD_SA}`,
    );
    for (const f of ['memory', 'cpu', 'timeout', 'concurrency', 'max-instances', 'min-instances']) {
      expect(flagOf(line, f), f).toBeDefined();
    }
    expect(envVars(flagOf(line, 'set-env-vars')).NODE_ENV).toBe('production');
  }
  expect(splitShell(worker)).toContain('--no-allow-unauthenticated');
  expect(splitShell(webhook)).toContain('--allow-unauthenticated');
  expect(flagOf(worker, 'concurrency')).toBe('10');
  expect(flagOf(webhook, 'concurrency')).toBe('80');
  expect(flagOf(webhook, 'timeout')).toBe('30s');
  expect(flagOf(webhook, 'min-instances')).toBe('0');
  expect(envVars(flagOf(worker, 'set-env-vars')).WORKER_AUTH).toBe('iam');
  expect(splitShell(worker)).toContain('--clear-secrets');
  expect(flagOf(webhook, 'set-secrets')).toMatch(/^WEBHOOK_TOKEN=WEBHOOK_TOKEN:(latest|\d+)$/);
  // The worker's only invoker: the tasks identity.
  const invokers = lines.filter((l) => l.includes('add-invoker-policy-binding'));
  expect(invokers).toHaveLength(1);
  expect(invokers[0]).toMatch(
    new RegExp(
      `^gcloud functions add-invoker-policy-binding worker .*--member=serviceAccount:${TASKS_SA}$`,
    ),
  );

  const sweep = lines.find((l) =>
    l.startsWith('gcloud scheduler jobs create http fulfillment-sweep '),
  )!;
  expect(flagOf(sweep, 'schedule')).toBe('*/5 * * * *');
  expect(flagOf(sweep, 'http-method')).toBe('POST');
  expect(flagOf(sweep, 'message-body')).toBe('{}');
  expect(flagOf(sweep, 'headers')).toBe('Content-Type=application/json');
  expect(flagOf(sweep, 'oidc-service-account-email')).toBe(TASKS_SA);
  const workerUrl = envVars(flagOf(worker, 'set-env-vars')).WORKER_URL!;
  expect(flagOf(sweep, 'uri')).toBe(`${workerUrl}/sweep`);
  expect(flagOf(sweep, 'oidc-token-audience')).toBe(workerUrl);

  // Cloud Run's startup CPU boost for the functions someone waits on (the webhook and the
  // chat), set on their services: `gcloud functions deploy` has no flag for it.
  for (const fn of ['webhook', 'chat']) {
    const boost = lines.filter((l) => l.startsWith(`gcloud run services update ${fn} `));
    expect(boost, fn).toHaveLength(1);
    expect(splitShell(boost[0]!)).toContain('--cpu-boost');
    expect(flagOf(boost[0]!, 'region')).toBe(REGION);
    expect(flagOf(boost[0]!, 'project')).toBe(PROJECT);
    // After the function's deploy, which creates the service.
    expect(lines.indexOf(boost[0]!)).toBeGreaterThan(
      lines.findIndex((l) => l.startsWith(`gcloud functions deploy ${fn} `)),
    );
  }
  expect(lines.filter((l) => l.startsWith('gcloud run services update worker '))).toEqual([]);

  expect(stdout).toMatch(
    /^# Webhook URL \(paste it into Dialogflow\): https:\/\/webhook-\S+\.run\.app$/m,
  );
  expect(stdout).toMatch(/header 'x-webhook-token'/);
  expect(stdout).toMatch(/ES: Fulfillment > Webhook > HEADERS/);
  expect(stdout).toMatch(/CX: Manage > Webhooks > .* > Authentication/);
  expect(stdout).toMatch(/gcloud secrets versions access latest --secret=WEBHOOK_TOKEN/);
}

describe('dff deploy --dry-run with only GOOGLE_CLOUD_PROJECT', () => {
  const sandbox = gcloudSandboxes();
  const noGcloud = sandbox(false);
  const empty = sandbox(true);
  let withoutGcloud: ScriptResult;
  let againstEmpty: ScriptResult;
  beforeAll(async () => {
    [withoutGcloud, againstEmpty] = await Promise.all([
      noGcloud.run('deploy.sh', ['--dry-run'], { GOOGLE_CLOUD_PROJECT: PROJECT }),
      empty.run('deploy.sh', ['--dry-run'], { GOOGLE_CLOUD_PROJECT: PROJECT }),
    ]);
  }, 120_000);

  it('needs no gcloud at all: prints a complete, least-privilege plan and exits 0', () => {
    expect(existsSync(join(noGcloud.path, 'gcloud'))).toBe(false);
    expect(withoutGcloud.stderr).toBe('');
    expect(withoutGcloud.code).toBe(0);
    expect(withoutGcloud.stdout).toContain(
      '# gcloud is not installed: planning as if nothing existed yet',
    );
    expectCompletePlan(withoutGcloud.stdout);
    expect(withoutGcloud.stdout).toMatch(/# dry run: nothing was changed\n$/);
  });

  it('against a project with nothing in it: only reads, and plans the same commands', () => {
    expect(againstEmpty.code).toBe(0);
    expect(againstEmpty.calls.length).toBeGreaterThan(10);
    expect(againstEmpty.calls.filter((c) => !isRead(c)).map(words)).toEqual([]);
    expectCompletePlan(againstEmpty.stdout);
    // The same plan, with the project number gcloud could read.
    expect(commandLines(againstEmpty.stdout)).toEqual(
      commandLines(withoutGcloud.stdout).map((l) => l.replaceAll('PROJECT_NUMBER', NUMBER)),
    );
  });
});

describe('dff deploy against a project (the recording stand-in for gcloud)', () => {
  const sandbox = gcloudSandboxes()(true);
  const env = { GOOGLE_CLOUD_PROJECT: PROJECT, ...SECRETS, ...SETTINGS, ...ALERTS };
  let first: ScriptResult;
  let second: ScriptResult;
  let dryAfter: ScriptResult;
  let afterFirst: StandInState;
  let afterSecond: StandInState;
  beforeAll(async () => {
    first = await sandbox.run('deploy.sh', ['--with-alerts'], env);
    afterFirst = sandbox.state();
    second = await sandbox.run('deploy.sh', ['--with-alerts'], env);
    afterSecond = sandbox.state();
    dryAfter = await sandbox.run('deploy.sh', ['--dry-run', '--with-alerts'], env);
  }, 240_000);

  it('the first run creates everything and ends with the webhook URL', () => {
    expect(first.stderr).not.toMatch(/deploy\.sh: /);
    expect(first.code).toBe(0);
    expect([...afterFirst.serviceAccounts].sort()).toEqual(
      [BUILD_SA, CHAT_SA, TASKS_SA, WEBHOOK_SA, WORKER_SA].sort(),
    );
    expect(afterFirst.firestore).toBe('FIRESTORE_NATIVE');
    expect(Object.keys(afterFirst.queues)).toEqual(['fulfillment-jobs']);
    expect(Object.keys(afterFirst.functions).sort()).toEqual(['chat', 'webhook', 'worker']);
    expect(Object.keys(afterFirst.schedulerJobs)).toEqual(['fulfillment-sweep']);
    for (const api of APIS) expect(afterFirst.services).toContain(api);
    expect(first.stdout).toContain(
      `# Webhook URL (paste it into Dialogflow): https://webhook-${NUMBER}.${REGION}.run.app`,
    );
    expect(first.stdout).toMatch(/# deployed\n$/);
  });

  it("the webhook and the chat get Cloud Run's startup CPU boost once; a second run finds it on", () => {
    const boosts = (r: ScriptResult) =>
      r.calls.filter((c) => c.argv.includes('--cpu-boost')).map(words);
    expect(boosts(first).sort()).toEqual([
      'run services update chat',
      'run services update webhook',
    ]);
    expect(boosts(second)).toEqual([]);
    expect(afterFirst.cpuBoost).toEqual({ webhook: true, chat: true });
    expect(afterSecond.cpuBoost).toEqual({ webhook: true, chat: true });
  });

  it('a second run creates nothing: it redeploys and updates, and the webhook token stays the same', () => {
    expect(second.code).toBe(0);
    expect(mutations(second).sort()).toEqual(
      [
        'functions deploy worker',
        'functions deploy webhook',
        'functions deploy chat',
        'tasks queues update fulfillment-jobs',
        'scheduler jobs update http fulfillment-sweep',
        'logging metrics update fulfillment_degraded_turns',
        `alpha monitoring policies update ${afterFirst.alertPolicies[0]!.name}`,
        `alpha monitoring policies update ${afterFirst.alertPolicies[1]!.name}`,
      ].sort(),
    );
    expect(afterSecond.secrets).toEqual(afterFirst.secrets);
    expect(afterSecond.policies).toEqual(afterFirst.policies);
    expect(afterSecond.serviceAccounts).toEqual(afterFirst.serviceAccounts);
    expect(afterSecond.channels).toEqual(afterFirst.channels);
    expect(afterSecond.secrets.WEBHOOK_TOKEN).toHaveLength(1);
    expect(second.stdout).not.toContain('No webhook auth was configured');
    expect(second.stdout).toMatch(/header 'x-webhook-token'/);
  });

  it('a dry run after it only reads and plans no create', () => {
    expect(dryAfter.code).toBe(0);
    expect(mutations(dryAfter)).toEqual([]);
    const planned = commandLines(dryAfter.stdout);
    expect(planned.filter((l) => CREATING.test(l))).toEqual([]);
    expect(planned.filter((l) => l.startsWith('gcloud functions deploy'))).toHaveLength(3);
  });

  it('secrets reach Secret Manager on stdin and the functions via --set-secrets only, never printed', () => {
    const token = afterFirst.secrets.WEBHOOK_TOKEN![0]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const run of [first, second, dryAfter]) {
      const argv = JSON.stringify(run.calls.map((c) => c.argv));
      for (const value of [...SECRET_VALUES, token]) {
        expect(run.stdout).not.toContain(value);
        expect(run.stderr).not.toContain(value);
        expect(argv).not.toContain(value);
      }
    }
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(afterFirst.secrets[name]).toEqual([value]);
      const add = first.calls.find((c) => words(c) === `secrets versions add ${name}`);
      expect(add?.stdin).toBe(Buffer.byteLength(value));
      expect(first.stdout).toContain(
        `printf %s "$${name}" | gcloud secrets versions add ${name} --data-file=-`,
      );
    }
    const webhook = afterSecond.functions.webhook!.flags;
    const worker = afterSecond.functions.worker!.flags;
    // Pinned versions, so that a revision (and a rollback to it) always means one value.
    expect(secretRefs(webhook['set-secrets'])).toEqual({
      WEATHER_API_KEY: 'WEATHER_API_KEY:1',
      WEBHOOK_TOKEN: 'WEBHOOK_TOKEN:1',
      MYSQL_URL: 'MYSQL_URL:1',
    });
    expect(secretRefs(worker['set-secrets'])).toEqual({
      LINE_CHANNEL_ACCESS_TOKEN: 'LINE_CHANNEL_ACCESS_TOKEN:1',
      SLACK_WEBHOOK_URL: 'SLACK_WEBHOOK_URL:1',
      NOTIFY_WEBHOOK_SECRET: 'NOTIFY_WEBHOOK_SECRET:1',
      SMTP_URL: 'SMTP_URL:1',
    });
    for (const flags of [webhook, worker]) {
      const plain = envVars(flags['set-env-vars']);
      for (const name of [...Object.keys(SECRETS), 'WEBHOOK_TOKEN', 'WEBHOOK_BASIC_AUTH']) {
        expect(plain[name]).toBeUndefined();
      }
    }
  });

  it('a changed secret gets a new version, pinned by the next deploy', async () => {
    const rotated = await sandbox.run('deploy.sh', ['--with-alerts'], {
      ...env,
      LINE_CHANNEL_ACCESS_TOKEN: 'line-token-rotated-33c1',
    });
    expect(rotated.code).toBe(0);
    const state = sandbox.state();
    expect(state.secrets.LINE_CHANNEL_ACCESS_TOKEN).toEqual([
      SECRETS.LINE_CHANNEL_ACCESS_TOKEN,
      'line-token-rotated-33c1',
    ]);
    expect(secretRefs(state.functions.worker!.flags['set-secrets']).LINE_CHANNEL_ACCESS_TOKEN).toBe(
      'LINE_CHANNEL_ACCESS_TOKEN:2',
    );
    expect(mutations(rotated).filter((m) => m.startsWith('secrets '))).toEqual([
      'secrets versions add LINE_CHANNEL_ACCESS_TOKEN',
    ]);
    expect(JSON.stringify(rotated.calls)).not.toContain('line-token-rotated-33c1');
  }, 120_000);

  it('least privilege: each identity has exactly its roles, nothing runs as the default compute account', () => {
    const s = afterSecond;
    expect(bindings(s, `project/${PROJECT}`)).toEqual(
      [
        `roles/datastore.user serviceAccount:${WEBHOOK_SA}`,
        `roles/datastore.user serviceAccount:${WORKER_SA}`,
        `roles/cloudsql.client serviceAccount:${WEBHOOK_SA}`,
        `roles/dialogflow.client serviceAccount:${CHAT_SA}`,
        `roles/logging.logWriter serviceAccount:${BUILD_SA}`,
        `roles/artifactregistry.writer serviceAccount:${BUILD_SA}`,
        `roles/storage.objectAdmin serviceAccount:${BUILD_SA}`,
      ].sort(),
    );
    expect(bindings(s, 'queue/fulfillment-jobs')).toEqual(
      [
        `roles/cloudtasks.enqueuer serviceAccount:${WEBHOOK_SA}`,
        `roles/cloudtasks.enqueuer serviceAccount:${WORKER_SA}`,
      ].sort(),
    );
    expect(bindings(s, `sa/${TASKS_SA}`)).toEqual(
      [
        `roles/iam.serviceAccountUser serviceAccount:${WEBHOOK_SA}`,
        `roles/iam.serviceAccountUser serviceAccount:${WORKER_SA}`,
      ].sort(),
    );
    for (const name of ['WEATHER_API_KEY', 'WEBHOOK_TOKEN', 'MYSQL_URL']) {
      expect(bindings(s, `secret/${name}`)).toEqual([
        `roles/secretmanager.secretAccessor serviceAccount:${WEBHOOK_SA}`,
      ]);
    }
    for (const name of [
      'LINE_CHANNEL_ACCESS_TOKEN',
      'SLACK_WEBHOOK_URL',
      'NOTIFY_WEBHOOK_SECRET',
      'SMTP_URL',
    ]) {
      expect(bindings(s, `secret/${name}`)).toEqual([
        `roles/secretmanager.secretAccessor serviceAccount:${WORKER_SA}`,
      ]);
    }
    // The worker is private and only the tasks identity may call it; the webhook is public (it
    // checks its token itself).
    expect(bindings(s, 'run/worker')).toEqual([`roles/run.invoker serviceAccount:${TASKS_SA}`]);
    expect(bindings(s, 'run/webhook')).toEqual(['roles/run.invoker allUsers']);
    expect(s.functions.worker!.flags['service-account']).toBe(WORKER_SA);
    expect(s.functions.webhook!.flags['service-account']).toBe(WEBHOOK_SA);
    expect(JSON.stringify(s.policies)).not.toContain('-compute@developer.gserviceaccount.com');
    for (const run of [first, second]) {
      expect(
        run.calls.some(
          (c) => c.argv.includes('--allow-unauthenticated') && c.argv.includes('worker'),
        ),
      ).toBe(false);
    }
  });

  it('each function gets only its own settings, for production', () => {
    const webhook = afterSecond.functions.webhook!.flags;
    const worker = afterSecond.functions.worker!.flags;
    const common = {
      NODE_ENV: 'production',
      GOOGLE_CLOUD_PROJECT: PROJECT,
      TASKS_LOCATION: REGION,
      TASKS_QUEUE: 'fulfillment-jobs',
      WORKER_URL,
      TASKS_SERVICE_ACCOUNT: TASKS_SA,
    };
    expect(envVars(webhook['set-env-vars'])).toEqual({
      ...common,
      WEBHOOK_DEADLINE_MS: '4500',
      WEATHER_API_BASE_URL: SETTINGS.WEATHER_API_BASE_URL,
      INVENTORY_SOURCE: 'mysql',
      RESERVATION_SLOT_CAPACITY: '12',
    });
    expect(envVars(worker['set-env-vars'])).toEqual({
      ...common,
      WORKER_AUTH: 'iam',
      LINE_API_BASE_URL: SETTINGS.LINE_API_BASE_URL,
      NOTIFY_WEBHOOK_URL: SETTINGS.NOTIFY_WEBHOOK_URL,
      NOTIFY_EMAIL_FROM: SETTINGS.NOTIFY_EMAIL_FROM,
      RESERVATION_SLOT_CAPACITY: '12',
      WATCH_ORDER_CHECK_SECONDS: '300',
    });
    expect(webhook['entry-point']).toBe('webhook');
    expect(worker['entry-point']).toBe('worker');
    expect(webhook['min-instances']).toBe('1'); // WEBHOOK_MIN_INSTANCES
    expect(worker['min-instances']).toBe('0');
    expect(worker.timeout).toBe('300s');
    // The Cloud SQL instance named by MYSQL_URL's socketPath is mounted on the webhook's service.
    expect(afterSecond.runAnnotations.webhook).toBe(`${PROJECT}:${REGION}:inventory`);
    expect(afterSecond.runAnnotations.worker).toBeUndefined();
  });

  it('the sweep job POSTs {} as JSON to the worker every 5 minutes with the tasks identity', () => {
    const job = afterSecond.schedulerJobs['fulfillment-sweep']!.flags;
    expect(job).toMatchObject({
      location: REGION,
      schedule: '*/5 * * * *',
      uri: `${WORKER_URL}/sweep`,
      'http-method': 'POST',
      'message-body': '{}',
      'oidc-service-account-email': TASKS_SA,
      'oidc-token-audience': WORKER_URL,
      headers: 'Content-Type=application/json',
      'update-headers': 'Content-Type=application/json',
    });
  });

  it('--with-alerts applies monitoring/: the metric, email and Slack channels, both policies', () => {
    expect(afterFirst.logMetrics.fulfillment_degraded_turns!.filter).toContain(
      'jsonPayload.message="turn answered"',
    );
    expect(afterFirst.channels.map((c) => [c.type, c.displayName]).sort()).toEqual([
      ['email', 'Fulfillment alerts: email'],
      ['slack', 'Fulfillment alerts: Slack'],
    ]);
    const slack = afterFirst.channels.find((c) => c.type === 'slack')!;
    expect(slack.labels).toEqual({
      channel_name: '#bot-alerts',
      auth_token: ALERTS.ALERT_SLACK_AUTH_TOKEN,
    });
    expect(afterFirst.channels.find((c) => c.type === 'email')!.labels).toEqual({
      email_address: 'oncall@example.com',
    });
    expect(afterFirst.alertPolicies.map((p) => p.displayName).sort()).toEqual([
      'Fulfillment webhook: error rate above 5%',
      'Fulfillment webhook: latency above 2 s',
    ]);
    for (const policy of afterSecond.alertPolicies) {
      expect([...policy.channels].sort()).toEqual(afterFirst.channels.map((c) => c.name).sort());
    }
    // CI keeps an existing Slack channel without its token.
    expect(dryAfter.stderr).not.toMatch(/ALERT_SLACK_AUTH_TOKEN must be set/);
  });

  it('finds a public worker and makes it private again; warns about other invokers', async () => {
    const state = sandbox.state();
    state.policies['run/worker']!.push(
      ['roles/run.invoker', 'allUsers'],
      ['roles/run.invoker', 'user:someone@example.com'],
    );
    sandbox.setState(state);
    const fixed = await sandbox.run('deploy.sh', ['--dry-run'], env);
    expect(fixed.code).toBe(0);
    expect(splitShell(deployLine(fixed.stdout, 'worker'))).toContain('--no-allow-unauthenticated');
    expect(splitShell(deployLine(fixed.stdout, 'webhook'))).not.toContain(
      '--allow-unauthenticated',
    );
    expect(fixed.stderr).toMatch(
      /the worker has other invokers than .*allUsers user:someone@example.com/,
    );
  }, 120_000);
});

describe('dff deploy in other situations', () => {
  const sandbox = gcloudSandboxes();

  it('deploys the worker once more when the new service got a URL other than the predicted one', async () => {
    const s = sandbox(true);
    s.setState({ urlStyle: 'hash' });
    const r = await s.run('deploy.sh', [], { GOOGLE_CLOUD_PROJECT: PROJECT });
    expect(r.code).toBe(0);
    const state = s.state();
    const url = 'https://worker-x7k2p9qa-de.a.run.app';
    expect(state.functions.worker!.deploys).toBe(2);
    expect(envVars(state.functions.worker!.flags['set-env-vars']).WORKER_URL).toBe(url);
    expect(envVars(state.functions.webhook!.flags['set-env-vars']).WORKER_URL).toBe(url);
    expect(state.schedulerJobs['fulfillment-sweep']!.flags.uri).toBe(`${url}/sweep`);
    expect(state.schedulerJobs['fulfillment-sweep']!.flags['oidc-token-audience']).toBe(url);
  }, 120_000);

  it('a real run stops when gcloud cannot read something; a dry run notes it and plans on', async () => {
    const s = sandbox(true);
    s.setState({ deny: ['secrets describe'] });
    const real = await s.run('deploy.sh', [], { GOOGLE_CLOUD_PROJECT: PROJECT });
    expect(real.code).toBe(1);
    expect(real.stderr).toMatch(/PERMISSION_DENIED/);
    expect(real.stderr).toMatch(/could not read: gcloud secrets describe/);
    expect(
      mutations(real).some(
        (m) => m.startsWith('functions deploy') || m.startsWith('secrets create'),
      ),
    ).toBe(false);
    const dry = await s.run('deploy.sh', ['--dry-run'], { GOOGLE_CLOUD_PROJECT: PROJECT });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /# could not read \(.*PERMISSION_DENIED.*\): planned as missing: gcloud secrets describe/,
    );
  }, 120_000);

  it('WEBHOOK_AUTH=none: no token, and IAM guards the webhook', async () => {
    const r = await sandbox(false).run('deploy.sh', ['--dry-run'], {
      GOOGLE_CLOUD_PROJECT: PROJECT,
      WEBHOOK_AUTH: 'none',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('WEBHOOK_TOKEN');
    const webhook = deployLine(r.stdout, 'webhook');
    expect(splitShell(webhook)).toContain('--no-allow-unauthenticated');
    expect(splitShell(webhook)).toContain('--clear-secrets');
    expect(envVars(flagOf(webhook, 'set-env-vars')).WEBHOOK_AUTH).toBe('none');
  });

  it('a configured webhook auth is used as given: no random token', async () => {
    const r = await sandbox(false).run('deploy.sh', ['--dry-run'], {
      GOOGLE_CLOUD_PROJECT: PROJECT,
      WEBHOOK_OIDC_AUDIENCE: 'https://example.com/webhook',
      WEBHOOK_OIDC_EMAILS: 'service-1@gcp-sa-dialogflow.iam.gserviceaccount.com,other@example.com',
      WEBHOOK_BASIC_AUTH: 'dialogflow:basic-pass-6f1e',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('WEBHOOK_TOKEN');
    expect(r.stdout).not.toContain('basic-pass-6f1e');
    expect(r.stdout).toContain(
      'printf %s "$WEBHOOK_BASIC_AUTH" | gcloud secrets versions add WEBHOOK_BASIC_AUTH',
    );
    const webhook = deployLine(r.stdout, 'webhook');
    expect(flagOf(webhook, 'set-secrets')).toBe('WEBHOOK_BASIC_AUTH=WEBHOOK_BASIC_AUTH:latest');
    expect(envVars(flagOf(webhook, 'set-env-vars'))).toMatchObject({
      WEBHOOK_OIDC_AUDIENCE: 'https://example.com/webhook',
      WEBHOOK_OIDC_EMAILS: 'service-1@gcp-sa-dialogflow.iam.gserviceaccount.com,other@example.com',
    });
  });

  it.each([
    [{ GOOGLE_CLOUD_PROJECT: '' }, /GOOGLE_CLOUD_PROJECT is required/],
    [{ GOOGLE_CLOUD_PROJECT: 'My_Project' }, /GOOGLE_CLOUD_PROJECT must be a project id/],
    [{ WEBHOOK_TOKEN: 'too-short' }, /WEBHOOK_TOKEN must be at least 16 characters/],
    [{ WEBHOOK_BASIC_AUTH: 'no-colon' }, /WEBHOOK_BASIC_AUTH must be user:password/],
    [
      { WEBHOOK_AUTH: 'none', WEBHOOK_TOKEN: 'a-long-enough-token-1234' },
      /WEBHOOK_AUTH=none contradicts/,
    ],
    [{ WEBHOOK_MIN_INSTANCES: 'one' }, /WEBHOOK_MIN_INSTANCES must be a whole number/],
    [
      { WEATHER_API_BASE_URL: 'http://127.0.0.1:8095' },
      /WEATHER_API_BASE_URL points at this machine/,
    ],
    [{ SMTP_URL: 'smtp://u:p@localhost:2525' }, /SMTP_URL points at this machine/],
    [{ NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/x' }, /NOTIFY_WEBHOOK_SECRET must be set/],
    [{ INVENTORY_SOURCE: 'mysql' }, /MYSQL_URL must be set when INVENTORY_SOURCE=mysql/],
  ])('refuses what the functions would refuse at start (%o)', async (extra, message) => {
    const r = await sandbox(false).run('deploy.sh', ['--dry-run'], {
      GOOGLE_CLOUD_PROJECT: PROJECT,
      ...extra,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toMatch(/^gcloud functions deploy/m);
  });

  it('rejects an unknown argument with the usage', async () => {
    const r = await sandbox(false).run('deploy.sh', ['--bogus'], {
      GOOGLE_CLOUD_PROJECT: PROJECT,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /usage: dff deploy \[--dry-run\] \[--with-alerts\] \[--agent es\|cx\]/,
    );
  });

  it('--agent es|cx: the agent zip for this webhook with its token, restored through the API', async () => {
    const token = 'agent-zip-token-4c7e1b9a';
    // Dry runs only: a real one would call the Dialogflow API.
    const es = await sandbox(true).run('deploy.sh', ['--dry-run', '--agent', 'es'], {
      GOOGLE_CLOUD_PROJECT: PROJECT,
      WEBHOOK_TOKEN: token,
    });
    expect(es.stderr).not.toMatch(/deploy\.sh: /);
    expect(es.code).toBe(0);
    const lines = commandLines(es.stdout);
    const zipLine = lines.find((l) => l.startsWith('dff agent es --webhook-url '));
    expect(zipLine).toMatch(/--webhook-url https:\/\/\S+ --out \S+\/agent\.zip$/);
    expect(
      lines.some((l) =>
        l.startsWith(
          `curl --fail-with-body -sS -X POST https://dialogflow.googleapis.com/v2/projects/${PROJECT}/agent:restore `,
        ),
      ),
    ).toBe(true);
    expect(es.stdout).not.toContain(token);

    const cx = await sandbox(false).run('deploy.sh', ['--dry-run', '--agent=cx'], {
      GOOGLE_CLOUD_PROJECT: PROJECT,
      DIALOGFLOW_AGENT: `projects/${PROJECT}/locations/asia-northeast1/agents/abc-123`,
    });
    expect(cx.code).toBe(0);
    expect(cx.stdout).toContain(
      `https://asia-northeast1-dialogflow.googleapis.com/v3/projects/${PROJECT}/locations/asia-northeast1/agents/abc-123:restore`,
    );
    for (const [args, message] of [
      [['--agent', 'cx'], /DIALOGFLOW_AGENT/],
      [['--agent', 'ab'], /--agent must be es or cx/],
    ] as const) {
      const r = await sandbox(false).run('deploy.sh', ['--dry-run', ...args], {
        GOOGLE_CLOUD_PROJECT: PROJECT,
      });
      expect(r.code).toBeGreaterThan(0);
      expect(r.stderr).toMatch(message);
    }
  });
});
