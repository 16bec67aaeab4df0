import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECT_TIMEOUT_MS, detectTimeoutMs } from '../src/lib/detect-timeout';
import { DFF, PROJECT } from './helpers/paths';

/*
 * `dff detect` against a stand-in that does not answer says so and stops, instead of
 * gax's default retries (minutes): nothing listening, and a server that accepts and hangs.
 * The runs set a half-second deadline (`--timeout 0.5`): the verdict is the same as with the
 * default 6 s one (checked below), without waiting for it.
 */

const detect = (host: string) =>
  new Promise<{ status: number | null; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [...DFF, '-C', PROJECT, 'detect', 'hi', '--timeout', '0.5'],
      {
        env: { ...process.env, DIALOGFLOW_AGENT: '', DIALOGFLOW_EMULATOR_HOST: host },
        encoding: 'utf8',
        timeout: 60_000,
      },
      (err, _stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
    );
  });

/** A port nothing listens on: taken, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('dff detect --timeout', () => {
  it('is 6 s unless given (docs/stand-in.md: says so within 10 s), in seconds above 0 up to 600', () => {
    expect(DETECT_TIMEOUT_MS).toBe(6_000);
    expect(detectTimeoutMs(undefined)).toBe(6_000);
    expect(detectTimeoutMs('0.5')).toBe(500);
    expect(detectTimeoutMs('600')).toBe(600_000);
    for (const bad of ['', ' ', '0', '-1', '601', 'soon'])
      expect(detectTimeoutMs(bad), bad).toBe(undefined);
  });
});

describe('dff detect when nothing answers', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it.concurrent('says so when nothing listens', async () => {
    const result = await detect(`127.0.0.1:${await freePort()}`);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /Nothing answers: the stand-in at 127\.0\.0\.1:\d+ .* no answer within 0\.5 s/,
    );
  }, 45_000);

  it.concurrent('says so when the server accepts and never answers', async () => {
    const port = (silent.address() as { port: number }).port;
    const result = await detect(`127.0.0.1:${port}`);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Nothing answers: .* no answer within 0\.5 s/);
  }, 45_000);
});
