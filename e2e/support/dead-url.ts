/** A URL where nothing listens: a loopback port opened and closed again. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}/gone/`;
}
