import { lazyAsync } from '../lazy';

type TasksModule = typeof import('@google-cloud/tasks', { with: { 'resolution-mode': 'import' } });
/** The Cloud Tasks v2 client class of @google-cloud/tasks. */
export type CloudTasksClient = InstanceType<TasksModule['CloudTasksClient']>;
type ClientOptions = ConstructorParameters<TasksModule['CloudTasksClient']>[0];

export type TasksClientFactory = () => Promise<CloudTasksClient>;

/**
 * Options for a CloudTasksClient on a local emulator: plain gRPC with insecure credentials
 * from the same @grpc/grpc-js copy google-gax uses (kept deduped in package-lock), and the
 * universe domain stated so the auth library never probes the GCE metadata server.
 */
export async function emulatorClientOptions(host: string): Promise<ClientOptions> {
  const { grpc } = await import('google-gax');
  const [hostname, port] = splitHostPort(host);
  return {
    servicePath: hostname,
    port,
    sslCreds: grpc.credentials.createInsecure(),
    universeDomain: 'googleapis.com',
    fallback: false,
  } as ClientOptions;
}

/** `host:port` or `[v6]:port` → [host, port]. */
export function splitHostPort(host: string): [string, number] {
  const m = host.match(/^\[?([^\]]+)\]?:(\d+)$/);
  if (!m) throw new Error(`not host:port: ${host}`);
  return [m[1] as string, Number(m[2])];
}

/** A CloudTasksClient for the real service, or for the emulator at `emulatorHost`. */
export async function createTasksClient(
  emulatorHost: string | undefined,
): Promise<CloudTasksClient> {
  const { CloudTasksClient } = await import('@google-cloud/tasks');
  return new CloudTasksClient(emulatorHost ? await emulatorClientOptions(emulatorHost) : {});
}

/**
 * One Cloud Tasks client per process, created on first use (its import is as heavy as
 * Firestore's) and kept for later invocations. `emulatorHost` (CLOUD_TASKS_EMULATOR_HOST)
 * points it at a local emulator.
 */
export function lazyTasksClient(options: { emulatorHost: string | undefined }): TasksClientFactory {
  return lazyAsync(() => createTasksClient(options.emulatorHost));
}
