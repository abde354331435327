import { CODECS, PLAIN_STATUSES, PRIORITIES, QUALITY_PROFILES } from './common';
import { JOB_FIELDS } from './job-body';
import { NAMED_SCHEMAS } from './json-schemas';
import { QUEUE_COUNT_STATES, QueueCountsSchema, StateCountsSchema, WindowCountsSchema } from './ops-bodies';

/**
 * The browser's view of the contract: an ES module (plain JavaScript, no
 * build step) with every body's field names and the enums, for a page
 * that has no TypeScript to import from. The API serves it; the page
 * imports names from it instead of keeping copies.
 */

const BODIES = {
  ...NAMED_SCHEMAS,
  QueueCounts: QueueCountsSchema,
  StateCounts: StateCountsSchema,
  WindowCounts: WindowCountsSchema,
};

/** Field names of each body, in declaration order. */
export function bodyFields(): Record<string, readonly string[]> {
  return Object.fromEntries(Object.entries(BODIES).map(([name, schema]) => [name, Object.keys(schema.shape)]));
}

const json = (value: unknown): string => JSON.stringify(value);

/** The module's text. Deterministic, so the server can send it with a stable ETag. */
export function webModuleSource(): string {
  return `// Written by the API from @stream-server/contract, where the bodies are declared
// once: the field names and enums of what the API sends. Not a file in apps/web.

/** Field names of each API body, by the OpenAPI document's schema names. */
export const FIELDS = Object.freeze(${json(bodyFields())});
export const JOB_FIELDS = Object.freeze(${json(JOB_FIELDS)});
export const CODECS = Object.freeze(${json(CODECS)});
export const QUALITY_PROFILES = Object.freeze(${json(QUALITY_PROFILES)});
export const PRIORITIES = Object.freeze(${json(PRIORITIES)});
/** The states queue stats count, in display order. */
export const QUEUE_STATES = Object.freeze(${json(QUEUE_COUNT_STATES)});
/** The statuses with no reason; failures are \`Failed(<reason>)\`. */
export const PLAIN_STATUSES = Object.freeze(${json(PLAIN_STATUSES)});

/**
 * A name map of one body: \`JOB.status === 'status'\`. Reading a name the
 * body does not have throws, so a misspelt field fails loudly instead of
 * reading undefined.
 */
export function names(body) {
  const list = FIELDS[body];
  if (!list) throw new Error(\`No API body named \${body}\`);
  const map = Object.freeze(Object.fromEntries(list.map((name) => [name, name])));
  return new Proxy(map, {
    get(target, key) {
      if (typeof key === 'string' && !Object.hasOwn(target, key)) throw new Error(\`\${body} has no field "\${key}"\`);
      return Reflect.get(target, key);
    },
  });
}

export const JOB = names('Job');
export const RENDITION = names('Rendition');
export const LOUDNESS = names('Loudness');
export const SUBMIT = names('SubmitResponse');
export const ERROR = names('Error');
export const PROGRESS = names('ProgressEvent');
export const STATS = names('QueueStats');
export const WINDOW = names('WindowCounts');
export const STATE_COUNTS = names('StateCounts');
export const WORKER = names('WorkerInfo');
export const JOB_LIST = names('JobList');

/** Completed, Cancelled or Failed(…): the job will not change again. */
export function isTerminal(status) {
  return status === 'Completed' || status === 'Cancelled' || String(status).startsWith('Failed(');
}
`;
}
