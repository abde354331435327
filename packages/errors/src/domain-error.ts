/**
 * Base of every error the domain raises on purpose. It carries a stable
 * machine `code` (part of the public API: clients switch on it) and a
 * sentence safe to show to a user. It deliberately carries no HTTP status:
 * the API's error middleware maps each kind to one.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** What sort of failure it is; transport layers map these, not classes. */
export type DomainErrorKind =
  | 'invalid-input'
  | 'not-found'
  | 'gone'
  | 'not-ready'
  | 'conflict'
  | 'too-large'
  | 'too-slow'
  | 'upstream-timeout'
  | 'unsupported'
  | 'unavailable'
  | 'unauthenticated'
  | 'forbidden';
