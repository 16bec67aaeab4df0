import { join } from 'node:path';
import { agentFiles } from '../lib/agent/generate';
import { loadAgent } from '../lib/agent/load';
import type { AgentModel } from '../lib/agent/model';
import { projectDir } from '../project';
import { unsupportedConditions } from './condition';
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
  const conditions: string[] = [];
  for (const flow of cx.flows.values()) {
    for (const r of flow.routes) if (r.condition) conditions.push(r.condition);
    for (const page of flow.pages.values()) {
      for (const r of page.routes) if (r.condition) conditions.push(r.condition);
    }
  }
  for (const c of unsupportedConditions(conditions)) {
    cx.warnings.push(`condition not supported here (read as false): ${c}`);
  }
  // Train now, so the first query does not wait for it (a failure shows on that query).
  for (const agent of [es, cx]) trainClassifier(agent).catch(() => undefined);
  return { es, cx };
}
