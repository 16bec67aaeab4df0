import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { TasksEmulator, type EmulatorOptions } from './emulator';
import { RpcError } from './model';
import { queueToProto, taskToProto, type Obj } from './wire';

/** The CloudTasks service definition from the protos shipped in @google-cloud/tasks. */
export function loadCloudTasksService(): ServiceDefinition {
  const pkgRoot = resolve(dirname(require.resolve('@google-cloud/tasks')), '..', '..', '..');
  const json = JSON.parse(
    readFileSync(join(pkgRoot, 'build', 'protos', 'protos.json'), 'utf8'),
  ) as object;
  const definition = fromJSON(json, {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  return definition['google.cloud.tasks.v2.CloudTasks'] as ServiceDefinition;
}

export interface RunningEmulator {
  emulator: TasksEmulator;
  /** host:port of the gRPC server (CLOUD_TASKS_EMULATOR_HOST). */
  host: string;
  /** URL of the JSON status page, when started with a status port. */
  statusUrl: string | undefined;
  stop(): Promise<void>;
}

/**
 * Serves the emulator over gRPC on host:port (port 0: any free one) and, with `statusPort`,
 * a JSON status page (`GET /`) on HTTP.
 */
export async function startTasksEmulator(
  options: EmulatorOptions & { host?: string; port?: number; statusPort?: number },
): Promise<RunningEmulator> {
  const emulator = new TasksEmulator(options);
  const server = new Server();
  // Every answer waits until the state it reflects is saved (at once without a data dir).
  const unary =
    (fn: (req: Obj) => unknown) =>
    (call: ServerUnaryCall<Obj, unknown>, callback: sendUnaryData<unknown>) => {
      let result: unknown;
      try {
        result = fn(call.request);
      } catch (err) {
        if (err instanceof RpcError) callback({ code: err.code, details: err.message });
        else callback({ code: status.INTERNAL, details: (err as Error).message });
        return;
      }
      emulator.saved().then(
        () => callback(null, result),
        (err: Error) => callback({ code: status.UNAVAILABLE, details: err.message }),
      );
    };
  const view = (req: Obj) => (typeof req.responseView === 'string' ? req.responseView : undefined);
  const unimplemented = unary(() => {
    throw new RpcError(status.UNIMPLEMENTED, 'IAM policies are not emulated');
  });
  const implementation: UntypedServiceImplementation = {
    ListQueues: unary((r) => {
      const res = emulator.listQueues(r);
      return { ...res, queues: (res.queues as never[]).map(queueToProto) };
    }),
    GetQueue: unary((r) => queueToProto(emulator.getQueue(r))),
    CreateQueue: unary((r) => queueToProto(emulator.createQueue(r))),
    UpdateQueue: unary((r) => queueToProto(emulator.updateQueue(r))),
    DeleteQueue: unary((r) => {
      emulator.deleteQueue(r);
      return {};
    }),
    PurgeQueue: unary((r) => queueToProto(emulator.purgeQueue(r))),
    PauseQueue: unary((r) => queueToProto(emulator.setQueueState(r, 'PAUSED'))),
    ResumeQueue: unary((r) => queueToProto(emulator.setQueueState(r, 'RUNNING'))),
    GetIamPolicy: unimplemented,
    SetIamPolicy: unimplemented,
    TestIamPermissions: unimplemented,
    ListTasks: unary((r) => {
      const res = emulator.listTasks(r);
      return { ...res, tasks: res.tasks.map((t) => taskToProto(t, view(r))) };
    }),
    GetTask: unary((r) => taskToProto(emulator.getTask(r), view(r))),
    CreateTask: unary((r) => taskToProto(emulator.createTask(r), view(r))),
    DeleteTask: unary((r) => {
      emulator.deleteTask(r);
      return {};
    }),
    RunTask: unary((r) => taskToProto(emulator.runTask(r), view(r))),
  };
  server.addService(loadCloudTasksService(), implementation);
  const bindHost = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolvePort, reject) => {
    server.bindAsync(
      `${bindHost}:${options.port ?? 0}`,
      ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolvePort(p)),
    );
  });
  emulator.start();

  let statusServer: HttpServer | undefined;
  let statusUrl: string | undefined;
  if (options.statusPort !== undefined) {
    statusServer = createHttpServer((req, res) => {
      if (req.method !== 'GET') {
        res.writeHead(405, { allow: 'GET' }).end();
        return;
      }
      const body = {
        queues: [...emulator.queues.values()].map(queueToProto),
        tasks: [...emulator.tasks.values()].map((t) => ({
          ...taskToProto(t, 'BASIC'),
          running: Boolean(t.running),
        })),
        recentDispatches: emulator.dispatches.slice(-100),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body, null, 2));
    });
    await new Promise<void>((r, reject) => {
      statusServer!.once('error', reject);
      statusServer!.listen(options.statusPort, bindHost, () => r());
    });
    const address = statusServer.address();
    statusUrl = `http://${bindHost}:${typeof address === 'object' && address ? address.port : options.statusPort}/`;
  }

  return {
    emulator,
    host: `${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${port}`,
    statusUrl,
    async stop() {
      await emulator.stop();
      server.forceShutdown();
      if (statusServer) {
        statusServer.closeAllConnections();
        await new Promise<void>((r) => statusServer!.close(() => r()));
      }
    },
  };
}
