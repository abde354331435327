import { InvalidInputError } from '@stream-server/errors';
import { CODECS, PRIORITIES, QUALITY_PROFILES, type Codec, type Priority, type QualityProfile } from './codecs';

/** The submit form's fields once validated (the seed's names, typed). */
export interface TranscodeOptions {
  readonly codec?: Codec | undefined;
  readonly bitrate?: number | undefined;
  readonly profile: QualityProfile;
  readonly priority: Priority;
  readonly trackId?: string | undefined;
}

const TRACK_ID_MAX = 200;
// Printable text without control characters: it is echoed back in JSON and logs.
const TRACK_ID_PATTERN = /^[^\p{Cc}]+$/u;
const BITRATE_PATTERN = /^[0-9]{1,9}$/;

/**
 * Validates the multipart text fields of `POST /v1/stream/transcode`.
 * Unknown fields are ignored (clients may send more than we read); an
 * empty field counts as absent, as HTML forms send empty selects.
 */
export function parseTranscodeOptions(fields: Readonly<Record<string, unknown>>): TranscodeOptions {
  const codec = oneOf('codec', fields['codec'], CODECS, 'INVALID_CODEC');
  const profile = oneOf('quality_profile', fields['quality_profile'], QUALITY_PROFILES, 'INVALID_QUALITY_PROFILE') ?? 'high';
  const priority = oneOf('priority', fields['priority'], PRIORITIES, 'INVALID_PRIORITY') ?? 'normal';

  let bitrate: number | undefined;
  const rawBitrate = text('bitrate', fields['bitrate'], 'INVALID_BITRATE');
  if (rawBitrate !== undefined) {
    if (!BITRATE_PATTERN.test(rawBitrate) || Number(rawBitrate) === 0) {
      throw new InvalidInputError('INVALID_BITRATE', 'Field "bitrate" must be a whole number of bits per second, e.g. 192000.');
    }
    bitrate = Number(rawBitrate);
  }

  const trackId = text('track_id', fields['track_id'], 'INVALID_TRACK_ID');
  if (trackId !== undefined && (trackId.length > TRACK_ID_MAX || !TRACK_ID_PATTERN.test(trackId))) {
    throw new InvalidInputError('INVALID_TRACK_ID', `Field "track_id" must be printable text of at most ${TRACK_ID_MAX} characters.`);
  }

  return { codec, bitrate, profile, priority, trackId };
}

function text(name: string, value: unknown, code: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new InvalidInputError(code, `Field "${name}" must be given once, as text.`);
  }
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], code: string): T | undefined {
  const raw = text(name, value, code);
  if (raw === undefined) return undefined;
  const found = allowed.find((candidate) => candidate === raw);
  if (found === undefined) {
    throw new InvalidInputError(code, `Field "${name}" must be one of ${allowed.join(', ')}; got "${truncate(raw)}".`);
  }
  return found;
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
