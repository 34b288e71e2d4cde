/** Loopback ports for the embedded server: pick a free one, or check that a given one is free. */
import net from 'node:net';
import { ShiftleftError } from '../../common/errors.ts';

/** A free loopback port, found by letting the kernel pick one. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(portTaken(port));
      else reject(new ShiftleftError('INVALID_CONFIG', `cannot use port ${port} on 127.0.0.1: ${error.message}`, { cause: error }));
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

export function portTaken(port: number): ShiftleftError {
  return new ShiftleftError('INVALID_CONFIG', `port ${port} on 127.0.0.1 is already in use; the embedded PostgreSQL cannot listen on it`, {
    hint: 'choose another port, or leave the port unset to pick a free one',
    details: { port },
  });
}
