export { AUDIO_DEMUXERS, allowedDemuxer } from './demuxers';
export { ENCODER_CANDIDATES, type EncoderMap } from './encoders';
export {
  analysisPcmOutput,
  buildCapabilityProbeArgs,
  encoderArgs,
  inputArgs,
  metersInProcess,
  HLS_MANIFEST,
  HLS_INIT_SEGMENT,
  HLS_LIVE_MANIFEST,
} from './argv-parts';
export { livePlaylist, vodPlaylist } from './live-playlist';
export {
  buildEncodeArgs,
  errorLinesOnly,
  writesAnalysisPcm,
  DOWNLOAD_FILE,
  type EncodeJob,
  type RenditionOutput,
} from './ladder-args';
export {
  buildLoudnessMeasureArgs,
  buildNormalizeFilter,
  parseEbur128Summary,
  LOUDNESS_MEASURE_FILTER,
  type LoudnessMeasurement,
  type LoudnessTarget,
} from './loudness';
export { WaveformFolder, waveformJson, type WaveformJson } from './waveform';
export { PcmAnalyzer, type AnalyzerOptions, type AnalysisResult } from './pcm-analyzer';
export { LoudnessMeter, kWeighting } from './loudness-meter';
export { TruePeakMeter, TRUE_PEAK_HISTORY } from './true-peak';
export {
  buildMultivariantPlaylist,
  measureBandwidth,
  playlistVersion,
  HLS_CODEC_STRINGS,
  type MeasuredBandwidth,
  type SegmentSample,
  type Variant,
} from './multivariant-playlist';
export {
  buildProbeArgs,
  parseProbeOutput,
  pickTags,
  type TrackTags,
  type ProbeResult,
  type ProbeRejection,
  type ProbeOutcome,
} from './probe';
export { ProgressParser, throttle } from './progress';
export { InputReadTracker, parseFdinfoPosition } from './input-position';
export { runProcess, withParentDeathSignal, type RunOptions, type RunResult } from './process-runner';
export {
  resolveBinaries,
  parseFfmpegMajor,
  MIN_SYSTEM_MAJOR,
  type FfmpegBinaries,
  type BinaryOverrides,
} from './binaries';
export { detectCapabilities } from './capabilities';
export { FfmpegError, describeFailure } from './ffmpeg-errors';
export {
  FfmpegRepository,
  type TranscodeRun,
  type StagedRun,
  type EncodeRun,
  type EncodeAnalysis,
  type MeasuredSource,
  type ProbeRun,
} from './ffmpeg-repository';
export { parseMediaPlaylist, timedSegments, type MediaPlaylist, type TimedSegment } from './playlist';
export { setUpFfmpeg, type FfmpegSetup } from './ffmpeg-setup';
