import type { Bot } from '../bot';
import { loadConfigOrExit, type Config } from '../config';
import { http } from '../http/framework';
import { functionTarget } from '../target';
import type { Logger } from '../logger';
import { createChat } from './app';
import type { ChatHandler } from './handler';

/**
 * A bot's chat function from a parsed configuration: DetectIntent on its agent
 * (DIALOGFLOW_AGENT, or the stand-in at DIALOGFLOW_EMULATOR_HOST). It needs none of the bot's
 * code: the agent calls the bot's webhook.
 */
export function createBotChat(
  _bot: Bot,
  config: Config,
  options: { logger?: Logger } = {},
): ChatHandler {
  return createChat(config, options);
}

/**
 * Registers the chat function as `chat`; an invalid configuration stops the start. Only the
 * chat's own settings are checked (not the bot's `env`: the chat never runs the bot's code).
 * Every chat turn needs the Dialogflow client: when this process serves only the chat
 * (FUNCTION_TARGET=chat), its import starts right after registration, in the background, so
 * the first turn does not spend its 5 s budget on it.
 */
export function serveChat(bot: Bot, env: NodeJS.ProcessEnv = process.env): void {
  const chat = createBotChat(bot, loadConfigOrExit('chat', env));
  http('chat', chat);
  if (functionTarget(env) === 'chat') setImmediate(() => void chat.warm().catch(() => undefined));
}
