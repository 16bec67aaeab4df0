/* eslint-disable @typescript-eslint/no-require-imports -- loading only the target's modules */
import type { Bot } from './bot';
import { functionTarget } from './target';

/**
 * Registers the bot's functions with functions-framework: `webhook`, `worker` and `chat`
 * (Cloud Functions names the one it serves in FUNCTION_TARGET, functions-framework's
 * `--target`). Only that function's code is loaded, and only its settings are checked: the
 * webhook never loads the worker (nor needs its variables), and the other way round; the chat
 * function loads neither. Without a target all three are registered.
 *
 * ```ts
 * // index.ts, the project's entry (package.json `main`)
 * import { serve } from '@dialogflow-functions/core';
 * import bot from './bot';
 * serve(bot);
 * ```
 */
export function serve(bot: Bot, env: NodeJS.ProcessEnv = process.env): void {
  const target = functionTarget(env);
  if (target !== 'worker' && target !== 'chat') {
    (require('./webhook/serve') as typeof import('./webhook/serve')).serveWebhook(bot, env);
  }
  if (target !== 'webhook' && target !== 'chat') {
    (require('./worker/serve') as typeof import('./worker/serve')).serveWorker(bot, env);
  }
  if (target === undefined || target === 'chat') {
    (require('./chat/serve') as typeof import('./chat/serve')).serveChat(bot, env);
  }
}
