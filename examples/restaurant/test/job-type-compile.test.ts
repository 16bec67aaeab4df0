import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFixtures } from './helpers/compile-fixtures';

/*
 * What a bot adds by declaration, type-checked:
 * - adding a job type is one module, one registry line and the catalogue keys it uses;
 *   forgetting any of them must not compile;
 * - the bot's strings extend the framework's catalogue (`Register['messages']`): `ctx.t`, a
 *   job's `explain`/`describe(t)` and `defineBot({ messages })` see both, and a key missing in
 *   any language must not compile.
 * Each fixture is compiled with the project's tsconfig, all of them in one program, once, on
 * the first result asked for (the program holds the framework and its libraries: seconds).
 */

const PROJECT = join(__dirname, '..');
/** The job types' fixtures, and the strings' (which import ../src/messages/*). */
const DIR = join(PROJECT, 'test', '.compile-fixtures');
const MESSAGES_DIR = join(PROJECT, '.compile-fixtures');

const fixtures = new Map<string, string>();
let diagnostics: Map<string, string[]> | undefined;

/** The diagnostics of every fixture, by name (compiled on the first call). */
function errorsOf(name: string): string[] {
  diagnostics ??= compileFixtures(
    [
      { dir: DIR, fixtures },
      { dir: MESSAGES_DIR, fixtures: MESSAGE_FIXTURES },
    ],
    [join(PROJECT, 'src', 'jobs', 'index.ts'), join(PROJECT, 'src', 'messages', 'index.ts')],
  );
  const errors = diagnostics.get(name);
  if (!errors) throw new Error(`no fixture ${name}`);
  return errors;
}

/** Registers a job type's fixture. */
function fixture(name: string, source: string): () => string[] {
  fixtures.set(name, source);
  return () => errorsOf(name);
}

const HEADER = `
import { z } from 'zod';
import { defineJob } from '@dialogflow-functions/core/jobs';
import type { TurnContext } from '@dialogflow-functions/core/conversation';
import type { Messages } from '@dialogflow-functions/core/messages';
`;

const COMPLETE = `
export const ping = defineJob({
  type: 'ping',
  request: z.strictObject({ host: z.string() }),
  result: z.strictObject({ ok: z.boolean() }),
  validate: () => undefined,
  explain: (_refusal, t) => t.apology,
  async run() {
    return { result: { ok: true } };
  },
  describe: (view, t) => (view.status === 'succeeded' ? t.welcome : t.stillWorking),
  notifies: 'all',
});
`;

afterAll(() => {
  rmSync(DIR, { recursive: true, force: true });
  rmSync(MESSAGES_DIR, { recursive: true, force: true });
});

describe('a job type that forgets a part does not compile', () => {
  const complete = fixture('complete', HEADER + COMPLETE);
  // One compilation of every fixture (the strings' below too), on the first test: seconds,
  // more on a busy machine.
  it('a complete job type compiles (the control)', { timeout: 180_000 }, () => {
    expect(complete()).toEqual([]);
  });

  const forgotten = [
    ['its describe', 'describe'],
    ['its explain', 'explain'],
    ['its effect', 'run'],
    ['its result schema', 'result'],
    ['which notifications it sends', 'notifies'],
  ].map(([what, member]) => {
    const source = COMPLETE.replace(
      new RegExp(`\\n  (async )?${member}[(:][^\\n]*(\\n    [^\\n]*\\n  \\},)?`),
      '\n',
    );
    return [what!, member!, source, fixture(`no-${member}`, HEADER + source)] as const;
  });
  it.each(forgotten)('forgetting %s', (_what, member, source, errors) => {
    expect(source).not.toBe(COMPLETE);
    expect(errors().join('\n')).toMatch(new RegExp(`'${member}'`));
  });

  const wrongResult = fixture(
    'wrong-result',
    HEADER + COMPLETE.replace('{ result: { ok: true } }', "{ result: { ok: 'yes' } }"),
  );
  it('an effect returning a result of the wrong shape', () => {
    expect(wrongResult().length).toBeGreaterThan(0);
  });

  const unregistered = fixture(
    'unregistered',
    `${HEADER}
export async function handler(ctx: TurnContext) {
  await ctx.defer({ type: 'ping', request: { host: 'x' } });
}`,
  );
  it('deferring a job type that is not in the registry', () => {
    expect(unregistered().join('\n')).toMatch(/"ping"/);
  });

  const badRequest = fixture(
    'bad-request',
    `${HEADER}
export async function handler(ctx: TurnContext) {
  await ctx.defer({ type: 'watch_order', request: { order: 1002 } });
}`,
  );
  it('deferring a registered type with a request of the wrong shape', () => {
    expect(badRequest().length).toBeGreaterThan(0);
  });

  const catalogue = fixture(
    'catalogue',
    `${HEADER}
import { messagesFor } from '../../src/messages';
const en = messagesFor('en');
const { watchOrderShipped: _dropped, ...rest } = en;
export const xx: Messages = rest;`,
  );
  it('a language catalogue missing a key a job type uses', () => {
    expect(catalogue().join('\n')).toMatch(/watchOrderShipped/);
  });
});

const MESSAGES_HEADER = `
import { defineBot, say, type BotMessages, type IntentHandler } from '@dialogflow-functions/core';
import { defineJob } from '@dialogflow-functions/core/jobs';
import { z } from 'zod';
import { en } from '../src/messages/en';
import { ja } from '../src/messages/ja';
import { zhTW } from '../src/messages/zh-tw';
`;

const MESSAGE_FIXTURES = new Map<string, string>([
  [
    'sees-both',
    `${MESSAGES_HEADER}
export const handler: IntentHandler = (ctx) => {
  const framework: string = ctx.t.apology;
  const bot: string = ctx.t.welcome;
  const made: string = ctx.t.orderStatus({ id: '1', status: 's', deliveryDate: 'd' });
  return say([framework, bot, made].join(' '));
};
export const job = defineJob({
  type: 'tally',
  request: z.object({ n: z.number() }),
  result: z.object({ total: z.number() }),
  validate: () => undefined,
  explain: (_refusal, t) => t.orderIdInvalid + t.apology,
  run: async ({ request }) => ({ result: { total: request.n } }),
  describe: (view, t) => (view.status === 'failed' ? t.jobFailed(view) : t.noJobs),
  notifies: [],
});
export const messages: BotMessages = { en, 'zh-TW': zhTW, ja };
export const bot = defineBot({ intents: () => new Map(), fallback: handler, messages });`,
  ],
  [
    'missing-key',
    `${MESSAGES_HEADER}
const { welcome: _dropped, ...zhWithoutWelcome } = zhTW;
export const messages: BotMessages = { en, 'zh-TW': zhWithoutWelcome, ja };`,
  ],
  [
    'missing-language',
    `${MESSAGES_HEADER}
export const bot = defineBot({
  intents: () => new Map(),
  fallback: () => say('x'),
  messages: { en, ja },
});`,
  ],
  [
    'wrong-type',
    `${MESSAGES_HEADER}
export const messages: BotMessages = { en, 'zh-TW': zhTW, ja: { ...ja, orderStatus: 'not a function' } };`,
  ],
  [
    'unknown-key',
    `${MESSAGES_HEADER}
export const handler: IntentHandler = (ctx) => say(ctx.t.noSuchKey);`,
  ],
]);

describe("the bot's strings, type-checked", { timeout: 120_000 }, () => {
  it("ctx.t and a job's explain/describe see the framework's keys and the bot's", () => {
    expect(errorsOf('sees-both')).toEqual([]);
  });

  it.each([
    ['a language without a key', 'missing-key', /welcome/],
    ['a bot without one of the languages', 'missing-language', /zh-TW/],
    ['a key of the wrong type', 'wrong-type', /not assignable to type '\(p: \{ id: string/],
    ['a key nobody declared', 'unknown-key', /noSuchKey/],
  ])('%s does not compile', (_what, name, mentions) => {
    const errors = errorsOf(name);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(mentions);
  });
});
