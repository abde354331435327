import { z } from 'zod';
import { InvalidAllowListEntryError, parseAllowList } from '@stream-server/outbound';

/** A comma-separated env value: trimmed items, empty ones dropped. */
export const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

/** `host:port` items, as REDIS_CLUSTER_NODES and REDIS_SENTINELS list them. */
export const hostPorts = (name: string) =>
  list.pipe(
    z
      .array(
        z
          .string()
          .regex(/^[^\s:]+:[0-9]{1,5}$/, `${name} entries must look like host:port`)
          .transform((item) => {
            const colon = item.lastIndexOf(':');
            return { host: item.slice(0, colon), port: Number(item.slice(colon + 1)) };
          })
          .refine((node) => node.port > 0 && node.port < 65_536, `${name} ports must be 1-65535`),
      )
      .min(1, `${name} needs at least one host:port`),
  );

/**
 * `host` or `host:port` items, parsed exactly as the outbound guard will
 * compare them (parseAllowList). A bad entry stops the start: a typo must
 * not silently allow nothing, or more.
 */
export const allowHosts = (name: string) =>
  z.string().transform((value, ctx) => {
    try {
      return parseAllowList(value);
    } catch (err) {
      const entry = err instanceof InvalidAllowListEntryError ? ` (${JSON.stringify(err.entry)})` : '';
      ctx.addIssue({ code: 'custom', message: `${name} entries must be host or host:port, IPv6 in brackets${entry}` });
      return z.NEVER;
    }
  });
