import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isBot, type Bot } from '@dialogflow-functions/core';

/*
 * The project `dff` works on: the folder it was started in (or `dff -C DIR`), whose `bot.ts`
 * declares the bot (defineBot). Every path a command reads or writes is the project's: its
 * agent/, conversations/, .data/ and dist/.
 */

/** This package's own folder (its queue settings, deploy scripts, monitoring templates). */
export const DEV_ROOT = join(__dirname, '..');

/** The project's folder. */
export function projectDir(): string {
  return resolve(process.env.DFF_PROJECT_DIR || process.cwd());
}

/**
 * The project's local data (emulator data, stack files, logs): `.data/` in the project, or
 * DFF_DATA_DIR (each test worker has its own: @dialogflow-functions/testing/setup).
 */
export function dataDir(...parts: string[]): string {
  const dir = process.env.DFF_DATA_DIR;
  return dir ? join(resolve(dir), ...parts) : join(projectDir(), '.data', ...parts);
}

const BOT_FILES = ['bot.ts', 'src/bot.ts', 'bot.js', 'dist/bot.js'];

const loaded = new Map<string, Bot>();

let tsxRegistered = false;
/** Lets `require` load TypeScript (dff's own entry does; a test runner or a script may not). */
function registerTypeScript(): void {
  if (tsxRegistered || require.extensions['.ts']) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('tsx/cjs/api') as { register: () => unknown }).register();
  tsxRegistered = true;
}

/**
 * The project's bot: the default (or `bot`) export of its `bot.ts`. `dff`'s entry runs under
 * tsx, so a TypeScript bot loads as it is.
 */
export function loadBot(dir: string = projectDir()): Bot {
  const cached = loaded.get(dir);
  if (cached) return cached;
  const file = BOT_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) {
    throw new Error(
      `no bot in ${dir}: dff looks for ${BOT_FILES.join(', ')} (export default defineBot({ … }))`,
    );
  }
  if (file.endsWith('.ts')) registerTypeScript();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the project's bot, via tsx
  const mod = require(file) as { default?: unknown; bot?: unknown };
  const bot = [mod.default, mod.bot, mod].find(isBot);
  if (!bot) throw new Error(`${file} does not export a bot (export default defineBot({ … }))`);
  loaded.set(dir, bot);
  return bot;
}

/** The agent's source folder (`defineBot({ agent })`, default `agent/`). */
export function agentDir(dir: string = projectDir()): string {
  return join(dir, loadBot(dir).agent ?? 'agent');
}

/** The conversation tests' folder (`defineBot({ conversations })`, default `conversations/`). */
export function conversationsDir(dir: string = projectDir()): string {
  return join(dir, loadBot(dir).conversations ?? 'conversations');
}

/** Whether `mod` is the command `dff` (or node) runs, rather than a module another one imports. */
export function isCommand(mod: NodeModule): boolean {
  // Under a test runner's module shim both sides can be undefined: that is no command.
  if (!mod?.filename) return false;
  return (
    require.main === mod || (globalThis as { dffCommand?: string }).dffCommand === mod.filename
  );
}
