import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { generateAgent } from './generate';
import { importAgentSources, agentSourceFiles } from './import';
import { readAgentDir } from './load';
import { hasAgentSources, readAgentSources } from './source';

/*
 * The agent's files on disk: the generated exports written out (`dff agent export`), and
 * sources written from exports (`dff agent import`).
 */

function writeFiles(root: string, files: Map<string, string>): void {
  for (const [path, text] of files) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

/** Writes the generated ES export and CX package of the sources in `agentDir` to `out`/es, /cx. */
export function exportAgent(agentDir: string, out: string): string {
  const sources = readAgentSources(agentDir);
  for (const edition of ['es', 'cx'] as const) {
    rmSync(join(out, edition), { recursive: true, force: true });
    writeFiles(join(out, edition), generateAgent(edition, sources));
  }
  return `${relative(process.cwd(), out) || '.'}: es/ and cx/ generated from ${sources.intents.length} intents and ${sources.entities.length} entity types`;
}

/**
 * Writes sources into `agentDir` from the exports in `from`/es and `from`/cx, keeping the
 * parameters' `example`s of the sources there (no export carries them).
 */
export function importAgent(agentDir: string, from: string): string {
  const sources = importAgentSources(
    readAgentDir(join(from, 'es')),
    readAgentDir(join(from, 'cx')),
  );
  if (hasAgentSources(agentDir)) {
    const before = readAgentSources(agentDir);
    for (const intent of sources.intents) {
      const old = before.intents.find((i) => i.name === intent.name);
      for (const p of intent.parameters) {
        const example = old?.parameters.find((o) => o.name === p.name)?.example;
        if (example !== undefined) p.example = example;
      }
    }
  }
  const files = agentSourceFiles(sources);
  writeFiles(agentDir, files);
  return `${relative(process.cwd(), agentDir) || '.'}: ${files.size} source files (${sources.intents.length} intents, ${sources.entities.length} entity types)`;
}
