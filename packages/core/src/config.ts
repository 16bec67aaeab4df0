import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { RegisteredEnv } from './register';

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
  SMTP_URL: optionalString.pipe(
    z
      .url({ protocol: /^smtps?$/, error: 'must be smtp://user:pass@host:port or smtps://…' })
      .optional(),
  ),
  NOTIFY_EMAIL_FROM: optionalString
    .transform((v) => v ?? 'bot@localhost')
    .pipe(z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'must be an email address')),
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
  CHAT_PORT: port(8095),
  CHAT_PAGE_PORT: port(8097),
  CHAT_ALLOWED_ORIGINS: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const origins: string[] = [];
    for (const raw of v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const origin = originOf(raw);
      if (!origin) {
        ctx.issues.push({
          code: 'custom',
          message: `must be comma-separated origins like https://example.com (${JSON.stringify(truncate(raw))} is not one)`,
          input: v,
        });
        return z.NEVER;
      }
      origins.push(origin);
    }
    return origins;
  }),
  CHAT_SESSION_SECRET: optionalString.pipe(
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
});

const SECRET_VARIABLES = new Set([
  'LINE_CHANNEL_ACCESS_TOKEN',
  'SLACK_WEBHOOK_URL',
  'NOTIFY_WEBHOOK_SECRET',
  'WEBHOOK_BASIC_AUTH',
  'WEBHOOK_TOKEN',
  'SMTP_URL',
  'CHAT_SESSION_SECRET',
]);

export type Env = z.infer<typeof EnvSchema>;

/** The configuration with the bot's own settings (declared with `Register['env']`). */
export type BotConfig = Config & RegisteredEnv;

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
  line: { baseUrl: string; accessToken: string | undefined };
  slack: { webhookUrl: string | undefined };
  notify: { url: string | undefined; secret: string | undefined };
  email: { smtpUrl: string | undefined; from: string };
  /** The agent `npm run detect` / `converse --live` talk to, and the local stand-in. */
  dialogflow: { standInPort: number; agent: string | undefined; emulatorHost: string | undefined };
  /** The chat function (DetectIntent for web and mobile clients) and its local sample page. */
  chat: {
    /** `npm start` only: the chat function's port and its sample page's. */
    port: number;
    pagePort: number;
    /** Origins (scheme://host[:port]) whose browsers may call it; locally the sample page's. */
    allowedOrigins: string[];
    /** Signs the session tokens; generated per process locally when unset. */
    sessionSecret: string;
    sessionSecretGenerated: boolean;
  };
}

/**
 * Which function the configuration is for: each checks only its own settings, so deploying the
 * webhook never requires the worker's variables and the other way round.
 */
export type ConfigRole = 'webhook' | 'worker' | 'chat' | 'all';

/**
 * Parses the environment once (at cold start). Pass `env` in tests.
 * Throws {@link ConfigError} naming the first variable that is wrong.
 */
export function parseConfig(env?: NodeJS.ProcessEnv, role?: ConfigRole): Config;
export function parseConfig<E extends object>(
  env: NodeJS.ProcessEnv,
  role: ConfigRole,
  botEnv: BotEnvSchema<E>,
): Config & E;
export function parseConfig<E extends object>(
  env: NodeJS.ProcessEnv = process.env,
  role: ConfigRole = 'all',
  botEnv?: BotEnvSchema<E>,
): Config | (Config & E) {
  const core = parseCoreConfig(env, role);
  if (!botEnv) return core;
  const own = botEnv.safeParse(env);
  if (!own.success) {
    const issue = own.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const raw = isSecretName(variable) ? undefined : env[variable];
    throw new ConfigError(
      variable,
      `${issue?.message ?? 'is invalid'}${raw === undefined ? '' : ` (got ${JSON.stringify(truncate(raw))})`}`,
    );
  }
  return { ...own.data, ...core };
}

/**
 * A bot's own settings (`defineBot({ env })`): a zod schema over the environment whose output
 * object is merged into the configuration (`config.weather`, …). Its errors stop the function at
 * start like the framework's, naming the variable; values of variables whose names look secret
 * (KEY, TOKEN, SECRET, PASSWORD, or a URL that may carry credentials) are never printed.
 */
export type BotEnvSchema<E extends object = object> = z.ZodType<
  E,
  NodeJS.ProcessEnv | Record<string, unknown>
>;

const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASS|CREDENTIALS?|_URL)$/;
function isSecretName(variable: string): boolean {
  return SECRET_VARIABLES.has(variable) || SECRET_NAME.test(variable);
}

function parseCoreConfig(env: NodeJS.ProcessEnv, role: ConfigRole): Config {
  const forWebhook = role === 'webhook' || role === 'all';
  const forWorker = role === 'worker' || role === 'all';
  // Only the chat function itself: `npm start` and the scripts ('all') run it with local defaults.
  const forChat = role === 'chat';
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
  if (e.WORKER_OIDC_AUDIENCE && !e.TASKS_SERVICE_ACCOUNT) {
    throw new ConfigError('TASKS_SERVICE_ACCOUNT', 'must be set when WORKER_OIDC_AUDIENCE is set');
  }

  if (forChat && production && !e.CHAT_ALLOWED_ORIGINS) {
    throw new ConfigError(
      'CHAT_ALLOWED_ORIGINS',
      'is needed in production: the origins of the pages that embed the chat (https://example.com,…)',
    );
  }
  if (forChat && production && !e.CHAT_SESSION_SECRET) {
    throw new ConfigError('CHAT_SESSION_SECRET', 'is needed in production (from Secret Manager)');
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
    line: {
      baseUrl: e.LINE_API_BASE_URL,
      accessToken: e.LINE_CHANNEL_ACCESS_TOKEN,
    },
    slack: { webhookUrl: e.SLACK_WEBHOOK_URL },
    notify: { url: e.NOTIFY_WEBHOOK_URL, secret: e.NOTIFY_WEBHOOK_SECRET },
    email: { smtpUrl: e.SMTP_URL, from: e.NOTIFY_EMAIL_FROM },
    dialogflow: {
      standInPort: e.DIALOGFLOW_STAND_IN_PORT,
      agent: e.DIALOGFLOW_AGENT,
      emulatorHost: e.DIALOGFLOW_EMULATOR_HOST,
    },
    chat: {
      port: e.CHAT_PORT,
      pagePort: e.CHAT_PAGE_PORT,
      allowedOrigins: e.CHAT_ALLOWED_ORIGINS ?? [
        `http://127.0.0.1:${e.CHAT_PAGE_PORT}`,
        `http://localhost:${e.CHAT_PAGE_PORT}`,
      ],
      sessionSecret: e.CHAT_SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      sessionSecretGenerated: !e.CHAT_SESSION_SECRET,
    },
  };
}

/** `https://Example.com/` → `https://example.com`; anything but an http(s) origin → undefined. */
function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.pathname !== '/' || url.search || url.hash || url.username) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * Parses the configuration at a function's cold start: on error prints one line naming the
 * variable and exits, so the platform reports a failed start instead of serving half-configured.
 */
export function loadConfigOrExit(role?: ConfigRole, env?: NodeJS.ProcessEnv): Config;
export function loadConfigOrExit<E extends object>(
  role: ConfigRole,
  env: NodeJS.ProcessEnv,
  botEnv: BotEnvSchema<E> | undefined,
): Config & E;
export function loadConfigOrExit<E extends object>(
  role: ConfigRole = 'all',
  env: NodeJS.ProcessEnv = process.env,
  botEnv?: BotEnvSchema<E>,
): Config | (Config & E) {
  try {
    return botEnv ? parseConfig(env, role, botEnv) : parseConfig(env, role);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(JSON.stringify({ severity: 'CRITICAL', message: err.message }));
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

export { functionTarget } from './target';

/**
 * Building blocks for a bot's `env` schema, with the framework's rules (blank means unset,
 * defaults stated once, clear messages):
 *
 * ```ts
 * const env = z.object({ SLOT_CAPACITY: envVar.int(20, 1, 1000), API_KEY: envVar.string() })
 *   .transform((e) => ({ booking: { capacity: e.SLOT_CAPACITY }, apiKey: e.API_KEY }));
 * ```
 */
export const envVar = {
  /** An optional string (trimmed; blank is unset). */
  string: () => optionalString,
  /** A string with a default. */
  stringOr: (fallback: string) => optionalString.transform((v) => v ?? fallback),
  /** An optional http(s) URL. */
  url,
  /** An http(s) URL with a default. */
  urlOr,
  /** A whole number in [min, max] with a default. */
  int: positiveInt,
  /** One of `values`, with a default. */
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
    optionalString
      .transform((v) => v ?? fallback)
      .pipe(z.enum(values, { error: `must be ${values.join(' or ')}` })),
  /** `true`/`false`/`1`/`0`/`yes`/`no` with a default. */
  bool: (fallback: boolean) =>
    optionalString.transform((v, ctx) => {
      if (v === undefined) return fallback;
      if (/^(true|1|yes|on)$/i.test(v)) return true;
      if (/^(false|0|no|off)$/i.test(v)) return false;
      ctx.issues.push({ code: 'custom', message: 'must be true or false', input: v });
      return z.NEVER;
    }),
};
