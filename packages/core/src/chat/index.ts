export * from './parts';
export { createChat } from './app';
export {
  CHAT_DEADLINE_MS,
  clientAddress,
  createChatHandler,
  DEFAULT_CLIENT_LIMIT,
  DEFAULT_SESSION_LIMIT,
  type ChatDeps,
  type ChatHandler,
} from './handler';
export { createBotChat, serveChat } from './serve';
