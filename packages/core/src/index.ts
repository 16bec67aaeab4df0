/**
 * @dialogflow-functions/core: Dialogflow ES/CX fulfillment on Cloud Functions.
 *
 * A bot is its `bot.ts` (`defineBot`), served by `serve(bot)` from its entry. This entry
 * point holds what a bot's own code uses: the conversation API (replies, parameters, the
 * turn's budget), job and channel definitions, configuration and logging. The function
 * factories for self-hosting are in `@dialogflow-functions/core/webhook`, `/worker` and
 * `/chat`; loading this module loads none of them.
 *
 * @packageDocumentation
 */
export { defineBot, isBot, parseBotConfig } from './bot';
export type {
  Bot,
  BotClients,
  BotDefinition,
  LocalService,
  LocalServiceContext,
  RunningLocalService,
  SeedContext,
} from './bot';
export { serve } from './serve';
export type { Register, RegisteredEnv, RegisteredMessages } from './register';
export {
  ConfigError,
  envVar,
  loadConfigOrExit,
  parseConfig,
  type BotConfig,
  type BotEnvSchema,
  type Config,
  type ConfigRole,
} from './config';
export * from './conversation';
export {
  createJobRegistry,
  defineJob,
  type AnyJobDefinition,
  type JobDefinition,
  type JobRegistry,
  type JobRequest,
  type JobRunContext,
  type JobRunOutcome,
  type JobView,
  type JobsConfig,
  type Refusal,
  type RuleContext,
} from './jobs';
export type { ChannelFactory, ChannelName } from './notify';
export type { Notification, NotificationChannel } from './notify/channel';
export { createLogger, type Logger, type LogFields, type Severity } from './logger';
export { ApiError, createHttpClient, type HttpClient } from './http';
export { lazyFirestore, type FirestoreFactory } from './firestore';
export { withDeadline } from './deadline';
export { createCoalescingCache, type CoalescingCache } from './cache';
export { FulfillmentError, type ErrorCode } from './errors';
export {
  createMessages,
  isLanguage,
  languages,
  messagesFor,
  resolveLanguage,
  type BotMessages,
  type CoreMessages,
  type Language,
  type Messages,
  type MessagesFor,
} from './messages';
