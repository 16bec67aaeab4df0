export { createWorker } from './app';
export { createWorkerHandler, type WorkerDeps } from './handler';
export { createBotWorker, serveWorker } from './serve';
