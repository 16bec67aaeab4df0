/*
 * `dff <command> [args]`: the local stack and the tools, run against the bot of the current
 * project (`-C DIR` for another folder).
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { DEV_ROOT } from './project';

/** Commands implemented by a TypeScript module (it runs its `main` when loaded). */
const MODULES: Record<string, { module: string; about: string; argv?: string[] }> = {
  start: {
    module: './start',
    about: 'the whole local stack (emulators, functions, stand-in, console)',
  },
  dev: {
    module: './start',
    about: 'the local stack, rebuilding and restarting on changes',
    argv: ['--dev'],
  },
  simulate: { module: './simulate', about: 'post a realistic request to the local webhook' },
  detect: { module: './detect', about: 'DetectIntent against the agent or the local stand-in' },
  converse: { module: './converse', about: 'run the conversation files' },
  agent: {
    module: './agent',
    about: "the agent's import zip (es|cx), export/import of its sources, evaluate",
  },
  seed: { module: './seed', about: "write the bot's local data into the running emulator" },
  bench: { module: './bench', about: 'the benchmark (ratios against a bare function)' },
  load: { module: './load-test', about: 'the load-and-fault run' },
  'stand-in': {
    module: './dialogflow-stand-in/main',
    about: 'the DetectIntent stand-in on its own',
  },
  build: { module: './build-cli', about: 'compile the project and bundle each function' },
  add: { module: './add', about: 'add an intent or a job type (dff add intent NAME)' },
};
/** Commands implemented by a shell script of this package, run in the project. */
const SCRIPTS: Record<string, { script: string; about: string }> = {
  deploy: { script: 'deploy.sh', about: 'deploy the functions to Google Cloud' },
  'setup-ci': { script: 'setup-ci.sh', about: 'keyless deploys from GitHub Actions' },
};

function usage(): string {
  const rows = [
    ...Object.entries(MODULES).map(([name, c]) => [name, c.about]),
    ...Object.entries(SCRIPTS).map(([name, c]) => [name, c.about]),
  ];
  return [
    'usage: dff [-C DIR] <command> [args]',
    '',
    ...rows.map(([name, about]) => `  ${name!.padEnd(10)} ${about}`),
  ].join('\n');
}

function main(argv: string[]): void {
  const args = [...argv];
  if (args[0] === '-C') {
    const dir = args[1];
    if (!dir) {
      console.error('dff: -C needs a folder');
      process.exit(2);
    }
    process.env.DFF_PROJECT_DIR = resolve(dir);
    args.splice(0, 2);
  }
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(usage());
    return;
  }
  const mod = MODULES[command];
  if (mod) {
    process.argv = [process.argv[0]!, command, ...(mod.argv ?? []), ...rest];
    const path = require.resolve(mod.module);
    (globalThis as { dffCommand?: string }).dffCommand = path;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs the command's main
    require(path);
    return;
  }
  const script = SCRIPTS[command];
  if (script) {
    const child = spawn('bash', [join(DEV_ROOT, 'src', script.script), ...rest], {
      cwd: process.env.DFF_PROJECT_DIR ?? process.cwd(),
      stdio: 'inherit',
      env: { ...process.env, DFF_ROOT: DEV_ROOT },
    });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    return;
  }
  console.error(`dff: unknown command ${JSON.stringify(command)}\n\n${usage()}`);
  process.exit(2);
}

main(process.argv.slice(2));
