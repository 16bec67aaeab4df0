import { chromium, type Browser } from 'playwright-core';
import { expect } from 'vitest';
import { firestoreHost, testWorkerEnv } from '@dialogflow-functions/testing/firestore';
import { freeStackPort, spawnService, type Service } from '@dialogflow-functions/testing/processes';
import { until } from '@dialogflow-functions/testing/wait';
import { findChromium } from './browser';
import { DFF, PROJECT } from './paths';

/*
 * The stack the browser suites drive (test/browser.test.ts): `dff start` exactly as `npm start`
 * runs it, on free ports, with the functions warmed as a first user would warm them, and one
 * chromium (Debian's, driven by playwright-core). The dev console's suite and the chat widget's
 * share it: one stack and one browser instead of one each (each suite opens its own pages, and
 * books its own slots).
 */

export interface BrowserStack {
  /** The sample chat page (CHAT_PAGE_PORT). */
  pageUrl: string;
  /** The dev console (DEV_CONSOLE_PORT). */
  consoleUrl: string;
  browser: Browser;
  /** Everything `dff start` printed so far. */
  output: string[];
}

let started: Promise<{ stack: Service; shared: BrowserStack }> | undefined;

/** The stack, started on the first call. */
export async function browserStack(): Promise<BrowserStack> {
  started ??= start();
  return (await started).shared;
}

/** Stops the stack (if started) once queued work is done, and the browser. */
export async function stopBrowserStack(): Promise<void> {
  if (!started) return;
  const running = started;
  started = undefined;
  let stack: Service | undefined;
  try {
    const { stack: s, shared } = await running;
    stack = s;
    await shared.browser.close();
    // Let queued work finish (no task left in the emulator) before stopping the stack, so no
    // worker is stopped inside a Firestore transaction the next test file would trip over.
    await until(
      async () => {
        const res = await fetch(new URL('/api/tasks', shared.consoleUrl));
        return ((await res.json()) as { tasks: unknown[] }).tasks.length === 0;
      },
      20_000,
      'the queue drained',
    ).catch(() => undefined);
  } finally {
    await stack?.stop(15_000);
  }
}

async function start(): Promise<{ stack: Service; shared: BrowserStack }> {
  const [webhook, worker, devConsole, standIn, tasks, chat, chatPage] = await Promise.all(
    Array.from({ length: 7 }, () => freeStackPort()),
  );
  const output: string[] = [];
  const stack = spawnService({
    name: 'npm start',
    command: process.execPath,
    args: [...DFF, '-C', PROJECT, 'start'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      FIRESTORE_EMULATOR_HOST: firestoreHost(),
      ...testWorkerEnv(),
      WEBHOOK_PORT: String(webhook),
      WORKER_PORT: String(worker),
      DEV_CONSOLE_PORT: String(devConsole),
      DIALOGFLOW_STAND_IN_PORT: String(standIn),
      CLOUD_TASKS_EMULATOR_PORT: String(tasks),
      CHAT_PORT: String(chat),
      CHAT_PAGE_PORT: String(chatPage),
    },
    onLine: (line) => output.push(line),
  });
  try {
    const printed = (name: string) =>
      output
        .map((l) => l.match(new RegExp(`^\\s+${name}\\s+(http://127\\.0\\.0\\.1:\\d+/)`))?.[1])
        .find(Boolean);
    await until(
      () => {
        if (stack.child.exitCode !== null) {
          throw new Error(`npm start exited:\n${output.join('\n')}`);
        }
        return Boolean(printed('page') && printed('console'));
      },
      120_000,
      'npm start printed the page and console URLs',
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${output.join('\n')}`);
    });
    const pageUrl = printed('page')!;
    const consoleUrl = printed('console')!;
    expect(pageUrl).toBe(`http://127.0.0.1:${chatPage}/`);
    expect(consoleUrl).toBe(`http://127.0.0.1:${devConsole}/`);

    // Warm the functions as a first user would (their Dialogflow, Firestore and Cloud Tasks
    // clients load on first use: seconds on this shared machine); a cold turn over the deadline
    // gets the polite apology, which is what a page would show then. The chat function and the
    // webhook: an order's status through the chat function.
    const chatUrl = `http://127.0.0.1:${chat}/`;
    await until(
      async () => {
        const res = await fetch(chatUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'where is my order 1001' }),
        });
        const body = (await res.json()) as { intent?: string };
        return res.status === 200 && body.intent === 'check_order';
      },
      60_000,
      'the chat function answered',
    );
    // The job path: one reservation in a conversation of its own, through the dev console.
    const warm = await fetch(new URL('/api/sessions/warm-up/turns', consoleUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        edition: 'es',
        languageCode: 'en',
        source: 'console',
        intent: 'make_reservation',
        parameters: [
          {
            name: 'date',
            kind: 'date',
            value: new Date(Date.now() + 9 * 86_400_000).toISOString().slice(0, 10),
          },
          { name: 'time', kind: 'time', value: '12:00' },
          { name: 'party_size', kind: 'number', value: '2' },
          { name: 'name', kind: 'person', value: 'Warm' },
        ],
      }),
    });
    expect(warm.status).toBe(200);
    const browser = await chromium.launch({
      executablePath: findChromium(),
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    return { stack, shared: { pageUrl, consoleUrl, browser, output } };
  } catch (err) {
    await stack.stop(15_000);
    throw err;
  }
}
