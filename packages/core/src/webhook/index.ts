export { createWebhook, type WebhookClients } from './app';
export { createWebhookHandler, type WebhookDeps, type WebhookHandler } from './handler';
export { createBotWebhook, serveWebhook } from './serve';
