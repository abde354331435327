import { type RedisClient, duplicateRedis } from '@stream-server/queue';
import type { Logger } from '@stream-server/logger';

/**
 * Cancels reach the worker running the job through pub/sub: this listens
 * on the cancel channel (CancelRegistry#channel) on a connection of its
 * own and hands every job id to `onCancel`.
 */
export class CancelListener {
  private subscriber: RedisClient | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly channel: string,
    private readonly onCancel: (jobId: string) => void,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const subscriber = duplicateRedis(this.redis);
    this.subscriber = subscriber;
    subscriber.on('error', (err: Error) => this.logger.warn('redis subscriber error', { error: err.message }));
    subscriber.on('message', (_channel: string, jobId: string) => this.onCancel(jobId));
    await subscriber.subscribe(this.channel);
  }

  async stop(): Promise<void> {
    try {
      await this.subscriber?.quit();
    } catch {
      this.subscriber?.disconnect();
    }
  }
}
