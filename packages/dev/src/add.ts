/*
 * `dff add intent NAME`: the intent's source (agent/intents/NAME.yaml), a handler stub
 * (src/intents/NAME.ts) registered in the intent map (src/intents/index.ts) and a
 * conversation test (conversations/NAME.yaml). `dff add job NAME`: a job type module
 * (src/jobs/NAME.ts, defineJob) registered in the job registry (src/jobs/index.ts).
 * Nothing is written when a file exists already or the registration has no place to go.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { addIntent, addJob, AddError, kebab } from './lib/add';
import { isCommand, projectDir } from './project';

const USAGE = 'usage: dff add intent NAME (snake_case, e.g. opening_hours) | dff add job NAME';

/** The agent folder the project's bot.ts names (`agent: '…'`), read without loading the bot. */
function agentFolder(dir: string): string {
  const bot = ['bot.ts', 'src/bot.ts'].map((f) => join(dir, f)).find((f) => existsSync(f));
  const m = bot && /\bagent:\s*['"]([^'"]+)['"]/.exec(readFileSync(bot, 'utf8'));
  return m?.[1] ?? 'agent';
}

function main(): number {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h', default: false } },
  });
  const [kind, name] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if ((kind !== 'intent' && kind !== 'job') || !name || positionals.length !== 2) {
    console.error(USAGE);
    return 2;
  }
  const dir = projectDir();
  try {
    const done = kind === 'intent' ? addIntent(dir, name, agentFolder(dir)) : addJob(dir, name);
    console.log(done.join('\n'));
    console.log(
      kind === 'intent'
        ? `Next: the phrases in the intent's source, the answer in its handler; \`dff converse conversations/${kebab(name)}.yaml\` runs its test.`
        : `Next: its request, rules and effect; defer it from a handler with ctx.defer({ type: '${name}', … }).`,
    );
    return 0;
  } catch (err) {
    if (err instanceof AddError || (err as Error).name === 'AgentFormatError') {
      console.error(`dff add: ${(err as Error).message}`);
      return 1;
    }
    throw err;
  }
}

if (isCommand(module)) process.exit(main());
