import type { ClientOptions } from 'google-gax';
import { turnFromCx, turnFromEs, type ChatTurn } from './from-response';

/*
 * DetectIntent for the chat function, on the official clients (@google-cloud/dialogflow v2,
 * @google-cloud/dialogflow-cx v3): the real agent with the function's own identity
 * (Application Default Credentials), or a local gRPC stand-in with insecure credentials when
 * an emulator host is given. The same agent resolution as `npm run detect`
 * (@dialogflow-functions/dev's lib/dialogflow-client.ts, which takes its client options from
 * here), kept here because a deployed function needs only core. The client is created on first use and kept: its import costs a cold start.
 */

export type Edition = 'es' | 'cx';

export interface DetectTarget {
  /** ES: a project id or `projects/P[/locations/L]/agent`; CX: `projects/P/locations/L/agents/A`. */
  agent: string | undefined;
  /** host:port of a local gRPC server (DIALOGFLOW_EMULATOR_HOST). */
  emulatorHost: string | undefined;
  /** The project for local sessions when no agent is named. */
  localProject: string;
}

/** One turn to ask. */
export interface ChatQuery {
  /** The Dialogflow session id (from the verified token). */
  sessionId: string;
  text?: string;
  event?: string;
  languageCode: string;
  /** The time left for the call; the call is cancelled after it. */
  timeoutMs: number;
}

/** Runs one turn; rejects when Dialogflow fails or the time runs out. */
export interface DetectIntent {
  readonly edition: Edition;
  detect(query: ChatQuery): Promise<ChatTurn>;
  /** Creates the client now (its import takes a cold instance hundreds of ms or more). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

const CX_AGENT = /^projects\/[a-z][a-z0-9-]{4,29}\/locations\/([a-z0-9-]+)\/agents\/[A-Za-z0-9-]+$/;
const ES_AGENT = /^projects\/[a-z][a-z0-9-]{4,29}(?:\/locations\/([a-z0-9-]+))?\/agent$/;

/** The edition DIALOGFLOW_AGENT names: a CX agent path is CX, anything else ES. */
export function editionOf(agent: string | undefined): Edition {
  return agent !== undefined && CX_AGENT.test(agent) ? 'cx' : 'es';
}

/** The agent path and its region, as `npm run detect` resolves them. */
export function agentPathOf(
  edition: Edition,
  target: DetectTarget,
): { agentPath: string; location: string | undefined } {
  const agent = target.agent;
  if (edition === 'cx') {
    const m = agent?.match(CX_AGENT);
    if (agent && m) return { agentPath: agent, location: m[1] };
    if (agent) throw new Error(`DIALOGFLOW_AGENT=${agent} is not a CX agent path`);
    return {
      agentPath: `projects/${target.localProject}/locations/global/agents/demo`,
      location: 'global',
    };
  }
  if (!agent) return { agentPath: `projects/${target.localProject}/agent`, location: undefined };
  if (/^[a-z][a-z0-9-]{4,29}$/.test(agent)) {
    return { agentPath: `projects/${agent}/agent`, location: undefined };
  }
  const m = agent.match(ES_AGENT);
  if (m) return { agentPath: agent, location: m[1] };
  throw new Error(`DIALOGFLOW_AGENT=${agent} is not an ES agent`);
}

/**
 * The options of a Dialogflow SessionsClient (ES v2 or CX v3) for a target: with an emulator
 * host (`DIALOGFLOW_EMULATOR_HOST`, `host:port` or `[ipv6]:port`), that local gRPC server with
 * insecure credentials and no Google auth; else Google's endpoint, the region's for a regional
 * agent. The chat function's and `dff detect`/`converse`'s clients are built from these.
 */
export async function sessionsClientOptions(
  target: { emulatorHost: string | undefined },
  location: string | undefined,
): Promise<ClientOptions> {
  if (target.emulatorHost) {
    const { grpc } = await import('google-gax');
    const m = target.emulatorHost.match(/^\[?([^\]]+)\]?:(\d+)$/);
    if (!m) {
      throw new Error(`DIALOGFLOW_EMULATOR_HOST must be host:port, got ${target.emulatorHost}`);
    }
    return {
      servicePath: m[1],
      port: Number(m[2]),
      sslCreds: grpc.credentials.createInsecure(),
      universeDomain: 'googleapis.com',
      fallback: false,
    };
  }
  // Regional agents are served by their region's endpoint.
  return location && location !== 'global'
    ? { apiEndpoint: `${location}-dialogflow.googleapis.com` }
    : {};
}

/** The text or event of one DetectIntent, as the v2 API takes it (`queryInput`). */
export interface EsQueryInput {
  text?: { text: string; languageCode: string };
  event?: { name: string; languageCode: string };
}

/** The text or event of one DetectIntent, as the v3 API takes it (`queryInput`). */
export interface CxQueryInput {
  text?: { text: string };
  event?: { event: string };
  languageCode: string;
}

/**
 * What the chat function and `dff detect` use of the official SessionsClient of an edition
 * (@google-cloud/dialogflow v2, @google-cloud/dialogflow-cx v3): one DetectIntent, and close.
 * Written out here rather than taken from the packages' declarations, which hold every message
 * of their APIs (13 MB of protos.d.ts in all) that every program over core's sources would then
 * parse; test/types/sessions-client.ts checks the official clients and their request types
 * against these.
 */
export interface SessionsClient<QueryInput> {
  // A property, not a method: its parameters are then checked strictly (not both ways) against
  // the official clients' (test/types/sessions-client.ts).
  detectIntent: (
    request: { session: string; queryInput: QueryInput; queryParams?: { payload?: object } },
    options: { timeout: number; maxRetries?: number },
  ) => Promise<[unknown, ...unknown[]]>;
  close(): Promise<void>;
}

export type EsSessionsClient = SessionsClient<EsQueryInput>;
export type CxSessionsClient = SessionsClient<CxQueryInput>;

/** The packages of the official clients, by edition. */
const CLIENT_PACKAGES = { es: '@google-cloud/dialogflow', cx: '@google-cloud/dialogflow-cx' };

/**
 * An official SessionsClient for `edition` with these options, its package imported now (not
 * before: it costs a cold start hundreds of ms). (The specifier is a variable so that TypeScript
 * does not load the package's declarations: see SessionsClient.)
 */
export async function createSessionsClient(
  edition: 'es',
  options: ClientOptions,
): Promise<EsSessionsClient>;
export async function createSessionsClient(
  edition: 'cx',
  options: ClientOptions,
): Promise<CxSessionsClient>;
export async function createSessionsClient(
  edition: Edition,
  options: ClientOptions,
): Promise<EsSessionsClient | CxSessionsClient>;
export async function createSessionsClient(
  edition: Edition,
  options: ClientOptions,
): Promise<EsSessionsClient | CxSessionsClient> {
  const specifier: string = CLIENT_PACKAGES[edition];
  const version = edition === 'es' ? 'v2' : 'v3';
  const library = (await import(specifier)) as Record<
    string,
    { SessionsClient: new (options: ClientOptions) => EsSessionsClient | CxSessionsClient }
  >;
  return new library[version]!.SessionsClient(options);
}

/** A DetectIntent for `edition` on `target` (the client is created on the first turn). */
export function createDetectIntent(edition: Edition, target: DetectTarget): DetectIntent {
  const { agentPath, location } = agentPathOf(edition, target);
  let client: Promise<EsSessionsClient | CxSessionsClient> | undefined;
  const sessions = () => {
    client ??= sessionsClientOptions(target, location).then((options) =>
      createSessionsClient(edition, options),
    );
    // A failed creation is tried again on the next turn.
    client.catch(() => (client = undefined));
    return client;
  };

  return {
    edition,
    async detect(query) {
      const session = `${agentPath}/sessions/${query.sessionId}`;
      const c = await sessions();
      // One attempt within the time left: the chat answers politely rather than retry late.
      const callOptions = { timeout: Math.max(1, query.timeoutMs), maxRetries: 0 };
      if (edition === 'es') {
        const queryInput =
          query.text !== undefined
            ? { text: { text: query.text, languageCode: query.languageCode } }
            : { event: { name: query.event ?? '', languageCode: query.languageCode } };
        const [response] = await (c as EsSessionsClient).detectIntent(
          { session, queryInput },
          callOptions,
        );
        return turnFromEs(response);
      }
      const queryInput =
        query.text !== undefined
          ? { text: { text: query.text }, languageCode: query.languageCode }
          : { event: { event: query.event ?? '' }, languageCode: query.languageCode };
      const [response] = await (c as CxSessionsClient).detectIntent(
        { session, queryInput },
        callOptions,
      );
      return turnFromCx(response);
    },
    async warm() {
      await sessions();
    },
    async close() {
      if (client) await (await client.catch(() => undefined))?.close();
    },
  };
}
