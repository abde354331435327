export { DomainError, type DomainErrorKind } from './domain-error';
export {
  InvalidInputError,
  NotFoundError,
  GoneError,
  NotReadyError,
  ConflictError,
  TooLargeError,
  UnsupportedError,
  UnavailableError,
  UnauthenticatedError,
  ForbiddenError,
} from './errors';
