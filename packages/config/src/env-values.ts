import { z } from 'zod';

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
