import { join } from 'node:path';
import { loadAgent, readAgentDir } from '../lib/agent/load';
import type { AgentModel } from '../lib/agent/model';
import { projectDir } from '../project';
import { unsupportedConditions } from './condition';
import { unknownEntityTypes } from './entities';

/** The directory holding `es/` and `cx/` (the project's agent). */
export const AGENT_DIR = join(projectDir(), 'agent');

/**
 * Loads both editions of an agent from `dir/es` and `dir/cx`, with the warnings of what the
 * stand-in cannot run (unknown entity types are read as @sys.any, unknown conditions as false).
 */
export function loadAgents(dir: string = AGENT_DIR): { es: AgentModel; cx: AgentModel } {
  const es = loadAgent('es', readAgentDir(join(dir, 'es')));
  const cx = loadAgent('cx', readAgentDir(join(dir, 'cx')));
  for (const agent of [es, cx]) {
    for (const t of unknownEntityTypes(agent)) {
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
  return { es, cx };
}
