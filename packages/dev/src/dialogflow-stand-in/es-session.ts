import { randomBytes, randomUUID } from 'node:crypto';
import { agentLanguage, type AgentModel, type IntentDef } from '../lib/agent/model';
import { zonedNow, type ZonedNow } from './entities';
import type { MatchedParameter } from './match';
import { SessionStore } from './sessions';
import { explain, extractSlot, understand, type Understanding } from './understand';
import { esValue, type Json, type JsonObject } from './values';
import { callWebhook, type WebhookStatus } from './webhook';

/*
 * Dialogflow ES's side of a conversation, for the stand-in: intent matching, slot filling of
 * required parameters (with the prompts of the intent), contexts with lifespans per session,
 * the webhook call with a real google.cloud.dialogflow.v2.WebhookRequest and the merge of its
 * WebhookResponse (texts, messages, output contexts, payload, follow-up events).
 */

/** A v2 DetectIntentRequest, in proto3 JSON. */
export interface EsDetectRequest {
  session: string;
  queryParams?: {
    contexts?: { name: string; lifespanCount?: number; parameters?: JsonObject }[];
    resetContexts?: boolean;
    payload?: JsonObject;
  };
  queryInput: {
    text?: { text: string; languageCode: string };
    event?: { name: string; parameters?: JsonObject; languageCode: string };
  };
}

interface EsContext {
  lifespan: number;
  parameters: JsonObject;
}

interface SlotFilling {
  intent: string;
  parameters: JsonObject;
  pending: string;
}

interface EsSessionState {
  contexts: Map<string, EsContext>;
  slot: SlotFilling | undefined;
}

export interface EsSessionOptions {
  agent: AgentModel;
  /** Overrides the agent's webhook URL (the export's is the deployed function). */
  webhookUrl: string | undefined;
  /** Extra headers sent to the webhook (auth the agent would carry). */
  webhookHeaders?: Record<string, string>;
}

const short = (contextName: string) =>
  contextName.slice(contextName.lastIndexOf('/') + 1).toLowerCase();

/** The project of `projects/P/agent/sessions/S` (or with locations, environments, users). */
function projectOf(session: string): string {
  return session.match(/^projects\/([^/]+)\//)?.[1] ?? 'stand-in';
}

function withOriginals(params: JsonObject, originals: Record<string, string>): JsonObject {
  const out: JsonObject = { ...params };
  for (const [k, v] of Object.entries(originals)) out[`${k}.original`] = v;
  return out;
}

export class EsAgentSessions {
  private readonly sessions = new SessionStore<EsSessionState>(() => ({
    contexts: new Map(),
    slot: undefined,
  }));

  constructor(private readonly options: EsSessionOptions) {}

  get agent(): AgentModel {
    return this.options.agent;
  }

  async detectIntent(request: EsDetectRequest, depth = 0): Promise<JsonObject> {
    const agent = this.agent;
    const state = this.sessions.get(request.session);
    const params = request.queryParams ?? {};
    if (params.resetContexts) {
      state.contexts.clear();
      state.slot = undefined;
    }
    for (const c of params.contexts ?? []) {
      state.contexts.set(short(c.name), {
        lifespan: c.lifespanCount ?? 5,
        parameters: c.parameters ?? {},
      });
    }
    const input = request.queryInput;
    const languageCode =
      input.text?.languageCode ?? input.event?.languageCode ?? agent.defaultLanguage;
    const language = agentLanguage(agent, languageCode);
    const now = zonedNow(agent.timeZone);
    const queryText = input.text?.text ?? input.event?.name ?? '';

    // 1. Which intent, with which parameter values.
    let intent: IntentDef | undefined;
    let matched: MatchedParameter[] = [];
    let eventParams: JsonObject = {};
    let confidence = 1;
    let why: Understanding | undefined;
    let slot = state.slot;
    if (input.event) {
      const name = input.event.name.toLowerCase();
      intent = agent.intents.find((i) => i.events.some((e) => e.toLowerCase() === name));
      eventParams = input.event.parameters ?? {};
      slot = undefined;
    } else if (input.text) {
      if (slot) {
        const slotIntent = agent.intents.find((i) => i.name === slot!.intent);
        const def = slotIntent?.parameters.find((p) => p.name === slot!.pending);
        const filled = def && extractSlot(agent, queryText, language, def, now);
        if (slotIntent && filled) {
          intent = slotIntent;
          matched = [filled];
        } else {
          // Not an answer to the prompt: another intent may take over, else prompt again.
          why = await this.match(queryText, language, state, now);
          const other = why.match;
          if (other) slot = undefined;
          else if (slotIntent) intent = slotIntent;
          if (other) {
            intent = other.intent;
            matched = other.parameters;
            confidence = other.confidence;
          }
        }
      }
      if (!intent) {
        why ??= await this.match(queryText, language, state, now);
        const m = why.match;
        if (m) {
          intent = m.intent;
          matched = m.parameters;
          confidence = m.confidence;
        }
      }
    }
    if (!intent) {
      // The fallback whose input contexts are active, a follow-up's own fallback before the agent's.
      intent = agent.intents
        .filter((i) => i.fallback && i.inputContexts.every((c) => state.contexts.has(c)))
        .sort((a, b) => b.inputContexts.length - a.inputContexts.length)[0];
      confidence = 1;
      slot = undefined;
    }

    // Contexts age by one per query; this turn's contexts are set after.
    for (const [name, c] of state.contexts) {
      c.lifespan -= 1;
      if (c.lifespan <= 0) state.contexts.delete(name);
    }

    const responseId = `${randomUUID()}-${randomBytes(4).toString('hex')}`;
    const project = projectOf(request.session);
    const queryResult: JsonObject = { queryText, languageCode: language };
    if (!intent) {
      // An agent without a fallback intent: nothing matched, nothing to say.
      state.slot = undefined;
      queryResult.action = 'input.unknown';
      queryResult.parameters = {};
      queryResult.allRequiredParamsPresent = true;
      queryResult.intentDetectionConfidence = 0;
      queryResult.outputContexts = this.outputContexts(request.session, state);
      return { responseId, queryResult };
    }

    const parameters: JsonObject = {};
    const originals: Record<string, string> = {};
    const continuing = slot && slot.intent === intent.name ? slot.parameters : {};
    for (const p of intent.parameters) {
      const found = matched.find((m) => m.name === p.name);
      const fromEvent = eventParams[p.name];
      if (found) {
        parameters[p.name] = esValue(found.value, now);
        originals[p.name] = found.original;
      } else if (fromEvent !== undefined) {
        parameters[p.name] = fromEvent;
      } else {
        parameters[p.name] = continuing[p.name] ?? '';
        const original = continuing[`${p.name}.original`];
        if (typeof original === 'string') originals[p.name] = original;
      }
    }
    const missing = intent.parameters.find((p) => p.required && isEmpty(parameters[p.name]));
    const dialogNames = [`${intent.id}_id_dialog_context`, `${intent.name}_dialog_context`].map(
      (n) => n.toLowerCase(),
    );
    for (const [name] of state.contexts) {
      if (
        dialogNames.includes(name) ||
        name.startsWith(`${intent.name.toLowerCase()}_dialog_params_`)
      ) {
        state.contexts.delete(name);
      }
    }
    const contextParams = withOriginals(parameters, originals);

    queryResult.action = intent.action;
    queryResult.parameters = parameters;
    queryResult.intent = {
      name: `projects/${project}/agent/intents/${intent.id}`,
      displayName: intent.name,
      ...(intent.fallback ? { isFallback: true } : {}),
      ...(intent.endInteraction ? { endInteraction: true } : {}),
      ...(intent.liveAgentHandoff ? { liveAgentHandoff: true } : {}),
    };
    queryResult.intentDetectionConfidence = confidence;
    if (why) queryResult.diagnosticInfo = { standIn: explain(why) as unknown as Json };

    let webhookStatus: WebhookStatus | undefined;
    if (missing) {
      // Slot filling: Dialogflow asks with the parameter's prompt and keeps the intent open.
      state.slot = { intent: intent.name, parameters: contextParams, pending: missing.name };
      for (const name of dialogNames) {
        state.contexts.set(name, { lifespan: 2, parameters: contextParams });
      }
      state.contexts.set(
        `${intent.name.toLowerCase()}_dialog_params_${missing.name.toLowerCase()}`,
        {
          lifespan: 1,
          parameters: contextParams,
        },
      );
      const prompts = missing.prompts[language] ?? missing.prompts[agent.defaultLanguage] ?? [];
      const prompt = prompts[0] ?? `What is the ${missing.name}?`;
      queryResult.allRequiredParamsPresent = false;
      queryResult.fulfillmentText = prompt;
      queryResult.fulfillmentMessages = [{ text: { text: [prompt] } }];
      queryResult.outputContexts = this.outputContexts(request.session, state);
      if (intent.webhookForSlotFilling) {
        const hooked = await this.webhook(request, responseId, queryResult, false);
        webhookStatus = hooked.status;
        if (hooked.body)
          Object.assign(queryResult, this.merge(request.session, state, hooked.body));
        queryResult.outputContexts = this.outputContexts(request.session, state);
      }
      return { responseId, queryResult, ...(webhookStatus ? { webhookStatus } : {}) };
    }

    state.slot = undefined;
    if (intent.resetContexts) state.contexts.clear();
    for (const c of intent.affectedContexts) {
      if (c.lifespan > 0)
        state.contexts.set(c.name, { lifespan: c.lifespan, parameters: contextParams });
      else state.contexts.delete(c.name);
    }
    const replies = intent.replies[language] ?? intent.replies[agent.defaultLanguage] ?? [];
    const staticText = fillReply(replies[0] ?? '', parameters, originals, state);
    queryResult.allRequiredParamsPresent = true;
    if (intent.endInteraction) {
      // How ES reports an intent that ends the interaction (integrations close on it).
      queryResult.diagnosticInfo = {
        ...(queryResult.diagnosticInfo as JsonObject | undefined),
        end_conversation: true,
      };
    }
    queryResult.fulfillmentText = staticText;
    const rich = intent.messages?.[language] ?? intent.messages?.[agent.defaultLanguage];
    queryResult.fulfillmentMessages = rich
      ? rich.map((m) =>
          // References filled in every text of a message, a custom payload's aside.
          'payload' in m
            ? (m as Json)
            : fillStrings(m as Json, (t) => fillReply(t, parameters, originals, state)),
        )
      : staticText
        ? [{ text: { text: [staticText] } }]
        : [];
    queryResult.outputContexts = this.outputContexts(request.session, state);

    if (intent.webhookUsed && this.agent.webhooks.has('')) {
      const hooked = await this.webhook(request, responseId, queryResult, true);
      webhookStatus = hooked.status;
      queryResult.diagnosticInfo = {
        ...(queryResult.diagnosticInfo as JsonObject | undefined),
        webhook_latency_ms: hooked.latencyMs,
      };
      if (hooked.body) {
        const followup = hooked.body.followupEventInput as
          | { name?: string; parameters?: JsonObject; languageCode?: string }
          | undefined;
        if (followup?.name && depth < 3) {
          // The webhook hands the turn to the intent of an event; what it says is the answer.
          return this.detectIntent(
            {
              session: request.session,
              queryParams: { payload: request.queryParams?.payload ?? {} },
              queryInput: {
                event: {
                  name: followup.name,
                  parameters: followup.parameters ?? {},
                  languageCode: followup.languageCode ?? languageCode,
                },
              },
            },
            depth + 1,
          );
        }
        Object.assign(queryResult, this.merge(request.session, state, hooked.body));
        queryResult.outputContexts = this.outputContexts(request.session, state);
      }
    }
    return { responseId, queryResult, ...(webhookStatus ? { webhookStatus } : {}) };
  }

  /** The best intent whose input contexts are active; exact phrases of intents that need contexts first. */
  private match(
    text: string,
    language: string,
    state: EsSessionState,
    now: ZonedNow,
  ): Promise<Understanding> {
    const active = (i: IntentDef) => i.inputContexts.every((c) => state.contexts.has(c));
    return understand(this.agent, text, language, {
      now,
      candidates: (i) => !i.fallback && active(i),
      prefer: (i) => i.inputContexts.length > 0,
    });
  }

  private outputContexts(session: string, state: EsSessionState): Json[] {
    return [...state.contexts].map(([name, c]) => ({
      name: `${session}/contexts/${name}`,
      lifespanCount: c.lifespan,
      parameters: c.parameters,
    }));
  }

  private async webhook(
    request: EsDetectRequest,
    responseId: string,
    queryResult: JsonObject,
    allRequiredParamsPresent: boolean,
  ): Promise<{ status: WebhookStatus; latencyMs: number; body?: JsonObject }> {
    const hook = this.agent.webhooks.get('');
    const url = this.options.webhookUrl || hook?.url;
    if (!hook || !url) {
      return {
        status: { code: 9, message: 'Webhook call failed. Error: no webhook URL configured.' },
        latencyMs: 0,
      };
    }
    const body: JsonObject = {
      responseId,
      queryResult: { ...queryResult, allRequiredParamsPresent },
      originalDetectIntentRequest: { payload: request.queryParams?.payload ?? {} },
      session: request.session,
    };
    const result = await callWebhook({
      edition: 'es',
      url,
      headers: { ...hook.headers, ...this.options.webhookHeaders },
      body,
      timeoutMs: hook.timeoutMs,
    });
    return result.ok
      ? { status: result.status, latencyMs: result.latencyMs, body: result.body }
      : { status: result.status, latencyMs: result.latencyMs };
  }

  /** What a WebhookResponse changes in the query result (and the session's contexts). */
  private merge(session: string, state: EsSessionState, body: JsonObject): JsonObject {
    const out: JsonObject = {};
    const messages = Array.isArray(body.fulfillmentMessages) ? body.fulfillmentMessages : undefined;
    const text = typeof body.fulfillmentText === 'string' ? body.fulfillmentText : undefined;
    if (text !== undefined) out.fulfillmentText = text;
    if (messages) out.fulfillmentMessages = messages;
    else if (text !== undefined) out.fulfillmentMessages = [{ text: { text: [text] } }];
    if (body.payload && typeof body.payload === 'object') out.webhookPayload = body.payload;
    if (typeof body.source === 'string') out.webhookSource = body.source;
    for (const c of Array.isArray(body.outputContexts) ? body.outputContexts : []) {
      const ctx = c as { name?: string; lifespanCount?: number; parameters?: JsonObject };
      if (!ctx.name || !ctx.name.startsWith(`${session}/contexts/`)) continue;
      const lifespan = ctx.lifespanCount ?? 5;
      if (lifespan <= 0) state.contexts.delete(short(ctx.name));
      else state.contexts.set(short(ctx.name), { lifespan, parameters: ctx.parameters ?? {} });
    }
    return out;
  }
}

/** A value as ES writes it into a reply (strings as they are, the rest as JSON). */
const asText = (v: Json | undefined) =>
  v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v); // prettier-ignore

/**
 * A static reply with its references filled in as ES fills them: `$param`, `$param.original`
 * and `#context.param`. A reference to something the intent and the contexts do not have stays
 * as written.
 */
function fillReply(
  text: string,
  parameters: JsonObject,
  originals: Record<string, string>,
  state: EsSessionState,
): string {
  return text.replace(
    /([$#])([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w.-]*[\w-]|[A-Za-z_]))?/g,
    (whole, sigil: string, name: string, field: string | undefined) => {
      if (sigil === '#') {
        const context = state.contexts.get(name.toLowerCase());
        if (!context || field === undefined) return whole;
        return field in context.parameters ? asText(context.parameters[field]) : whole;
      }
      if (!(name in parameters)) return whole;
      if (field === 'original') return originals[name] ?? asText(parameters[name]);
      if (field === undefined) return asText(parameters[name]);
      // "$size." at a sentence's end, or a field the value does not have: the value, then the rest.
      return `${asText(parameters[name])}.${field}`;
    },
  );
}

const fillStrings = (value: Json, fill: (text: string) => string): Json =>
  typeof value === 'string'
    ? fill(value)
    : Array.isArray(value)
      ? value.map((v) => fillStrings(v, fill))
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value).map(([k, v]) => [k, k === 'platform' ? v : fillStrings(v, fill)]),
          )
        : value;

const isEmpty = (v: Json | undefined) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
