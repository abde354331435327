/** The server answered with an error: its HTTP status and its `{error, code}` body. */
export class StreamApiError extends Error {
  override readonly name = 'StreamApiError';

  constructor(
    /** HTTP status (400, 404, 503…). */
    readonly status: number,
    /** The server's stable code (`JOB_NOT_FOUND`…), or `HTTP_<status>` when the body was not ours (a proxy's page). */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server could not be reached (refused, reset, DNS…); the request may be retried. */
export class StreamNetworkError extends Error {
  override readonly name = 'StreamNetworkError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `waitFor` gave up after its `timeoutMs`. */
export class StreamTimeoutError extends Error {
  override readonly name = 'StreamTimeoutError';
}
