import type { LogFields, Logger } from '../logger';
import { createMessages, type MessagesFor } from '../messages';
import type { ParsedRequest } from '../dialogflow';
import type { Budget } from '../deadline';
import type { Deferrer, JobOrigin } from '../jobs/defer';
import { buildCxContext } from './context-cx';
import { buildEsContext } from './context-es';
import type { DeferNotify, TurnContext, TurnServices } from './context-types';

export { platformOf } from './context-shared';
export type {
  AgentMessage,
  ChannelUser,
  DeferNotify,
  FormParameter,
  InputContext,
  Sentiment,
  TurnContext,
  TurnQuery,
  TurnServices,
} from './context-types';

/** The framework's strings alone: the catalogue of a turn built without a bot's. */
const FRAMEWORK_MESSAGES = createMessages();

/** Builds the handler's view of a parsed request. */
export function createTurnContext(
  parsed: ParsedRequest,
  budget: Budget,
  /** The turn's logger, given the fields that name the turn (edition, intent, session hash). */
  logger: Logger | ((fields: LogFields) => Logger),
  deferrer?: Deferrer,
  /** The catalogue per language: `createMessages(bot.messages)` (default: the framework's alone). */
  messages: MessagesFor = FRAMEWORK_MESSAGES,
): TurnContext {
  const services: TurnServices = {
    budget,
    messages,
    logFor: (fields) => (typeof logger === 'function' ? logger(fields) : logger.child(fields)),
    defer: (job, notify) =>
      deferrer
        ? deferrer(jobOrigin(ctx, notify), job)
        : Promise.resolve({ ok: false, jobId: '', reason: 'jobs are not configured' }),
  };
  const ctx: TurnContext =
    parsed.edition === 'es'
      ? buildEsContext(parsed.request, parsed, services)
      : buildCxContext(parsed.request, parsed, services);
  return ctx;
}

/** The small part of a turn a deferred job keeps. */
function jobOrigin(ctx: TurnContext, notify: DeferNotify | undefined): JobOrigin {
  const recipients: Record<string, string> = {};
  if (ctx.user?.platform === 'LINE') recipients.line = ctx.user.userId;
  if (notify?.email) recipients.email = notify.email;
  return {
    responseId: ctx.responseId,
    session: ctx.session,
    sessionKey: ctx.sessionKey,
    language: ctx.language,
    recipients,
    budget: ctx.budget,
    log: ctx.log,
  };
}
