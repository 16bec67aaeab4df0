import { describe, expect, it } from 'vitest';
import { CxAgentSessions } from '@dialogflow-functions/dev/dialogflow-stand-in/cx-session';
import { EsAgentSessions } from '@dialogflow-functions/dev/dialogflow-stand-in/es-session';
import { loadAgent, type AgentFiles } from '@dialogflow-functions/dev/lib/agent/load';

/*
 * Real exports come in older and varied shapes. Agents of our own making, written the way older
 * ES exports and other CX exports write them: they load, what the stand-in cannot run is a
 * warning, and their conversations run (routes into other flows, route groups).
 */

const files = (entries: Record<string, unknown>): AgentFiles =>
  new Map(Object.entries(entries).map(([k, v]) => [k, JSON.stringify(v)]));

// An ES export as Dialogflow wrote them before 2021: no displayName, no webhook, phrases
// without lang or updated, parameters without prompts/required/isList, a context-valued
// parameter with dataType "", entity types without isRegexp or allowFuzzyExtraction.
const oldEs = files({
  'agent.json': { description: '', language: 'en', defaultTimezone: 'Europe/Madrid', mlMinConfidence: 0.2 },
  'package.json': { version: '1.0.0' },
  'intents/order.pizza.json': {
    id: 'i1',
    name: 'order.pizza',
    responses: [
      {
        action: 'order.pizza',
        parameters: [
          { name: 'size', dataType: '@size', value: '$size' },
          { name: 'address', dataType: '', value: '#delivery.address' },
        ],
        messages: [{ type: 0, speech: 'One $size pizza coming up.' }],
      },
    ],
  },
  'intents/order.pizza_usersays_en.json': [
    { data: [{ text: 'I want a ' }, { text: 'large', alias: 'size', meta: '@size' }, { text: ' pizza' }] },
    { data: [{ text: 'order a ' }, { text: 'small', alias: 'size', meta: '@size' }, { text: ' pizza please' }] },
    { data: [{ text: 'can I get a pizza' }] },
  ],
  'intents/Default Fallback Intent.json': { id: 'f', name: 'Default Fallback Intent', fallbackIntent: true, responses: [{ messages: [{ type: 0, speech: 'Sorry?' }] }] },
  'entities/size.json': { name: 'size' },
  'entities/size_entries_en.json': [{ value: 'large', synonyms: ['large', 'big'] }, { value: 'small', synonyms: ['small', 'little'] }],
  'customSmalltalkResponses_en.json': [],
}); // prettier-ignore

const route = (intent: string, extra: Record<string, unknown>) => ({ intent, ...extra });
const say = (text: string) => ({ messages: [{ text: { text: [text] }, languageCode: 'en' }] });
const phrase = (text: string) => ({ parts: [{ text }], languageCode: 'en' });

// A CX export with webhook requestHeaders as a list, a route into another flow that ends back
// in the start flow, a route group, and folders the stand-in does not run.
const cx = files({
  'agent.json': { displayName: 'mine', defaultLanguageCode: 'en', timeZone: 'UTC', startFlow: 'Default Start Flow' },
  'webhooks/hook.json': {
    name: 'w1',
    displayName: 'hook',
    genericWebService: { uri: 'https://example.invalid/', requestHeaders: [{ key: 'x-token', value: 'abc' }] },
  },
  'intents/book/book.json': { name: 'book-id', displayName: 'book' },
  'intents/book/trainingPhrases/en.json': { trainingPhrases: ['book a room', 'I want to book a room', 'reserve a room for me'].map(phrase) },
  'intents/help/help.json': { name: 'help-id', displayName: 'help' },
  'intents/help/trainingPhrases/en.json': { trainingPhrases: ['help', 'I need help', 'can you help me'].map(phrase) },
  'intents/done/done.json': { name: 'done-id', displayName: 'done' },
  'intents/done/trainingPhrases/en.json': { trainingPhrases: ['that is all', 'done', 'I am finished'].map(phrase) },
  'flows/Default Start Flow/Default Start Flow.json': {
    name: 'start-id',
    displayName: 'Default Start Flow',
    transitionRoutes: [route('book', { targetFlow: 'Booking' })],
    transitionRouteGroups: ['Common'],
    eventHandlers: [{ event: 'sys.no-match-default', triggerFulfillment: say('Say that again?') }],
    nluSettings: { classificationThreshold: 0.3 },
  },
  'flows/Default Start Flow/transitionRouteGroups/Common.json': {
    name: 'group-id',
    displayName: 'Common',
    transitionRoutes: [route('help', { triggerFulfillment: say('I can book rooms.') })],
  },
  'flows/Booking/Booking.json': {
    name: 'booking-id',
    displayName: 'Booking',
    transitionRoutes: [{ condition: 'true', targetPage: 'Confirm' }],
  },
  'flows/Booking/pages/Confirm.json': {
    name: 'confirm-id',
    displayName: 'Confirm',
    entryFulfillment: say('Booking a room. Say done when finished.'),
    transitionRoutes: [route('done', { triggerFulfillment: say('Booked.'), targetPage: 'END_FLOW' })],
  },
  'testCases/t1.json': { displayName: 't1' },
  'playbooks/p1/p1.json': { displayName: 'p1' },
}); // prettier-ignore

const texts = (r: Record<string, unknown>) =>
  (
    (r.queryResult as { responseMessages: { text?: { text: string[] } }[] }).responseMessages ?? []
  ).flatMap((m) => m.text?.text ?? []);

describe('an older ES export', () => {
  it('loads with Dialogflow’s defaults and names what it does not run', () => {
    const agent = loadAgent('es', oldEs);
    expect(agent.displayName).toBe('agent');
    expect(agent.webhooks.size).toBe(0);
    expect(agent.classificationThreshold).toBe(0.2);
    const intent = agent.intents.find((i) => i.name === 'order.pizza')!;
    expect(intent.phrases).toHaveLength(3);
    expect(intent.parameters.map((p) => [p.name, p.entityType, p.required, p.isList])).toEqual([
      ['size', 'size', false, false],
      ['address', '', false, false],
    ]);
    expect(agent.entityTypes.get('size')?.kind).toBe('map');
    expect(agent.warnings.join('\n')).toMatch(/customSmalltalkResponses\/ \(1 file\): not run/);
  });

  it('understands it', async () => {
    const sessions = new EsAgentSessions({ agent: loadAgent('es', oldEs), webhookUrl: undefined });
    const r = await sessions.detectIntent({
      session: 'projects/p/agent/sessions/s1',
      queryInput: { text: { text: 'could I have a big pizza', languageCode: 'en' } },
    });
    const q = r.queryResult as Record<string, unknown>;
    expect((q.intent as { displayName: string }).displayName).toBe('order.pizza');
    expect((q.parameters as Record<string, unknown>).size).toBe('large');
  });
});

describe('developer entities: fuzzy extraction and automated expansion', () => {
  const flagged = (flags: Record<string, boolean>) =>
    new Map([...oldEs, ['entities/size.json', JSON.stringify({ name: 'size', ...flags })]]);
  const detect = async (agentFiles: AgentFiles, text: string) => {
    const sessions = new EsAgentSessions({
      agent: loadAgent('es', agentFiles),
      webhookUrl: undefined,
    });
    const r = await sessions.detectIntent({
      session: 'projects/p/agent/sessions/s2',
      queryInput: { text: { text, languageCode: 'en' } },
    });
    return (r.queryResult as { parameters: Record<string, unknown> }).parameters;
  };

  it('takes a near miss of a synonym only where the entity type allows fuzzy extraction', async () => {
    expect((await detect(oldEs, 'I want a larje pizza')).size).toBe('');
    expect(
      (await detect(flagged({ allowFuzzyExtraction: true }), 'I want a larje pizza')).size,
    ).toBe('large');
  });

  it('takes a value outside the list only where the entity type expands automatically', async () => {
    expect((await detect(oldEs, 'I want a medium pizza')).size).toBe('');
    expect(
      (await detect(flagged({ automatedExpansion: true }), 'I want a medium pizza')).size,
    ).toBe('medium');
  });
});

describe('a CX export with more than one flow', () => {
  it('loads: headers given as a list, route groups, and warnings for what it does not run', () => {
    const agent = loadAgent('cx', cx);
    expect(agent.webhooks.get('hook')?.headers).toEqual({ 'x-token': 'abc' });
    expect(agent.flows.get('Default Start Flow')?.routes.map((r) => r.intent)).toEqual([
      'book',
      'help',
    ]);
    const warnings = agent.warnings.join('\n');
    expect(warnings).toMatch(/testCases\/ \(1 file\): not run/);
    expect(warnings).toMatch(/playbooks\/ \(1 file\): not run/);
  });

  it('runs a route into another flow, its pages, and END_FLOW back to the start flow', async () => {
    const sessions = new CxAgentSessions({ agent: loadAgent('cx', cx), webhookUrl: undefined });
    const turn = (text: string) =>
      sessions.detectIntent({
        session: 'projects/p/locations/global/agents/a/sessions/s1',
        queryInput: { text: { text }, languageCode: 'en' },
      });
    const help = await turn('could you help me please');
    expect(texts(help)).toEqual(['I can book rooms.']);
    const book = await turn('please book me a room');
    expect(texts(book)).toEqual(['Booking a room. Say done when finished.']);
    expect((book.queryResult as { currentPage: { name: string } }).currentPage.name).toMatch(
      /\/flows\/booking-id\/pages\/confirm-id$/,
    );
    const done = await turn('ok I am done');
    expect(texts(done)).toEqual(['Booked.']);
    expect(
      (done.queryResult as { currentPage: { displayName: string } }).currentPage.displayName,
    ).toBe('Start Page');
    // Back in the start flow: its routes are in scope again.
    expect(texts(await turn('help'))).toEqual(['I can book rooms.']);
  });
});

describe('what the stand-in does not run is named, never skipped silently', () => {
  const cxFolders = ['playbooks', 'tools', 'testCases', 'generativeSettings', 'generators', 'customSmalltalkResponses', 'dataStores']; // prettier-ignore
  it.each(cxFolders)('CX %s/', (folder) => {
    const withFolder = new Map(cx);
    withFolder.set(`${folder}/x/x.json`, '{}');
    expect(loadAgent('cx', withFolder).warnings.join('\n')).toMatch(new RegExp(`^${folder}/ \\(\\d+ files?\\): not run by the stand-in$`, 'm')); // prettier-ignore
  });

  it('CX excluded phrases of an entity type', () => {
    const withExcluded = new Map(cx);
    withExcluded.set('entityTypes/room/room.json', JSON.stringify({ name: 'room-id', displayName: 'room', kind: 'KIND_MAP' })); // prettier-ignore
    withExcluded.set('entityTypes/room/excludedPhrases/en.json', JSON.stringify({ excludedPhrases: [{ value: 'bed' }] })); // prettier-ignore
    expect(loadAgent('cx', withExcluded).warnings).toContain('entityTypes/room/excludedPhrases/: excluded phrases not applied by the stand-in'); // prettier-ignore
  });

  it('ES small talk, knowledge bases, response messages other than text, conditional responses', () => {
    const es = new Map(oldEs);
    es.set('knowledgeBases/kb.json', '{}');
    es.set('intents/order.pizza.json', JSON.stringify({
      id: 'i1',
      name: 'order.pizza',
      conditionalResponses: [{ condition: 'x' }],
      responses: [{ messages: [{ type: 0, speech: 'ok' }, { type: 4, payload: { x: 1 } }, { type: 'simple_response', platform: 'google' }, { type: 2, platform: 'myspace', replies: ['a'] }] }],
    })); // prettier-ignore
    const warnings = loadAgent('es', es).warnings;
    expect(warnings).toEqual(
      expect.arrayContaining([
        'customSmalltalkResponses/ (1 file): not run by the stand-in',
        'knowledgeBases/ (1 file): not run by the stand-in',
        'intents/order.pizza.json: 2 response messages of type simple_response (google), 2 (myspace) not returned by the stand-in',
        'intents/order.pizza.json: conditional responses not run by the stand-in',
      ]),
    );
  });

  it('ES: a system entity the agent extends loads, its entries matched first', async () => {
    const es = new Map(oldEs);
    es.set('entities/sys.given-name.json', JSON.stringify({ name: 'sys.given-name' }));
    es.set('entities/sys.number-integer.json', JSON.stringify({ name: 'sys.number-integer' }));
    es.set('entities/sys.number-integer_entries_en.json', JSON.stringify([{ value: '12', synonyms: ['a dozen'] }])); // prettier-ignore
    es.set('intents/order.pizza.json', JSON.stringify({
      id: 'i1',
      name: 'order.pizza',
      responses: [{ parameters: [{ name: 'count', dataType: '@sys.number-integer' }], messages: [{ type: 0, speech: 'ok' }] }],
    })); // prettier-ignore
    es.set('intents/order.pizza_usersays_en.json', JSON.stringify([
      { data: [{ text: 'I want ' }, { text: '2', alias: 'count', meta: '@sys.number-integer' }, { text: ' pizzas' }] },
      { data: [{ text: 'order ' }, { text: '3', alias: 'count', meta: '@sys.number-integer' }, { text: ' pizzas please' }] },
    ])); // prettier-ignore
    const agent = loadAgent('es', es);
    expect(agent.entityTypes.get('sys.given-name')).toBeDefined();
    const sessions = new EsAgentSessions({ agent, webhookUrl: undefined });
    const r = await sessions.detectIntent({
      session: 'projects/p/agent/sessions/x1',
      queryInput: { text: { text: 'I want a dozen pizzas', languageCode: 'en' } },
    });
    const q = r.queryResult as { intent: { displayName: string }; parameters: Record<string, unknown> }; // prettier-ignore
    expect(q.intent.displayName).toBe('order.pizza');
    expect(q.parameters.count).toBe(12);
  });
});

describe('ES regexp entities written with ^…$', () => {
  it('bound the mention, not the whole text', async () => {
    const es = new Map(oldEs);
    es.set('entities/pin.json', JSON.stringify({ name: 'pin', isRegexp: true }));
    es.set('entities/pin_entries_en.json', JSON.stringify([{ value: '^(\\s*\\d\\s*){4}$', synonyms: ['^(\\s*\\d\\s*){4}$'] }])); // prettier-ignore
    es.set('intents/pin.json', JSON.stringify({ id: 'p1', name: 'pin', responses: [{ parameters: [{ name: 'pin', dataType: '@pin' }] }] })); // prettier-ignore
    es.set('intents/pin_usersays_en.json', JSON.stringify([
      { data: [{ text: '1234', alias: 'pin', meta: '@pin' }] },
      { data: [{ text: 'my pin is ' }, { text: '9876', alias: 'pin', meta: '@pin' }] },
    ])); // prettier-ignore
    const sessions = new EsAgentSessions({ agent: loadAgent('es', es), webhookUrl: undefined });
    const r = await sessions.detectIntent({
      session: 'projects/p/agent/sessions/pin1',
      queryInput: { text: { text: 'my pin is 4455', languageCode: 'en' } },
    });
    const q = r.queryResult as { intent: { displayName: string }; parameters: Record<string, unknown> }; // prettier-ignore
    expect([q.intent.displayName, q.parameters.pin]).toEqual(['pin', '4455']);
  });
});

describe('an API.AI (v1) export', () => {
  // Phrases (`userSays`) and entries inline in the intent and entity files, the reply in `speech`.
  const v1 = files({
    'agent.json': { language: 'en', defaultTimezone: 'UTC' },
    'intents/add.json': {
      id: 'a1',
      name: 'add.fruit',
      templates: ['Add @fruit:fruit '],
      userSays: [
        { data: [{ text: 'add ' }, { text: 'oranges', alias: 'fruit', meta: '@fruit' }], isTemplate: false, count: 0 },
        { data: [{ text: 'I need ' }, { text: 'apples', alias: 'fruit', meta: '@fruit' }], isTemplate: false, count: 0 },
      ],
      responses: [{ parameters: [{ name: 'fruit', dataType: '@fruit', value: '$fruit' }], speech: 'Added $fruit.' }],
    },
    'entities/fruit.json': { name: 'fruit', isEnum: false, entries: [{ value: 'orange', synonyms: ['orange', 'oranges'] }, { value: 'apple', synonyms: ['apple', 'apples'] }] },
  }); // prettier-ignore

  it('loads and understands', async () => {
    const agent = loadAgent('es', v1);
    expect(agent.intents[0]?.phrases).toHaveLength(2);
    expect(agent.intents[0]?.replies).toEqual({ en: ['Added $fruit.'] });
    const r = await new EsAgentSessions({ agent, webhookUrl: undefined }).detectIntent({
      session: 'projects/p/agent/sessions/v1',
      queryInput: { text: { text: 'please add apples', languageCode: 'en' } },
    });
    const q = r.queryResult as { intent: { displayName: string }; parameters: Record<string, unknown> }; // prettier-ignore
    expect([q.intent.displayName, q.parameters.fruit]).toEqual(['add.fruit', 'apple']);
  });
});

describe('ES static replies', () => {
  it('fill in $param, $param.original and #context.param as ES does', async () => {
    const es = new Map(oldEs);
    es.set('intents/order.pizza.json', JSON.stringify({
      id: 'i1',
      name: 'order.pizza',
      responses: [{
        parameters: [{ name: 'size', dataType: '@size', value: '$size' }],
        affectedContexts: [{ name: 'order', lifespan: 2 }],
        messages: [{ type: 0, speech: 'One $size pizza (you said "$size.original"), $missing stays. #order.size!' }],
      }],
    })); // prettier-ignore
    const sessions = new EsAgentSessions({ agent: loadAgent('es', es), webhookUrl: undefined });
    const r = await sessions.detectIntent({
      session: 'projects/p/agent/sessions/r1',
      queryInput: { text: { text: 'I want a big pizza', languageCode: 'en' } },
    });
    expect((r.queryResult as { fulfillmentText: string }).fulfillmentText).toBe(
      'One large pizza (you said "big"), $missing stays. large!',
    );
  });
});

describe('ES response messages other than text', () => {
  it('are returned as v2 messages, with their platform', async () => {
    const es = new Map(oldEs);
    es.set('intents/order.pizza.json', JSON.stringify({
      id: 'i1',
      name: 'order.pizza',
      responses: [{
        parameters: [{ name: 'size', dataType: '@size', value: '$size' }],
        messages: [
          { type: 0, speech: ['A $size pizza.', 'One $size pizza.'] },
          { type: 2, title: 'More?', replies: ['Yes', 'No'] },
          { type: 1, platform: 'line', title: 'Pizza', subtitle: '$size', imageUrl: 'https://example.invalid/p.png', buttons: [{ text: 'Menu', postback: 'menu' }] },
          { type: 3, platform: 'slack', imageUrl: 'https://example.invalid/p.png' },
          { type: 4, payload: { custom: true } },
          { type: 0, platform: 'telegram', speech: 'Telegram $size' },
        ],
      }],
    })); // prettier-ignore
    const r = await new EsAgentSessions({ agent: loadAgent('es', es), webhookUrl: undefined }).detectIntent({
      session: 'projects/p/agent/sessions/m1',
      queryInput: { text: { text: 'I want a big pizza', languageCode: 'en' } },
    }); // prettier-ignore
    const q = r.queryResult as { fulfillmentText: string; fulfillmentMessages: unknown[] };
    expect(q.fulfillmentText).toBe('A large pizza.');
    expect(q.fulfillmentMessages).toEqual([
      { text: { text: ['A large pizza.'] } },
      { quickReplies: { title: 'More?', quickReplies: ['Yes', 'No'] } },
      { card: { title: 'Pizza', subtitle: 'large', imageUri: 'https://example.invalid/p.png', buttons: [{ text: 'Menu', postback: 'menu' }] }, platform: 'LINE' },
      { image: { imageUri: 'https://example.invalid/p.png' }, platform: 'SLACK' },
      { payload: { custom: true } },
      { text: { text: ['Telegram large'] }, platform: 'TELEGRAM' },
    ]); // prettier-ignore
  });
});
