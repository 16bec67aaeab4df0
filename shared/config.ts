import { z } from 'zod';

/** Thrown once at cold start when the environment cannot be used; names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}`);
  }
}

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const port = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? String(fallback) : v))
    .transform(Number)
    .pipe(
      z
        .number({ error: 'must be a port number' })
        .int('must be a port number')
        .min(1, 'must be a port number (1–65535)')
        .max(65535, 'must be a port number (1–65535)'),
    );

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
/** An optional http(s) URL. */
const url = () => optionalString.pipe(httpUrl.optional());
/** An http(s) URL with a default (stated here, once). */
const urlOr = (fallback: string) => optionalString.transform((v) => v ?? fallback).pipe(httpUrl);

const hostPort = optionalString.pipe(
  z
    .string()
    .regex(/^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port')
    .optional(),
);

const positiveInt = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? String(fallback) : v))
    .transform(Number)
    .pipe(
      z
        .number({ error: 'must be a whole number' })
        .int('must be a whole number')
        .min(min, `must be between ${min} and ${max}`)
        .max(max, `must be between ${min} and ${max}`),
    );

/** `MYSQL_URL` parsed into connection settings (see {@link parseMysqlUrl}). */
const mysqlUrl = optionalString.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const parsed = parseMysqlUrl(v);
  if (typeof parsed === 'string') {
    ctx.issues.push({ code: 'custom', message: parsed, input: v });
    return z.NEVER;
  }
  return parsed;
});

const EnvSchema = z.object({
  GOOGLE_CLOUD_PROJECT: optionalString
    .transform((v) => v ?? 'demo-local')
    .pipe(z.string().regex(/^[a-z][a-z0-9-]{4,29}$/, 'must be a project id')),
  NODE_ENV: optionalString
    .transform((v) => v ?? 'development')
    .pipe(z.enum(['development', 'production', 'test'])),
  WEBHOOK_PORT: port(8080),
  WORKER_PORT: port(8081),
  DEV_CONSOLE_PORT: port(8090),
  FIRESTORE_EMULATOR_HOST: hostPort,
  FIRESTORE_EMULATOR_JAR: optionalString,
  CLOUD_TASKS_EMULATOR_HOST: hostPort,
  CLOUD_TASKS_EMULATOR_PORT: port(8123),
  TASKS_LOCATION: optionalString
    .transform((v) => v ?? 'asia-east1')
    .pipe(z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'must be a region like asia-east1')),
  TASKS_QUEUE: optionalString
    .transform((v) => v ?? 'fulfillment-jobs')
    .pipe(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'must be a queue id')),
  WORKER_URL: urlOr('http://127.0.0.1:8081/'),
  TASKS_SERVICE_ACCOUNT: optionalString.pipe(z.email('must be a service account email').optional()),
  WEBHOOK_DEADLINE_MS: positiveInt(4000, 100, 29_000),
  WEATHER_API_BASE_URL: urlOr('https://api.openweathermap.org'),
  WEATHER_API_KEY: optionalString,
  LINE_API_BASE_URL: urlOr('https://api.line.me'),
  LINE_CHANNEL_ACCESS_TOKEN: optionalString,
  SLACK_WEBHOOK_URL: url(),
  NOTIFY_WEBHOOK_URL: url(),
  NOTIFY_WEBHOOK_SECRET: optionalString,
  WEBHOOK_BASIC_AUTH: optionalString.pipe(
    z
      .string()
      .regex(/^[^:]+:.+$/, 'must be user:password')
      .optional(),
  ),
  WEBHOOK_TOKEN: optionalString.pipe(
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  WEBHOOK_TOKEN_HEADER: optionalString
    .transform((v) => (v ?? 'x-webhook-token').toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9-]+$/, 'must be an HTTP header name')),
  WEBHOOK_OIDC_AUDIENCE: optionalString,
  WEBHOOK_OIDC_EMAILS: optionalString.transform((v) =>
    v === undefined
      ? []
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
  ),
  WEBHOOK_AUTH: optionalString.pipe(z.enum(['none']).optional()),
  WORKER_OIDC_AUDIENCE: optionalString,
  WORKER_AUTH: optionalString.pipe(z.enum(['iam']).optional()),
  RESERVATION_SLOT_CAPACITY: positiveInt(20, 1, 100_000),
  WATCH_ORDER_CHECK_SECONDS: positiveInt(600, 1, 86_400),
  SMTP_URL: optionalString.pipe(
    z
      .url({ protocol: /^smtps?$/, error: 'must be smtp://user:pass@host:port or smtps://…' })
      .optional(),
  ),
  NOTIFY_EMAIL_FROM: optionalString
    .transform((v) => v ?? 'bot@localhost')
    .pipe(z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'must be an email address')),
  INVENTORY_SOURCE: optionalString
    .transform((v) => v ?? 'firestore')
    .pipe(z.enum(['firestore', 'mysql'], { error: 'must be firestore or mysql' })),
  MYSQL_URL: mysqlUrl,
  DIALOGFLOW_STAND_IN_PORT: port(8130),
  DIALOGFLOW_AGENT: optionalString.pipe(
    z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{4,29}$|^projects\/[a-z][a-z0-9-]{4,29}(\/locations\/[a-z0-9-]+)?\/agent$|^projects\/[a-z][a-z0-9-]{4,29}\/locations\/[a-z0-9-]+\/agents\/[A-Za-z0-9-]+$/,
        'must be a project id (ES) or projects/P/locations/L/agents/A (CX)',
      )
      .optional(),
  ),
  DIALOGFLOW_EMULATOR_HOST: hostPort,
});

const SECRET_VARIABLES = new Set([
  'WEATHER_API_KEY',
  'LINE_CHANNEL_ACCESS_TOKEN',
  'SLACK_WEBHOOK_URL',
  'NOTIFY_WEBHOOK_SECRET',
  'WEBHOOK_BASIC_AUTH',
  'WEBHOOK_TOKEN',
  'SMTP_URL',
  'MYSQL_URL',
]);

export type Env = z.infer<typeof EnvSchema>;

/** The parsed configuration both functions and the scripts use. */
export interface Config {
  projectId: string;
  production: boolean;
  nodeEnv: Env['NODE_ENV'];
  /** `npm start` only (tasksEmulator: where it starts the Cloud Tasks emulator). */
  ports: { webhook: number; worker: number; devConsole: number; tasksEmulator: number };
  firestore: { emulatorHost: string | undefined; emulatorJar: string | undefined };
  tasks: {
    emulatorHost: string | undefined;
    location: string;
    queue: string;
    workerUrl: string;
    serviceAccount: string | undefined;
  };
  webhook: {
    deadlineMs: number;
    auth: {
      basic: { user: string; password: string } | undefined;
      token: { header: string; value: string } | undefined;
      oidc: { audience: string; emails: string[] } | undefined;
      /** true when `WEBHOOK_AUTH=none` states on purpose that the platform does it. */
      explicitlyNone: boolean;
    };
  };
  worker: { oidcAudience: string | undefined; iam: boolean };
  weather: { baseUrl: string; apiKey: string | undefined };
  line: { baseUrl: string; accessToken: string | undefined };
  slack: { webhookUrl: string | undefined };
  notify: { url: string | undefined; secret: string | undefined };
  reservation: { slotCapacity: number };
  watchOrder: { checkSeconds: number };
  email: { smtpUrl: string | undefined; from: string };
  /** Where check_inventory reads products: Firestore `products/{id}`, or a MySQL table. */
  inventory: { source: 'firestore' | 'mysql'; mysql: MysqlSettings | undefined };
  /** The agent `npm run detect` / `converse --live` talk to, and the local stand-in. */
  dialogflow: { standInPort: number; agent: string | undefined; emulatorHost: string | undefined };
}

/** A MySQL/MariaDB connection, from `MYSQL_URL`. */
export interface MysqlSettings {
  /** TCP host (ignored when `socketPath` is set). */
  host: string;
  port: number;
  /** A unix socket instead of TCP, e.g. Cloud SQL's `/cloudsql/PROJECT:REGION:INSTANCE`. */
  socketPath: string | undefined;
  user: string;
  password: string;
  database: string;
  /** Most connections the pool opens. */
  connectionLimit: number;
  /** Most lookups waiting for a connection; more are refused at once. */
  queueLimit: number;
}

const MYSQL_URL_FORM = 'mysql://user:password@host:port/database[?socketPath=/cloudsql/…]';
const MYSQL_PARAMS = new Set(['socketPath', 'connectionLimit', 'queueLimit']);

/**
 * `mysql://user:password@host[:port]/database`, with optional `socketPath`, `connectionLimit`
 * (1–100, default 5) and `queueLimit` (0–10000, default 100) parameters. Returns the settings,
 * or what is wrong (never the value itself: it holds a password).
 */
export function parseMysqlUrl(raw: string): MysqlSettings | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `must be ${MYSQL_URL_FORM}`;
  }
  if (url.protocol !== 'mysql:') return `must start with mysql:// (${MYSQL_URL_FORM})`;
  const database = decode(url.pathname.replace(/^\//, ''));
  if (!database || !/^[A-Za-z0-9_$-]{1,64}$/.test(database)) {
    return `must name a database after the host (${MYSQL_URL_FORM})`;
  }
  const user = decode(url.username);
  const password = decode(url.password);
  if (user === undefined || password === undefined) return 'has a malformed %-escape';
  if (!user) return `must name a user (${MYSQL_URL_FORM})`;
  for (const key of url.searchParams.keys()) {
    if (!MYSQL_PARAMS.has(key)) {
      return `has an unknown parameter ${JSON.stringify(key.slice(0, 40))} (known: ${[...MYSQL_PARAMS].join(', ')})`;
    }
  }
  const socketPath = url.searchParams.get('socketPath') ?? undefined;
  if (socketPath !== undefined && !socketPath.startsWith('/')) {
    return 'socketPath must be an absolute path, e.g. /cloudsql/PROJECT:REGION:INSTANCE';
  }
  const limit = (name: string, fallback: number, min: number, max: number) => {
    const v = url.searchParams.get(name);
    if (v === null) return fallback;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    return n >= min && n <= max ? n : `${name} must be a whole number from ${min} to ${max}`;
  };
  const connectionLimit = limit('connectionLimit', 5, 1, 100);
  if (typeof connectionLimit === 'string') return connectionLimit;
  const queueLimit = limit('queueLimit', 100, 0, 10_000);
  if (typeof queueLimit === 'string') return queueLimit;
  if (!url.hostname && !socketPath) return `must name a host (${MYSQL_URL_FORM})`;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: url.port ? Number(url.port) : 3306,
    socketPath,
    user,
    password,
    database,
    connectionLimit,
    queueLimit,
  };
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Which function the configuration is for: each checks only its own settings, so deploying the
 * webhook never requires the worker's variables and the other way round.
 */
export type ConfigRole = 'webhook' | 'worker' | 'all';

/**
 * Parses the environment once (at cold start). Pass `env` in tests.
 * Throws {@link ConfigError} naming the first variable that is wrong.
 */
export function parseConfig(
  env: NodeJS.ProcessEnv = process.env,
  role: ConfigRole = 'all',
): Config {
  const forWebhook = role !== 'worker';
  const forWorker = role !== 'webhook';
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const raw = SECRET_VARIABLES.has(variable) ? undefined : env[variable];
    throw new ConfigError(
      variable,
      `${issue?.message ?? 'is invalid'}${raw === undefined ? '' : ` (got ${JSON.stringify(truncate(raw))})`}`,
    );
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';

  if (forWorker && e.NOTIFY_WEBHOOK_URL && !e.NOTIFY_WEBHOOK_SECRET) {
    throw new ConfigError('NOTIFY_WEBHOOK_SECRET', 'must be set when NOTIFY_WEBHOOK_URL is set');
  }
  if (e.WEBHOOK_OIDC_EMAILS.length > 0 && !e.WEBHOOK_OIDC_AUDIENCE) {
    throw new ConfigError('WEBHOOK_OIDC_AUDIENCE', 'must be set when WEBHOOK_OIDC_EMAILS is set');
  }
  const anyWebhookAuth = Boolean(
    e.WEBHOOK_BASIC_AUTH || e.WEBHOOK_TOKEN || e.WEBHOOK_OIDC_AUDIENCE,
  );
  if (e.WEBHOOK_AUTH === 'none' && anyWebhookAuth) {
    throw new ConfigError(
      'WEBHOOK_AUTH',
      '=none contradicts the webhook auth variables that are set',
    );
  }
  if (forWebhook && production && !anyWebhookAuth && e.WEBHOOK_AUTH !== 'none') {
    throw new ConfigError(
      'WEBHOOK_AUTH',
      'is needed in production: set WEBHOOK_BASIC_AUTH, WEBHOOK_TOKEN or WEBHOOK_OIDC_AUDIENCE, or WEBHOOK_AUTH=none when IAM protects the webhook',
    );
  }
  if (forWorker && production && !e.WORKER_OIDC_AUDIENCE && e.WORKER_AUTH !== 'iam') {
    throw new ConfigError(
      'WORKER_AUTH',
      'is needed in production: set WORKER_OIDC_AUDIENCE, or WORKER_AUTH=iam when the worker is deployed without public access',
    );
  }
  if (forWebhook && production && e.INVENTORY_SOURCE === 'mysql' && !e.MYSQL_URL) {
    // Locally `npm start` starts a MariaDB and sets it; a deployed webhook has nobody to.
    throw new ConfigError('MYSQL_URL', 'must be set when INVENTORY_SOURCE=mysql in production');
  }
  if (e.WORKER_OIDC_AUDIENCE && !e.TASKS_SERVICE_ACCOUNT) {
    throw new ConfigError('TASKS_SERVICE_ACCOUNT', 'must be set when WORKER_OIDC_AUDIENCE is set');
  }

  const [basicUser, ...basicRest] = (e.WEBHOOK_BASIC_AUTH ?? '').split(':');
  return {
    projectId: e.GOOGLE_CLOUD_PROJECT,
    production,
    nodeEnv: e.NODE_ENV,
    ports: {
      webhook: e.WEBHOOK_PORT,
      worker: e.WORKER_PORT,
      devConsole: e.DEV_CONSOLE_PORT,
      tasksEmulator: e.CLOUD_TASKS_EMULATOR_PORT,
    },
    firestore: { emulatorHost: e.FIRESTORE_EMULATOR_HOST, emulatorJar: e.FIRESTORE_EMULATOR_JAR },
    tasks: {
      emulatorHost: e.CLOUD_TASKS_EMULATOR_HOST,
      location: e.TASKS_LOCATION,
      queue: e.TASKS_QUEUE,
      workerUrl: e.WORKER_URL,
      serviceAccount: e.TASKS_SERVICE_ACCOUNT,
    },
    webhook: {
      deadlineMs: e.WEBHOOK_DEADLINE_MS,
      auth: {
        basic: e.WEBHOOK_BASIC_AUTH
          ? { user: basicUser ?? '', password: basicRest.join(':') }
          : undefined,
        token: e.WEBHOOK_TOKEN
          ? { header: e.WEBHOOK_TOKEN_HEADER, value: e.WEBHOOK_TOKEN }
          : undefined,
        oidc: e.WEBHOOK_OIDC_AUDIENCE
          ? { audience: e.WEBHOOK_OIDC_AUDIENCE, emails: e.WEBHOOK_OIDC_EMAILS }
          : undefined,
        explicitlyNone: e.WEBHOOK_AUTH === 'none',
      },
    },
    worker: { oidcAudience: e.WORKER_OIDC_AUDIENCE, iam: e.WORKER_AUTH === 'iam' },
    weather: {
      baseUrl: e.WEATHER_API_BASE_URL,
      apiKey: e.WEATHER_API_KEY,
    },
    line: {
      baseUrl: e.LINE_API_BASE_URL,
      accessToken: e.LINE_CHANNEL_ACCESS_TOKEN,
    },
    slack: { webhookUrl: e.SLACK_WEBHOOK_URL },
    notify: { url: e.NOTIFY_WEBHOOK_URL, secret: e.NOTIFY_WEBHOOK_SECRET },
    reservation: { slotCapacity: e.RESERVATION_SLOT_CAPACITY },
    watchOrder: { checkSeconds: e.WATCH_ORDER_CHECK_SECONDS },
    email: { smtpUrl: e.SMTP_URL, from: e.NOTIFY_EMAIL_FROM },
    inventory: { source: e.INVENTORY_SOURCE, mysql: e.MYSQL_URL },
    dialogflow: {
      standInPort: e.DIALOGFLOW_STAND_IN_PORT,
      agent: e.DIALOGFLOW_AGENT,
      emulatorHost: e.DIALOGFLOW_EMULATOR_HOST,
    },
  };
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * Parses the configuration at a function's cold start: on error prints one line naming the
 * variable and exits, so the platform reports a failed start instead of serving half-configured.
 */
export function loadConfigOrExit(
  role: ConfigRole = 'all',
  env: NodeJS.ProcessEnv = process.env,
): Config {
  try {
    return parseConfig(env, role);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(JSON.stringify({ severity: 'CRITICAL', message: err.message }));
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

export { functionTarget } from './target';
