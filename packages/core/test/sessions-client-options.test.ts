import { describe, expect, expectTypeOf, it } from 'vitest';
import { v2, type protos as esProtos } from '@google-cloud/dialogflow';
import { v3, type protos as cxProtos } from '@google-cloud/dialogflow-cx';
import {
  createSessionsClient,
  sessionsClientOptions,
  type CxQueryInput,
  type CxSessionsClient,
  type EsQueryInput,
  type EsSessionsClient,
} from '../src/chat/detect';

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
  // The types core writes out for the clients (so that its programs need not parse the clients'
  // declarations) hold for the official ones: checked by `npm run typecheck`, which type-checks
  // this file against the packages' own declarations.
  type EsRequest = esProtos.google.cloud.dialogflow.v2.IDetectIntentRequest;
  type CxRequest = cxProtos.google.cloud.dialogflow.cx.v3.IDetectIntentRequest;
  expectTypeOf<InstanceType<typeof v2.SessionsClient>>().toExtend<EsSessionsClient>();
  expectTypeOf<InstanceType<typeof v3.SessionsClient>>().toExtend<CxSessionsClient>();
  expectTypeOf<{ session: string; queryInput: EsQueryInput }>().toExtend<EsRequest>();
  expectTypeOf<{ session: string; queryInput: CxQueryInput }>().toExtend<CxRequest>();
  expectTypeOf<Required<EsQueryInput>>().toExtend<
    Pick<esProtos.google.cloud.dialogflow.v2.IQueryInput, 'text' | 'event'>
  >();
  expectTypeOf<Required<CxQueryInput>>().toExtend<
    Pick<cxProtos.google.cloud.dialogflow.cx.v3.IQueryInput, 'text' | 'event' | 'languageCode'>
  >();

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
