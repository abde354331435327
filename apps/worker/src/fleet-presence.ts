import { HEARTBEAT_MS, type FleetRegistry, type WorkerInfo } from '@stream-server/fleet';
import { describeError, type Logger } from '@stream-server/logger';

/**
 * This worker's entry in the fleet registry: a heartbeat with what it
 * runs now, every HEARTBEAT_MS from start until stopBeating(); stop()
 * also leaves the fleet.
 */
export class FleetPresence {
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly fleet: FleetRegistry,
    private readonly info: WorkerInfo,
    private readonly currentJobs: () => readonly string[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    const beat = () => {
      this.fleet
        .heartbeat(this.info, Date.now(), this.currentJobs())
        .catch((err: unknown) => this.logger.warn('fleet heartbeat failed', describeError(err)));
    };
    beat();
    this.heartbeat = setInterval(beat, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** No more heartbeats (the entry stays until stop() or it expires). */
  stopBeating(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  async stop(): Promise<void> {
    this.stopBeating();
    await this.fleet.leave(this.info.id);
  }
}
