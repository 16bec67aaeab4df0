import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFixtures } from './helpers/compile-fixtures';

/*
 * The bot's strings extend the framework's catalogue by declaration (`Register['messages']`):
 * `ctx.t`, a job's `explain`/`describe(t)` and `defineBot({ messages })` see both, and a key
 * missing in any language must not compile. Each fixture is compiled with the project's tsconfig.
 */

const PROJECT = join(__dirname, '..');
// Not test/.compile-fixtures (the job types' fixtures, removed when their test ends).
const DIR = join(PROJECT, '.compile-fixtures');

const HEADER = `
import { defineBot, say, type BotMessages, type IntentHandler } from '@dialogflow-functions/core';
import { defineJob } from '@dialogflow-functions/core/jobs';
import { z } from 'zod';
import { en } from '../src/messages/en';
import { ja } from '../src/messages/ja';
import { zhTW } from '../src/messages/zh-tw';
`;

const FIXTURES = new Map<string, string>([
  [
    'sees-both',
    `${HEADER}
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
    `${HEADER}
const { welcome: _dropped, ...zhWithoutWelcome } = zhTW;
export const messages: BotMessages = { en, 'zh-TW': zhWithoutWelcome, ja };`,
  ],
  [
    'missing-language',
    `${HEADER}
export const bot = defineBot({
  intents: () => new Map(),
  fallback: () => say('x'),
  messages: { en, ja },
});`,
  ],
  [
    'wrong-type',
    `${HEADER}
export const messages: BotMessages = { en, 'zh-TW': zhTW, ja: { ...ja, orderStatus: 'not a function' } };`,
  ],
  [
    'unknown-key',
    `${HEADER}
export const handler: IntentHandler = (ctx) => say(ctx.t.noSuchKey);`,
  ],
]);

let diagnostics: Map<string, string[]> | undefined;
const errorsOf = (name: string) =>
  (diagnostics ??= compileFixtures(DIR, FIXTURES, [
    join(PROJECT, 'src', 'jobs', 'index.ts'),
    join(PROJECT, 'src', 'messages', 'index.ts'),
  ])).get(name)!;

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

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
