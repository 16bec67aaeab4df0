import { randomUUID } from 'node:crypto';
import {
  agentLanguage,
  type AgentModel,
  type CxEventHandler,
  type CxFlow,
  type CxFulfillment,
  type CxPage,
  type CxRoute,
} from '../lib/agent/model';
import {
  evaluateCondition,
  fillMessage,
  fillTemplate,
  UnsupportedConditionError,
  type ConditionScope,
} from './condition';
import { zonedNow, type ZonedNow } from './entities';
import type { IntentMatch } from './match';
import { SessionStore } from './sessions';
import { explain, extractSlot, understand, type Understanding } from './understand';
import { cxValue, type Json, type JsonObject } from './values';
import { callWebhook, type WebhookStatus } from './webhook';

/*
 * Dialogflow CX's side of a conversation, for the stand-in: intent routes of the current page
 * and of the flow, form filling with the pages' prompts, condition routes, entry fulfillment,
 * event handlers (sys.no-match-default, sys.invalid-parameter, webhook.error), the webhook
 * call with a real google.cloud.dialogflow.cx.v3.WebhookRequest and the merge of its
 * WebhookResponse (messages, session parameters, form parameter state, target page).
 */

/** A v3 DetectIntentRequest, in proto3 JSON. */
export interface CxDetectRequest {
  session: string;
  queryParams?: { parameters?: JsonObject; payload?: JsonObject };
  queryInput: {
    text?: { text: string };
    event?: { event: string };
    languageCode: string;
  };
}

interface CxSessionState {
  /** Current flow display name; undefined in the start flow. */
  flow: string | undefined;
  /** The flows (and their pages) that transitioned into the current one: END_FLOW goes back. */
  callers: { flow: string; page: string | undefined; flowParams: JsonObject }[];
  /** Current page display name; undefined on the flow's start page. */
  page: string | undefined;
  previousPage: string | undefined;
  params: JsonObject;
  /** The current flow's own parameters (`$flow.x`), dropped when the flow ends. */
  flowParams: JsonObject;
  /** The form parameter the last prompt asked for. */
  prompted: string | undefined;
  justCollected: Set<string>;
  invalid: Set<string>;
}

export interface CxSessionOptions {
  agent: AgentModel;
  /** Overrides the URL of every webhook resource (the export's is the deployed function). */
  webhookUrl: string | undefined;
  webhookHeaders?: Record<string, string>;
}

const START_PAGE = 'START_PAGE';
const SYMBOLIC: Record<string, string> = {
  'Start Page': START_PAGE,
  'End Flow': 'END_FLOW',
  'End Session': 'END_SESSION',
  'Current Page': 'CURRENT_PAGE',
  'Previous Page': 'PREVIOUS_PAGE',
};
const MAX_TRANSITIONS = 30;

/** What one detectIntent call accumulates while it runs the agent. */
interface Turn {
  request: CxDetectRequest;
  state: CxSessionState;
  flow: CxFlow;
  agentPath: string;
  responseId: string;
  language: string;
  now: ZonedNow;
  messages: Json[];
  webhookStatuses: WebhookStatus[];
  webhookPayloads: Json[];
  webhookLatencyMs: number;
  intent: IntentMatch | undefined;
  why: Understanding | undefined;
  transitions: number;
  ended: boolean;
}

type FulfillmentOutcome =
  | { kind: 'done'; targetPage?: string; targetFlow?: string }
  | { kind: 'webhook-error' }
  | { kind: 'invalidated' };

/** `projects/P/locations/L/agents/A` of a session path. */
function agentPathOf(session: string): string {
  return session.match(/^(projects\/[^/]+\/locations\/[^/]+\/agents\/[^/]+)\//)?.[1] ?? session;
}

const filled = (v: Json | undefined) =>
  v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

/** Where a parameter named in the export lives: `$flow.x` in the flow's, anything else in the session's. */
function slot(state: CxSessionState, name: string): [JsonObject, string] {
  const flow = /^\$flow\.(.+)$/.exec(name);
  if (flow) return [state.flowParams, flow[1] as string];
  const session = /^\$session\.params\.(.+)$/.exec(name);
  return [state.params, session ? (session[1] as string) : name];
}
const getParam = (state: CxSessionState, name: string): Json | undefined => {
  const [scope, key] = slot(state, name);
  return scope[key];
};
function setParam(state: CxSessionState, name: string, value: Json | undefined): void {
  const [scope, key] = slot(state, name);
  if (value === null || value === undefined) delete scope[key];
  else scope[key] = value;
}

export class CxAgentSessions {
  private readonly sessions = new SessionStore<CxSessionState>(() => ({
    flow: undefined,
    callers: [],
    page: undefined,
    previousPage: undefined,
    params: {},
    flowParams: {},
    prompted: undefined,
    justCollected: new Set(),
    invalid: new Set(),
  }));

  constructor(private readonly options: CxSessionOptions) {}

  get agent(): AgentModel {
    return this.options.agent;
  }

  async detectIntent(request: CxDetectRequest): Promise<JsonObject> {
    const agent = this.agent;
    const state = this.sessions.get(request.session);
    const flow = (agent.flows.get(state.flow ?? '') ??
      agent.flows.get(agent.startFlow ?? '')) as CxFlow;
    Object.assign(state.params, request.queryParams?.parameters ?? {});
    for (const [k, v] of Object.entries(state.params)) if (v === null) delete state.params[k];
    const turn: Turn = {
      request,
      state,
      flow,
      agentPath: agentPathOf(request.session),
      responseId: randomUUID(),
      language: agentLanguage(agent, request.queryInput.languageCode),
      now: zonedNow(agent.timeZone),
      messages: [],
      webhookStatuses: [],
      webhookPayloads: [],
      webhookLatencyMs: 0,
      intent: undefined,
      why: undefined,
      transitions: 0,
      ended: false,
    };
    state.justCollected.clear();

    let matchType = 'NO_MATCH';
    const text = request.queryInput.text?.text;
    const event = request.queryInput.event?.event;
    if (event) {
      matchType = 'EVENT';
      await this.handleEvent(turn, event);
    } else if (text !== undefined) {
      const page = this.currentPage(turn);
      const routes = [...(page?.routes ?? []), ...flow.routes].filter((r) => r.intent);
      const inScope = new Set(routes.map((r) => r.intent));
      turn.why = await understand(agent, text, turn.language, {
        now: turn.now,
        candidates: (i) => inScope.has(i.name),
      });
      const prompted = page?.form.find((p) => p.name === state.prompted);
      // A bare answer to the form's prompt fills it, unless the text is an intent's exact phrase.
      const answers =
        prompted && turn.why.source !== 'exact'
          ? extractSlot(agent, text, turn.language, prompted, turn.now)
          : undefined;
      const m = answers ? undefined : turn.why.match;
      if (m) {
        matchType = 'INTENT';
        turn.intent = m;
        for (const p of m.parameters) {
          state.params[p.name] = cxValue(p.value);
          // Collected this turn, for whichever page's form it fills.
          state.justCollected.add(p.name);
        }
        const route = routes.find((r) => r.intent === m.intent.name) as CxRoute;
        await this.runRoute(turn, route);
      } else if (page && prompted) {
        const value = extractSlot(agent, text, turn.language, prompted, turn.now);
        if (value) {
          matchType = 'PARAMETER_FILLING';
          setParam(state, prompted.name, cxValue(value.value));
          state.justCollected.add(prompted.name);
          state.invalid.delete(prompted.name);
          await this.continuePage(turn);
        } else {
          const handler =
            prompted.reprompts.find((h) => h.event === 'sys.no-match-default') ??
            prompted.reprompts.find((h) => h.event === 'sys.no-match-1');
          if (handler) await this.runHandler(turn, handler);
          else await this.runFulfillment(turn, prompted.initialPrompt);
        }
      } else {
        await this.handleEvent(turn, 'sys.no-match-default');
      }
    }

    const page = this.currentPage(turn);
    const intent = turn.intent;
    const intentRef = intent && {
      name: `${turn.agentPath}/intents/${intent.intent.id}`,
      displayName: intent.intent.name,
    };
    const queryResult: JsonObject = {
      ...(text !== undefined ? { text } : { triggerEvent: event ?? '' }),
      languageCode: turn.language,
      parameters: state.params,
      responseMessages: turn.messages,
      webhookStatuses: turn.webhookStatuses,
      webhookPayloads: turn.webhookPayloads,
      currentPage: this.pageRef(turn, page),
      ...(intentRef ? { intent: intentRef, intentDetectionConfidence: intent.confidence } : {}),
      match: {
        ...(intentRef ? { intent: intentRef } : {}),
        ...(intent
          ? {
              parameters: Object.fromEntries(
                intent.parameters.map((p) => [p.name, cxValue(p.value)]),
              ),
            }
          : {}),
        ...(event ? { event } : {}),
        resolvedInput: text ?? '',
        matchType,
        confidence: intent?.confidence ?? (matchType === 'NO_MATCH' ? 0 : 1),
      },
      diagnosticInfo: {
        'Webhook Latency': turn.webhookLatencyMs,
        'Transition Targets Chain': turn.transitions,
        ...(turn.why ? { standIn: explain(turn.why) as unknown as Json } : {}),
      },
    };
    if (turn.ended) this.sessions.delete(request.session);
    return { responseId: turn.responseId, queryResult, responseType: 'FINAL' };
  }

  /** What conditions, presets and messages see now. */
  private scope(turn: Turn): ConditionScope {
    const { state } = turn;
    const page = this.currentPage(turn);
    return {
      state: state.params,
      flow: state.flowParams,
      page,
      formComplete: (page?.form ?? []).every((p) => !p.required || filled(getParam(state, p.name))),
      justCollected: state.justCollected,
      intentParams: Object.fromEntries(
        (turn.intent?.parameters ?? []).map((p) => [
          p.name,
          { original: p.original, resolved: cxValue(p.value) },
        ]),
      ),
      text: turn.request.queryInput.text?.text,
    };
  }

  private currentPage(turn: Turn): CxPage | undefined {
    return turn.state.page === undefined ? undefined : turn.flow.pages.get(turn.state.page);
  }

  private pageRef(turn: Turn, page: CxPage | undefined): JsonObject {
    const flowPath = `${turn.agentPath}/flows/${turn.flow.id}`;
    return page
      ? { name: `${flowPath}/pages/${page.id}`, displayName: page.name }
      : { name: `${flowPath}/pages/${START_PAGE}`, displayName: 'Start Page' };
  }

  /** Runs a route's fulfillment, then its transition (or stays and re-prompts when a webhook invalidated a form value). */
  private async runRoute(turn: Turn, route: CxRoute): Promise<void> {
    if ((await this.takeRoute(turn, route)) === 'stayed') return this.continuePage(turn);
  }

  /** A route's fulfillment and transition; 'stayed' when it has no target (the page goes on). */
  private async takeRoute(turn: Turn, route: CxRoute): Promise<'stayed' | 'done'> {
    const outcome = await this.runFulfillment(turn, route.fulfillment);
    if (outcome.kind === 'webhook-error') {
      await this.handleEvent(turn, 'webhook.error');
      return 'done';
    }
    if (outcome.kind === 'invalidated') {
      await this.continuePage(turn);
      return 'done';
    }
    const targetPage = outcome.targetPage ?? route.targetPage;
    const targetFlow = outcome.targetFlow ?? route.targetFlow;
    if (!targetPage && !targetFlow) return 'stayed';
    await this.transition(turn, targetPage, targetFlow);
    return 'done';
  }

  private async runHandler(turn: Turn, handler: CxEventHandler): Promise<void> {
    const outcome = await this.runFulfillment(turn, handler.fulfillment);
    if (outcome.kind === 'webhook-error' && handler.event !== 'webhook.error') {
      return this.handleEvent(turn, 'webhook.error');
    }
    if (outcome.kind !== 'done') return;
    const targetPage = outcome.targetPage ?? handler.targetPage;
    const targetFlow = outcome.targetFlow ?? handler.targetFlow;
    if (targetPage || targetFlow) await this.transition(turn, targetPage, targetFlow);
  }

  private async handleEvent(turn: Turn, event: string): Promise<void> {
    const page = this.currentPage(turn);
    const handler =
      page?.eventHandlers.find((h) => h.event === event) ??
      turn.flow.eventHandlers.find((h) => h.event === event);
    if (handler) await this.runHandler(turn, handler);
  }

  private async transition(
    turn: Turn,
    targetPage: string | undefined,
    targetFlow: string | undefined,
  ): Promise<void> {
    if (++turn.transitions > MAX_TRANSITIONS) {
      throw new Error(`more than ${MAX_TRANSITIONS} transitions in one turn (a route loop?)`);
    }
    const state = turn.state;
    // A page of another flow, by resource name (a webhook's targetPage): that flow first.
    const pageFlow = targetPage?.match(/\/flows\/([^/]+)\/pages\//)?.[1];
    if (pageFlow && pageFlow !== turn.flow.id) this.switchFlow(turn, pageFlow);
    // A webhook names pages by resource name; routes in the export by display name.
    const page = targetPage?.includes('/pages/')
      ? ([...turn.flow.pages.values()].find((p) => targetPage.endsWith(`/pages/${p.id}`))?.name ??
        targetPage.slice(targetPage.lastIndexOf('/') + 1))
      : targetPage;
    if (targetFlow && !page) {
      const name = targetFlow.slice(targetFlow.lastIndexOf('/') + 1);
      if (name !== turn.flow.name && name !== turn.flow.id) this.switchFlow(turn, name);
      return this.enter(turn, undefined);
    }
    // Exports name the symbolic targets by their console names ("End Flow"), the API by constants.
    const symbolic = page !== undefined && !turn.flow.pages.has(page) ? SYMBOLIC[page] : undefined;
    switch (symbolic ?? page) {
      case 'END_SESSION':
        turn.ended = true;
        return;
      // END_FLOW, and the ends a flow's caller can tell apart (prebuilt components use them).
      case 'END_FLOW':
      case 'END_FLOW_WITH_SUCCESS':
      case 'END_FLOW_WITH_FAILURE':
      case 'END_FLOW_WITH_CANCELLATION':
      case 'END_FLOW_WITH_HUMAN_ESCALATION': {
        // Back to the page that transitioned into this flow, which goes on with its routes.
        const caller = state.callers.pop();
        if (!caller) return this.enter(turn, undefined);
        turn.flow = this.agent.flows.get(caller.flow) as CxFlow;
        state.flow = caller.flow === this.agent.startFlow ? undefined : caller.flow;
        state.flowParams = caller.flowParams;
        state.previousPage = state.page;
        state.page = caller.page;
        return this.continuePage(turn);
      }
      case START_PAGE:
        return this.enter(turn, undefined);
      case 'CURRENT_PAGE':
        return this.enter(turn, state.page);
      case 'PREVIOUS_PAGE':
        return this.enter(turn, state.previousPage);
      default:
        if (page === undefined || !turn.flow.pages.has(page)) {
          throw new Error(`transition to an unknown page: ${String(targetPage)}`);
        }
        return this.enter(turn, page);
    }
  }

  /** Into another flow (by display name or id), remembering where it was called from. */
  private switchFlow(turn: Turn, name: string): void {
    const next = [...this.agent.flows.values()].find((f) => f.name === name || f.id === name);
    if (!next) throw new Error(`transition to an unknown flow: ${name}`);
    turn.state.callers.push({
      flow: turn.flow.name,
      page: turn.state.page,
      flowParams: turn.state.flowParams,
    });
    turn.state.flowParams = {};
    turn.flow = next;
    turn.state.flow = next.name === this.agent.startFlow ? undefined : next.name;
    turn.state.page = undefined;
  }

  private async enter(turn: Turn, pageName: string | undefined): Promise<void> {
    const state = turn.state;
    state.previousPage = state.page;
    state.page = pageName;
    state.prompted = undefined;
    state.invalid.clear();
    const page = this.currentPage(turn);
    if (page?.entry) {
      const outcome = await this.runFulfillment(turn, page.entry);
      if (outcome.kind === 'webhook-error') return this.handleEvent(turn, 'webhook.error');
      if (outcome.kind === 'done' && (outcome.targetPage || outcome.targetFlow)) {
        return this.transition(turn, outcome.targetPage, outcome.targetFlow);
      }
    }
    return this.continuePage(turn);
  }

  /** Form filling (prompt the first required empty parameter), then the condition routes. */
  private async continuePage(turn: Turn): Promise<void> {
    const state = turn.state;
    const page = this.currentPage(turn);
    for (const p of page?.form ?? []) {
      if (!filled(getParam(state, p.name)) && !p.required && p.defaultValue !== undefined) {
        setParam(state, p.name, p.defaultValue as Json);
      }
    }
    const empty = page?.form.find((p) => p.required && !filled(getParam(state, p.name)));
    if (page && empty) {
      state.prompted = empty.name;
      const invalidHandler = state.invalid.has(empty.name)
        ? empty.reprompts.find((h) => h.event === 'sys.invalid-parameter')
        : undefined;
      if (invalidHandler) await this.runFulfillment(turn, invalidHandler.fulfillment);
      else await this.runFulfillment(turn, empty.initialPrompt);
      return;
    }
    state.prompted = undefined;
    const routes = (page ? page.routes : turn.flow.routes).filter((r) => r.condition && !r.intent);
    for (const route of routes) {
      let holds = false;
      try {
        holds = evaluateCondition(route.condition as string, this.scope(turn));
      } catch (err) {
        if (!(err instanceof UnsupportedConditionError)) throw err;
      }
      // A route without a target runs its fulfillment and the page's later routes are tried
      // (a webhook route that sets what the next condition tests), never the same one again.
      if (holds && (await this.takeRoute(turn, route)) === 'done') return;
    }
  }

  /**
   * A static message as the user gets it: one of a text's variants (the first: Dialogflow picks
   * one at random, the stand-in the same one every time), references and system functions
   * filled in (what cannot run stays as written).
   */
  private say(turn: Turn, raw: Record<string, unknown>): Json {
    let message = raw as Json;
    const text = (raw.text as { text?: unknown } | undefined)?.text;
    if (Array.isArray(text) && text.length > 1) {
      message = { ...raw, text: { ...(raw.text as object), text: [text[0]] } } as Json;
    }
    try {
      return fillMessage(message, this.scope(turn));
    } catch (err) {
      if (!(err instanceof UnsupportedConditionError)) throw err;
      return message;
    }
  }

  /** The messages of a fulfillment's conditional responses: per block, the first case whose condition holds. */
  private conditional(turn: Turn, blocks: unknown[]): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const block of blocks) {
      const cases = (block as { cases?: { condition?: string; caseContent?: unknown[] }[] }).cases;
      const chosen = (cases ?? []).find((c) => {
        if (!c.condition) return true;
        try {
          return evaluateCondition(c.condition, this.scope(turn));
        } catch (err) {
          if (!(err instanceof UnsupportedConditionError)) throw err;
          return false;
        }
      });
      for (const content of chosen?.caseContent ?? []) {
        const { message, additionalCases } = content as {
          message?: Record<string, unknown>;
          additionalCases?: unknown;
        };
        if (message) {
          const { languageCode, ...rest } = message;
          const language =
            typeof languageCode === 'string' ? languageCode.toLowerCase() : undefined;
          if (language === undefined || language === turn.language) out.push(rest);
        }
        if (additionalCases) out.push(...this.conditional(turn, [additionalCases]));
      }
    }
    return out;
  }

  /** Static messages in the turn's language, parameter presets, then the webhook. */
  private async runFulfillment(
    turn: Turn,
    fulfillment: CxFulfillment | undefined,
  ): Promise<FulfillmentOutcome> {
    if (!fulfillment) return { kind: 'done' };
    const inLanguage = fulfillment.messages.filter(
      (m) => m.languageCode === undefined || m.languageCode === turn.language,
    );
    const chosen = inLanguage.length
      ? inLanguage
      : fulfillment.messages.filter((m) => m.languageCode === this.agent.defaultLanguage);
    const before = turn.messages.length;
    for (const m of chosen) turn.messages.push(this.say(turn, m.message));
    for (const message of this.conditional(turn, fulfillment.conditionalCases ?? [])) {
      turn.messages.push(this.say(turn, message));
    }
    for (const action of fulfillment.setParameterActions) {
      let value = action.value as Json | undefined;
      if (typeof value === 'string') {
        try {
          value = fillTemplate(value, this.scope(turn));
        } catch (err) {
          if (!(err instanceof UnsupportedConditionError)) throw err;
        }
      }
      setParam(turn.state, action.parameter, value);
    }
    if (!fulfillment.webhook) return { kind: 'done' };

    const hook = this.agent.webhooks.get(fulfillment.webhook);
    const url = this.options.webhookUrl || hook?.url;
    if (!hook || !url) {
      turn.webhookStatuses.push({
        code: 9,
        message: `Webhook call failed. Error: no URL for webhook ${fulfillment.webhook}.`,
      });
      return { kind: 'webhook-error' };
    }
    const result = await callWebhook({
      edition: 'cx',
      url,
      headers: { ...hook.headers, ...this.options.webhookHeaders },
      body: this.webhookRequest(turn, fulfillment.tag ?? ''),
      timeoutMs: hook.timeoutMs,
    });
    turn.webhookStatuses.push(result.status);
    turn.webhookLatencyMs += result.latencyMs;
    if (!result.ok) return { kind: 'webhook-error' };
    const body = result.body as {
      fulfillmentResponse?: { messages?: Json[]; mergeBehavior?: string };
      sessionInfo?: { parameters?: JsonObject };
      pageInfo?: { formInfo?: { parameterInfo?: { displayName?: string; state?: string }[] } };
      payload?: JsonObject;
      targetPage?: string;
      targetFlow?: string;
    };
    const hookMessages = body.fulfillmentResponse?.messages ?? [];
    if (body.fulfillmentResponse?.mergeBehavior === 'REPLACE') turn.messages.splice(before);
    turn.messages.push(...hookMessages);
    if (body.payload) turn.webhookPayloads.push(body.payload);
    for (const [k, v] of Object.entries(body.sessionInfo?.parameters ?? {})) {
      if (v === null) delete turn.state.params[k];
      else turn.state.params[k] = v;
    }
    const page = this.currentPage(turn);
    let invalidated = false;
    for (const info of body.pageInfo?.formInfo?.parameterInfo ?? []) {
      if (info.state !== 'INVALID' || !info.displayName) continue;
      if (!page?.form.some((p) => p.name === info.displayName)) continue;
      turn.state.invalid.add(info.displayName);
      setParam(turn.state, info.displayName, null);
      invalidated = true;
    }
    if (invalidated) return { kind: 'invalidated' };
    return { kind: 'done', targetPage: body.targetPage, targetFlow: body.targetFlow };
  }

  private webhookRequest(turn: Turn, tag: string): JsonObject {
    const { request, state } = turn;
    const page = this.currentPage(turn);
    const intent = turn.intent;
    const languageCode = request.queryInput.languageCode;
    const body: JsonObject = {
      detectIntentResponseId: turn.responseId,
      pageInfo: {
        ...this.pageRef(turn, page),
        currentPage: this.pageRef(turn, page).name as string,
        ...(page && page.form.length > 0
          ? {
              formInfo: {
                parameterInfo: page.form.map((p) => {
                  const value = getParam(state, p.name);
                  const has = filled(value);
                  return {
                    displayName: p.name,
                    required: p.required,
                    state: has ? 'FILLED' : state.invalid.has(p.name) ? 'INVALID' : 'EMPTY',
                    ...(has ? { value: value as Json } : {}),
                    justCollected: state.justCollected.has(p.name),
                  };
                }),
              },
            }
          : {}),
      },
      sessionInfo: { session: request.session, parameters: { ...state.params } },
      fulfillmentInfo: { tag },
      messages: [...turn.messages],
      languageCode,
      languageInfo: {
        inputLanguageCode: languageCode,
        resolvedLanguageCode: turn.language,
        confidenceScore: 1,
      },
    };
    delete (body.pageInfo as JsonObject).name;
    if (request.queryInput.text) body.text = request.queryInput.text.text;
    if (request.queryInput.event) body.triggerEvent = request.queryInput.event.event;
    if (request.queryParams?.payload) body.payload = request.queryParams.payload;
    if (intent) {
      body.intentInfo = {
        lastMatchedIntent: `${turn.agentPath}/intents/${intent.intent.id}`,
        displayName: intent.intent.name,
        parameters: Object.fromEntries(
          intent.parameters.map((p) => [
            p.name,
            { originalValue: p.original, resolvedValue: cxValue(p.value) },
          ]),
        ),
        confidence: intent.confidence,
      };
    }
    return body;
  }
}
