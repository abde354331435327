import { attemptTimeoutMs, JOB_POLICIES } from '../src/job-policy';
import { isTerminal, toJobStatus, type JobStatus, type QueueState } from '../src/job-status';

describe('toJobStatus', () => {
  it.each<[QueueState, JobStatus]>([
    ['waiting', 'Pending'],
    ['prioritized', 'Pending'],
    ['delayed', 'Pending'],
    ['waiting-children', 'Pending'],
    ['active', 'Processing'],
    ['completed', 'Completed'],
  ])('%s → %s', (state, status) => {
    expect(toJobStatus(state, null, false)).toBe(status);
  });

  it('failed carries its reason', () => {
    expect(toJobStatus('failed', 'undecodable audio: moov atom not found', false)).toBe(
      'Failed(undecodable audio: moov atom not found)',
    );
  });

  it('failed without a reason → Failed(unknown error)', () => {
    expect(toJobStatus('failed', null, false)).toBe('Failed(unknown error)');
  });

  it('a delayed job waiting for a retry is Pending, despite the last failure', () => {
    expect(toJobStatus('delayed', 'ffmpeg timed out', false)).toBe('Pending');
  });

  it('a reason on a non-failed state is ignored', () => {
    expect(toJobStatus('active', 'earlier attempt failed', false)).toBe('Processing');
    expect(toJobStatus('completed', 'earlier attempt failed', false)).toBe('Completed');
  });

  it.each<QueueState>([
    'waiting',
    'prioritized',
    'delayed',
    'waiting-children',
    'active',
    'completed',
    'failed',
    'unknown',
  ])('the cancelled flag wins over %s', (state) => {
    expect(toJobStatus(state, 'some reason', true)).toBe('Cancelled');
    expect(toJobStatus(state, null, true)).toBe('Cancelled');
  });
});

describe('isTerminal', () => {
  it.each<[JobStatus, boolean]>([
    ['Pending', false],
    ['Processing', false],
    ['Completed', true],
    ['Cancelled', true],
    ['Failed(unknown error)', true],
    ['Failed(ffmpeg timed out)', true],
  ])('%s → %p', (status, terminal) => {
    expect(isTerminal(status)).toBe(terminal);
  });

  it('agrees with toJobStatus for every state', () => {
    const terminal = (
      ['waiting', 'prioritized', 'delayed', 'waiting-children', 'active', 'completed', 'failed'] as const
    ).filter((state) => isTerminal(toJobStatus(state, 'x', false)));
    expect(terminal).toEqual(['completed', 'failed']);
  });
});

describe('job policy', () => {
  it('attempt timeout is a floor plus 2 s per media second', () => {
    expect(attemptTimeoutMs('transcode', 0, 120)).toBe(120_000);
    expect(attemptTimeoutMs('transcode', 60, 120)).toBe(240_000);
    expect(attemptTimeoutMs('transcode', 3_600, 120)).toBe(7_320_000);
    expect(attemptTimeoutMs('transcode', 0.4, 120)).toBe(120_800);
  });

  it('a negative duration does not shorten the floor', () => {
    expect(attemptTimeoutMs('transcode', -100, 120)).toBe(120_000);
  });

  it('grows with the media duration', () => {
    expect(attemptTimeoutMs('transcode', 10, 120)).toBeLessThan(attemptTimeoutMs('transcode', 11, 120));
  });

  it('takes its floor from JOB_TIMEOUT_FLOOR_SECONDS', () => {
    expect(attemptTimeoutMs('transcode', 10, 5)).toBe(25_000);
  });

  it('the transcode policy retries with a backoff', () => {
    expect(JOB_POLICIES.transcode.attempts).toBeGreaterThanOrEqual(1);
    expect(JOB_POLICIES.transcode.backoffMs).toBeGreaterThan(0);
  });
});
