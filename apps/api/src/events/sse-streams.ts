/** One open Server-Sent Events response, as the registry sees it. */
export interface OpenStream {
  /** Writes the keep-alive comment. */
  heartbeat(): void;
  /** Ends the response (server stopping). */
  close(): void;
}

/**
 * Every open SSE response of this API instance. One shared interval
 * writes the keep-alive comment to all of them (so idle streams cost no
 * timer each, and proxies with idle timeouts keep them open); `closeAll`
 * ends them so the HTTP server can stop. The interval runs only while a
 * stream is open and never keeps the process alive.
 */
export class SseStreams {
  private readonly open = new Set<OpenStream>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly heartbeatMs: number) {}

  /** Registers a stream; the returned function unregisters it. */
  add(stream: OpenStream): () => void {
    if (this.closed) {
      // The server is stopping: a stream that slipped in on a kept-alive
      // socket is ended at once, or it would hold the server open.
      stream.close();
      return () => undefined;
    }
    this.open.add(stream);
    if (!this.timer) {
      this.timer = setInterval(() => this.beat(), this.heartbeatMs);
      this.timer.unref();
    }
    return () => this.remove(stream);
  }

  size(): number {
    return this.open.size;
  }

  closeAll(): void {
    this.closed = true;
    for (const stream of [...this.open]) stream.close();
    this.open.clear();
    this.stopTimer();
  }

  private remove(stream: OpenStream): void {
    this.open.delete(stream);
    if (this.open.size === 0) this.stopTimer();
  }

  private beat(): void {
    for (const stream of this.open) stream.heartbeat();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
