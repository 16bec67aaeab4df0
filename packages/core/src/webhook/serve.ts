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
  options: { logger?: Logger } = {},
): WebhookHandler {
  return createWebhook(config, {
    intents: ({ db }) => bot.intents({ db, config, http: createHttpClient() }),
    fallback: bot.fallback,
    jobs: bot.jobs,
    logger: options.logger,
    messages: bot.messages,
  });
}

/** Registers the bot's webhook as `webhook`; an invalid configuration stops the start. */
export function serveWebhook(bot: Bot, env: NodeJS.ProcessEnv = process.env): void {
  http('webhook', createBotWebhook(bot, loadConfigOrExit('webhook', env, bot.env) as BotConfig));
}
