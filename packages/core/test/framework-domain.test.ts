import domain from 'node:domain';
import { http as frameworkHttp, type HttpFunction } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { listenOnLoopback, type ServedFunction } from '@dialogflow-functions/testing/serve';
import { http } from '../src/http/framework';

/*
 * functions-framework runs each call in a node:domain of its own; the functions registered
 * through the core's `http` are served without one (framework.ts, `serveOursWithoutDomain`, and
 * `outsideDomain` where that cannot be installed), so what a call starts is not bound to a
 * domain. The same probe registered with the framework's own `http` shows the domain: the check
 * can tell the two apart.
 */

interface Seen {
  /** A domain was active when the function started. */
  atStart: boolean;
  /** The timer the call started is bound to a domain (Node sets `timer.domain`). */
  timerBound: boolean;
  /** A domain was active in that timer's callback. */
  inCallback: boolean;
}

type WithDomain = { domain?: unknown };
const activeDomain = () => (process as WithDomain).domain != null;

function probe(): HttpFunction {
  return (_req, res) => {
    const atStart = activeDomain();
    const timer = setTimeout(() => {
      const timerBound = (timer as unknown as WithDomain).domain != null;
      const seen: Seen = { atStart, timerBound, inCallback: activeDomain() };
      res.status(200).json(seen);
    }, 1);
  };
}

const served: ServedFunction[] = [];
afterAll(() => Promise.all(served.map((s) => s.close())));

async function serve(
  register: (name: string, fn: HttpFunction) => void,
  fn: HttpFunction,
): Promise<ServedFunction> {
  const name = `domain-probe-${process.pid}-${served.length}`;
  register(name, fn);
  const server = await listenOnLoopback(getTestServer(name));
  served.push(server);
  return server;
}

const post = (url: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

async function call(register: (name: string, fn: HttpFunction) => void): Promise<Seen> {
  const res = await post((await serve(register, probe())).url);
  expect(res.status).toBe(200);
  return (await res.json()) as Seen;
}

describe("functions-framework's per-call domain", () => {
  it('the framework runs a function it registers inside a domain that its timers inherit', async () => {
    expect(await call(frameworkHttp)).toEqual({
      atStart: true,
      timerBound: true,
      inCallback: true,
    });
  });

  it("a function registered through the core's http runs outside it: nothing it starts is bound", async () => {
    expect(await call(http)).toEqual({ atStart: false, timerBound: false, inCallback: false });
  });

  it('a function that throws as it runs still gets its own 500, and the process serves on', async () => {
    let calls = 0;
    const server = await serve(http, () => {
      calls++;
      throw new Error('a bug in the handler');
    });
    expect((await post(server.url)).status).toBe(500);
    expect((await post(server.url)).status).toBe(500);
    expect(calls).toBe(2);
  });

  it("a rejected promise gets the framework's crash response", async () => {
    const server = await serve(http, async () => {
      await Promise.resolve();
      throw new Error('a bug in the handler');
    });
    const res = await post(server.url);
    expect(res.status).toBe(500);
    // The framework's own crash response (sendCrashResponse), as its wrapper answers.
    expect(res.headers.get('x-google-status')).toBe('crash');
  });

  it('a rejection after the answer is only logged: the call keeps its answer, the process serves on', async () => {
    const errors: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.join(' '));
    try {
      let calls = 0;
      const server = await serve(http, async (_req, res) => {
        calls++;
        res.status(200).json({ ok: true });
        await new Promise((resolve) => res.once('finish', resolve));
        throw new Error('late bug');
      });
      const first = await post(server.url);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ ok: true });
      await expect.poll(() => errors.join('\n')).toContain('Exception from a finished function');
      expect((await post(server.url)).status).toBe(200);
      expect(calls).toBe(2);
    } finally {
      console.error = consoleError;
    }
  });

  it('no domain is created for a call of ours; the framework creates one for each of its own', async () => {
    // node:domain's module object, the one the framework calls `create` on.
    const domains = domain as unknown as { create: (...args: unknown[]) => unknown };
    const create = domains.create;
    let created = 0;
    domains.create = function (this: unknown, ...args: unknown[]) {
      created++;
      return create.apply(this, args);
    };
    try {
      await call(http);
      expect(created).toBe(0);
      await call(frameworkHttp);
      expect(created).toBe(1);
    } finally {
      domains.create = create;
    }
  });
});
