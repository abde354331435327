import type { JobView } from '../services/job-view';
import { withManifestToken } from '../services/job-view';
import type { PlaybackSigner } from './playback-signer';

/**
 * How the routes present a job body: with a playback signer, a body with
 * something to play (the playlist once Completed, the live playlist once
 * playable) gets a fresh token in its URLs, minted per read; otherwise the
 * body is as it is.
 */
export function signedViews(playback?: PlaybackSigner): (view: JobView) => JobView {
  return (view) =>
    playback && (view.manifest_url !== null || view.live_manifest_url !== null)
      ? withManifestToken(view, playback.issue(view.id).token)
      : view;
}
