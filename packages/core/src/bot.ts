import type { Firestore } from '@google-cloud/firestore';
import { parseConfig, type BotConfig, type BotEnvSchema, type ConfigRole } from './config';
import type { IntentHandler, IntentMap } from './conversation';
import type { FirestoreFactory } from './firestore';
import type { HttpClient } from './http';
import type { JobRegistry } from './jobs';
import type { BotMessagesOption } from './messages';
import type { ChannelFactory } from './notify';

/** What a bot's intents are built from, once per instance (at its first request). */
export interface BotClients {
  /** Firestore, created on first use and kept. */
  db: FirestoreFactory;
  /** The configuration, the bot's own settings (`env`) included. */
  config: BotConfig;
  /** An outside-HTTP client with keep-alive agents and per-call budgets. */
  http: HttpClient;
}

/** What `dff start` gives a bot's local service. */
export interface LocalServiceContext {
  /** The environment the functions will get (what earlier services set included). */
  env: Readonly<NodeJS.ProcessEnv>;
  /** The project's folder. */
  projectDir: string;
  /** A folder for the service's data (`.data/<name>` in the project), kept between runs. */
  dataDir: string;
  /** Prints a line of the service's output, prefixed with its name. */
  log(line: string): void;
  /** Reports a process the service started, so that `dff start` stops it (by PID) on exit. */
  own(stop: () => Promise<void>): void;
}

/** A running local service. */
export interface RunningLocalService {
  /** Variables the functions get, e.g. `{ WEATHER_API_BASE_URL: 'http://127.0.0.1:…' }`. */
  env?: Record<string, string>;
  /** Lines `dff start` prints about it (where it listens, what it holds). */
  notes?: string[];
  stop(): Promise<void>;
}

/**
 * A stand-in a bot adds to `dff start` (an outside API, a database), started before the
 * functions so that its variables reach them. `start` returns `undefined` when the environment
 * already provides the real thing (say so with `notes` on the stack's output instead).
 */
export interface LocalService {
  readonly name: string;
  start(ctx: LocalServiceContext): Promise<RunningLocalService | undefined>;
}

/** What a bot's seed gets: the local Firestore and the stack's environment. */
export interface SeedContext {
  db: Firestore;
  env: Readonly<NodeJS.ProcessEnv>;
  projectDir: string;
}

export type { BotMessages } from './messages';

/**
 * A bot, declared once in its `bot.ts`: what `serve(bot)` deploys and what `dff` loads.
 * Everything but `intents` and `fallback` is optional. `messages`: the bot's own strings per
 * language, merged over the framework's; their type is what the bot declares as
 * `Register['messages']`, so every language must have every key.
 */
export interface BotDefinition<Env extends object = object> extends BotMessagesOption {
  /** A short name (the dev console's title, logs). */
  name?: string;
  /** Intent display names (ES) and tags (CX) to handlers, built from the clients. */
  intents: (clients: BotClients) => IntentMap;
  /** The answer for any intent or tag without a handler. */
  fallback: IntentHandler;
  /** The job types its handlers defer to the worker. */
  jobs?: JobRegistry;
  /** More notification channels, besides LINE, Slack, the signed webhook and email. */
  channels?: readonly ChannelFactory[];
  /** The bot's own settings: a zod schema over the environment, merged into the configuration. */
  env?: BotEnvSchema<Env>;
  /** The agent's source folder, relative to the project (default `agent`). */
  agent?: string;
  /** The conversation tests' folder, relative to the project (default `conversations`). */
  conversations?: string;
  /** Local data for `dff start` and `dff seed`; returns a line saying what it wrote. */
  seed?: (ctx: SeedContext) => Promise<string>;
  /** Stand-ins `dff start` runs for the bot (its outside APIs, its databases). */
  localServices?: readonly LocalService[];
}

/** A declared bot (see {@link defineBot}). */
export type Bot<Env extends object = object> = Readonly<BotDefinition<Env>> & {
  readonly kind: 'dialogflow-functions.bot';
};

/**
 * Declares a bot. `serve(bot)` in the project's entry registers its functions; `dff` reads the
 * rest (agent, conversations, seed, local services).
 *
 * ```ts
 * export default defineBot({ intents: () => new Map([['welcome', welcome]]), fallback });
 * ```
 */
export function defineBot<Env extends object = object>(definition: BotDefinition<Env>): Bot<Env> {
  if (typeof definition.intents !== 'function') {
    throw new TypeError('defineBot: intents must be a function of the clients returning a Map');
  }
  if (typeof definition.fallback !== 'function') {
    throw new TypeError('defineBot: fallback must be an intent handler');
  }
  return Object.freeze({ ...definition, kind: 'dialogflow-functions.bot' as const });
}

/** Whether a module's export is a bot made by {@link defineBot}. */
export function isBot(value: unknown): value is Bot {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'dialogflow-functions.bot'
  );
}

/**
 * The configuration for a bot: the framework's variables and the bot's own (`env`), parsed from
 * `env`. Throws `ConfigError` naming the first variable that is wrong.
 */
export function parseBotConfig(
  bot: Pick<Bot, 'env'>,
  env: NodeJS.ProcessEnv = process.env,
  role: ConfigRole = 'all',
): BotConfig {
  // The bot's schema is what its `Register['env']` declares: the cast is that declaration.
  return (bot.env ? parseConfig(env, role, bot.env) : parseConfig(env, role)) as BotConfig;
}
