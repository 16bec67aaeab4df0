import { expectTypeOf } from 'vitest';
import type { protos as esProtos, v2 } from '@google-cloud/dialogflow';
import type { protos as cxProtos, v3 } from '@google-cloud/dialogflow-cx';
import type {
  CxQueryInput,
  CxSessionsClient,
  EsQueryInput,
  EsSessionsClient,
} from '../../src/chat/detect';

/*
 * The types core writes out for the official SessionsClient (src/chat/detect.ts, so that no
 * program over core's sources parses the clients' 13 MB of proto declarations) hold for the
 * clients themselves and their requests. Type-checked, never run: `npm run typecheck:clients`
 * (part of `npm run lint` and of `npm test`'s checks), a program of its own with the clients'
 * declarations, so that `npm run typecheck` does without them.
 */

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
