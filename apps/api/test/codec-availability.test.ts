import type { WorkerInfo } from '@stream-server/fleet';
import type { Codec } from '@stream-server/profiles';
import { CodecAvailability } from '../src/services/codec-availability';

/** A fleet whose on-line workers the test sets; counts the reads. */
function fleet(workers: Array<Pick<WorkerInfo, 'codecs'>>) {
  const state = { workers, reads: 0, down: false };
  return {
    state,
    online: async () => {
      state.reads += 1;
      if (state.down) throw new Error('connection refused');
      return state.workers;
    },
  };
}

const LOCAL: readonly Codec[] = ['aac', 'mp3'];

describe('CodecAvailability', () => {
  it('is the union of what the on-line workers can write, in the codec table order', async () => {
    const availability = new CodecAvailability(fleet([{ codecs: ['opus', 'aac'] }, { codecs: ['flac'] }]), LOCAL);
    await expect(availability.available()).resolves.toEqual(['aac', 'opus', 'flac']);
  });

  it('falls back to the API ffmpeg when no worker is on line', async () => {
    await expect(new CodecAvailability(fleet([]), LOCAL).available()).resolves.toEqual(LOCAL);
  });

  it('a worker that writes nothing adds nothing (no fallback either)', async () => {
    await expect(new CodecAvailability(fleet([{ codecs: [] }]), LOCAL).available()).resolves.toEqual([]);
  });

  it('is cached for a few seconds, then read again', async () => {
    const registry = fleet([{ codecs: ['aac'] }]);
    let now = 1_000_000;
    const availability = new CodecAvailability(registry, LOCAL, () => now);
    await availability.available();
    registry.state.workers = [{ codecs: ['opus'] }];
    now += 4_999;
    await expect(availability.available()).resolves.toEqual(['aac']);
    now += 1;
    await expect(availability.available()).resolves.toEqual(['opus']);
    expect(registry.state.reads).toBe(2);
  });

  it('a fleet read that fails is QUEUE_UNAVAILABLE', async () => {
    const registry = fleet([]);
    registry.state.down = true;
    await expect(new CodecAvailability(registry, LOCAL).available()).rejects.toMatchObject({
      code: 'QUEUE_UNAVAILABLE',
    });
  });
});
