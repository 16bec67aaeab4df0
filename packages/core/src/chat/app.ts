import { createDetectIntent, editionOf } from './parts';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createChatHandler, type ChatDeps, type ChatHandler } from './handler';

/**
 * The chat function wired from the configuration: DetectIntent on DIALOGFLOW_AGENT (its edition
 * from its form: a CX agent path is CX, a project id ES) or on the stand-in at
 * DIALOGFLOW_EMULATOR_HOST, CHAT_ALLOWED_ORIGINS and CHAT_SESSION_SECRET. What
 * `http('chat', …)` registers.
 */
export function createChat(
  config: Config,
  options: Pick<ChatDeps, 'sessionLimit' | 'clientLimit' | 'deadlineMs'> & { logger?: Logger } = {},
): ChatHandler {
  const edition = editionOf(config.dialogflow.agent);
  return createChatHandler({
    projectId: config.projectId,
    dialogflow: createDetectIntent(edition, {
      agent: config.dialogflow.agent,
      emulatorHost: config.dialogflow.emulatorHost,
      localProject: config.projectId,
    }),
    sessionSecret: config.chat.sessionSecret,
    allowedOrigins: config.chat.allowedOrigins,
    ...options,
  });
}
