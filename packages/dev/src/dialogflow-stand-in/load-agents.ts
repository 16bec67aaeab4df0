import { join } from 'node:path';
import { agentFiles } from '../lib/agent/generate';
import { loadAgent } from '../lib/agent/load';
import type { AgentModel, CxFlow, CxFulfillment, CxRoute } from '../lib/agent/model';
import { projectDir } from '../project';
import { whyUnsupported } from './condition';
import { unknownEntityTypes } from './entities';
import { KNOWN_SYSTEM_TYPES, trainClassifier } from './understand';

/** The project's agent folder: its sources (agent.yaml, intents/, entities/), or `es/` and `cx/`. */
export const AGENT_DIR = join(projectDir(), 'agent');

/**
 * Loads both editions of an agent (generated from its sources, else `dir/es` and `dir/cx`), with the warnings of what the
 * stand-in cannot run (unknown entity types are read as @sys.any, unknown conditions as false).
 */
export function loadAgents(dir: string = AGENT_DIR): { es: AgentModel; cx: AgentModel } {
  // The stand-in runs the exports as generated (and read back), as Dialogflow would import them.
  const es = loadAgent('es', agentFiles('es', dir));
  const cx = loadAgent('cx', agentFiles('cx', dir));
  for (const agent of [es, cx]) {
    for (const t of unknownEntityTypes(agent).filter((x) => !KNOWN_SYSTEM_TYPES.has(x))) {
      agent.warnings.push(`entity type @${t} is unknown here: matched as @sys.any`);
    }
  }
  cx.warnings.push(...cxExpressionWarnings(cx));
  // Train now, so the first query does not wait for it (a failure shows on that query).
  for (const agent of [es, cx]) trainClassifier(agent).catch(() => undefined);
  return { es, cx };
}

const SYMBOLIC_PAGES = new Set([
  'START_PAGE', 'END_FLOW', 'END_SESSION', 'CURRENT_PAGE', 'PREVIOUS_PAGE', 'END_FLOW_WITH_SUCCESS',
  'END_FLOW_WITH_FAILURE', 'END_FLOW_WITH_CANCELLATION', 'END_FLOW_WITH_HUMAN_ESCALATION',
  'Start Page', 'End Flow', 'End Session', 'Current Page', 'Previous Page',
]); // prettier-ignore

/**
 * What of a CX agent's conditions, parameter presets and message texts the stand-in cannot run
 * (an unknown system function, a reference it does not resolve, syntax it cannot read), and
 * transitions to pages or flows the agent does not have, each named with its file. A condition it cannot run is read as false; a preset or text keeps what
 * is written.
 */
export function cxExpressionWarnings(agent: AgentModel): string[] {
  const warnings = new Set<string>();
  const check = (expression: string, kind: 'condition' | 'template', file: string) => {
    const why = whyUnsupported(expression, kind);
    if (why === undefined) return;
    const effect = kind === 'condition' ? 'read as false' : 'left as written';
    warnings.add(`${file}: ${why} (${effect}): ${expression}`);
  };
  const strings = (value: unknown): string[] =>
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value.flatMap(strings)
        : value && typeof value === 'object'
          ? Object.values(value).flatMap(strings)
          : [];
  const fulfillment = (f: CxFulfillment | undefined, file: string) => {
    for (const m of f?.messages ?? []) {
      for (const s of strings(m.message)) if (s.includes('$')) check(s, 'template', file);
    }
    for (const a of f?.setParameterActions ?? []) {
      if (typeof a.value === 'string' && a.value.includes('$')) check(a.value, 'template', file);
    }
    const cases = (blocks: unknown[]): void => {
      for (const block of blocks) {
        for (const c of (block as { cases?: Record<string, unknown>[] }).cases ?? []) {
          if (typeof c.condition === 'string' && c.condition) check(c.condition, 'condition', file);
          for (const content of (c.caseContent as Record<string, unknown>[] | undefined) ?? []) {
            for (const s of strings(content.message))
              if (s.includes('$')) check(s, 'template', file);
            if (content.additionalCases) cases([content.additionalCases]);
          }
        }
      }
    };
    cases(f?.conditionalCases ?? []);
  };
  const target = (
    t: { targetPage?: string | undefined; targetFlow?: string | undefined },
    flow: CxFlow,
    file: string,
  ) => {
    const page = t.targetPage?.slice(t.targetPage.lastIndexOf('/') + 1);
    if (
      page &&
      !SYMBOLIC_PAGES.has(page) &&
      !flow.pages.has(page) &&
      !t.targetPage?.includes('/')
    ) {
      warnings.add(`${file}: a transition to page ${page}, which flow ${flow.name} does not have`);
    }
    const next = t.targetFlow?.slice(t.targetFlow.lastIndexOf('/') + 1);
    if (next && ![...agent.flows.values()].some((f) => f.name === next || f.id === next)) {
      warnings.add(`${file}: a transition to flow ${next}, which the agent does not have`);
    }
  };
  const routes = (list: CxRoute[], flow: CxFlow, file: string) => {
    for (const r of list) {
      if (r.condition) check(r.condition, 'condition', file);
      fulfillment(r.fulfillment, file);
      target(r, flow, file);
    }
  };
  for (const flow of agent.flows.values()) {
    const flowFile = flow.file ?? `flows/${flow.name}/${flow.name}.json`;
    routes(flow.routes, flow, flowFile);
    for (const h of flow.eventHandlers) {
      fulfillment(h.fulfillment, flowFile);
      target(h, flow, flowFile);
    }
    for (const page of flow.pages.values()) {
      const file = page.file ?? `flows/${flow.name}/pages/${page.name}.json`;
      fulfillment(page.entry, file);
      routes(page.routes, flow, file);
      for (const h of [...page.eventHandlers, ...page.form.flatMap((p) => p.reprompts)]) {
        fulfillment(h.fulfillment, file);
        target(h, flow, file);
      }
      for (const p of page.form) fulfillment(p.initialPrompt, file);
    }
  }
  return [...warnings];
}
