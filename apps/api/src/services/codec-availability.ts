import { CODECS, type Codec } from '@stream-server/profiles';
import { queueUnavailable } from '@stream-server/queue';
import type { WorkerInfo } from '@stream-server/fleet';

const CACHE_MS = 5_000;

/** The workers on line and what each says it can write. */
export interface OnlineFleet {
  online(now: number): Promise<readonly Pick<WorkerInfo, 'codecs'>[]>;
}

/**
 * Which codecs can be written right now: the union of what the workers on
 * line said they can write; with no worker on line (a job would wait for
 * one anyway), what the API's own ffmpeg can write. Cached a few seconds so
 * a submit costs no extra Redis round trip most of the time.
 */
export class CodecAvailability {
  private cached: { at: number; codecs: readonly Codec[] } | null = null;

  constructor(
    private readonly fleet: OnlineFleet,
    private readonly localCodecs: readonly Codec[],
    private readonly now: () => number = Date.now,
  ) {}

  async available(): Promise<readonly Codec[]> {
    const at = this.now();
    if (this.cached && at - this.cached.at < CACHE_MS) return this.cached.codecs;
    let workers: readonly Pick<WorkerInfo, 'codecs'>[];
    try {
      workers = await this.fleet.online(at);
    } catch {
      throw queueUnavailable();
    }
    const codecs =
      workers.length === 0 ? this.localCodecs : CODECS.filter((codec) => workers.some((w) => w.codecs.includes(codec)));
    this.cached = { at, codecs };
    return codecs;
  }
}
