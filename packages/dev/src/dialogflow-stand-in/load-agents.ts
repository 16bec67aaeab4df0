import { existsSync } from 'node:fs';
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
  const es = loadEdition('es', dir);
  const cx = loadEdition('cx', dir);
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

/**
 * One edition's agent; a project made for the other edition only (`--edition es|cx`) has no
 * folder for it: an agent with no intents then, which matches nothing.
 */
function loadEdition(edition: 'es' | 'cx', dir: string): AgentModel {
  if (existsSync(join(dir, edition))) return loadAgent(edition, readAgentDir(join(dir, edition)));
  return {
    edition,
    displayName: `(no agent/${edition})`,
    defaultLanguage: 'en',
    languages: ['en'],
    timeZone: 'UTC',
    intents: [],
    entityTypes: new Map(),
    webhooks: new Map(),
    flows: new Map(),
    startFlow: undefined,
    warnings: [
      `no ${edition.toUpperCase()} agent in ${join(dir, edition)}: its DetectIntent calls match nothing`,
    ],
  };
}
