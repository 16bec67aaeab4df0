/**
 * @dialogflow-functions/dev: the `dff` CLI's building blocks, for scripts of your own: the
 * project's bot, the local services, the Dialogflow stand-in and the in-process local bot
 * (what the conversation tests talk to).
 *
 * @packageDocumentation
 */
export { agentDir, conversationsDir, dataDir, loadBot, projectDir } from './project';
export { startLocalServices, type StartedServices } from './lib/local-services';
export { startLocalBot, type LocalBot } from './lib/local-bot';
export { startDialogflowStandIn, type RunningStandIn } from './dialogflow-stand-in/server';
export { loadAgents } from './dialogflow-stand-in/load-agents';
