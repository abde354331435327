import { DomainError } from './domain-error';

/** The caller sent something malformed: a bad field, a missing file. */
export class InvalidInputError extends DomainError {
  readonly kind = 'invalid-input' as const;
}

/** The thing asked for does not exist (job, manifest, segment). */
export class NotFoundError extends DomainError {
  readonly kind = 'not-found' as const;
}

/** The thing existed and was removed on purpose (a job's outputs, taken down). */
export class GoneError extends DomainError {
  readonly kind = 'gone' as const;
}

/** The thing exists but cannot be served yet (job still running). */
export class NotReadyError extends DomainError {
  readonly kind = 'not-ready' as const;
}

/** The request contradicts the current state (cancel a finished job). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
}

/** The upload is over a configured size limit. */
export class TooLargeError extends DomainError {
  readonly kind = 'too-large' as const;
}

/**
 * The caller sends its request too slowly: nothing for a while, or too
 * few bytes over a window to ever finish (a trickle holding a connection).
 */
export class TooSlowError extends DomainError {
  readonly kind = 'too-slow' as const;
}

/**
 * Something this service waits on for the caller (an origin a source URL
 * points at) did not deliver in time. Not the caller's own slowness
 * (TooSlowError): its request was complete, the other end was slow.
 */
export class UpstreamTimeoutError extends DomainError {
  readonly kind = 'upstream-timeout' as const;
}

/**
 * The media or the requested output is understood but cannot be handled:
 * not audio, a codec our ffmpeg cannot write, a bitrate out of range.
 */
export class UnsupportedError extends DomainError {
  readonly kind = 'unsupported' as const;
}

/**
 * The server cannot do it right now (Redis down, ffprobe hung, too many
 * uploads at once, shutting down); the caller may retry later.
 */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable' as const;
}

/** No credentials, or credentials that do not prove who the caller is. */
export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated' as const;
}

/** The caller is known (or holds a token) but may not do this. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden' as const;
}
