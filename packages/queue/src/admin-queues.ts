import { Queue } from 'bullmq';
import type { RedisClient } from './redis-connection';
import { QUEUE_NAMES } from '@stream-server/jobs';

/**
 * BullMQ queue handles for a dashboard that speaks BullMQ (bull-board):
 * one per queue name, opened on `connection`. Callers only hand them to
 * that dashboard, and close them with closeAdminQueues.
 */
export function openAdminQueues(connection: RedisClient, prefix: string, extraNames: readonly string[] = []): Queue[] {
  const names = [...Object.values(QUEUE_NAMES), ...extraNames];
  return names.map((name) => {
    const queue = new Queue(name, { connection, prefix });
    queue.on('error', () => undefined); // the API's own connection logs outages
    return queue;
  });
}

export async function closeAdminQueues(queues: readonly Queue[]): Promise<void> {
  await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
}
