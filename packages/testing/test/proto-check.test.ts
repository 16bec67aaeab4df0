import { describe, expect, it } from 'vitest';
import { protoErrors } from '../src/proto-check';

describe('strict proto checker', () => {
  const good: [string, 'es' | 'cx', unknown][] = [
    ['ES text', 'es', { fulfillmentText: 'hi', fulfillmentMessages: [{ text: { text: ['hi'] } }] }],
    [
      'ES platform quick replies and payload',
      'es',
      {
        fulfillmentMessages: [
          { platform: 'LINE', payload: { line: { type: 'text', text: 'x' } } },
          { platform: 'SLACK', quickReplies: { title: 't', quickReplies: ['a'] } },
        ],
        outputContexts: [
          {
            name: 'projects/p/agent/sessions/s/contexts/c',
            lifespanCount: 5,
            parameters: { a: null },
          },
        ],
      },
    ],
    ['ES snake_case field names', 'es', { fulfillment_text: 'hi', output_contexts: [] }],
    ['ES enum by number', 'es', { fulfillmentMessages: [{ platform: 6, text: { text: ['x'] } }] }],
    [
      'CX text, chips, session parameters, form',
      'cx',
      {
        fulfillmentResponse: {
          messages: [
            { text: { text: ['a'] } },
            { payload: { richContent: [[{ type: 'chips' }]] } },
          ],
          mergeBehavior: 'APPEND',
        },
        sessionInfo: { parameters: { job_id: 'x', gone: null } },
        pageInfo: { formInfo: { parameterInfo: [{ displayName: 'order_id', state: 'INVALID' }] } },
        targetPage: 'projects/p/locations/l/agents/a/flows/f/pages/p',
      },
    ],
  ];
  it.each(good)('accepts %s', (_name, edition, json) => {
    expect(protoErrors(edition, json)).toEqual([]);
  });

  const bad: [string, 'es' | 'cx', unknown, RegExp][] = [
    [
      'an unknown top-level field',
      'es',
      { fulfillmentText: 'a', speech: 'a' },
      /Cannot find field "speech"/,
    ],
    [
      'an unknown nested field',
      'es',
      { fulfillmentMessages: [{ text: { text: ['a'], lang: 'en' } }] },
      /Cannot find field "lang"/,
    ],
    [
      'a string where a list belongs',
      'es',
      { fulfillmentMessages: [{ text: { text: 'a' } }] },
      /must be an array/,
    ],
    ['a number where a string belongs', 'es', { fulfillmentText: 5 }, /expected a string/],
    [
      'a bad enum name',
      'es',
      { fulfillmentMessages: [{ platform: 'WHATSAPP', text: { text: ['a'] } }] },
      /not a value of enum/,
    ],
    [
      'two members of the message oneof',
      'es',
      { fulfillmentMessages: [{ text: { text: ['a'] }, payload: {} }] },
      /oneof message/,
    ],
    [
      'a non-integer lifespan',
      'es',
      { outputContexts: [{ name: 'n', lifespanCount: 1.5 }] },
      /integer/,
    ],
    ['a Struct that is an array', 'es', { payload: [] }, /Struct must be a JSON object/],
    ['null for a string', 'es', { fulfillmentText: null }, /null is not allowed/],
    ['a root that is not an object', 'es', 'hello', /must be a JSON object/],
    [
      'ES fields in a CX response',
      'cx',
      { fulfillmentText: 'a' },
      /Cannot find field "fulfillmentText"/,
    ],
    ['both transition targets', 'cx', { targetPage: 'a', targetFlow: 'b' }, /oneof transition/],
    [
      'a bad parameter state',
      'cx',
      { pageInfo: { formInfo: { parameterInfo: [{ displayName: 'x', state: 'WRONG' }] } } },
      /not a value of enum/,
    ],
    [
      'a bad merge behavior',
      'cx',
      { fulfillmentResponse: { messages: [], mergeBehavior: 'MERGE' } },
      /not a value of enum/,
    ],
  ];
  it.each(bad)('rejects %s', (_name, edition, json, pattern) => {
    const errors = protoErrors(edition, json);
    expect(errors.join('\n')).toMatch(pattern);
  });
});
