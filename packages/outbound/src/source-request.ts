import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { CheckedTarget } from './outbound-guard';
import { pinnedLookup } from './pinned-lookup';

/**
 * One GET to a checked target, connected only to its checked addresses;
 * resolves with the response head, the body still unread. A fresh
 * connection each time (no agent): a pooled socket could lead to an
 * address checked for another URL.
 */
export function requestSource(target: CheckedTarget, signal: AbortSignal): Promise<IncomingMessage> {
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target.url,
      {
        method: 'GET',
        headers: {
          Accept: '*/*',
          // The bytes are stored as sent: a compressed body would count
          // against maxBytes in a different unit and need decoding.
          'Accept-Encoding': 'identity',
          'User-Agent': 'stream-server-fetch/1',
        },
        lookup: pinnedLookup(target.addresses),
        agent: false,
        signal,
      },
      resolve,
    );
    request.on('error', reject);
    request.end();
  });
}
