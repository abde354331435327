import net from 'node:net';

export interface TcpRelay {
  readonly endpoint: string;
  /** Bytes that came from the S3 server, and connections closed, so far. */
  stats(): { bytes: number; closed: number };
  /** Refuses connections and cuts the open ones: the bucket is gone. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP relay in front of a server (s3rver), to count a client's traffic and to take the server away. */
export async function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  const sockets = new Set<net.Socket>();
  let bytes = 0;
  let closed = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    upstream.on('data', (chunk: Buffer) => void (bytes += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('close', () => void (closed += 1));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const down = async () => {
    const closing = new Promise((resolve) => server.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closing;
  };
  await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ bytes, closed }),
    down,
    up: () => listen(port),
    close: down,
  };
}
