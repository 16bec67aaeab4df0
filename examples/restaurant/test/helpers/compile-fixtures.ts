import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** The repository root (its tsconfig.json type-checks every workspace). */
const ROOT = join(__dirname, '..', '..', '..', '..');

/**
 * Type-checks source files written into `dir` (with `roots`, the modules whose declarations they
 * rely on, e.g. the bot's `Register`) under the repository's tsconfig, all in one program, and
 * returns each fixture's diagnostics by name.
 */
export function compileFixtures(
  dir: string,
  fixtures: ReadonlyMap<string, string>,
  roots: readonly string[],
): Map<string, string[]> {
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, string>();
  for (const [name, source] of fixtures) {
    const file = join(dir, `${name}.ts`);
    writeFileSync(file, source);
    files.set(file, name);
  }
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram({
    rootNames: [...files.keys(), ...roots],
    options: { ...parsed.options, noEmit: true },
  });
  const result = new Map<string, string[]>([...fixtures.keys()].map((name) => [name, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = d.file && files.get(d.file.fileName);
    if (!name) continue;
    result.get(name)!.push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
  return result;
}
