export { isPublicAddress, firstRefusedAddress, type ResolvedAddress } from './address-policy';
export { parseAllowList, isAllowListed, type AllowList, type AllowListEntry } from './allow-list';
export { resolveHost, type Resolver } from './host-resolution';
export { parseOutboundUrl, OUTBOUND_URL_MAX_LENGTH } from './outbound-url';
export { checkOutboundTarget, type CheckedTarget, type OutboundPolicy } from './outbound-guard';
export { pinnedLookup } from './pinned-lookup';
export {
  UnusableUrlError,
  UnresolvableHostError,
  ForbiddenAddressError,
  InvalidAllowListEntryError,
  type UrlFault,
} from './guard-signals';
export { fetchToFile, DEFAULT_MAX_REDIRECTS, type FetchToFileOptions, type FetchedFile } from './fetch-to-file';
export { LocalWriteError } from './body-to-file';
export { SOURCE_URL_INVALID, SOURCE_URL_FORBIDDEN, SOURCE_TOO_LARGE, SOURCE_FETCH_TIMEOUT } from './source-errors';
