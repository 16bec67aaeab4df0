import type { Bot } from '../bot';
import { loadConfigOrExit, type BotConfig } from '../config';
import { http } from '../http/framework';
import type { Logger } from '../logger';
import { createWorker } from './app';

/** A bot's worker from a parsed configuration: its job types and notification channels. */
export function createBotWorker(bot: Bot, config: BotConfig, options: { logger?: Logger } = {}) {
  if (!bot.jobs) {
    throw new Error('this bot defines no jobs: it has no worker to serve (defineBot({ jobs }))');
  }
  return createWorker(config, {
    jobs: bot.jobs,
    channels: bot.channels,
    logger: options.logger,
    messages: bot.messages,
  });
}

/** Registers the bot's worker as `worker`; an invalid configuration stops the start. */
export function serveWorker(bot: Bot, env: NodeJS.ProcessEnv = process.env): void {
  if (!bot.jobs) return;
  http('worker', createBotWorker(bot, loadConfigOrExit('worker', env, bot.env) as BotConfig));
}
