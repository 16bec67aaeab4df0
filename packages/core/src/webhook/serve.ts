import type { Bot } from '../bot';
import { loadConfigOrExit, type BotConfig } from '../config';
import { createHttpClient } from '../http';
import { http } from '../http/framework';
import type { Logger } from '../logger';
import { createWebhook } from './app';
import type { WebhookHandler } from './handler';

/**
 * A bot's webhook from a parsed configuration (its own settings included): its intents, built
 * from the Google clients on first use, its fallback and its job types.
 */
export function createBotWebhook(
  bot: Bot,
  config: BotConfig,
  options: {
    logger?: Logger;
    /** Warm the deferral's clients now (an instance starting): see createWebhook. */
    warmClients?: boolean | { onGoogleCloud: boolean };
  } = {},
): WebhookHandler {
  return createWebhook(config, {
    intents: ({ db }) => bot.intents({ db, config, http: createHttpClient() }),
    fallback: bot.fallback,
    jobs: bot.jobs,
    logger: options.logger,
    messages: bot.messages,
    warmClients: options.warmClients,
  });
}

/** Registers the bot's webhook as `webhook`; an invalid configuration stops the start. */
export function serveWebhook(bot: Bot, env: NodeJS.ProcessEnv = process.env): void {
  const config = loadConfigOrExit('webhook', env, bot.env) as BotConfig;
  // An instance starting: the clients a rush's first turns need are made ready now.
  // K_SERVICE: set by Cloud Run (and so Cloud Functions gen2) for the service it runs.
  const onGoogleCloud = Boolean(env.K_SERVICE);
  http('webhook', createBotWebhook(bot, config, { warmClients: { onGoogleCloud } }));
}
