import { languages } from '@dialogflow-functions/core/messages';
import { REQUEST_SOURCES, type RequestSource } from '@dialogflow-functions/testing/requests';
import { cxTagOf } from '../lib/agent/generate';
import { hasAgentSources, readAgentSources, type ParameterSource } from '../lib/agent/source';
import type { ParameterKind } from '../lib/values';
import { AGENT_DIR, loadAgents } from '../dialogflow-stand-in/load-agents';

/*
 * What the console offers to pick: the agent's intents (ES display name, CX tag) with typed
 * parameters, read from the agent's sources, the languages the bot has catalogues for and the platforms a request can
 * come from. Any other intent name can be typed in the page with free `name=value` parameters.
 */

export interface ParameterSpec {
  name: string;
  kind: ParameterKind;
  required: boolean;
  /** A value that works with the demo data, shown as the field's placeholder and default. */
  example?: string;
}

export interface IntentSpec {
  /** ES intent display name. */
  es: string;
  /** CX webhook tag (undefined: ES only). */
  cx: string | undefined;
  parameters: ParameterSpec[];
}

/** A date a week ahead (the reservation refuses past dates). */
function nextWeek(now: Date): string {
  return new Date(now.getTime() + 7 * 86_400_000).toISOString().slice(0, 10);
}

/** The parameter kind the console types for an entity type. */
export function parameterKind(entityType: string): ParameterKind {
  switch (entityType) {
    case 'sys.number':
    case 'sys.number-integer':
      return 'number';
    case 'sys.date':
      return 'date';
    case 'sys.time':
      return 'time';
    case 'sys.person':
      return 'person';
    default:
      return 'text';
  }
}

function parameterSpec(p: ParameterSource, now: Date): ParameterSpec {
  const kind = parameterKind(p.entity);
  const example = p.example ?? (kind === 'date' && p.required ? nextWeek(now) : undefined);
  return { name: p.name, kind, required: p.required, ...(example ? { example } : {}) };
}

/**
 * The agent's intents, read from its sources (agent/intents/*.yaml): welcome first, fallback
 * last, each CX form validation tag after its intent. A project whose agent is exports only
 * gets its ES intents (CX tag = the intent's name).
 */
export function demoIntents(now = new Date(), dir: string = AGENT_DIR): IntentSpec[] {
  if (!hasAgentSources(dir)) {
    return loadAgents(dir).es.intents.map((i) => ({
      es: i.name,
      cx: i.name,
      parameters: i.parameters.map((p) =>
        parameterSpec(
          { name: p.name, entity: p.entityType, required: p.required, list: p.isList, prompts: {} },
          now,
        ),
      ),
    }));
  }
  return readAgentSources(dir).intents.flatMap((intent) => {
    const parameters = intent.parameters.map((p) => parameterSpec(p, now));
    const spec: IntentSpec = { es: intent.name, cx: cxTagOf(intent), parameters };
    const validate = intent.cx.validate;
    // A validation tag has no ES intent: the console sends it by name to either edition.
    return validate ? [spec, { es: validate.tag, cx: validate.tag, parameters }] : [spec];
  });
}

/** The sources the console offers (LINE's legacy request shape is for the simulator's tests). */
export const CONSOLE_SOURCES: RequestSource[] = REQUEST_SOURCES.filter((s) => s !== 'line-legacy');

/** The languages the bot answers in, read from shared/messages. */
export function consoleLanguages(): string[] {
  return [...languages];
}
