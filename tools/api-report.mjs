#!/usr/bin/env node
/**
 * API reports of the published packages (api-extractor, as functions-framework does): one
 * Markdown report per package, `packages/<dir>/docs/generated/api.md`, with a section per entry
 * point of its `exports` map, from the built declarations (`npm run build` first).
 *
 *   node tools/api-report.mjs           check: fails when the public API differs from the report
 *   node tools/api-report.mjs --update  writes the reports (commit them with the API change)
 *   node tools/api-report.mjs --no-cache  checks even when nothing it reads changed
 *
 * A check that passed records a digest of everything it read (.cache/api-report.digest: the
 * declarations and sources of the packages, their manifests, the reports, the compiler options,
 * the lockfile and what npm installed, and this script); the next check with the same digest
 * passes without running api-extractor again, as a linter's cache skips unchanged
 * files. A fresh clone (CI) has no digest and always checks.
 */
import { createHash } from 'node:crypto';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * The published packages with an API: those whose declarations `npm run build` writes, and dev,
 * shipped as TypeScript (its declarations are emitted here, into .cache/api-report).
 */
const PACKAGES = [
  'packages/core',
  'packages/testing',
  'packages/cloud-tasks-emulator',
  'packages/dev',
];
// Not under node_modules: api-extractor takes whatever is there for another package.
const CACHE = join(ROOT, '.cache', 'api-report');
const update = process.argv.includes('--update');
const DIGEST = join(ROOT, '.cache', 'api-report.digest');

/**
 * Everything a check reads, as one digest: each package's manifest, report, built declarations
 * (every .d.ts in dist/) and sources (src/; dev's declarations are emitted from them), the
 * shared compiler options, the lockfile (the versions of api-extractor, TypeScript and every
 * declaration a report can name) and this script.
 */
function inputsDigest() {
  const hash = createHash('sha256');
  const add = (file) => {
    hash.update(relative(ROOT, file)).update('\0');
    hash.update(existsSync(file) ? readFileSync(file) : '(none)').update('\0');
  };
  /** The files under `dir` whose names `keep` accepts, in a stable order. */
  const filesUnder = (dir, keep) =>
    existsSync(dir)
      ? readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile() && keep(entry.name))
          .map((entry) => join(entry.parentPath, entry.name))
          .sort()
      : [];
  // The lockfile, and npm's record of what is installed (a tree that differs from the lockfile).
  const inputs = [
    'tsconfig.base.json',
    'package-lock.json',
    'node_modules/.package-lock.json',
    'tools/api-report.mjs',
  ];
  for (const file of inputs) add(join(ROOT, file));
  for (const dir of PACKAGES) {
    add(join(ROOT, dir, 'package.json'));
    add(join(ROOT, dir, 'docs', 'generated', 'api.md'));
    filesUnder(join(ROOT, dir, 'dist'), (name) => name.endsWith('.d.ts')).forEach(add);
    filesUnder(join(ROOT, dir, 'src'), () => true).forEach(add);
  }
  return hash.digest('hex');
}

const useCache = !update && !process.argv.includes('--no-cache');
const digest = useCache ? inputsDigest() : undefined;
if (digest && existsSync(DIGEST) && readFileSync(DIGEST, 'utf8').trim() === digest) {
  console.log(
    `API reports: nothing they read changed since the last passing check (${relative(ROOT, DIGEST)}; --no-cache to check anyway)`,
  );
  process.exit(0);
}
// Loaded once the check is known to run (they take most of a cached check's time otherwise).
const { CompilerState, Extractor, ExtractorConfig } = await import('@microsoft/api-extractor');
const { default: ts } = await import('typescript');

/** Each entry point of a package: its import path and its built declaration file. */
function entryPoints(dir) {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
  const entries = [];
  const sources = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (subpath.includes('*')) continue;
    const name = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    if (typeof target === 'object' && target.types) {
      entries.push({ name, dts: join(ROOT, dir, target.types) });
    } else if (typeof target === 'string' && target.endsWith('.ts')) {
      // Shipped as TypeScript: the declarations emitted from its source.
      const source = join(ROOT, dir, target);
      sources.push(source);
      entries.push({
        name,
        dts: join(CACHE, dir, relative(join(ROOT, dir), source).replace(/\.ts$/, '.d.ts')),
      });
    }
  }
  if (sources.length > 0) emitDeclarations(dir, sources);
  return { pkg, entries };
}

/** Declarations of a package shipped as TypeScript, with the repository's compiler options. */
function emitDeclarations(dir, sources) {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const outDir = join(CACHE, dir);
  rmSync(outDir, { recursive: true, force: true });
  const program = ts.createProgram(sources, {
    ...options,
    declaration: true,
    emitDeclarationOnly: true,
    // Declarations only, without checking the program (TypeScript's `noCheck`): the same
    // declarations, 6 instead of 8 CPU-s.
    noCheck: true,
    sourceMap: false,
    noEmit: false,
    rootDir: join(ROOT, dir),
    outDir,
  });
  // Type errors are the typecheck's to report (`npm run typecheck`).
  program.emit();
}

function configFor(dir, entry, reportFolder) {
  return ExtractorConfig.prepare({
    configObject: {
      projectFolder: join(ROOT, dir),
      mainEntryPointFilePath: entry.dts,
      bundledPackages: [],
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            lib: ['ES2023'],
            module: 'node16',
            moduleResolution: 'node16',
            types: ['node'],
            strict: true,
            skipLibCheck: true,
            esModuleInterop: true,
          },
          files: [entry.dts],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: 'entry',
        reportFolder,
        reportTempFolder: reportFolder,
        includeForgottenExports: false,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: { default: { logLevel: 'none' } },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    packageJsonFullPath: join(ROOT, dir, 'package.json'),
  });
}

let failed = false;
const packages = PACKAGES.map((dir) => ({ dir, ...entryPoints(dir) }));
for (const { pkg, entries } of packages) {
  const missing = entries.filter((e) => !existsSync(e.dts));
  if (missing.length > 0) {
    console.error(
      `${pkg.name}: no declarations at ${relative(ROOT, missing[0].dts)}: run npm run build first`,
    );
    process.exit(2);
  }
}
/**
 * One compiler program for every package's entry points (they share their compiler options,
 * and the packages' declarations import each other): the whole check took 11.8 CPU-s with one,
 * 13.4 with one per package.
 */
let compilerState;
for (const { dir, pkg, entries } of packages) {
  const tmp = mkdtempSync(join(tmpdir(), 'api-report-'));
  const sections = [];
  try {
    for (const entry of entries) {
      const config = configFor(dir, entry, tmp);
      compilerState ??= CompilerState.create(config, {
        additionalEntryPoints: packages.flatMap((p) => p.entries.map((e) => e.dts)),
      });
      const problems = [];
      const result = Extractor.invoke(config, {
        localBuild: true,
        compilerState,
        messageCallback: (message) => {
          if (message.logLevel === 'error' || message.logLevel === 'warning') {
            problems.push(message.formatMessageWithLocation(join(ROOT, dir)));
          }
          message.handled = true;
        },
      });
      if (!result.succeeded && problems.length > 0) {
        console.error(`${entry.name}:\n  ${problems.join('\n  ')}`);
        failed = true;
      }
      const report = readFileSync(join(tmp, 'entry.api.md'), 'utf8')
        .replace(/^## API Report File for "[^"]*"\n\n/, '')
        .replace(/^> Do not edit this file[^\n]*\n\n/m, '');
      sections.push(`## \`${entry.name}\`\n\n${report.trim()}\n`);
      rmSync(join(tmp, 'entry.api.md'), { force: true });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const text =
    `# API report: ${pkg.name}\n\n` +
    '> Generated by `npm run api:update` (tools/api-report.mjs, api-extractor) from the built\n' +
    '> declarations. `npm run api:check` fails when the public API differs from this file: an API\n' +
    '> change is one you make on purpose, with this file updated in the same commit.\n\n' +
    sections.join('\n');
  const file = join(ROOT, dir, 'docs', 'generated', 'api.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === text) {
    console.log(`${pkg.name}: API unchanged (${entries.length} entry points)`);
  } else if (update) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`${pkg.name}: wrote ${relative(ROOT, file)}`);
  } else {
    console.error(
      `${pkg.name}: the public API differs from ${relative(ROOT, file)}` +
        (current === undefined ? ' (no report yet)' : '') +
        ': if the change is intended, run `npm run api:update` and commit the report.',
    );
    if (current !== undefined) console.error(firstDifference(current, text));
    failed = true;
  }
}
// Recorded only if nothing changed while the check ran (it read the state the digest names).
if (!failed && digest && inputsDigest() === digest) {
  mkdirSync(dirname(DIGEST), { recursive: true });
  writeFileSync(DIGEST, `${digest}\n`);
}
if (failed) rmSync(DIGEST, { force: true });
process.exit(failed ? 1 : 0);

/** Where the report and the API part ways, as a few lines of each. */
function firstDifference(was, now) {
  const a = was.split('\n');
  const b = now.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (lines, sign) =>
    lines
      .slice(i, i + 3)
      .map((l) => `  ${sign} ${l}`)
      .join('\n');
  return `  at line ${i + 1}:\n${show(a, '-')}\n${show(b, '+')}`;
}
