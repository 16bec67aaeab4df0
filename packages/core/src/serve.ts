/* eslint-disable @typescript-eslint/no-require-imports -- loading only the target's modules */
import type { Bot } from './bot';
import { functionTarget } from './target';

/**
 * Registers the bot's functions with functions-framework: `webhook`, `worker` and `chat`
 * (Cloud Functions names the one it serves in FUNCTION_TARGET, functions-framework's
 * `--target`). Only that function's code is loaded, and only its settings are checked: the
 * webhook never loads the worker (nor needs its variables), and the other way round; the chat
 * function loads neither. Without a target all three are registered.
 * A function's bundle (`dff build`: dist/bundle/NAME.js) holds that function's code only.
 *
 * ```ts
 * // index.ts, the project's entry (`dff build` bundles it per function; dist/main.js loads the bundle)
 * import { serve } from '@dialogflow-functions/core';
 * import bot from './bot';
 * serve(bot);
 * ```
 */
export function serve(bot: Bot, env: NodeJS.ProcessEnv = process.env): void {
  const target = functionTarget(env);
  // `process.env.DFF_BUNDLED_TARGET` is no setting: `dff build` replaces it with the name of the
  // function each bundle is built for (esbuild `define`), so that each test below is a constant
  // and the other functions' code is left out of the bundle. Unbundled it is undefined.
  if (
    process.env.DFF_BUNDLED_TARGET === undefined
      ? target !== 'worker' && target !== 'chat'
      : process.env.DFF_BUNDLED_TARGET === 'webhook'
  ) {
    (require('./webhook/serve') as typeof import('./webhook/serve')).serveWebhook(bot, env);
  }
  if (
    process.env.DFF_BUNDLED_TARGET === undefined
      ? target !== 'webhook' && target !== 'chat'
      : process.env.DFF_BUNDLED_TARGET === 'worker'
  ) {
    (require('./worker/serve') as typeof import('./worker/serve')).serveWorker(bot, env);
  }
  if (
    process.env.DFF_BUNDLED_TARGET === undefined
      ? target === undefined || target === 'chat'
      : process.env.DFF_BUNDLED_TARGET === 'chat'
  ) {
    (require('./chat/serve') as typeof import('./chat/serve')).serveChat(bot, env);
  }
}
