import { describe, expect, it } from 'vitest';
import { sessionsClientOptions } from '../src/chat/detect';

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
