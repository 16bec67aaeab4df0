/*
 * What `dff add` writes (src/add.ts is the command): an intent's source, handler stub,
 * registration and conversation test; a job type module and its registry entry. Nothing is
 * written when a file exists already or the registration has no place to go.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { hasAgentSources, readAgentSources } from './agent/source';

/** A refusal of `dff add`, said to the user as is. */
export class AddError extends Error {
  override readonly name = 'AddError';
}

const camel = (name: string) =>
  name
    .replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    .replace(/^[A-Z]/, (c) => c.toLowerCase());
export const kebab = (name: string) => name.replace(/_/g, '-');
const words = (name: string) => name.replace(/[-_]+/g, ' ');

/** Where an import goes: after the last import declaration of `source`. */
function withImport(source: string, line: string): string {
  const lines = source.split('\n');
  let last = -1;
  let inImport = false;
  lines.forEach((l, i) => {
    if (/^import\b/.test(l)) inImport = true;
    if (inImport && /from\s+['"][^'"]+['"];?\s*$/.test(l)) {
      last = i;
      inImport = false;
    }
  });
  lines.splice(last + 1, 0, line);
  return lines.join('\n');
}

/**
 * The intent map with one more entry: before `return intents;` of a map filled with
 * `intents.set(…)`, or as the last pair of a `new Map([…])`.
 */
export function registerIntent(source: string, name: string, handler: string): string {
  const set = source.match(/^([ \t]*)return (\w+);\s*$/m);
  const mapVar = set && new RegExp(`\\b${set[2]}\\.set\\(`).test(source) ? set : undefined;
  if (mapVar) {
    const [line, indent, variable] = mapVar;
    return source.replace(line!, `${indent}${variable}.set('${name}', ${handler});\n${line}`);
  }
  const map = /new Map(?:<[^>]*>)?\(\[([\s\S]*?)\n([ \t]*)\]\)/.exec(source);
  if (map) {
    const indent = `${map[2]}  `;
    const end = map.index + map[0].lastIndexOf('\n');
    return `${source.slice(0, end)}\n${indent}['${name}', ${handler}],${source.slice(end)}`;
  }
  throw new AddError(
    'no place to register the handler: src/intents/index.ts has neither `return intents;` after `intents.set(…)` nor a multi-line `new Map([…])`',
  );
}

/** The job registry with one more type: the last element of `createJobRegistry([…])`. */
export function registerJob(source: string, job: string): string {
  const m = /createJobRegistry\(\[([\s\S]*?)\]\)/.exec(source);
  if (!m)
    throw new AddError(
      'no `createJobRegistry([…])` in src/jobs/index.ts to register the job type in',
    );
  const inner = m[1]!;
  let next: string;
  if (!inner.trim()) next = job;
  else if (inner.includes('\n')) {
    const indent = /\n([ \t]*)\S/.exec(inner)?.[1] ?? '  ';
    next = `${inner.replace(/,?\s*$/, ',')}\n${indent}${job},${/\n[ \t]*$/.exec(inner)?.[0] ?? '\n'}`;
  } else next = `${inner.trim().replace(/,$/, '')}, ${job}`;
  return source.replace(m[0], `createJobRegistry([${next}])`);
}

interface Planned {
  path: string;
  text: string;
  /** The file exists and gets an entry (else it is new). */
  edit: boolean;
}

function write(dir: string, planned: Planned[]): string[] {
  for (const p of planned) {
    if (!p.edit && existsSync(join(dir, p.path))) throw new AddError(`${p.path} exists already`);
  }
  for (const p of planned) {
    mkdirSync(dirname(join(dir, p.path)), { recursive: true });
    writeFileSync(join(dir, p.path), p.text);
  }
  return planned.map((p) => `${p.edit ? 'updated' : 'wrote  '} ${p.path}`);
}

function read(dir: string, path: string): string {
  const full = join(dir, path);
  if (!existsSync(full)) throw new AddError(`${path} is missing: dff add registers there`);
  return readFileSync(full, 'utf8');
}

/** The files of a new intent (source, handler, registration, conversation test), written. */
export function addIntent(dir: string, name: string, agent = 'agent'): string[] {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new AddError(`intent names are snake_case: ${name}`);
  const agentDir = join(dir, agent);
  if (!hasAgentSources(agentDir)) {
    throw new AddError(
      `${relative(dir, agentDir)}/agent.yaml is missing: the agent's sources are where intents go`,
    );
  }
  const sources = readAgentSources(agentDir);
  if (sources.intents.some((i) => i.name === name))
    throw new AddError(`intent ${name} exists already`);
  const [first, ...others] = sources.agent.languages;
  const said = words(name);
  const phrases = [said, `tell me about ${said}`, `I want to know about ${said}`, `${said} please`];
  const handler = camel(name);
  const file = kebab(name);
  const reply = `This is ${said}: its answer is still to be written.`;
  const intentYaml = [
    `# ${name}: what people say to reach it, per language (a parameter's part as [text](parameter)),`,
    '# its parameters, and whether the webhook answers it (the default). The ES export and the CX',
    '# package are generated from this file; its handler is src/intents/' + `${file}.ts.`,
    '#',
    '# parameters:',
    '#   - name: city',
    '#     entity: sys.geo-city',
    '#     required: true',
    '#     prompts:',
    ...sources.agent.languages.map((l) => `#       ${l}: Which city?`),
    'phrases:',
    `  ${first}:`,
    ...phrases.map((p) => `    - ${p}`),
    ...others.flatMap((l) => [
      `  # to translate into ${l}`,
      `  ${l}:`,
      ...phrases.map((p) => `    - ${p}`),
    ]),
    '',
  ].join('\n');
  const handlerTs = [
    "import type { IntentHandler } from '@dialogflow-functions/core/conversation';",
    '',
    '/**',
    ` * ${name} (${agent}/intents/${name}.yaml). Read its parameters with \`ctx.params\`, answer in`,
    ' * `ctx.language` (texts in src/messages), defer slow work with `ctx.defer`.',
    ' */',
    `export const ${handler}: IntentHandler = () => ({`,
    `  texts: [${JSON.stringify(reply).replace(/^"|"$/g, "'")}],`,
    '});',
    '',
  ].join('\n');
  const conversation = [
    `# ${name} through the agent and the webhook, in both editions (dff converse, npm test).`,
    'stories:',
    `  - story: ${said}`,
    '    steps:',
    `      - user: ${phrases[0]}`,
    `        intent: ${name}`,
    '        webhook: ok',
    `        reply: ${said}`,
    '',
  ].join('\n');
  const indexPath = 'src/intents/index.ts';
  const index = withImport(
    registerIntent(read(dir, indexPath), name, handler),
    `import { ${handler} } from './${file}';`,
  );
  return write(dir, [
    { path: `${agent}/intents/${name}.yaml`, text: intentYaml, edit: false },
    { path: `src/intents/${file}.ts`, text: handlerTs, edit: false },
    { path: indexPath, text: index, edit: true },
    { path: `conversations/${file}.yaml`, text: conversation, edit: false },
  ]);
}

/** The files of a new job type (module, registration), written. */
export function addJob(dir: string, name: string): string[] {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new AddError(`job types are kebab-case: ${name}`);
  const ident = camel(name);
  const jobTs = [
    "import * as z from 'zod';",
    "import { defineJob } from '@dialogflow-functions/core/jobs';",
    '',
    '/**',
    ` * The job type ${name}: what the webhook defers (\`ctx.defer({ type: '${name}', … })\`) and the`,
    ' * worker runs. Its effect must be exactly-once in outcome however often it runs.',
    ' */',
    `export const ${ident} = defineJob({`,
    `  type: '${name}',`,
    '  request: z.strictObject({ note: z.string().max(200) }),',
    '  result: z.strictObject({ done: z.boolean() }),',
    '  // Rules checked by the webhook before deferring and again by the worker: none yet.',
    '  validate: () => undefined,',
    '  explain: (_refusal, t) => t.apology,',
    '  async run() {',
    '    // The effect goes here (key its writes by ctx.jobId so a retry does not repeat them).',
    '    return { result: { done: true } };',
    '  },',
    '  // Say it in your catalogue (src/messages) once the job does something worth describing.',
    '  describe: (view, t) =>',
    "    view.status === 'succeeded'",
    '      ? `Request ${view.jobId} is done.`',
    "      : view.status === 'failed'",
    '        ? t.jobFailed({ jobId: view.jobId })',
    '        : `Request ${view.jobId} is ${view.status}.`,',
    '  notifies: [],',
    '});',
    '',
  ].join('\n');
  const indexPath = 'src/jobs/index.ts';
  const index = withImport(
    registerJob(read(dir, indexPath), ident),
    `import { ${ident} } from './${name}';`,
  );
  return write(dir, [
    { path: `src/jobs/${name}.ts`, text: jobTs, edit: false },
    { path: indexPath, text: index, edit: true },
  ]);
}
