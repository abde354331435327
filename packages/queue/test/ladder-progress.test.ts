/** A ladder job's rolled-up progress, and how its snapshot reads while its parts run. Pure. */
import { progressValue, readProgress } from '../src/job-progress';
import { buildSnapshot, type JobFields } from '../src/job-snapshot-builder';
import { testPayload } from './payloads';

const fields = (over: Partial<JobFields> = {}): JobFields => ({
  id: 'job',
  data: testPayload('ladder'),
  progress: 40,
  playable: false,
  createdAt: 1_000,
  startedAt: null,
  finishedAt: null,
  failedReason: null,
  attemptsMade: 0,
  result: null,
  partsStartedAt: null,
  ...over,
});

describe('ladder progress', () => {
  it('keeps the plain number until a flag or a start time is set, and reads every form back', () => {
    expect(progressValue({ percent: 12, playable: false, startedAt: null })).toBe(12);
    const value = progressValue({ percent: 12, playable: false, startedAt: 5_000 });
    expect(value).toEqual({ percent: 12, startedAt: 5_000 });
    expect(readProgress(value)).toEqual({ percent: 12, playable: false, startedAt: 5_000 });
    expect(readProgress(progressValue({ percent: 50, playable: true, startedAt: 7 }))).toEqual({
      percent: 50,
      playable: true,
      startedAt: 7,
    });
    expect(readProgress({ percent: 3, playable: true })).toEqual({ percent: 3, playable: true, startedAt: null });
  });

  it.each(['waiting-children', 'waiting', 'prioritized'])(
    'a ladder in %s whose first part started reads active, started then',
    (state) => {
      const snapshot = buildSnapshot(fields({ partsStartedAt: 5_000 }), state, null);
      expect(snapshot).toMatchObject({ state: 'active', startedAt: 5_000 });
    },
  );

  it('a ladder whose parts have not started is not running yet', () => {
    expect(buildSnapshot(fields(), 'waiting-children', null)?.state).toBe('waiting-children');
  });

  it('a finished ladder keeps its state and its first part’s start', () => {
    const snapshot = buildSnapshot(fields({ partsStartedAt: 5_000, startedAt: 9_000 }), 'completed', null);
    expect(snapshot).toMatchObject({ state: 'completed', startedAt: 5_000 });
  });
});
