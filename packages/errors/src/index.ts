export { DomainError, type DomainErrorKind } from './domain-error';
export {
  InvalidInputError,
  NotFoundError,
  GoneError,
  NotReadyError,
  ConflictError,
  TooLargeError,
  TooSlowError,
  UpstreamTimeoutError,
  UnsupportedError,
  UnavailableError,
  UnauthenticatedError,
  ForbiddenError,
} from './errors';
