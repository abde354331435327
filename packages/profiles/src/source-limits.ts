import { InvalidInputError } from '@stream-server/errors';
import type { SourceAudio } from './encoding-plan';

/** Operator limits on what an upload may contain (MAX_* settings). */
export interface SourceLimits {
  readonly maxDurationSeconds: number;
  readonly maxChannels: number;
  readonly maxSampleRate: number;
}

/**
 * Refuses sources over the configured limits, each with its own code, so a
 * client knows which limit it hit. Checked on the probe, before queueing;
 * the encoder is also capped at maxDurationSeconds in case the header lied.
 */
export function checkSourceLimits(source: SourceAudio, limits: SourceLimits): void {
  if (source.durationSeconds > limits.maxDurationSeconds) {
    throw new InvalidInputError(
      'DURATION_TOO_LONG',
      `The audio lasts ${Math.round(source.durationSeconds)} s; this server accepts at most ${limits.maxDurationSeconds} s.`,
    );
  }
  if (source.channels > limits.maxChannels) {
    throw new InvalidInputError(
      'TOO_MANY_CHANNELS',
      `The audio has ${source.channels} channels; this server accepts at most ${limits.maxChannels}.`,
    );
  }
  if (source.sampleRate > limits.maxSampleRate) {
    throw new InvalidInputError(
      'SAMPLE_RATE_TOO_HIGH',
      `The audio is sampled at ${source.sampleRate} Hz; this server accepts at most ${limits.maxSampleRate} Hz.`,
    );
  }
}
