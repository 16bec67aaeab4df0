import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnFunction, waitForPort, type Service } from '@dialogflow-functions/testing/processes';
import { PROJECT } from './helpers/paths';
import { freePort } from '@dialogflow-functions/testing/ports';
import { post } from './helpers/servers';

/*
 * What functions-framework does before a function runs (parse the body) must answer as the
 * function does (JSON `{error:{code,message}}`) and log no request body: the built entry
 * (dist/, package.json `main`) served by the real framework process, as Cloud Functions runs it.
 */
const MARKER = 'Secret-Marker-4711';
const ENVS = {
  production: { NODE_ENV: 'production', WEBHOOK_AUTH: 'none', WORKER_AUTH: 'iam' },
  development: { NODE_ENV: 'development' },
};

describe.each(Object.entries(ENVS))('errors before the function (NODE_ENV=%s)', (_mode, env) => {
  const output: string[] = [];
  const services: Service[] = [];
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    expect(existsSync(join(PROJECT, 'dist', 'index.js')), 'run `npm run build` first').toBe(true);
    for (const target of ['webhook', 'worker'] as const) {
      const port = await freePort();
      const service = spawnFunction({
        source: PROJECT,
        target,
        port,
        env: { PATH: process.env.PATH, GOOGLE_CLOUD_PROJECT: 'demo-local', ...env },
        onLine: (l) => output.push(l),
      });
      services.push(service);
      await waitForPort('127.0.0.1', port, 20_000, service);
      urls[target] = `http://127.0.0.1:${port}/`;
    }
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  const cases: [string, string | Buffer, Record<string, string>, number, string, RegExp][] = [
    [
      'malformed JSON',
      `{"queryResult": {"queryText": "${MARKER}", "parameters": {`,
      {},
      400,
      'invalid-argument',
      /not valid JSON/,
    ],
    [
      'JSON that is not an object (strict parsing)',
      `"${MARKER}"`,
      {},
      400,
      'invalid-argument',
      /JSON object/,
    ],
    [
      'malformed JSON over 1 MiB',
      `{"queryText": "${MARKER}${'x'.repeat(1024 * 1024)}`,
      {},
      413,
      'payload-too-large',
      /larger than/,
    ],
    [
      'a charset JSON cannot have',
      `{"queryText": "${MARKER}"}`,
      { 'content-type': 'application/json; charset=latin1' },
      415,
      'unsupported-media-type',
      /charset/,
    ],
    [
      'an unknown content encoding',
      `{"queryText": "${MARKER}"}`,
      { 'content-encoding': 'x-secret' },
      415,
      'unsupported-media-type',
      /Content-Encoding/,
    ],
    [
      'gzip that is not gzip',
      `{"queryText": "${MARKER}"}`,
      { 'content-encoding': 'gzip' },
      400,
      'invalid-argument',
      /could not be read/,
    ],
  ];

  it.each(['webhook', 'worker'])('%s: answers JSON and logs no body', async (target) => {
    for (const [what, body, headers, status, code, message] of cases) {
      const before = output.length;
      const res = await post(urls[target]!, body, headers);
      expect(res.status, what).toBe(status);
      expect(res.headers.get('content-type'), what).toMatch(/^application\/json/);
      expect(res.body, what).toMatchObject({
        error: { code, message: expect.stringMatching(message) },
      });
      expect(res.text, what).not.toContain(MARKER);
      expect(res.text, what).not.toMatch(/\bat \S+ \(|node_modules|SyntaxError|\.js:\d+/);
      // The log line comes after the answer: give it a moment, then look at everything written.
      await new Promise((r) => setTimeout(r, 100));
      const logged = output.slice(before);
      expect(
        logged.filter((l) => l.includes(MARKER)),
        what,
      ).toEqual([]);
      expect(
        logged.some((l) => /rejected before the function/.test(l)),
        what,
      ).toBe(true);
    }
    // Gzip of valid JSON still reaches the function (the framework inflates it).
    const ok = await post(urls[target]!, gzipSync('{}'), { 'content-encoding': 'gzip' });
    expect(ok.status).toBe(400);
    expect(ok.body).toMatchObject({ error: { code: 'invalid-argument' } });
    expect(output.some((l) => l.includes(MARKER))).toBe(false);
  });
});
