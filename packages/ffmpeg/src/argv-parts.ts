/**
 * Argument pieces shared by every ffmpeg run: the untrusted-input options,
 * an encoder's options for one plan, the HLS muxer's options, and the
 * start-up test encode built from them. Pure: no I/O.
 */
import { CODEC_TRAITS, type Codec, type EncodingPlan, type SegmentContainer } from '@stream-server/profiles';
import { AUDIO_DEMUXERS } from './demuxers';

export const HLS_MANIFEST = 'index.m3u8';
export const HLS_INIT_SEGMENT = 'init.mp4';
/** The growing EVENT playlist of a running job, and the ended one kept beside index.m3u8. */
export const HLS_LIVE_MANIFEST = 'live.m3u8';

/**
 * The HLS muxer's options, shared by real jobs and the start-up test
 * encode, so a codec is only reported writable with the settings jobs use.
 * An EVENT playlist because ffmpeg rewrites it (atomically: temp file and
 * rename) after every segment it closes, which is what lets a job be
 * played while it runs; a VOD playlist is only written at the end. The
 * finished playlist differs from a VOD one only by its PLAYLIST-TYPE line
 * (see vodPlaylist).
 */
export function hlsMuxerArgs(container: SegmentContainer, segmentSeconds: number, dir = ''): string[] {
  const fmp4 = container === 'fmp4';
  return [
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_playlist_type',
    'event',
    '-hls_list_size',
    '0',
    '-start_number',
    '1',
    '-hls_segment_type',
    fmp4 ? 'fmp4' : 'mpegts',
    ...(fmp4 ? ['-hls_fmp4_init_filename', HLS_INIT_SEGMENT] : []),
    '-hls_segment_filename',
    `${dir}segment_%05d.${fmp4 ? 'm4s' : 'ts'}`,
  ];
}

/** What the analysis pipe carries: every channel, interleaved 32-bit float (no clipping of overs). */
const ANALYSIS_PCM_CODEC = 'pcm_f32le';
const ANALYSIS_PCM_FORMAT = 'f32le';

/**
 * Whether the loudness of a stream with this many channels is measured
 * in the worker from the analysis PCM (PcmAnalyzer: mono and stereo,
 * where every channel weighs 1) or by ffmpeg's ebur128, which knows the
 * surround weights of the layout. Pure.
 */
export function metersInProcess(channels: number): boolean {
  return channels <= 2;
}

/**
 * The analysis PCM output (ffmpeg converts to packed float on its own):
 * the probed rate and channel count forced, so a stream that decodes
 * differently from its probe is converted rather than misread. Shared
 * with pass 1 of normalisation. Pure.
 */
export function analysisPcmOutput(sampleRate: number, channels: number): string[] {
  return [
    '-c:a',
    ANALYSIS_PCM_CODEC,
    '-ar',
    String(sampleRate),
    '-ac',
    String(channels),
    // A pipe is flushed after every packet by default: one 8 KiB write (and
    // one wake-up and read of the worker) per frame. Filling the 32 KiB
    // I/O buffer first cuts both sides' per-chunk work by four.
    '-flush_packets',
    '0',
    '-f',
    ANALYSIS_PCM_FORMAT,
    'pipe:3',
  ];
}

/** Input options for an untrusted upload (shared with every ffmpeg read of one). */
export function inputArgs(input: string, demuxer: string): string[] {
  return [
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    AUDIO_DEMUXERS.join(','),
    '-f',
    demuxer,
    '-i',
    `file:${input}`,
  ];
}

/** Encoder, rate, layout and sample format for one plan. */
export function encoderArgs(plan: EncodingPlan, encoder: string): string[] {
  const args = ['-c:a', encoder];
  if (plan.bitrate !== null) args.push('-b:a', String(plan.bitrate));
  args.push('-ar', String(plan.sampleRate), '-ac', String(plan.channels));
  if (plan.codec === 'flac') {
    // FLAC keeps 16 bits, or 24 (stored in s32 samples) for hi-res sources.
    args.push('-sample_fmt', plan.bitDepth === 24 ? 's32' : 's16');
    if (plan.bitDepth === 24) args.push('-bits_per_raw_sample', '24');
  }
  if (encoder === 'libopus') {
    // Constrained VBR: libopus's default VBR undershoots the requested rate
    // by a third on easy material; a stream's bitrate should be what was asked.
    args.push('-vbr', 'constrained');
  }
  if (plan.codec === 'opus' && encoder === 'opus') {
    // The native Opus encoder is marked experimental.
    args.push('-strict', 'experimental');
  }
  return args;
}

/** Arguments of the start-up test encode for one codec (see capabilities). */
export function buildCapabilityProbeArgs(codec: Codec, encoder: string): string[] {
  const container = CODEC_TRAITS[codec].container;
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000:duration=0.5',
    '-c:a',
    encoder,
    // fMP4 covers the native Opus encoder's "experimental" flag too.
    ...(container === 'fmp4' ? ['-strict', 'experimental'] : []),
    ...hlsMuxerArgs(container, 1),
    HLS_MANIFEST,
  ];
}
