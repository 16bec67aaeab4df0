import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnFunction, waitForPort, type Service } from '@dialogflow-functions/testing/processes';
import { PROJECT } from './helpers/paths';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { freePort } from '@dialogflow-functions/testing/ports';
import { textOf } from '@dialogflow-functions/testing/replies';
import { post } from './helpers/servers';

/*
 * The built package (dist/, package.json `main`) served by functions-framework exactly as
 * Cloud Functions loads it, with NODE_ENV=production as the deploy script sets it. `npm run
 * build` (`dff build` for this project) bundles each function: `main` loads its bundle.
 */
const PRODUCTION_ENV = {
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  WEBHOOK_AUTH: 'none',
  WORKER_AUTH: 'iam',
  GOOGLE_CLOUD_PROJECT: 'demo-local',
};

describe('the built entry in production mode', () => {
  const output: string[] = [];
  let webhook: Service;
  let worker: Service;
  let webhookUrl: string;
  let workerUrl: string;

  beforeAll(async () => {
    for (const file of ['main.js', 'bundle/webhook.js', 'bundle/worker.js']) {
      expect(existsSync(join(PROJECT, 'dist', file)), 'run `npm run build` first').toBe(true);
    }
    const [p1, p2] = [await freePort(), await freePort()];
    webhook = spawnFunction({
      source: PROJECT,
      target: 'webhook',
      port: p1,
      env: PRODUCTION_ENV,
      onLine: (l) => output.push(l),
    });
    worker = spawnFunction({
      source: PROJECT,
      target: 'worker',
      port: p2,
      env: PRODUCTION_ENV,
      onLine: (l) => output.push(l),
    });
    await waitForPort('127.0.0.1', p1, 20_000, webhook);
    await waitForPort('127.0.0.1', p2, 20_000, worker);
    webhookUrl = `http://127.0.0.1:${p1}/`;
    workerUrl = `http://127.0.0.1:${p2}/`;
  });
  afterAll(async () => {
    await Promise.all([webhook?.stop(), worker?.stop()]);
  });

  it('answers a Dialogflow request', async () => {
    const res = await post(
      webhookUrl,
      esRequest({ name: 'Default Welcome Intent', languageCode: 'zh-TW' }),
    );
    expect(res.status).toBe(200);
    expect(textOf('es', res.body)).toContain('嗨');
  });

  it.each(['{"queryResult": {', '"just a string"', '{"a": 1}}'])(
    'refuses malformed JSON %s with a 400 and no stack trace',
    async (text) => {
      const res = await post(webhookUrl, text);
      expect(res.status).toBe(400);
      expect(res.text).not.toMatch(/\bat \S+ \(|node_modules|SyntaxError|\.js:\d+/);
      // …and keeps serving.
      const ok = await post(webhookUrl, esRequest({ name: 'Default Welcome Intent' }));
      expect(ok.status).toBe(200);
    },
  );

  it('answers bad input with JSON errors', async () => {
    const res = await post(webhookUrl, { hello: 'world' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid-argument' } });
  });

  it('registers the worker too', async () => {
    const res = await post(workerUrl, {});
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid-argument' } });
    expect(res.text).toMatch(/Cloud Tasks/);
  });
});

describe('invalid configuration', () => {
  it.each([
    [{ WEBHOOK_DEADLINE_MS: 'soon' }, 'WEBHOOK_DEADLINE_MS'],
    [{ NODE_ENV: 'production', WORKER_AUTH: 'iam' }, 'WEBHOOK_AUTH'],
    [{ WEATHER_API_BASE_URL: 'ftp://x' }, 'WEATHER_API_BASE_URL'],
  ])(
    'stops the function at start with one line naming the variable (%o)',
    async (env, variable) => {
      const lines: string[] = [];
      const service = spawnFunction({
        source: PROJECT,
        target: 'webhook',
        port: await freePort(),
        env: { PATH: process.env.PATH, ...env },
        onLine: (l) => lines.push(l),
      });
      const code = await service.exited;
      expect(code).not.toBe(0);
      const messages = lines.filter((l) => l.includes('Invalid configuration'));
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(variable);
    },
  );
});

describe('each function loads only its own code and settings', () => {
  const loadedModules = async (target: string) => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(join(PROJECT, 'dist', 'main.js'))});
         console.log(JSON.stringify(Object.keys(require.cache)));`,
      ],
      {
        env: { PATH: process.env.PATH, NODE_ENV: 'test', FUNCTION_TARGET: target },
        encoding: 'utf8',
      },
    );
    return (JSON.parse(out.trim().split('\n').pop()!) as string[]).map((p) =>
      p.replace(/\\/g, '/'),
    );
  };

  /**
   * The framework's modules a process loaded or a bundle holds (paths inside
   * @dialogflow-functions/core/dist, or its ES build dist/esm, which the bundles take).
   */
  const coreModules = (modules: string[]) =>
    modules
      .map((m) =>
        /\/packages\/core\/dist\/(?:esm\/)?(.*)$|\/@dialogflow-functions\/core\/dist\/(?:esm\/)?(.*)$/.exec(
          m,
        ),
      )
      .flatMap((m) => (m ? [m[1] ?? m[2] ?? ''] : []));

  /** The project's own files a process loaded, relative to it. */
  const projectFiles = (modules: string[]) => {
    const root = `${PROJECT.replace(/\\/g, '/')}/`;
    return modules.flatMap((m) => (m.startsWith(root) ? [m.slice(root.length)] : []));
  };

  /**
   * The files `dff build` put in a function's bundle (its esbuild metafile: the inputs with
   * bytes in the output; esbuild also lists what it read and then left out), `/`-separated.
   */
  const bundledSources = (target: string) => {
    const meta = JSON.parse(
      readFileSync(join(PROJECT, 'dist', 'bundle', `${target}.meta.json`), 'utf8'),
    ) as { outputs: Record<string, { inputs?: Record<string, { bytesInOutput: number }> }> };
    const bundle = meta.outputs[`dist/bundle/${target}.js`];
    expect(bundle, `${target}.meta.json names dist/bundle/${target}.js`).toBeDefined();
    return Object.entries(bundle!.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([p]) => p.replace(/\\/g, '/'));
  };

  it('the webhook entry loads its bundle only, which holds no worker module, no notifier and no mail library', async () => {
    const modules = await loadedModules('webhook');
    expect(projectFiles(modules)).toEqual(['dist/main.js', 'dist/bundle/webhook.js']);
    // Besides the bundle, only what the entry loads before it: the compile cache and the target.
    expect(coreModules(modules).sort()).toEqual(['compile-cache.js', 'target.js']);
    expect(modules.filter((m) => m.includes('/node_modules/nodemailer/'))).toEqual([]);
    const sources = bundledSources('webhook');
    const core = coreModules(sources);
    expect(core).toContain('webhook/handler.js');
    expect(core.filter((m) => /^(worker|notify)\//.test(m))).toEqual([]);
    // Bundled from the sources (ES modules: what the function does not reach is left out).
    expect(sources).toContain('src/intents/index.ts');
    expect(sources.filter((m) => m.includes('node_modules/nodemailer/'))).toEqual([]);
  });

  it("the worker entry loads its bundle only, which holds no webhook module (the webhook's handler, request parsing and auth)", async () => {
    const modules = await loadedModules('worker');
    expect(projectFiles(modules)).toEqual(['dist/main.js', 'dist/bundle/worker.js']);
    expect(coreModules(modules).sort()).toEqual(['compile-cache.js', 'target.js']);
    const core = coreModules(bundledSources('worker'));
    expect(core).toContain('worker/handler.js');
    expect(core.filter((m) => /^(webhook|dialogflow)\//.test(m))).toEqual([]);
  });

  // bot.ts requires its intents behind `process.env.DFF_BUNDLED_TARGET` (the webhook's code
  // only), and core's ES build lets the bundler leave out the modules a function never reaches.
  it('the worker and chat bundles hold no intents nor renderers, and no bundle holds seeding or local stand-ins', () => {
    for (const target of ['worker', 'chat']) {
      const sources = bundledSources(target);
      expect(sources.filter((m) => /^(dist\/)?src\/intents\//.test(m))).toEqual([]);
      expect(coreModules(sources).filter((m) => /conversation\/render/.test(m))).toEqual([]);
    }
    for (const target of ['webhook', 'worker', 'chat']) {
      const sources = bundledSources(target);
      expect(sources.filter((m) => /^(dist\/)?(local\/|src\/seed-data)/.test(m))).toEqual([]);
    }
  });

  it("the bundles take core's ES build and only the zod they use (no locale but English)", () => {
    for (const target of ['webhook', 'worker', 'chat']) {
      const sources = bundledSources(target);
      expect(sources.filter((m) => /\/core\/dist\/(?!esm\/)/.test(m))).toEqual([]);
      const locales = sources.filter((m) => m.includes('/zod/v4/locales/'));
      // en.js, which zod sets at load, and its index's import of it.
      expect(locales.map((m) => m.slice(m.lastIndexOf('/') + 1)).sort()).toEqual([
        'en.js',
        'index.js',
      ]);
    }
  });

  it('without a target, the entry loads tsc output (every function) and no bundle', async () => {
    const files = projectFiles(await loadedModules(''));
    expect(files.slice(0, 2)).toEqual(['dist/main.js', 'dist/index.js']);
    expect(files).toContain('dist/bot.js');
    expect(files.filter((m) => m.startsWith('dist/bundle/'))).toEqual([]);
  });

  it('the bundles leave the compile cache to the module the entry loads (one cache folder)', () => {
    for (const target of ['webhook', 'worker']) {
      expect(coreModules(bundledSources(target))).not.toContain('compile-cache.js');
      const bundle = readFileSync(join(PROJECT, 'dist', 'bundle', `${target}.js`), 'utf8');
      expect(bundle).toContain('require("@dialogflow-functions/core/compile-cache")');
    }
  });

  it.each<['webhook' | 'worker', Record<string, string>]>([
    ['webhook', { WEBHOOK_TOKEN: 'a-secret-of-16-chars+', NOTIFY_WEBHOOK_URL: 'https://x.test/' }],
    ['worker', { WORKER_AUTH: 'iam', WEBHOOK_DEADLINE_MS: '4000' }],
  ])("the %s starts in production without the other function's settings", async (target, env) => {
    const lines: string[] = [];
    const port = await freePort();
    const service = spawnFunction({
      source: PROJECT,
      target,
      port,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env },
      onLine: (l) => lines.push(l),
    });
    try {
      await waitForPort('127.0.0.1', port, 20_000, service);
      expect(lines.filter((l) => l.includes('Invalid configuration'))).toEqual([]);
    } finally {
      await service.stop();
    }
  });
});

describe('cold start', () => {
  it.each([
    ['every function (tsc output)', {}],
    ['the webhook (its bundle)', { FUNCTION_TARGET: 'webhook' }],
    ['the worker (its bundle)', { FUNCTION_TARGET: 'worker' }],
  ])(
    'loading the entry for %s does not load the Google clients (a welcome request never pays for them)',
    async (_label, target) => {
      const { execFileSync } = await import('node:child_process');
      const out = execFileSync(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(join(PROJECT, 'dist', 'main.js'))});
         const loaded = Object.keys(require.cache);
         console.log(JSON.stringify(['@google-cloud/firestore', '@google-cloud/tasks', 'google-gax', 'google-auth-library', 'axios'].filter((m) => loaded.some((k) => k.includes('/node_modules/' + m + '/')))));`,
        ],
        { env: { PATH: process.env.PATH, NODE_ENV: 'test', ...target }, encoding: 'utf8' },
      );
      expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual([]);
    },
  );
});
