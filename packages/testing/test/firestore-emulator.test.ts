import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { firestoreReady, startFirestoreEmulatorOnFreePort } from '../src/firestore-emulator';
import { freePort } from '../src/processes';

/*
 * Google's emulator (java) started on a port another process took between the choice of the
 * port and java's bind: it exits with a BindException, and the emulator is started again on
 * another port instead of the start failing.
 */

let squatter: Server | undefined;
afterAll(async () => {
  await new Promise((resolve) => (squatter ? squatter.close(resolve) : resolve(undefined)));
});

describe('an emulator whose port was taken meanwhile', () => {
  it('is started again on another port, and says so', { timeout: 60_000 }, async () => {
    const taken = await freePort();
    // Holds the port; a connection to it (the readiness probe) is dropped at once.
    squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter!.listen(taken, '127.0.0.1', resolve));
    const chosen: number[] = [];
    const lines: string[] = [];
    const { port, service } = await startFirestoreEmulatorOnFreePort({
      onLine: (line) => lines.push(line),
      choosePort: async () => {
        const port = chosen.length === 0 ? taken : await freePort();
        chosen.push(port);
        return port;
      },
    });
    try {
      expect(chosen).toHaveLength(2);
      expect(chosen[0]).toBe(taken);
      expect(port).toBe(chosen[1]);
      expect(lines).toContain(
        `The Firestore emulator could not listen on 127.0.0.1:${taken}: the port is taken. Starting it on another port.`,
      );
      expect(await firestoreReady(`127.0.0.1:${port}`)).toBe(true);
    } finally {
      await service.stop();
    }
    expect(service.child.exitCode !== null || service.child.signalCode !== null).toBe(true);
  });
});
