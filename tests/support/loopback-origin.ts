import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** An HTTP server on 127.0.0.1 that counts every TCP connection it accepts, and the requests it sees. */
export interface LoopbackOrigin {
  readonly port: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
  /** TCP connections accepted so far (a refused target must leave this at 0). */
  readonly connections: number;
  readonly requests: readonly IncomingMessage[];
  /** Answers whose connection closed before the whole answer went out (a client that gave up). */
  readonly cut: number;
  close(): Promise<void>;
}

export type OriginHandler = (request: IncomingMessage, response: ServerResponse) => void;

export async function startLoopbackOrigin(handler: OriginHandler = notFound): Promise<LoopbackOrigin> {
  const sockets = new Set<Socket>();
  const requests: IncomingMessage[] = [];
  let connections = 0;
  let cut = 0;
  const server = http.createServer((request, response) => {
    requests.push(request);
    response.once('close', () => {
      if (!response.writableFinished) cut += 1;
    });
    handler(request, response);
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('origin is not on a TCP port');
  const { port } = address satisfies AddressInfo;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    get connections() {
      return connections;
    },
    requests,
    get cut() {
      return cut;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function notFound(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(404).end();
}
