import { createHmac } from 'node:crypto';
import { DomainError } from '@stream-server/errors';
import { signedCacheControl } from '../src/playback/playback-cache';
import { PlaybackSigner } from '../src/playback/playback-signer';
import { manifestUrl, withManifestToken, type JobView } from '../src/services/job-view';

const KEY = 'playback-key-0123456789abcdef0123456789';
const JOB = '3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65';
const OTHER_JOB = '9b1e2f3a-4c5d-4e6f-8a7b-1c2d3e4f5a6b';
const NOW_MS = 1_800_000_000_500;
const NOW = 1_800_000_000;

const signer = new PlaybackSigner(KEY, 3600, () => NOW_MS);

function refusal(run: () => unknown): { kind: string; code: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof DomainError) return { kind: err.kind, code: err.code };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('PlaybackSigner', () => {
  it('a token is "<expires>.<base64url HMAC-SHA256(key, jobId.expires)>"', () => {
    const mac = createHmac('sha256', KEY)
      .update(`${JOB}.${NOW + 3600}`)
      .digest('base64url');
    expect(signer.issue(JOB)).toEqual({ token: `${NOW + 3600}.${mac}`, expiresAt: NOW + 3600 });
    expect(signer.sign(JOB, 42)).toBe(`42.${createHmac('sha256', KEY).update(`${JOB}.42`).digest('base64url')}`);
  });

  it('verifies its own token for the same job, returning the grant', () => {
    const grant = signer.issue(JOB);
    expect(signer.verify(JOB, grant.token)).toEqual(grant);
    expect(signer.secondsLeft(grant)).toBe(3600);
  });

  it.each<[string, unknown]>([
    ['no token', undefined],
    ['an empty token', ''],
  ])('%s → 403 PLAYBACK_TOKEN_REQUIRED', (_name, token) => {
    expect(refusal(() => signer.verify(JOB, token))).toEqual({ kind: 'forbidden', code: 'PLAYBACK_TOKEN_REQUIRED' });
  });

  it('an expired token of ours → 403 PLAYBACK_TOKEN_EXPIRED; one expiring now too', () => {
    expect(refusal(() => signer.verify(JOB, signer.sign(JOB, NOW - 1)))).toEqual({
      kind: 'forbidden',
      code: 'PLAYBACK_TOKEN_EXPIRED',
    });
    expect(refusal(() => signer.verify(JOB, signer.sign(JOB, NOW)))).toMatchObject({ code: 'PLAYBACK_TOKEN_EXPIRED' });
  });

  const good = signer.issue(JOB).token;
  const [expires = '', mac = ''] = good.split('.');
  const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;

  it.each<[string, unknown]>([
    ["another job's token", signer.issue(OTHER_JOB).token],
    ['a forged MAC', `${expires}.${flipped}`],
    ['a later expiry with the old MAC', `${Number(expires) + 3600}.${mac}`],
    ['a token signed with another key', new PlaybackSigner(`${KEY}-other`, 3600, () => NOW_MS).issue(JOB).token],
    ['no MAC', `${expires}.`],
    ['no expiry', `.${mac}`],
    ['no dot', `${expires}${mac}`],
    ['a short MAC', `${expires}.${mac.slice(1)}`],
    ['a padded MAC', `${expires}.${mac}=`],
    ['a negative expiry', `-${expires}.${mac}`],
    ['junk', 'hello'],
    ['a repeated parameter (array)', [good, good]],
    ['an object', { token: good }],
  ])('%s → 403 PLAYBACK_TOKEN_INVALID', (_name, token) => {
    expect(refusal(() => signer.verify(JOB, token))).toEqual({ kind: 'forbidden', code: 'PLAYBACK_TOKEN_INVALID' });
  });

  it('a forged token with a past expiry is invalid, not "expired"', () => {
    expect(refusal(() => signer.verify(JOB, `${NOW - 10}.${mac}`))).toMatchObject({ code: 'PLAYBACK_TOKEN_INVALID' });
  });

  it('secondsLeft counts down with the clock and never goes negative', () => {
    let now = NOW_MS;
    const ticking = new PlaybackSigner(KEY, 100, () => now);
    const grant = ticking.issue(JOB);
    now += 40_000;
    expect(ticking.secondsLeft(grant)).toBe(60);
    now += 100_000;
    expect(ticking.secondsLeft(grant)).toBe(0);
  });
});

describe('signedCacheControl', () => {
  it.each<[number, number | undefined, string]>([
    [3600, 60, 'private, max-age=60'],
    [45, 60, 'private, max-age=45'],
    [3600, undefined, 'private, max-age=3600'],
    [0, 60, 'no-store'],
    [-5, undefined, 'no-store'],
  ])('%p s left, cap %p → %p', (left, cap, expected) => {
    expect(signedCacheControl(left, cap)).toBe(expected);
  });
});

describe('manifest_url with a token', () => {
  const view = (manifest: string | null): JobView => ({
    id: JOB,
    track_id: 't',
    status: manifest === null ? 'Pending' : 'Completed',
    progress: manifest === null ? 0 : 100,
    created_at: '2025-01-27T12:00:00.000Z',
    started_at: null,
    completed_at: null,
    error: null,
    codec: 'aac',
    quality_profile: 'high',
    priority: 'normal',
    bitrate: 256_000,
    sample_rate: 44_100,
    channels: 2,
    duration_seconds: 8,
    attempts: 1,
    manifest_url: manifest,
    renditions: [
      {
        name: 'high',
        codec: 'aac',
        bitrate: 256_000,
        bandwidth: null,
        average_bandwidth: null,
        playlist_url: manifest,
      },
    ],
    normalize: false,
    loudness: null,
    output_loudness: null,
    source: { codec: 'pcm_s16le', sample_rate: 44_100, channels: 2, bitrate: null, duration_seconds: 8, tags: {} },
    waveform_url: manifest === null ? null : `/v1/stream/job/${JOB}/waveform.json`,
    download_url: null,
    callback_url: null,
    live_manifest_url: null,
    purged_at: null,
  });

  it('manifestUrl adds ?token= only when given one', () => {
    expect(manifestUrl(JOB)).toBe(`/v1/stream/hls/${JOB}/index.m3u8`);
    expect(manifestUrl(JOB, '123.abc_-')).toBe(`/v1/stream/hls/${JOB}/index.m3u8?token=123.abc_-`);
  });

  it('withManifestToken signs a completed view and leaves others alone', () => {
    const signedUrl = `/v1/stream/hls/${JOB}/index.m3u8?token=1.x`;
    const unsigned = view(null);
    expect(withManifestToken(view(manifestUrl(JOB)), '1.x')).toEqual({
      ...unsigned,
      status: 'Completed',
      progress: 100,
      manifest_url: signedUrl,
      renditions: [{ ...unsigned.renditions[0], playlist_url: signedUrl }],
      // Every URL of the job's output carries the token; absent ones stay null.
      waveform_url: `/v1/stream/job/${JOB}/waveform.json?token=1.x`,
      download_url: null,
    });
    expect(withManifestToken(view(null), '1.x')).toEqual(view(null));
  });
});
