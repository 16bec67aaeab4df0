import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createSessionsClient, sessionsClientOptions } from '../src/chat/detect';

/*
 * The Dialogflow SessionsClient options the chat function and `dff detect`/`converse` share: a
 * local stand-in over insecure gRPC, or Google's (regional) endpoint.
 */

describe('sessionsClientOptions', () => {
  it.each([
    ['127.0.0.1:8130', '127.0.0.1', 8130],
    ['localhost:9000', 'localhost', 9000],
    ['[::1]:8130', '::1', 8130],
  ])(
    'an emulator host %s: that server, insecure, without Google auth',
    async (host, path, port) => {
      const options = await sessionsClientOptions({ emulatorHost: host }, 'europe-west1');
      expect(options).toMatchObject({
        servicePath: path,
        port,
        universeDomain: 'googleapis.com',
        fallback: false,
      });
      expect(options.apiEndpoint).toBeUndefined();
      expect((options.sslCreds as { _isSecure(): boolean })._isSecure()).toBe(false);
    },
  );

  it.each([
    ['europe-west1', { apiEndpoint: 'europe-west1-dialogflow.googleapis.com' }],
    ['global', {}],
    [undefined, {}],
  ])('no emulator, location %s: Google’s endpoint for it', async (location, expected) => {
    expect(await sessionsClientOptions({ emulatorHost: undefined }, location)).toEqual(expected);
  });

  it.each(['127.0.0.1', ':8130', '127.0.0.1:port'])(
    'refuses the emulator host %j, naming it',
    async (host) => {
      await expect(sessionsClientOptions({ emulatorHost: host }, undefined)).rejects.toThrow(
        `DIALOGFLOW_EMULATOR_HOST must be host:port, got ${host}`,
      );
    },
  );
});

describe('createSessionsClient', () => {
  // The official clients, loaded without their declarations (as createSessionsClient does; the
  // written-out types are checked against theirs by test/types/sessions-client.ts).
  type Official = new (...args: never[]) => object;
  const load = createRequire(__filename);
  const { v2 } = load('@google-cloud/dialogflow') as { v2: { SessionsClient: Official } };
  const { v3 } = load('@google-cloud/dialogflow-cx') as { v3: { SessionsClient: Official } };

  it.each([
    ['es', v2.SessionsClient],
    ['cx', v3.SessionsClient],
  ] as const)(
    '%s: the official SessionsClient, with the options given',
    async (edition, official) => {
      const options = await sessionsClientOptions({ emulatorHost: '127.0.0.1:9' }, undefined);
      const client = await createSessionsClient(edition, options);
      try {
        expect(client).toBeInstanceOf(official);
        // Its options are the ones given (the emulator's host, not Google's endpoint).
        const opts = (client as unknown as { _opts: { servicePath?: string; port?: number } })
          ._opts;
        expect({ servicePath: opts.servicePath, port: opts.port }).toEqual({
          servicePath: '127.0.0.1',
          port: 9,
        });
      } finally {
        await client.close();
      }
    },
  );
});
