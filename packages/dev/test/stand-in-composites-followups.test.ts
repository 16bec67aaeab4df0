import { describe, expect, it } from 'vitest';
import { CxAgentSessions } from '@dialogflow-functions/dev/dialogflow-stand-in/cx-session';
import { EsAgentSessions } from '@dialogflow-functions/dev/dialogflow-stand-in/es-session';
import { loadAgent, type AgentFiles } from '@dialogflow-functions/dev/lib/agent/load';

/*
 * Agents of our own making with composite entities (ES: a list entity whose entries reference
 * other entity types as `@type:alias`; CX: the same in an entity type's entries), ES follow-up
 * intents (matched only while the parent's `<parent>-followup` context lives, lifespan 2) and
 * ES `endInteraction` (reported as Dialogflow reports it: the intent's `endInteraction` and
 * `end_conversation` in diagnosticInfo).
 */

const files = (entries: Record<string, unknown>): AgentFiles =>
  new Map(Object.entries(entries).map(([k, v]) => [k, JSON.stringify(v)]));
const says = (...phrases: (string | [string, string, string])[][]) =>
  phrases.map((parts) => ({
    data: parts.map((p) => (typeof p === 'string' ? { text: p } : { text: p[0], alias: p[1], meta: `@${p[2]}` })),
  })); // prettier-ignore
const reply = (text: string, extra: Record<string, unknown> = {}) => ({
  responses: [{ messages: [{ type: 0, lang: 'en', speech: text }], ...extra }],
});

// `order - no` carries the contexts the console writes; `order - yes` only its parentId.
const es = files({
  'agent.json': { displayName: 'pizzeria', language: 'en', defaultTimezone: 'UTC' },
  'package.json': { version: '1.0.0' },
  'entities/size.json': { name: 'size' },
  'entities/size_entries_en.json': [{ value: 'large', synonyms: ['large', 'big'] }, { value: 'small', synonyms: ['small', 'little'] }],
  'entities/topping.json': { name: 'topping' },
  'entities/topping_entries_en.json': [{ value: 'cheese', synonyms: ['cheese'] }, { value: 'ham', synonyms: ['ham', 'bacon'] }],
  'entities/pizza.json': { name: 'pizza', isEnum: true },
  'entities/pizza_entries_en.json': [
    { value: '@size:size @topping:topping pizza', synonyms: ['@size:size @topping:topping pizza'] },
    { value: '@topping:topping pizza', synonyms: ['@topping:topping pizza'] },
    { value: '@sys.number-integer:count @size:size pizzas', synonyms: ['@sys.number-integer:count @size:size pizzas'] },
  ],
  'entities/ride.json': { name: 'ride', isEnum: true },
  'entities/ride_entries_en.json': [{ value: 'a @sys.duration:length ride', synonyms: ['a @sys.duration:length ride'] }],
  'intents/ride.json': { id: 'ride-id', name: 'ride', ...reply('Booked.', { parameters: [{ name: 'ride', dataType: '@ride', value: '$ride' }] }) },
  'intents/ride_usersays_en.json': says(['book ', ['a 2 hour ride', 'ride', 'ride']], ['I want ', ['a 30 minute ride', 'ride', 'ride']]),
  'intents/order.json': {
    id: 'order-id',
    name: 'order',
    ...reply('Anything else?', { parameters: [{ name: 'pizza', dataType: '@pizza', value: '$pizza' }], affectedContexts: [{ name: 'order-followup', lifespan: 2 }] }),
  },
  'intents/order_usersays_en.json': says(
    ["I'd like a ", ['large cheese pizza', 'pizza', 'pizza']],
    ['order a ', ['ham pizza', 'pizza', 'pizza']],
    ['can I get ', ['2 small pizzas', 'pizza', 'pizza']],
    ['I want a pizza'],
  ),
  'intents/order - yes.json': { id: 'yes-id', parentId: 'order-id', rootParentId: 'order-id', name: 'order - yes', ...reply('What else?') },
  'intents/order - yes_usersays_en.json': says(['yes'], ['yes please'], ['sure']),
  'intents/order - no.json': { id: 'no-id', parentId: 'order-id', rootParentId: 'order-id', name: 'order - no', contexts: ['order-followup'], ...reply('Coming up.') },
  'intents/order - no_usersays_en.json': says(['no'], ['no thanks'], ['that is all']),
  'intents/order - fallback.json': { id: 'ofb-id', parentId: 'order-id', name: 'order - fallback', fallbackIntent: true, ...reply('Anything else, or are you done?') },
  'intents/goodbye.json': { id: 'bye-id', name: 'goodbye', endInteraction: true, ...reply('Bye!') },
  'intents/goodbye_usersays_en.json': says(['bye'], ['goodbye'], ['see you later']),
  'intents/Default Fallback Intent.json': { id: 'f', name: 'Default Fallback Intent', fallbackIntent: true, ...reply('Sorry?') },
}); // prettier-ignore

type QueryResult = {
  intent?: { displayName: string; endInteraction?: boolean };
  parameters: Record<string, unknown>;
  outputContexts: { name: string; lifespanCount: number }[];
  diagnosticInfo?: Record<string, unknown>;
};

function esSession(id: string) {
  const sessions = new EsAgentSessions({ agent: loadAgent('es', es), webhookUrl: undefined });
  return async (text: string) =>
    (
      await sessions.detectIntent({
        session: `projects/p/agent/sessions/${id}`,
        queryInput: { text: { text, languageCode: 'en' } },
      })
    ).queryResult as QueryResult;
}

describe('ES composite entities', () => {
  it.each([
    ["I'd like a big ham pizza", { size: 'large', topping: 'ham' }],
    ['order a cheese pizza please', { topping: 'cheese' }],
    ['can I get 3 large pizzas', { count: 3, size: 'large' }],
  ])('%s', async (text, pizza) => {
    const q = await esSession('c1')(text);
    expect(q.intent?.displayName).toBe('order');
    expect(q.parameters.pizza).toEqual(pizza);
  });

  it('reads a system entity part with the library (a duration)', async () => {
    const q = await esSession('c2')('book a 3 hour ride');
    expect(q.intent?.displayName).toBe('ride');
    expect(q.parameters.ride).toEqual({ length: { amount: 3, unit: 'h' } });
  });
});

describe('ES follow-up intents', () => {
  it('gives the parent the follow-up context and the follow-up the need of it', () => {
    const agent = loadAgent('es', es);
    const yes = agent.intents.find((i) => i.name === 'order - yes')!;
    const no = agent.intents.find((i) => i.name === 'order - no')!;
    expect(yes.inputContexts).toEqual(['order-followup']);
    expect(no.inputContexts).toEqual(['order-followup']);
    const order = agent.intents.find((i) => i.name === 'order')!;
    expect(order.affectedContexts).toEqual([{ name: 'order-followup', lifespan: 2 }]);
  });

  it('an intent given only its parentId is linked the same way', () => {
    const bare = new Map(es);
    bare.set('intents/order.json', JSON.stringify({ id: 'order-id', name: 'order', ...reply('Anything else?') })); // prettier-ignore
    bare.set('intents/order - no.json', JSON.stringify({ id: 'no-id', parentId: 'order-id', name: 'order - no', ...reply('Coming up.') })); // prettier-ignore
    const agent = loadAgent('es', bare);
    expect(agent.intents.find((i) => i.name === 'order')!.affectedContexts).toEqual([
      { name: 'order-followup', lifespan: 2 },
    ]);
    expect(agent.intents.find((i) => i.name === 'order - no')!.inputContexts).toEqual([
      'order-followup',
    ]);
  });

  it('matches a follow-up only while its context lives (two queries)', async () => {
    const turn = esSession('f1');
    const order = await turn('order a ham pizza');
    expect(order.outputContexts.map((c) => [c.name.split('/').pop(), c.lifespanCount])).toEqual([
      ['order-followup', 2],
    ]);
    expect((await turn('yes please')).intent?.displayName).toBe('order - yes');
    expect((await turn('no thanks')).intent?.displayName).toBe('order - no');
    // Two queries on, the context has ended: "no" is no longer a follow-up's.
    expect((await turn('no thanks')).intent?.displayName).toBe('Default Fallback Intent');
    // Without the parent first, neither matches.
    expect((await esSession('f2')('yes')).intent?.displayName).toBe('Default Fallback Intent');
  });

  it('falls back to the follow-up fallback while the context lives, else to the agent’s', async () => {
    const turn = esSession('f3');
    expect((await turn('blah blah')).intent?.displayName).toBe('Default Fallback Intent');
    await turn('order a ham pizza');
    expect((await turn('blah blah')).intent?.displayName).toBe('order - fallback');
  });
});

describe('ES endInteraction', () => {
  it('is reported on the intent and as end_conversation', async () => {
    const q = await esSession('e1')('goodbye');
    expect(q.intent).toMatchObject({ displayName: 'goodbye', endInteraction: true });
    expect(q.diagnosticInfo?.end_conversation).toBe(true);
    const other = await esSession('e2')('order a ham pizza');
    expect(other.intent?.endInteraction).toBeUndefined();
    expect(other.diagnosticInfo?.end_conversation).toBeUndefined();
  });
});

const phrase = (...parts: (string | [string, string])[]) => ({
  parts: parts.map((p) => (typeof p === 'string' ? { text: p } : { text: p[0], parameterId: p[1] })),
  languageCode: 'en',
}); // prettier-ignore
const cx = files({
  'agent.json': { displayName: 'pizzeria', defaultLanguageCode: 'en', timeZone: 'UTC', startFlow: 'Default Start Flow' },
  'entityTypes/size/size.json': { name: 'size-id', displayName: 'size', kind: 'KIND_MAP' },
  'entityTypes/size/entities/en.json': { entities: [{ value: 'large', synonyms: ['large', 'big'] }, { value: 'small', synonyms: ['small'] }] },
  'entityTypes/topping/topping.json': { name: 'topping-id', displayName: 'topping', kind: 'KIND_MAP' },
  'entityTypes/topping/entities/en.json': { entities: [{ value: 'cheese', synonyms: ['cheese'] }, { value: 'ham', synonyms: ['ham', 'bacon'] }] },
  'entityTypes/pizza/pizza.json': { name: 'pizza-id', displayName: 'pizza', kind: 'KIND_LIST' },
  'entityTypes/pizza/entities/en.json': { entities: [{ value: '@size:size @topping:topping pizza', synonyms: ['@size:size @topping:topping pizza'] }, { value: '@topping:topping pizza', synonyms: ['@topping:topping pizza'] }] },
  'intents/order/order.json': { name: 'order-id', displayName: 'order', parameters: [{ id: 'pizza', entityType: '@pizza' }] },
  'intents/order/trainingPhrases/en.json': { trainingPhrases: [phrase("I'd like a ", ['large cheese pizza', 'pizza']), phrase('order a ', ['ham pizza', 'pizza']), phrase('I want a pizza')] },
  'flows/Default Start Flow/Default Start Flow.json': {
    name: 'start-id',
    displayName: 'Default Start Flow',
    transitionRoutes: [{ intent: 'order', triggerFulfillment: { messages: [{ text: { text: ['A $session.params.pizza.size one.'] }, languageCode: 'en' }] } }],
  },
}); // prettier-ignore

describe('CX composite entities', () => {
  it('fills a parameter with a struct of the parts', async () => {
    const sessions = new CxAgentSessions({ agent: loadAgent('cx', cx), webhookUrl: undefined });
    const r = await sessions.detectIntent({
      session: 'projects/p/locations/global/agents/a/sessions/c1',
      queryInput: { text: { text: 'please order a big bacon pizza' }, languageCode: 'en' },
    });
    const q = r.queryResult as {
      parameters: Record<string, unknown>;
      responseMessages: { text: { text: string[] } }[];
    };
    expect(q.parameters.pizza).toEqual({ size: 'large', topping: 'ham' });
    expect(q.responseMessages.map((m) => m.text.text[0])).toEqual(['A large one.']);
  });
});
