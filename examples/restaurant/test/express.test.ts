import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotWebhook } from '@dialogflow-functions/core/webhook';
import bot from '../bot';
import { createLogger } from '@dialogflow-functions/core/logger';
import { messagesFor } from '../src/messages';
import { esRequest, cxRequest } from '@dialogflow-functions/testing/requests';
import { textOf } from '@dialogflow-functions/testing/replies';
import { listen, post, testConfig, type Running } from './helpers/servers';

/* The self-hosted variant of the original tutorial: the handler mounted in a user's Express app. */
describe.each([
  ['express.json()', express.json({ limit: '2mb' })],
  ['express.raw()', express.raw({ type: '*/*', limit: '2mb' })],
  ['express.text()', express.text({ type: '*/*', limit: '2mb' })],
  ['no body parser', undefined],
] as const)('mounted in Express with %s', (_name, parser) => {
  let server: Running;
  beforeAll(async () => {
    const app = express();
    const handler = createBotWebhook(bot, testConfig(), {
      logger: createLogger({ sink: () => {} }),
    });
    if (parser) app.post('/dialogflow', parser, handler);
    else app.post('/dialogflow', handler);
    server = await listen(app.listen(0, '127.0.0.1'));
  });
  afterAll(() => server.close());

  it('answers ES and CX', async () => {
    const es = await post(
      `${server.url}dialogflow`,
      esRequest({ name: 'Default Welcome Intent', languageCode: 'zh-TW' }),
    );
    expect(textOf('es', es.body)).toBe(messagesFor('zh-TW').welcome);
    const cx = await post(`${server.url}dialogflow`, cxRequest({ name: 'welcome' }));
    expect(textOf('cx', cx.body)).toBe(messagesFor('en').welcome);
  });

  it('refuses bad input with its 4xx', async () => {
    expect((await post(`${server.url}dialogflow`, { hello: 1 })).status).toBe(400);
    expect(
      (
        await post(`${server.url}dialogflow`, {
          queryResult: { queryText: 'x'.repeat(1024 * 1024 + 1) },
        })
      ).status,
    ).toBe(413);
    const broken = await post(`${server.url}dialogflow`, '{"queryResult":');
    expect(broken.status).toBe(400);
  });
});
