import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DEV_ROOT, projectDir } from '../project';

/*
 * The stand-in's trained classifiers, kept on disk by what they were trained from. Training the
 * restaurant agent's three languages costs about 6 s (9 s of CPU) on the 2-core development
 * machine, and every `npm start`, every restart of `npm run dev` on an agent change, `dff
 * converse` and `dff agent evaluate` trained it again from the same phrases. nlp.js's training is
 * deterministic (no random initialisation), so a model read back is the model training would make:
 * the key is the exact corpus, the classifier's settings and the versions of the nlp.js packages
 * that tokenise, stem and train. A changed phrase, entity or nlp.js version is another key, so a
 * stale model is never used; an unreadable file is trained again and replaced.
 *
 * Where: `node_modules/.cache/dialogflow-functions/nlu/` of the project (the convention of
 * Babel, ESLint and others: deleted with node_modules, never committed), or
 * DFF_NLU_CACHE_DIR; DFF_NLU_CACHE_DIR=off trains every time. Files are written to a temporary
 * name and renamed into place, so processes training at once never read half a file; the
 * folder keeps the newest MAX_ENTRIES models.
 */

/** Bumped when what a cached model means changes in a way the key does not show. */
const FORMAT = 1;
const MAX_ENTRIES = 200;
/**
 * The nlp.js packages a model depends on (tokenisers, stemmers, stopwords, the trainer), each
 * found from the package that loads it: [name, the package it is resolved from].
 */
const NLPJS: [string, string | undefined][] = [
  ['@nlpjs/core', undefined],
  ['@nlpjs/nlu', undefined],
  ['@nlpjs/neural', '@nlpjs/nlu'],
  ['@nlpjs/similarity', '@nlpjs/nlu'],
  ['@nlpjs/lang-en', undefined],
  ['@nlpjs/lang-en-min', '@nlpjs/lang-en'],
  ['@nlpjs/language-min', '@nlpjs/lang-en-min'],
  ['@nlpjs/lang-zh', undefined],
  ['@nlpjs/lang-ja', undefined],
];

/** The package.json of `name`, resolved as `from` (or this module) loads it. */
function manifest(name: string, from?: string): string {
  const base = from ? createRequire(manifest(from)) : require;
  return base.resolve(`${name}/package.json`);
}

let versions: string | undefined;
/** This package's version and the installed nlp.js packages' (where the models come from). */
function modelSources(): string {
  const version = (name: string, file: () => string) => {
    try {
      const pkg = JSON.parse(readFileSync(file(), 'utf8')) as { version: string };
      return `${name}@${pkg.version}`;
    } catch {
      return `${name}@?`;
    }
  };
  versions ??= [
    // This package: how it builds a corpus and trains.
    version('@dialogflow-functions/dev', () => join(DEV_ROOT, 'package.json')),
    ...NLPJS.map(([name, from]) => version(name, () => manifest(name, from))),
  ].join(' ');
  return versions;
}

/** The folder cached models go to, or undefined when the cache is off. */
export function modelCacheDir(): string | undefined {
  const set = process.env.DFF_NLU_CACHE_DIR;
  if (set === 'off') return undefined;
  if (set) return set;
  // The project's node_modules, or the nearest one above it (an npm workspace's root).
  for (let dir = projectDir(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) {
      return join(dir, 'node_modules', '.cache', 'dialogflow-functions', 'nlu');
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The key of a model: everything its training depends on (`container`: what the nlp.js
 * container it is trained in holds, e.g. its language plugins).
 */
export function modelKey(
  settings: Record<string, unknown>,
  corpus: unknown,
  container: unknown,
): string {
  return createHash('sha256')
    .update(JSON.stringify([FORMAT, modelSources(), container, settings, corpus]))
    .digest('hex');
}

/** The model trained from this key before, or undefined. */
export function readModel(key: string): unknown {
  const dir = modelCacheDir();
  if (!dir) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as {
      key?: string;
      model?: unknown;
    };
    if (parsed.key !== key) return undefined;
    try {
      const now = new Date();
      utimesSync(join(dir, `${key}.json`), now, now); // the newest models are the ones kept
    } catch {
      // A cache this process may read but not write (another user's, read-only): still used.
    }
    return parsed.model;
  } catch {
    return undefined;
  }
}

/** Keeps a trained model (best effort: a cache that cannot be written only costs a training). */
export function writeModel(key: string, model: unknown): void {
  const dir = modelCacheDir();
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${key}.json`);
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, JSON.stringify({ key, model }));
    renameSync(temp, file);
    prune(dir);
  } catch {
    // Read-only or full disk: the next start trains again.
  }
}

/** Keeps the newest MAX_ENTRIES models, and drops what a process killed mid-write left. */
function prune(dir: string): void {
  const files = readdirSync(dir).flatMap((name) => {
    try {
      return [{ name, at: statSync(join(dir, name)).mtimeMs }];
    } catch {
      return []; // renamed or pruned by another process meanwhile
    }
  });
  const models = files.filter((f) => f.name.endsWith('.json')).sort((a, b) => b.at - a.at);
  const orphans = files.filter((f) => f.name.endsWith('.tmp') && f.at < Date.now() - 600_000);
  for (const old of [...models.slice(MAX_ENTRIES), ...orphans]) {
    try {
      unlinkSync(join(dir, old.name));
    } catch {
      // Another process pruned it first.
    }
  }
}
