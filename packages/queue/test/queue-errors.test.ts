import { UnavailableError } from '@stream-server/errors';
import { redisFailure } from '@stream-server/queue';

describe('redisFailure', () => {
  it.each([
    ['OOM command not allowed when used memory > maxmemory.', 'out of memory'],
    ["READONLY You can't write against a read only replica.", 'read-only replica'],
    ['NOREPLICAS Not enough good replicas to write.', 'too few replicas'],
    ['CLUSTERDOWN The cluster is down', 'not serving this slot'],
    ['TRYAGAIN Multiple keys request during rehashing of slot', 'not serving this slot'],
    ['Command timed out', 'not answering'],
    ['connect ECONNREFUSED 127.0.0.1:6379', 'not reachable'],
    ["Stream isn't writeable and enableOfflineQueue options is false", 'not reachable'],
  ])('%s is a 503 that says %s', (message, says) => {
    const failure = redisFailure(new Error(message));
    expect(failure).toBeInstanceOf(UnavailableError);
    expect(failure?.code).toBe('QUEUE_UNAVAILABLE');
    expect(failure?.message).toContain(says);
  });

  it('is null for errors that are not about Redis', () => {
    expect(redisFailure(new Error('ERR wrong number of arguments'))).toBeNull();
    expect(redisFailure('a string')).toBeNull();
  });
});
