/** Entries of the queue's event stream → job endings (pure). */
import { endingOf } from '../src/job-ending-stream';

it('reads a completed or failed attempt', () => {
  expect(endingOf(['event', 'completed', 'jobId', 'a', 'returnvalue', '{}'])).toEqual({
    jobId: 'a',
    event: 'completed',
  });
  expect(endingOf(['event', 'failed', 'jobId', 'b', 'failedReason', 'x', 'attemptsMade', '1'])).toEqual({
    jobId: 'b',
    event: 'failed',
  });
});

it('ignores every other event, and entries without a job', () => {
  expect(endingOf(['event', 'progress', 'jobId', 'a', 'data', '50'])).toBeNull();
  expect(endingOf(['event', 'active', 'jobId', 'a', 'prev', 'waiting'])).toBeNull();
  expect(endingOf(['event', 'completed'])).toBeNull();
  expect(endingOf(['event', 'completed', 'jobId'])).toBeNull();
});
