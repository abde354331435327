export { DomainError, type DomainErrorKind } from './domain-error';
export {
  InvalidInputError,
  NotFoundError,
  NotReadyError,
  ConflictError,
  TooLargeError,
  TooSlowError,
  UnsupportedError,
  UnavailableError,
  UnauthenticatedError,
  ForbiddenError,
} from './errors';
