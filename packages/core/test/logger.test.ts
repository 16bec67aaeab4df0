import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { createLogger, hashId } from '../src/logger';

const ROOT = join(__dirname, '..');

/** Runs `code` in a fresh Node with the logger loaded; returns its stdout lines. */
function run(code: string): string[] {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '-e', `const { createLogger } = require('./src/logger');\n${code}`],
    { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('logger', () => {
  it('writes one JSON line per entry with every field, undefined ones left out', () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), fields: { a: 1, b: 'x' } });
    log.child({ b: 'y', c: undefined, d: null }).info('hello', { e: true });
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(entry)).toEqual(['severity', 'message', 'a', 'b', 'd', 'e', 'time']);
    expect(entry).toMatchObject({ severity: 'INFO', message: 'hello', a: 1, b: 'y', e: true });
    expect(entry.d).toBeNull();
  });

  it('stdout: lines written in batches reach stdout in order, also on an immediate exit', () => {
    const lines = run(
      `const log = createLogger();
       for (let i = 0; i < 3; i++) log.info('line ' + i);
       process.exit(0);`,
    );
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual([
      'line 0',
      'line 1',
      'line 2',
    ]);
  });

  it('stdout: a line shows its fields as they were when logged, in the same order as a custom sink', () => {
    const lines = run(
      `const fields = { n: 1, nested: { k: 'before' } };
       const base = { a: 1, severity: 'overridden', time: 'first' };
       const log = createLogger({ fields: base }).child({ b: 2 });
       log.info('plain', fields);
       fields.n = 2;
       fields.nested.k = 'after';
       base.a = 9;
       const own = JSON.parse('{"__proto__": "own field"}');
       log.warn('proto', own);
       log.error('override', { b: 3, message: 'm2', z: undefined });`,
    );
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ message: 'plain', n: 1, nested: { k: 'before' }, a: 1 }),
      expect.objectContaining({ message: 'proto', ['__proto__']: 'own field' }),
      expect.objectContaining({ message: 'm2', b: 3 }),
    ]);
    const keys = lines.map((l) => Object.keys(JSON.parse(l) as object));
    expect(keys[0]).toEqual(['severity', 'message', 'a', 'time', 'b', 'n', 'nested']);
    expect(keys[2]).toEqual(['severity', 'message', 'a', 'time', 'b']);
    // Logger fields named like the entry's own keep their place and take the entry's value.
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first.severity).toBe('overridden');
    expect(first.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('stdout: a value JSON cannot show throws at the call, as before, and spoils no later line', () => {
    const lines = run(
      `const nested = { k: 'before' };
       const log = createLogger({ fields: { nested } });
       let threw = 0;
       try { log.info('big', { n: 10n }); } catch { threw++; }
       try { log.info('getter', { get g() { throw new Error('no'); } }); } catch { threw++; }
       log.info('after', { threw });
       nested.k = 'after';`,
    );
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ message: 'after', threw: 2, nested: { k: 'before' } }),
    ]);
  });

  it('stdout: lines waiting to be serialised are written once they reach 64 KiB', () => {
    const lines = run(
      `const sizes = [];
       const write = process.stdout.write.bind(process.stdout);
       process.stdout.write = (chunk, ...rest) => { sizes.push(chunk.length); return write(chunk, ...rest); };
       const log = createLogger();
       for (let i = 0; i < 12; i++) log.info('x'.repeat(70000), { i });
       write(JSON.stringify({ writesDuringTheBurst: sizes.length }) + String.fromCharCode(10));`,
    );
    const counts = lines.filter((l) => l.includes('writesDuringTheBurst'));
    expect(JSON.parse(counts[0]!)).toEqual({ writesDuringTheBurst: 12 });
    expect(lines.filter((l) => l.includes('"message":"xxx'))).toHaveLength(12);
  });

  it('stdout: a burst over the batch size and later lines all arrive, once each', () => {
    const lines = run(
      `const log = createLogger();
       for (let i = 0; i < 2000; i++) log.info('burst ' + i, { pad: 'x'.repeat(100) });
       setTimeout(() => log.warn('later'), 5);`,
    );
    expect(lines).toHaveLength(2001);
    expect(JSON.parse(lines[1999]!)).toMatchObject({ message: 'burst 1999' });
    expect(JSON.parse(lines[2000]!)).toMatchObject({ message: 'later', severity: 'WARNING' });
  });
});

/**
 * A real webhook on a loopback HTTP server in its own Node, whose turn line is still pending
 * (the write that came just before it makes it wait for the next batch) when the process ends
 * right after answering: `after` runs when the answer has gone out.
 */
const TURN_SERVER = `
const http = require('node:http');
const { createWebhookHandler } = require('./src/webhook/handler');
const { say } = require('./src/conversation');
const { createLogger, flushLogs } = require('./src/logger');
const log = createLogger();
const webhook = createWebhookHandler({
  config: { projectId: 'p', webhook: { deadlineMs: 4000, auth: { basic: undefined, token: undefined, oidc: undefined } } },
  intents: { hi: () => say('hello') },
  fallback: () => say('fallback'),
  logger: log,
});
const after = {
  exit: () => process.exit(0),
  crash: () => { throw new Error('crash right after the turn'); },
  sigterm: () => process.kill(process.pid, 'SIGTERM'),
  wait: () => {},
}[process.env.AFTER];
const server = http.createServer((req, res) => {
  log.info('request received');
  flushLogs(); // a batch just written: the turn's line waits for the next one
  res.on('finish', after);
  webhook(req, res);
});
server.listen(0, '127.0.0.1', () => process.stderr.write('port ' + server.address().port + '\\n'));
`;

interface TurnRun {
  lines: Record<string, unknown>[];
  answer: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Starts TURN_SERVER, posts one ES turn, and (AFTER=wait) sends SIGTERM once answered. */
function turnThenEnd(after: 'exit' | 'crash' | 'sigterm' | 'wait'): Promise<TurnRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', TURN_SERVER], {
    cwd: ROOT,
    env: { ...process.env, AFTER: after },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = new Promise<number>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      const m = /port (\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error(`exited before listening: ${stderr}`)));
  });
  return port.then(
    (p) =>
      new Promise<TurnRun>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: p, method: 'POST', path: '/', agent: false },
          (res) => {
            let answer = '';
            res.setEncoding('utf8').on('data', (c: string) => (answer += c));
            res.on('end', () => {
              // The platform's kill, as soon as the answer is in.
              if (after === 'wait') child.kill('SIGTERM');
              void exited.then(({ code, signal }) => {
                const lines = stdout
                  .split('\n')
                  .filter(Boolean)
                  .map((l) => JSON.parse(l) as Record<string, unknown>);
                resolve({ lines, answer, code, signal });
              });
            });
          },
        );
        req.on('error', reject);
        req.setHeader('content-type', 'application/json');
        req.end(JSON.stringify(esRequest({ name: 'hi' })));
      }),
  );
}

describe('logger: the turn line survives the end of the process', () => {
  it.each([
    ['process.exit right after the answer', 'exit', { code: 0, signal: null }],
    ['an uncaught exception right after the answer', 'crash', { code: 1, signal: null }],
    ['SIGTERM from inside right after the answer', 'sigterm', { code: null, signal: 'SIGTERM' }],
    ['SIGTERM from outside once the answer is in', 'wait', { code: null, signal: 'SIGTERM' }],
  ] as const)('%s', async (_what, after, end) => {
    const run = await turnThenEnd(after);
    expect(JSON.parse(run.answer)).toMatchObject({ fulfillmentText: 'hello' });
    // Without a handler of its own, the process still ends as the signal or the crash ends it.
    expect({ code: run.code, signal: run.signal }).toEqual(end);
    expect(run.lines.map((l) => l.message)).toEqual(['request received', 'turn answered']);
    expect(run.lines[1]).toMatchObject({
      severity: 'INFO',
      edition: 'es',
      intent: 'hi',
      outcome: 'handled',
      language: 'en',
    });
  });
});

describe('hashId', () => {
  const sha = (v: string) => createHash('sha256').update(v).digest('hex').slice(0, 16);

  it('is the first 16 hex digits of the SHA-256, the same on every call, past its memo size', () => {
    expect(hashId(undefined)).toBeUndefined();
    expect(hashId('')).toBeUndefined();
    const ids = Array.from({ length: 2_500 }, (_, i) => `projects/p/agent/sessions/s-${i}`);
    for (const round of [1, 2]) {
      for (const id of ids) expect(hashId(id), `${id}, round ${round}`).toBe(sha(id));
    }
    expect(new Set(ids.map(hashId)).size).toBe(ids.length);
    const long = `projects/p/agent/sessions/${'x'.repeat(5000)}`;
    expect(hashId(long)).toBe(sha(long));
    expect(hashId(long)).toBe(sha(long));
  });
});
