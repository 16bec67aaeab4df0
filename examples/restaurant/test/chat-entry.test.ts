import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnFunction, waitForPort } from '@dialogflow-functions/testing/processes';
import { freePort } from '@dialogflow-functions/testing/ports';
import { PROJECT } from './helpers/paths';
import { post } from './helpers/servers';

/*
 * The built entry (examples/restaurant/dist/index.js: `serve(bot)`) serving the chat function
 * as Cloud Functions does (FUNCTION_TARGET=chat, NODE_ENV=production as the deploy sets it):
 * only the chat's code from core, only the chat's settings.
 */

const SECRET = 'a-production-secret-of-at-least-32-characters';
const ENTRY = join(PROJECT, 'dist', 'index.js');

/** The framework's modules a process loaded (paths inside @dialogflow-functions/core/dist). */
const coreModules = (modules: string[]) =>
  modules
    .map((m) => m.replace(/\\/g, '/'))
    .map((m) => /\/packages\/core\/dist\/(.*)$|\/@dialogflow-functions\/core\/dist\/(.*)$/.exec(m))
    .flatMap((m) => (m ? [m[1] ?? m[2] ?? ''] : []));

describe('the chat function from the built entry', () => {
  it("loads core's chat only: no webhook or worker module, no Google client while loading", () => {
    expect(existsSync(ENTRY), 'run `npm run build` first').toBe(true);
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(ENTRY)}); console.log(JSON.stringify(Object.keys(require.cache)));`,
      ],
      {
        env: { PATH: process.env.PATH, NODE_ENV: 'test', FUNCTION_TARGET: 'chat' },
        encoding: 'utf8',
      },
    );
    const modules = JSON.parse(out.trim().split('\n').pop()!) as string[];
    const core = coreModules(modules);
    expect(core).toContain('chat/handler.js');
    // (The bot's definition, bot.ts, is loaded for every target: its job types come with it.)
    expect(core.filter((m) => /^(webhook|worker|notify)\//.test(m))).toEqual([]);
    expect(
      modules.filter((m) => /node_modules\/(google-gax|@google-cloud\/dialogflow)/.test(m)),
    ).toEqual([]);
  });

  it.each(['webhook', 'worker'])('the %s loads no chat module', (target) => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(ENTRY)}); console.log(JSON.stringify(Object.keys(require.cache)));`,
      ],
      {
        env: { PATH: process.env.PATH, NODE_ENV: 'test', FUNCTION_TARGET: target },
        encoding: 'utf8',
      },
    );
    const core = coreModules(JSON.parse(out.trim().split('\n').pop()!) as string[]);
    expect(core).toContain(`${target}/handler.js`);
    expect(core.filter((m) => m.startsWith('chat/'))).toEqual([]);
  });

  it('then imports the Dialogflow client in the background, ahead of the first turn', () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(ENTRY)});
         const loaded = () => Object.keys(require.cache).some((k) => k.replace(/\\\\/g, '/').includes('/node_modules/@google-cloud/dialogflow/'));
         const started = Date.now();
         const poll = setInterval(() => {
           if (loaded() || Date.now() - started > 30000) {
             console.log(JSON.stringify(loaded()));
             process.exit(0);
           }
         }, 20);`,
      ],
      {
        env: { PATH: process.env.PATH, NODE_ENV: 'test', FUNCTION_TARGET: 'chat' },
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(out.trim().split('\n').pop()!)).toBe(true);
  }, 40_000);

  it('starts in production with its own settings only, and refuses to start without the origins', async () => {
    const lines: string[] = [];
    const port = await freePort();
    const service = spawnFunction({
      source: PROJECT,
      target: 'chat',
      port,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        CHAT_ALLOWED_ORIGINS: 'https://shop.example',
        CHAT_SESSION_SECRET: SECRET,
      },
      onLine: (l) => lines.push(l),
    });
    try {
      await waitForPort('127.0.0.1', port, 20_000, service);
      expect(lines.filter((l) => l.includes('Invalid configuration'))).toEqual([]);
      const refused = await post(
        `http://127.0.0.1:${port}/`,
        { text: 'hi' },
        { origin: 'https://evil.example' },
      );
      expect(refused.status).toBe(403);
      const forged = await post(`http://127.0.0.1:${port}/`, { text: 'hi', session: 'x.y' });
      expect(forged.status).toBe(401);
      // No stack trace, no HTML: a framework-level error is JSON too.
      const broken = await post(`http://127.0.0.1:${port}/`, '{"text":');
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({ error: { code: 'invalid-argument' } });
    } finally {
      await service.stop();
    }

    const failed: string[] = [];
    const without = spawnFunction({
      source: PROJECT,
      target: 'chat',
      port: await freePort(),
      env: { PATH: process.env.PATH, NODE_ENV: 'production', CHAT_SESSION_SECRET: SECRET },
      onLine: (l) => failed.push(l),
    });
    expect(await without.exited).not.toBe(0);
    const messages = failed.filter((l) => l.includes('Invalid configuration'));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('CHAT_ALLOWED_ORIGINS');
  }, 60_000);
});
