/*
 * An agent read from its export files (ES zip format or CX JSON package), in one shape the
 * Dialogflow stand-in, the zip builder and the drift test share. Language tags are lower case
 * (`en`, `zh-tw`), as the export formats name their files.
 */

/** One piece of a training phrase: literal text, or text annotated as a parameter. */
export interface PhrasePart {
  text: string;
  /** The parameter this part fills (ES `alias`, CX `parameterId`). */
  parameter?: string;
}

export interface TrainingPhrase {
  language: string;
  parts: PhrasePart[];
}

export interface ParameterDef {
  name: string;
  /** Entity type without `@`: `sys.number`, `product`, … */
  entityType: string;
  required: boolean;
  isList: boolean;
  /** ES slot-filling prompts per language. */
  prompts: Record<string, string[]>;
}

/** ES output context an intent sets (`affectedContexts`). */
export interface ContextDef {
  name: string;
  lifespan: number;
}

export interface IntentDef {
  /** Display name. */
  name: string;
  /** The id the export carries (ES `id`, CX `name`). */
  id: string;
  parameters: ParameterDef[];
  phrases: TrainingPhrase[];
  // ES only:
  webhookUsed: boolean;
  webhookForSlotFilling: boolean;
  fallback: boolean;
  action: string;
  events: string[];
  inputContexts: string[];
  affectedContexts: ContextDef[];
  resetContexts: boolean;
  /** ES follow-up intents: the id of the intent this one follows. */
  parentId?: string;
  /** ES: the intent ends the interaction (`end_interaction`) / hands it to a live agent. */
  endInteraction?: boolean;
  liveAgentHandoff?: boolean;
  /** ES: every response message as v2 Intent.Message JSON per language, when any is not a default-platform text. */
  messages?: Record<string, Record<string, unknown>[]>;
  /** Static text replies per language (ES: what is said when no webhook answers). */
  replies: Record<string, string[]>;
}

export interface EntityEntry {
  value: string;
  synonyms: string[];
}

export interface EntityTypeDef {
  name: string;
  kind: 'map' | 'list' | 'regexp';
  /** ES `allowFuzzyExtraction`, CX `enableFuzzyExtraction`. */
  fuzzy?: boolean;
  /** ES `automatedExpansion`, CX `autoExpansionMode`: values outside the list are accepted. */
  expand?: boolean;
  entries: Record<string, EntityEntry[]>;
}

/** A CX response message in the export: text for one language, or any other message as is. */
export interface CxMessage {
  languageCode: string | undefined;
  /** The message without `languageCode`, as a v3 ResponseMessage JSON. */
  message: Record<string, unknown>;
}

export interface CxFulfillment {
  messages: CxMessage[];
  webhook: string | undefined;
  tag: string | undefined;
  setParameterActions: { parameter: string; value: unknown }[];
  /** `conditionalCases` as the export has them (v3 Fulfillment.ConditionalCases JSON). */
  conditionalCases?: unknown[];
}

export interface CxRoute {
  intent: string | undefined;
  condition: string | undefined;
  fulfillment: CxFulfillment | undefined;
  targetPage: string | undefined;
  targetFlow: string | undefined;
}

export interface CxEventHandler {
  event: string;
  fulfillment: CxFulfillment | undefined;
  targetPage: string | undefined;
  targetFlow: string | undefined;
}

export interface CxFormParameter {
  name: string;
  entityType: string;
  required: boolean;
  isList: boolean;
  defaultValue: unknown;
  initialPrompt: CxFulfillment | undefined;
  reprompts: CxEventHandler[];
}

export interface CxPage {
  id: string;
  name: string;
  /** The export file it was read from (for warnings). */
  file?: string;
  entry: CxFulfillment | undefined;
  form: CxFormParameter[];
  routes: CxRoute[];
  eventHandlers: CxEventHandler[];
}

export interface CxFlow {
  id: string;
  name: string;
  /** The export file it was read from (for warnings). */
  file?: string;
  routes: CxRoute[];
  eventHandlers: CxEventHandler[];
  pages: Map<string, CxPage>;
}

export interface WebhookDef {
  name: string;
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface AgentModel {
  edition: 'es' | 'cx';
  displayName: string;
  defaultLanguage: string;
  languages: string[];
  timeZone: string;
  intents: IntentDef[];
  entityTypes: Map<string, EntityTypeDef>;
  /** ES: agent.json `webhook`; CX: the webhook resources by display name. */
  webhooks: Map<string, WebhookDef>;
  /** CX only: the flows by display name, and the start flow's name. */
  flows: Map<string, CxFlow>;
  startFlow: string | undefined;
  /** Below this classifier score nothing matches (ES `mlMinConfidence`, CX `classificationThreshold`). */
  classificationThreshold?: number;
  /** What the loader could not represent (unsupported parts of a user's agent). */
  warnings: string[];
}

/** The agent's language tag for a request's language code: exact, else by primary subtag. */
export function agentLanguage(agent: AgentModel, code: string | undefined): string {
  const wanted = (code ?? agent.defaultLanguage).toLowerCase().replace(/_/g, '-');
  if (agent.languages.includes(wanted)) return wanted;
  if (wanted === 'zh-hant' || wanted.startsWith('zh-hant-')) {
    const tw = agent.languages.find((l) => l === 'zh-tw' || l === 'zh-hk');
    if (tw) return tw;
  }
  const primary = wanted.split('-')[0] ?? wanted;
  return (
    agent.languages.find((l) => l === primary) ??
    agent.languages.find((l) => l.split('-')[0] === primary) ??
    agent.defaultLanguage
  );
}
