import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** The repository root (its tsconfig.json type-checks every workspace). */
const ROOT = join(__dirname, '..', '..', '..', '..');

/** Fixtures (name → source) written into one folder (their relative imports start there). */
export interface FixtureSet {
  dir: string;
  fixtures: ReadonlyMap<string, string>;
}

/**
 * Type-checks source files written into their sets' folders (with `roots`, the modules whose
 * declarations they rely on, e.g. the bot's `Register`) under the repository's tsconfig, all in
 * one program, and returns each fixture's diagnostics by name (names are unique across sets).
 *
 * Only the fixtures are checked (`getPreEmitDiagnostics(program, file)`: their syntax,
 * semantics and declarations), not every file the program holds: the checker resolves what
 * they use, and nothing imports a fixture, so each gets the diagnostics a whole-program check
 * gives it, without the framework's and the libraries' every file checked too.
 */
export function compileFixtures(
  sets: readonly FixtureSet[],
  roots: readonly string[],
): Map<string, string[]> {
  const files = new Map<string, string>();
  for (const { dir, fixtures } of sets) {
    mkdirSync(dir, { recursive: true });
    for (const [name, source] of fixtures) {
      const file = join(dir, `${name}.ts`);
      writeFileSync(file, source);
      files.set(file, name);
    }
  }
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram({
    rootNames: [...files.keys(), ...roots],
    options: { ...parsed.options, noEmit: true },
  });
  const result = new Map<string, string[]>();
  for (const [file, name] of files) {
    if (result.has(name)) throw new Error(`two fixtures named ${name}`);
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not in the program`);
    result.set(
      name,
      ts
        .getPreEmitDiagnostics(program, source)
        // (Not the options' and global diagnostics, which have no file.)
        .filter((d) => d.file === source)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    );
  }
  return result;
}
