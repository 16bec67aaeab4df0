/**
 * cloud-tasks-emulator: a Cloud Tasks v2 emulator for HTTP targets, on gRPC, that the real
 * `@google-cloud/tasks` client talks to. Queues, tasks with schedule times and names
 * (ALREADY_EXISTS for a duplicate), OIDC tokens, retries with the queue's backoff, dispatch
 * deadlines and the `X-CloudTasks-*` headers; optional persistence to a data folder.
 *
 * ```ts
 * const emulator = await startTasksEmulator({ port: 0 });
 * // CLOUD_TASKS_EMULATOR_HOST=emulator.host; new CloudTasksClient({ servicePath, port, sslCreds: insecure })
 * await emulator.stop();
 * ```
 *
 * @packageDocumentation
 */
export { startTasksEmulator, loadCloudTasksService, type RunningEmulator } from './server';
export { TasksEmulator, type EmulatorOptions, type DispatchLog } from './emulator';
