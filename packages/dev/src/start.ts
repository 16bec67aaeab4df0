/*
 * `npm start`: builds, then runs the whole stack on this machine with no Google account.
 * Starts what the environment does not already provide, on 127.0.0.1 only, and prints the URLs.
 * A function that crashes is started again (with backoff). SIGINT, SIGTERM or SIGHUP to this
 * process (npm runs it without a shell in between: `exec` in package.json) stops every child,
 * each in its own process group; a second signal a second later kills them at once.
 * `npm run dev` (`--dev`): the same, and on each source change an incremental rebuild and
 * a restart of both functions.
 */
import { ConfigError } from '@dialogflow-functions/core/config';
import { parseBotConfig } from '@dialogflow-functions/core';
import { formatLogLine } from './lib/log-format';
import {
  EmulatorUnavailableError,
  ensureFirestoreEmulator,
} from '@dialogflow-functions/testing/firestore-emulator';
import {
  freePort,
  portIsFree,
  spawnFunction,
  spawnTasksEmulator,
  waitForPort,
  type Service,
} from '@dialogflow-functions/testing/processes';
import { rebuildOnChange, runBuild } from './lib/build';
import { supervise, type Supervised } from './lib/supervise';
import { Firestore } from '@google-cloud/firestore';
import { emulatorSettings } from '@dialogflow-functions/core/firestore';
import { agentDir, dataDir, loadBot, projectDir } from './project';
import { watch } from 'node:fs';
import { startLocalServices } from './lib/local-services';
import {
  startNotifySink,
  SINK_LINE_TOKEN,
  SINK_WEBHOOK_SECRET,
  type NotifySink,
} from './lib/notify-sink';
import { ensureQueue } from './lib/queue';
import { startSmtpSink, type SmtpSink } from './lib/smtp-sink';
import { writeStackFile } from './lib/stack-file';
import { startSweepLoop } from './lib/sweep-loop';
import { createTasksClient } from '@dialogflow-functions/core/tasks';
import { startDialogflowStandIn, type RunningStandIn } from './dialogflow-stand-in/server';
import { loadAgents } from './dialogflow-stand-in/load-agents';
import { webhookAuthHeaders } from './lib/agent/webhook-auth';
import { startStackConsole, type DevConsole } from './dev-console';
import { startChatPage, type ChatPage } from './lib/chat-page';

/** What this process started and stops, in the order it started them. */
const services: Pick<Service, 'name' | 'stop' | 'kill'>[] = [];
let stopLocalServices: (() => Promise<void>) | undefined;
let notifySink: NotifySink | undefined;
let smtpSink: SmtpSink | undefined;
let stopSweeps: (() => void) | undefined;
let removeStackFile: (() => void) | undefined;
let rebuilds: { close(): void } | undefined;
let agentReloads: { close(): void } | undefined;
let dialogflow: RunningStandIn | undefined;
let devConsole: DevConsole | undefined;
let chatPage: ChatPage | undefined;
/** The functions `--dev` restarts after a rebuild. */
const functions: Supervised[] = [];
let stopping = false;
const dev = process.argv.includes('--dev');

/** A short-lived child (a build): stopped with the rest while it runs. */
function track(service: Service): void {
  services.push(service);
  void service.exited.then(() => {
    const i = services.indexOf(service);
    if (i >= 0) services.splice(i, 1);
  });
}

function prefixed(name: string) {
  const tag = `[${name}]`.padEnd(11);
  return (line: string) => console.log(`${tag} ${formatLogLine(line)}`);
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    rebuilds?.close();
    agentReloads?.close();
    stopSweeps?.();
    await dialogflow?.stop();
    for (const s of [...services].reverse()) await s.stop();
    await devConsole?.close();
    await chatPage?.close();
    await stopLocalServices?.();
    await notifySink?.close();
    removeStackFile?.();
    await smtpSink?.close();
  }
  process.exit(code);
}

type Bot = ReturnType<typeof loadBot>;
type StackConfig = ReturnType<typeof parseBotConfig>;

/** What the stack's steps hand the functions: their environment, and lines for the summary. */
interface StackEnv {
  env: NodeJS.ProcessEnv;
  notes: string[];
}

async function main(): Promise<void> {
  const bot = loadBot();
  const config = configOrExit(bot);
  stopOnSignals();
  await buildOrExit();
  const stack: StackEnv = { env: { ...process.env }, notes: [] };
  const firestoreHost = await startFirestore(config, stack);
  await startBotServices(bot, config, firestoreHost, stack);
  const tasks = await startTasks(config, stack);
  await startSinks(config, stack);
  stack.env.WORKER_URL ??= `http://127.0.0.1:${config.ports.worker}/`;
  await startFunctions(config, stack.env);
  startSweeps(config, firestoreHost, tasks.host);
  // The dev console first: the stand-in's webhook calls pass through it (recorded, forwarded).
  devConsole = await startStackConsole({
    config,
    env: stack.env,
    tasksStatusUrl: tasks.statusUrl,
    notifySink,
    smtpSink,
    standInHost: `127.0.0.1:${config.dialogflow.standInPort}`,
  });
  dialogflow = await startStandIn(config, devConsole.tapUrl, stack.notes);
  if (dev) agentReloads = reloadStandInOnAgentChange(config, devConsole.tapUrl);
  const chat = await startChat(config, stack.env, dialogflow.host);
  printSummary(config, devConsole, dialogflow, [...chat, ...stack.notes]);
}

/** The configuration (the bot's own settings included); a wrong one stops the start (exit 78). */
function configOrExit(bot: Bot): StackConfig {
  try {
    return parseBotConfig(bot, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
}

/** SIGINT, SIGTERM, SIGHUP stop the stack; a second one a second later kills it at once. */
function stopOnSignals(): void {
  let firstSignalAt = 0;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (!stopping) {
        firstSignalAt = Date.now();
        console.log(`\n${sig}: stopping ${services.map((s) => s.name).join(', ')}…`);
        void stopAll(0);
      } else if (Date.now() - firstSignalAt > 1000) {
        // Asked again (npm forwards a Ctrl-C the terminal sent us too: that one comes at once).
        console.log(`${sig} again: killing everything now.`);
        for (const s of services) s.kill();
        process.exit(1);
      }
    });
  }
  process.on('uncaughtException', (err) => {
    console.error(err);
    void stopAll(1);
  });
}

/** Build: dist/ is what the functions run, as on Cloud Functions. */
async function buildOrExit(): Promise<void> {
  console.log(dev ? 'Building (incremental)…' : 'Building…');
  const built = await runBuild({ incremental: dev, onSpawn: track });
  if (!built.ok) {
    for (const line of built.lines) console.error(line);
    console.error('The build failed: fix the errors above (npm run build shows them too).');
    await stopAll(1);
  }
}

/** Firestore: Google's emulator, unless one is given. Returns its host. */
async function startFirestore(config: StackConfig, { env, notes }: StackEnv): Promise<string> {
  if (!config.firestore.emulatorHost) console.log('Starting the Firestore emulator…');
  let firestore;
  try {
    firestore = await ensureFirestoreEmulator({
      host: config.firestore.emulatorHost,
      jar: config.firestore.emulatorJar,
      onLine: (line) => {
        if (/error|exception/i.test(line)) prefixed('firestore')(line);
      },
    });
  } catch (err) {
    if (err instanceof EmulatorUnavailableError) {
      console.error(err.message);
      await stopAll(1);
    }
    throw err;
  }
  if (firestore.service) {
    services.push(firestore.service);
    exitStopsStack(firestore.service, 'the Firestore emulator');
  }
  notes.push(
    `firestore ${firestore.host} (${firestore.service ? "Google's emulator, started here" : 'FIRESTORE_EMULATOR_HOST, not started here'})`,
  );
  env.FIRESTORE_EMULATOR_HOST = firestore.host;
  return firestore.host;
}

/** The bot's local services (its outside APIs, its databases), then its local data. */
async function startBotServices(
  bot: Bot,
  config: StackConfig,
  firestoreHost: string,
  { env, notes }: StackEnv,
): Promise<void> {
  const local = await startLocalServices(bot, {
    env,
    projectDir: projectDir(),
    dataDir: (name) => dataDir(name),
    log: (name, line) => prefixed(name)(line),
  });
  stopLocalServices = local.stop;
  Object.assign(env, local.env);
  if (bot.seed) {
    const db = new Firestore({ projectId: config.projectId, ...emulatorSettings(firestoreHost) });
    try {
      notes.push(await bot.seed({ db, env, projectDir: projectDir() }));
    } finally {
      await db.terminate();
    }
  }
  notes.push(...local.notes);
}

/** Cloud Tasks: the cloud-tasks-emulator package's, unless one is given; then the queue. */
async function startTasks(
  config: StackConfig,
  { env, notes }: StackEnv,
): Promise<{ host: string; statusUrl: string | undefined }> {
  let tasksHost = config.tasks.emulatorHost;
  let tasksStatusUrl: string | undefined;
  if (tasksHost) {
    notes.push(`tasks    ${tasksHost} (CLOUD_TASKS_EMULATOR_HOST, not started here)`);
  } else {
    // CLOUD_TASKS_EMULATOR_PORT when set, else 8123 when free, else any free port.
    const port = process.env.CLOUD_TASKS_EMULATOR_PORT
      ? config.ports.tasksEmulator
      : (await portIsFree('127.0.0.1', config.ports.tasksEmulator))
        ? config.ports.tasksEmulator
        : await freePort();
    if (!(await portIsFree('127.0.0.1', port))) {
      console.error(`Port ${port} is in use: set CLOUD_TASKS_EMULATOR_PORT to another port.`);
      await stopAll(1);
    }
    const statusPort = await freePort();
    const emulator = spawnTasksEmulator(port, prefixed('tasks'), [
      '--status-port',
      String(statusPort),
    ]);
    tasksStatusUrl = `http://127.0.0.1:${statusPort}/`;
    services.push(emulator);
    exitStopsStack(emulator, 'the Cloud Tasks emulator');
    await waitForPort('127.0.0.1', port, 30_000, emulator);
    tasksHost = `127.0.0.1:${port}`;
    notes.push(`tasks    ${tasksHost} (Cloud Tasks emulator, started here)`);
  }
  env.CLOUD_TASKS_EMULATOR_HOST = tasksHost;
  const tasksClient = await createTasksClient(tasksHost);
  const queue = await ensureQueue(tasksClient, config);
  await tasksClient.close();
  notes.push(`queue    ${queue} (retry config from @dialogflow-functions/dev's queue.json)`);
  return { host: tasksHost, statusUrl: tasksStatusUrl };
}

/** Notifications and email: loopback sinks for the channels not configured. */
async function startSinks(config: StackConfig, { env, notes }: StackEnv): Promise<void> {
  // Notifications: a loopback sink for LINE, Slack and the signed webhook, unless configured.
  const wantsSink =
    !process.env.LINE_CHANNEL_ACCESS_TOKEN ||
    !process.env.SLACK_WEBHOOK_URL ||
    !process.env.NOTIFY_WEBHOOK_URL;
  if (wantsSink) {
    notifySink = await startNotifySink({
      onDelivery: (d) => {
        const text =
          d.channel === 'line'
            ? `LINE push to ${String((d.body as { to?: string }).to)}: ${String((d.body as { messages?: { text?: string }[] }).messages?.[0]?.text)}`
            : d.channel === 'slack'
              ? `Slack: ${String((d.body as { text?: string }).text)}`
              : `webhook (signature ${d.signatureValid ? 'valid' : 'INVALID'}): ${d.raw}`;
        console.log(`${'[notify]'.padEnd(11)} ${text}`);
      },
    });
    if (!process.env.LINE_CHANNEL_ACCESS_TOKEN) {
      env.LINE_API_BASE_URL = notifySink.url;
      env.LINE_CHANNEL_ACCESS_TOKEN = SINK_LINE_TOKEN;
    }
    if (!process.env.SLACK_WEBHOOK_URL) env.SLACK_WEBHOOK_URL = `${notifySink.url}/slack`;
    if (!process.env.NOTIFY_WEBHOOK_URL) {
      env.NOTIFY_WEBHOOK_URL = `${notifySink.url}/notify`;
      env.NOTIFY_WEBHOOK_SECRET = SINK_WEBHOOK_SECRET;
    }
    notes.push(
      `notify   ${notifySink.url} (local sink for the channels not configured: LINE, Slack, webhook)`,
    );
  }
  // Email: a loopback SMTP sink that prints each mail, unless SMTP_URL is set.
  if (config.email.smtpUrl) {
    notes.push('email    SMTP_URL (mails are sent for real)');
  } else {
    smtpSink = await startSmtpSink({
      onMail: (m) =>
        console.log(
          `${'[email]'.padEnd(11)} to ${m.to.join(', ')} (${m.messageId ?? 'no Message-ID'}): ${m.subject ?? ''}\n${' '.repeat(12)}${m.text.replace(/\n/g, `\n${' '.repeat(12)}`)}`,
        ),
    });
    env.SMTP_URL = smtpSink.url;
    notes.push(
      `email    ${smtpSink.url.replace(/\/\/[^@]*@/, '//')} (local SMTP sink: mails are printed here)`,
    );
  }
}

/** The webhook and the worker, supervised; with `--dev`, rebuilt and restarted on changes. */
async function startFunctions(config: StackConfig, env: NodeJS.ProcessEnv): Promise<void> {
  for (const [target, port] of [
    ['webhook', config.ports.webhook],
    ['worker', config.ports.worker],
  ] as const) {
    if (!(await portIsFree('127.0.0.1', port))) {
      console.error(`Port ${port} is in use: set ${target.toUpperCase()}_PORT to another port.`);
      await stopAll(1);
    }
    // Crashes are restarted with backoff; stopping the stack stops it for good.
    const fn = await supervise({
      name: target,
      start: () =>
        spawnFunction({ target, port, env, source: projectDir(), onLine: prefixed(target) }),
      ready: (service) => waitForPort('127.0.0.1', port, 30_000, service),
      log: prefixed('stack'),
    });
    services.push(fn);
    functions.push(fn);
  }
  if (dev) {
    const log = prefixed('dev');
    rebuilds = rebuildOnChange({
      log,
      onSpawn: track,
      onBuilt: async () => {
        await Promise.all(functions.map((f) => f.restart()));
        // Each answers on its port again (restart waits for it).
        log(
          `functions restarted (${functions.map((f) => `${f.name} pid ${f.current.child.pid}`).join(', ')})`,
        );
      },
    });
  }
}

/** The stack file (for `dff` commands) and the sweep Cloud Scheduler runs in production. */
function startSweeps(config: StackConfig, firestoreHost: string, tasksHost: string): void {
  removeStackFile = writeStackFile(config.ports.webhook, {
    pid: process.pid,
    firestore: firestoreHost,
    tasks: tasksHost,
    webhook: `http://127.0.0.1:${config.ports.webhook}/`,
    worker: `http://127.0.0.1:${config.ports.worker}/`,
    projectId: config.projectId,
  });
  // The sweep (jobs that lost their task), every minute here.
  stopSweeps = startSweepLoop(
    `http://127.0.0.1:${config.ports.worker}/sweep`,
    60_000,
    prefixed('sweep'),
  );
}

/** Dialogflow: the stand-in running agent/ (ES and CX), calling the webhook through `webhookUrl`. */
async function startStandIn(
  config: StackConfig,
  webhookUrl: string,
  notes: string[],
): Promise<RunningStandIn> {
  const standInPort = config.dialogflow.standInPort;
  if (!(await portIsFree('127.0.0.1', standInPort))) {
    console.error(`Port ${standInPort} is in use: set DIALOGFLOW_STAND_IN_PORT to another port.`);
    await stopAll(1);
  }
  const agents = loadAgents();
  for (const agent of [agents.es, agents.cx]) {
    for (const w of agent.warnings) console.warn(`[dialogflow] warning (${agent.edition}): ${w}`);
  }
  const standIn = await startDialogflowStandIn({
    ...agents,
    webhookUrl,
    webhookHeaders: webhookAuthHeaders(config),
    port: standInPort,
    onTurn: (line) => console.log(`${'[dialogflow]'.padEnd(11)} ${line}`),
  });
  notes.push(
    `dialogflow ${standIn.host} (stand-in for ES and CX DetectIntent, agent/ → the webhook)`,
  );
  return standIn;
}

/**
 * `npm run dev`: when the agent's sources change, the stand-in is started again with the new
 * agent (on the same port, so the console and the chat function keep talking to it). Sources
 * that do not load leave the running stand-in alone and say why.
 */
function reloadStandInOnAgentChange(config: StackConfig, webhookUrl: string): { close(): void } {
  const log = prefixed('dev');
  let timer: NodeJS.Timeout | undefined;
  let queue = Promise.resolve();
  const reload = async () => {
    if (stopping) return;
    let agents;
    try {
      agents = loadAgents();
    } catch (err) {
      log(`agent sources do not load: ${err instanceof Error ? err.message : String(err)}`);
      log('the stand-in keeps the last good agent');
      return;
    }
    log('agent changed: restarting the Dialogflow stand-in…');
    await dialogflow?.stop();
    if (stopping) return;
    dialogflow = await startDialogflowStandIn({
      ...agents,
      webhookUrl,
      webhookHeaders: webhookAuthHeaders(config),
      port: config.dialogflow.standInPort,
      onTurn: (line) => console.log(`${'[dialogflow]'.padEnd(11)} ${line}`),
    });
    log('the stand-in runs the new agent');
  };
  const watcher = watch(agentDir(), { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      queue = queue.then(reload).catch((err: unknown) => {
        log(`the stand-in did not restart: ${err instanceof Error ? err.message : String(err)}`);
      });
    }, 300);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

/**
 * The chat function (DetectIntent for web clients, against the stand-in at `standInHost`) and
 * its sample page with the widget; returns the summary's lines for them.
 */
async function startChat(
  config: StackConfig,
  env: NodeJS.ProcessEnv,
  standInHost: string,
): Promise<string[]> {
  for (const [name, port] of [
    ['CHAT_PORT', config.chat.port],
    ['CHAT_PAGE_PORT', config.chat.pagePort],
  ] as const) {
    if (!(await portIsFree('127.0.0.1', port))) {
      console.error(`Port ${port} is in use: set ${name} to another port.`);
      await stopAll(1);
    }
  }
  const chatEnv: NodeJS.ProcessEnv = {
    ...env,
    DIALOGFLOW_EMULATOR_HOST: standInHost,
    // One secret for the stack's lifetime: a restarted chat function keeps its sessions.
    CHAT_SESSION_SECRET: config.chat.sessionSecret,
    // The sample page's origin unless set (stated, so NODE_ENV=production starts it too).
    CHAT_ALLOWED_ORIGINS: config.chat.allowedOrigins.join(','),
  };
  const chatFn = await supervise({
    name: 'chat',
    start: () =>
      spawnFunction({
        target: 'chat',
        port: config.chat.port,
        env: chatEnv,
        source: projectDir(),
        onLine: prefixed('chat'),
      }),
    ready: (service) => waitForPort('127.0.0.1', config.chat.port, 30_000, service),
    log: prefixed('stack'),
  });
  services.push(chatFn);
  functions.push(chatFn);
  // The page needs the widget's script (built from its source here, else the core package's
  // dist/widget): without it the stack still runs, and says why there is no page.
  let page: string;
  try {
    chatPage = await startChatPage({
      chatUrl: `http://127.0.0.1:${config.chat.port}/`,
      port: config.chat.pagePort,
    });
    page = `${chatPage.url} (sample restaurant page with the <dialogflow-chat> widget)`;
  } catch (err) {
    page = `not served: ${err instanceof Error ? err.message : String(err)}`;
  }
  return [
    `chat     http://127.0.0.1:${config.chat.port}/ (the chat function: DetectIntent for web and mobile clients)`,
    `page     ${page}`,
  ];
}

function printSummary(
  config: StackConfig,
  console_: DevConsole,
  standIn: RunningStandIn,
  notes: string[],
): void {
  console.log(`
Local stack is up (NODE_ENV=${config.nodeEnv}, project ${config.projectId}):
  webhook  http://127.0.0.1:${config.ports.webhook}/
  worker   http://127.0.0.1:${config.ports.worker}/
  console  ${console_.url} (the dev console: chat, exchanges, jobs, notifications)
  ${notes.join('\n  ')}

Try:  npm run simulate -- "Default Welcome Intent"     (npx dff simulate in a project)
      npm run simulate -- welcome --cx --lang zh-TW
Talk to the agent (DetectIntent through the Dialogflow stand-in):
      export DIALOGFLOW_EMULATOR_HOST=${standIn.host}
      npm run detect -- "hello"
${dev ? 'Source changes rebuild and restart the functions. ' : ''}Ctrl-C stops everything.
`);
}

/** An emulator started here that dies on its own takes the stack down with a clear message. */
function exitStopsStack(service: Service, what: string): void {
  void service.exited.then((code) => {
    if (stopping) return;
    console.error(`${what} exited (code ${code ?? service.child.signalCode}); stopping the stack.`);
    void stopAll(1);
  });
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  await stopAll(1);
});
