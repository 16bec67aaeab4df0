import { describe, expect, it } from 'vitest';
import {
  evaluateCondition,
  fillTemplate,
  type ConditionScope,
} from '@dialogflow-functions/dev/dialogflow-stand-in/condition';
import { CxAgentSessions } from '@dialogflow-functions/dev/dialogflow-stand-in/cx-session';
import { cxExpressionWarnings } from '@dialogflow-functions/dev/dialogflow-stand-in/load-agents';
import { loadAgent, type AgentFiles } from '@dialogflow-functions/dev/lib/agent/load';
import type { CxPage } from '@dialogflow-functions/dev/lib/agent/model';

/*
 * CX's expression language in the stand-in: conditions as the conditions reference writes them
 * (unquoted literals, HAS, NOT, parentheses), `$flow.*` parameters, system functions, and the
 * references and functions in parameter presets and message texts. An agent of our own making
 * runs them; what the stand-in does not run is a warning naming the function and the file.
 */

const page: CxPage = {
  id: 'p',
  name: 'Order',
  form: [
    { name: 'size', entityType: 'size', required: true, isList: false, defaultValue: undefined, initialPrompt: undefined, reprompts: [] },
  ],
  entry: undefined,
  routes: [],
  eventHandlers: [],
}; // prettier-ignore

const scope = (over: Partial<ConditionScope> = {}): ConditionScope => ({
  state: { size: 'large', n: 3, list: [1, 2, 3], name: 'hello world', flag: true, empty: '' },
  flow: { tries: 2, elems: ['city', 'zip'], code: 'N/A' },
  page,
  formComplete: true,
  justCollected: new Set(['size']),
  ...over,
});

describe('CX conditions', () => {
  const cases: [string, boolean][] = [
    ['$session.params.size = large', true],
    ['$session.params.size = "large"', true],
    ['$session.params.size != small', true],
    ['$page.params.status = "FINAL"', true],
    ['$page.params.status = FINAL', true],
    ['$page.params.size = large', true],
    ['$page.params.size.status = "UPDATED"', true],
    ['$session.params.n = 3', true],
    ['$session.params.n = "3"', true],
    ['$session.params.n > 2 AND $session.params.n <= 3', true],
    ['$session.params.flag = true', true],
    ['$session.params.flag = false', false],
    ['$session.params.missing = null', true],
    ['$session.params.missing != null', false],
    ['$session.params.empty = ""', true],
    ['$session.params.name : "hello"', true],
    ['$session.params.name : bye', false],
    ['$session.params.name > "aaa"', true],
    ['$session.params.list[1] = 2', true],
    ['NOT $session.params.n <= 0', true],
    [
      '(NOT ($session.params.n > 1 AND $session.params.n < 100)) OR $session.params.size = large',
      true,
    ],
    ['$flow.tries < 3', true],
    ['$flow.code = N/A', true],
    ['$flow.unset = null', true],
    ['$sys.func.CONTAIN($session.params.list, 1) = true', true],
    ['$sys.func.COUNT($session.params.list) = 3', true],
    ['$sys.func.COUNT($flow.elems) != 0', true],
    ['$sys.func.COUNT($flow.unset) = 0', true],
    ['$sys.func.LOWER($session.params.size) = LARGE', false],
    ['$sys.func.IS_DATE("2021-04-29", "uuuu-MM-dd")', true],
    ['$sys.func.IS_DATE("2021-02-30", "uuuu-MM-dd")', false],
    ['$sys.func.IS_DATE("29 Apr 21", "dd MMM uu")', true],
    ['$sys.func.IS_CREDIT_CARD_NUMBER("4111 1111 1111 1111")', true],
    ['$sys.func.ADD($flow.tries, 1) = 3', true],
    ['true', true],
    ['false', false],
  ];
  it.each(cases)('%s', (condition, want) => {
    expect(evaluateCondition(condition, scope())).toBe(want);
  });

  it('refuses what CX refuses or the stand-in does not run', () => {
    expect(() => evaluateCondition('$session.params.n = 1 OR $session.params.n = 3 AND true', scope())).toThrow(/AND and OR mixed/); // prettier-ignore
    expect(() => evaluateCondition('$sys.func.NOW() = null', scope())).toThrow(/\$sys\.func\.NOW is not run here/); // prettier-ignore
    expect(() => evaluateCondition('$request.sentiment.score < 0', scope())).toThrow(/unsupported reference/); // prettier-ignore
  });
});

describe('CX presets and texts', () => {
  const cases: [string, unknown][] = [
    ['Your $session.params.size pizza.', 'Your large pizza.'],
    ['$flow.elems', ['city', 'zip']],
    ['$flow.elems[1]', 'zip'],
    ['$sys.func.ADD(1, 2)', 3],
    [
      '$sys.func.APPEND($flow.elems, "postal code $session.params.n")',
      ['city', 'zip', 'postal code 3'],
    ],
    ['$sys.func.REMOVE($flow.elems, "city")', ['zip']],
    ['$sys.func.IF("$flow.tries >= 2", "last try", "again")', 'last try'],
    ['$sys.func.IF("$sys.func.LOWER($session.params.size) != large", true, false)', false],
    ['Left: $sys.func.JOIN(", ", $flow.elems, " and ")!', 'Left: city and zip!'],
    ['$sys.func.SUBSTITUTE("good", "d", "gle")', 'google'],
    ['$sys.func.MID("google", 4, 2)', 'gl'],
    ['$sys.func.TO_NUMBER("-3")', -3],
    ['$sys.func.GET_FIELD($sys.func.TO_OBJECT("{\\"a\\": 1}"), "a")', 1],
    ['costs $5', 'costs $5'],
  ];
  it.each(cases)('%s', (text, want) => {
    expect(fillTemplate(text, scope())).toEqual(want);
  });
});

// An agent of our own making: a sub-flow keeps a flow parameter, reads it in conditions and
// text, takes a form parameter into the flow's scope, and forgets it all when the flow ends.
const say = (text: string) => ({ messages: [{ text: { text: [text] }, languageCode: 'en' }] });
const phrase = (text: string) => ({ parts: [{ text }], languageCode: 'en' });
const files = (entries: Record<string, unknown>): AgentFiles =>
  new Map(Object.entries(entries).map(([k, v]) => [k, JSON.stringify(v)]));
const agentFiles = files({
  'agent.json': { displayName: 'flows', defaultLanguageCode: 'en', timeZone: 'UTC', startFlow: 'Default Start Flow' },
  'intents/order/order.json': { name: 'order-id', displayName: 'order' },
  'intents/order/trainingPhrases/en.json': { trainingPhrases: ['I want a pizza', 'order a pizza', 'pizza please'].map(phrase) },
  'intents/again/again.json': { name: 'again-id', displayName: 'again' },
  'intents/again/trainingPhrases/en.json': { trainingPhrases: ['again', 'one more time', 'repeat that'].map(phrase) },
  'entityTypes/size/size.json': { name: 'size-id', displayName: 'size', kind: 'KIND_MAP' },
  'entityTypes/size/entities/en.json': { entities: [{ value: 'large', synonyms: ['large', 'big'] }, { value: 'small', synonyms: ['small'] }] },
  'flows/Default Start Flow/Default Start Flow.json': {
    name: 'start-id',
    displayName: 'Default Start Flow',
    transitionRoutes: [{ intent: 'order', targetFlow: 'Ordering' }],
    eventHandlers: [
      { event: 'sys.no-match-default', triggerFulfillment: say('Sorry? (tries: $flow.tries)') },
      { event: 'webhook.error', targetPage: 'Nowhere' },
    ],
  },
  'flows/Ordering/Ordering.json': {
    name: 'ordering-id',
    displayName: 'Ordering',
    transitionRoutes: [{ condition: 'true', triggerFulfillment: { setParameterActions: [{ parameter: '$flow.tries', value: 0 }] }, targetPage: 'Size' }],
  },
  'flows/Ordering/pages/Size.json': {
    name: 'size-page',
    displayName: 'Size',
    form: {
      parameters: [{
        displayName: '$flow.size',
        entityType: '@size',
        required: true,
        fillBehavior: { initialPromptFulfillment: say('Which size?') },
      }],
    },
    transitionRoutes: [
      { condition: '$page.params.status = FINAL AND $flow.size = large', triggerFulfillment: { ...say('A $flow.size one, try $sys.func.ADD($flow.tries, 1).'), setParameterActions: [{ parameter: 'ordered', value: '$flow.size' }] }, targetPage: 'Done' },
      { condition: '$page.params.status = FINAL', triggerFulfillment: say('Only large today.'), targetPage: 'END_FLOW_WITH_FAILURE' },
    ],
  },
  'flows/Ordering/pages/Done.json': {
    name: 'done-page',
    displayName: 'Done',
    entryFulfillment: say('Say again for another, or anything else to finish.'),
    transitionRoutes: [
      { intent: 'again', triggerFulfillment: { setParameterActions: [{ parameter: '$flow.tries', value: '$sys.func.ADD($flow.tries, 1)' }, { parameter: '$flow.size', value: null }] }, targetPage: 'Size' },
    ],
    eventHandlers: [{ event: 'sys.no-match-default', triggerFulfillment: { ...say('Bye after $flow.tries more.'), setParameterActions: [{ parameter: 'when', value: '$sys.func.NOW()' }] }, targetPage: 'End Flow' }],
  },
}); // prettier-ignore

const texts = (r: Record<string, unknown>) =>
  ((r.queryResult as { responseMessages: { text?: { text: string[] } }[] }).responseMessages ?? []).flatMap((m) => m.text?.text ?? []); // prettier-ignore

describe('a CX agent with flow parameters', () => {
  it('sets, reads and forgets them with the flow', async () => {
    const agent = loadAgent('cx', agentFiles);
    const sessions = new CxAgentSessions({ agent, webhookUrl: undefined });
    const turn = (text: string) =>
      sessions.detectIntent({
        session: 'projects/p/locations/global/agents/a/sessions/f1',
        queryInput: { text: { text }, languageCode: 'en' },
      });
    expect(texts(await turn('I want a pizza'))).toEqual(['Which size?']);
    const sized = await turn('a big one');
    expect(texts(sized)).toEqual(['A large one, try 1.', 'Say again for another, or anything else to finish.']); // prettier-ignore
    // Flow parameters are not session parameters; a preset copies one into the session.
    expect((sized.queryResult as { parameters: Record<string, unknown> }).parameters).toEqual({ ordered: 'large' }); // prettier-ignore
    expect(texts(await turn('one more time'))).toEqual(['Which size?']);
    expect(texts(await turn('large'))).toEqual(['A large one, try 2.', 'Say again for another, or anything else to finish.']); // prettier-ignore
    // A function the stand-in does not run leaves the preset as written; the turn goes on.
    expect(texts(await turn('no thanks'))).toEqual(['Bye after 1 more.']);
    // "End Flow" (as exports name END_FLOW): back in the start flow, the sub-flow's parameters gone.
    expect(texts(await turn('blah blah'))).toEqual(['Sorry? (tries: )']);
  });

  it('names what it does not run, with the file', () => {
    const warnings = cxExpressionWarnings(loadAgent('cx', agentFiles));
    expect(warnings).toEqual([
      'flows/Default Start Flow/Default Start Flow.json: a transition to page Nowhere, which flow Default Start Flow does not have',
      'flows/Ordering/pages/Done.json: system function $sys.func.NOW is not run here (left as written): $sys.func.NOW()',
    ]);
  });
});

describe('CX conditional responses and text variants', () => {
  const cases = {
    conditionalCases: [
      {
        cases: [
          {
            condition: '$session.params.size = large',
            caseContent: [
              { message: { text: { text: ['A large one.'] }, languageCode: 'en' } },
              {
                additionalCases: {
                  cases: [
                    { condition: '$session.params.n > 2', caseContent: [{ message: { text: { text: ['Many of them.'] }, languageCode: 'en' } }] },
                    { caseContent: [{ message: { text: { text: ['A few.'] }, languageCode: 'en' } }] },
                  ],
                },
              },
            ],
          },
          { caseContent: [{ message: { text: { text: ['Some size.'] }, languageCode: 'en' } }] },
        ],
      },
    ],
  }; // prettier-ignore
  const agent = () =>
    loadAgent(
      'cx',
      files({
        'agent.json': { displayName: 'c', defaultLanguageCode: 'en', timeZone: 'UTC' },
        'intents/order/order.json': { name: 'order-id', displayName: 'order' },
        'intents/order/trainingPhrases/en.json': { trainingPhrases: ['I want a pizza', 'order a pizza'].map(phrase) },
        'flows/Default Start Flow/Default Start Flow.json': {
          name: 'start-id',
          displayName: 'Default Start Flow',
          transitionRoutes: [{ intent: 'order', triggerFulfillment: { messages: [{ text: { text: ['One.', 'Another.'] }, languageCode: 'en' }], ...cases } }],
        },
      }), // prettier-ignore
    );
  const run = async (parameters: Record<string, unknown>) =>
    texts(
      await new CxAgentSessions({ agent: agent(), webhookUrl: undefined }).detectIntent({
        session: 'projects/p/locations/global/agents/a/sessions/c1',
        queryParams: { parameters: parameters as never },
        queryInput: { text: { text: 'I want a pizza' }, languageCode: 'en' },
      }),
    );
  it.each([
    [{ size: 'large', n: 3 }, ['One.', 'A large one.', 'Many of them.']],
    [{ size: 'large', n: 1 }, ['One.', 'A large one.', 'A few.']],
    [{ size: 'small' }, ['One.', 'Some size.']],
  ])('%j', async (parameters, want) => {
    expect(await run(parameters)).toEqual(want);
  });
});

describe('CX condition routes without a target', () => {
  it('run their fulfillment and the page goes on to its later routes, never the same one again', async () => {
    const agent = loadAgent(
      'cx',
      files({
        'agent.json': { displayName: 'c', defaultLanguageCode: 'en', timeZone: 'UTC' },
        'intents/go/go.json': { name: 'go-id', displayName: 'go' },
        'intents/go/trainingPhrases/en.json': { trainingPhrases: ['go', 'start'].map(phrase) },
        'flows/Default Start Flow/Default Start Flow.json': {
          name: 'start-id',
          displayName: 'Default Start Flow',
          transitionRoutes: [{ intent: 'go', targetPage: 'Check' }],
        },
        'flows/Default Start Flow/pages/Check.json': {
          name: 'check-id',
          displayName: 'Check',
          transitionRoutes: [
            { condition: 'true', triggerFulfillment: { ...say('Looking.'), setParameterActions: [{ parameter: 'found', value: 'yes' }] } },
            { condition: '$session.params.found = no', triggerFulfillment: say('Nothing.'), targetPage: 'End Session' },
            { condition: '$session.params.found = yes', triggerFulfillment: say('Found it.'), targetPage: 'End Session' },
          ],
        },
      }), // prettier-ignore
    );
    const r = await new CxAgentSessions({ agent, webhookUrl: undefined }).detectIntent({
      session: 'projects/p/locations/global/agents/a/sessions/r1',
      queryInput: { text: { text: 'go' }, languageCode: 'en' },
    });
    expect(texts(r)).toEqual(['Looking.', 'Found it.']);
  });
});
