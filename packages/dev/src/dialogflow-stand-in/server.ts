import { createRequire } from 'node:module';
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import type protobuf from 'protobufjs';
import type { AgentModel } from '../lib/agent/model';
import { CxAgentSessions, type CxDetectRequest } from './cx-session';
import { EsAgentSessions, type EsDetectRequest } from './es-session';
import { jsonToMessage, messageToJson, protoRoot } from './proto-json';
import { trainClassifier } from './understand';
import type { JsonObject } from './values';

/*
 * The local Dialogflow: google.cloud.dialogflow.v2.Sessions/DetectIntent and
 * google.cloud.dialogflow.cx.v3.Sessions/DetectIntent on one gRPC port, from the protos the
 * client packages ship. Other methods answer UNIMPLEMENTED.
 */

const require = createRequire(__filename);

const LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
};

function sessionsService(
  pkg: '@google-cloud/dialogflow' | '@google-cloud/dialogflow-cx',
  service: string,
): ServiceDefinition {
  const json = require(`${pkg}/build/protos/protos.json`) as object;
  return fromJSON(json, LOADER_OPTIONS)[service] as ServiceDefinition;
}

export interface StandInOptions {
  es: AgentModel;
  cx: AgentModel;
  /** The webhook every agent calls (instead of the URL in the agent files). */
  webhookUrl: string;
  webhookHeaders?: Record<string, string>;
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** One line per turn (intent, page, webhook status), e.g. to print. */
  onTurn?: (line: string) => void;
}

export interface RunningStandIn {
  /** host:port, for DIALOGFLOW_EMULATOR_HOST. */
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** A request the sessions cannot take (bad session name, no input). */
class BadRequest extends Error {}

function checkSession(session: unknown, pattern: RegExp, example: string): string {
  if (typeof session !== 'string' || !pattern.test(session)) {
    throw new BadRequest(`session must look like ${example}, got ${JSON.stringify(session)}`);
  }
  return session;
}

const ES_SESSION =
  /^projects\/[^/]+\/(locations\/[^/]+\/)?agent\/(environments\/[^/]+\/users\/[^/]+\/)?sessions\/[^/]+$/;
const CX_SESSION =
  /^projects\/[^/]+\/locations\/[^/]+\/agents\/[^/]+\/(environments\/[^/]+\/)?sessions\/[^/]+$/;

export async function startDialogflowStandIn(options: StandInOptions): Promise<RunningStandIn> {
  // Ready means understanding: train both classifiers before the first query can arrive.
  await Promise.all([trainClassifier(options.es), trainClassifier(options.cx)]);
  const es = new EsAgentSessions({
    agent: options.es,
    webhookUrl: options.webhookUrl,
    webhookHeaders: options.webhookHeaders,
  });
  const cx = new CxAgentSessions({
    agent: options.cx,
    webhookUrl: options.webhookUrl,
    webhookHeaders: options.webhookHeaders,
  });
  const esRoot = protoRoot('@google-cloud/dialogflow');
  const cxRoot = protoRoot('@google-cloud/dialogflow-cx');

  const detect =
    (
      root: protobuf.Root,
      prefix: string,
      run: (request: JsonObject) => Promise<JsonObject>,
      describe: (response: JsonObject) => string,
    ) =>
    (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const requestType = root.lookupType(`${prefix}.DetectIntentRequest`);
      const responseType = root.lookupType(`${prefix}.DetectIntentResponse`);
      const request = messageToJson(requestType, call.request) as JsonObject;
      run(request).then(
        (response) => {
          options.onTurn?.(describe(response));
          callback(null, jsonToMessage(responseType, response));
        },
        (err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          if (err instanceof BadRequest)
            callback({ code: status.INVALID_ARGUMENT, details: message });
          else {
            options.onTurn?.(`error: ${message}`);
            callback({ code: status.INTERNAL, details: message });
          }
        },
      );
    };

  const esImpl: UntypedServiceImplementation = {
    DetectIntent: detect(
      esRoot,
      'google.cloud.dialogflow.v2',
      async (r) => {
        const session = checkSession(r.session, ES_SESSION, 'projects/P/agent/sessions/S');
        const input = (r.queryInput ?? {}) as EsDetectRequest['queryInput'];
        if (!input.text?.text && !input.event?.name) {
          throw new BadRequest('queryInput needs text or event (audio is not supported here)');
        }
        return es.detectIntent({ ...(r as unknown as EsDetectRequest), session });
      },
      (res) => {
        const q = (res.queryResult ?? {}) as JsonObject;
        const intent = (q.intent as JsonObject | undefined)?.displayName ?? '(none)';
        const hook = res.webhookStatus as JsonObject | undefined;
        return `ES ${JSON.stringify(q.queryText)} → ${String(intent)}${hook ? ` (webhook ${String(hook.code ?? 0)})` : ''}`;
      },
    ),
  };
  const cxImpl: UntypedServiceImplementation = {
    DetectIntent: detect(
      cxRoot,
      'google.cloud.dialogflow.cx.v3',
      async (r) => {
        const session = checkSession(
          r.session,
          CX_SESSION,
          'projects/P/locations/L/agents/A/sessions/S',
        );
        const input = (r.queryInput ?? {}) as CxDetectRequest['queryInput'];
        if (!input.text?.text && !input.event?.event) {
          throw new BadRequest(
            'queryInput needs text or event (audio, DTMF and intent input are not supported here)',
          );
        }
        return cx.detectIntent({ ...(r as unknown as CxDetectRequest), session });
      },
      (res) => {
        const q = (res.queryResult ?? {}) as JsonObject;
        const match = (q.match ?? {}) as JsonObject;
        const intent = (match.intent as JsonObject | undefined)?.displayName ?? match.matchType;
        const page = (q.currentPage as JsonObject | undefined)?.displayName;
        const hooks = (q.webhookStatuses as JsonObject[] | undefined) ?? [];
        return `CX ${JSON.stringify(q.text ?? q.triggerEvent)} → ${String(intent)} @ ${String(page)}${hooks.length ? ` (webhooks ${hooks.map((h) => String(h.code ?? 0)).join(',')})` : ''}`;
      },
    ),
  };

  const server = new Server();
  server.addService(
    sessionsService('@google-cloud/dialogflow', 'google.cloud.dialogflow.v2.Sessions'),
    esImpl,
  );
  server.addService(
    sessionsService('@google-cloud/dialogflow-cx', 'google.cloud.dialogflow.cx.v3.Sessions'),
    cxImpl,
  );
  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port ?? 0}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
  });
  return {
    host: `${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Calls still open after a second (a webhook that hangs) are cut.
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
}
