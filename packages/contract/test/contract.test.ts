import {
  JOB_EXTENSION_FIELDS,
  JOB_FIELDS,
  JobCoreSchema,
  JobSchema,
  JobStatusSchema,
  jsonSchemas,
  NAMED_SCHEMAS,
  QUEUE_COUNT_STATES,
  STATUS_PATTERN,
  webModuleSource,
  type JsonSchemaObject,
} from '../src';

const schemas = jsonSchemas((name) => `#/components/schemas/${name}`);

/** Every object schema inside `node`, with where it is. */
function objects(node: unknown, at: string, into: { at: string; schema: Record<string, unknown> }[] = []) {
  if (Array.isArray(node)) node.forEach((item, index) => objects(item, `${at}/${index}`, into));
  else if (typeof node === 'object' && node !== null) {
    const record = Object.fromEntries(Object.entries(node));
    if (record['type'] === 'object') into.push({ at, schema: record });
    for (const [key, value] of Object.entries(record)) objects(value, `${at}/${key}`, into);
  }
  return into;
}

const propertiesOf = (schema: JsonSchemaObject | undefined): string[] => Object.keys(schema?.properties ?? {});

describe('the job body', () => {
  it('lists its fields in order: the core ones, then the later ones', () => {
    expect(JOB_FIELDS).toEqual(Object.keys(JobSchema.shape));
    expect(JOB_FIELDS.slice(0, 8)).toEqual([
      'id',
      'track_id',
      'status',
      'progress',
      'created_at',
      'started_at',
      'completed_at',
      'error',
    ]);
    expect([...Object.keys(JobCoreSchema.shape), ...JOB_EXTENSION_FIELDS]).toEqual(JOB_FIELDS);
    expect(propertiesOf(schemas.Job)).toEqual(JOB_FIELDS);
    expect(schemas.Job.required).toEqual(JOB_FIELDS);
  });

  it('accepts exactly the statuses STATUS_PATTERN describes', () => {
    const samples = [
      'Pending',
      'Processing',
      'Completed',
      'Cancelled',
      'Failed(timeout)',
      'Failed()',
      'Failed(a\nb)',
      'Failed',
      'failed(x)',
      'Done',
      'Failed(x) ',
      ' Pending',
    ];
    for (const status of samples) {
      expect({ status, parsed: JobStatusSchema.safeParse(status).success }).toEqual({
        status,
        parsed: STATUS_PATTERN.test(status),
      });
    }
  });

  it('nests the named bodies by $ref', () => {
    const job = schemas.Job.properties ?? {};
    expect(job['renditions']).toMatchObject({ items: { $ref: '#/components/schemas/Rendition' } });
    expect(job['loudness']).toMatchObject({ anyOf: [{ $ref: '#/components/schemas/Loudness' }, { type: 'null' }] });
    expect(job['source']).toEqual({ $ref: '#/components/schemas/SourceInfo' });
    expect(schemas.JobList.properties?.['jobs']).toMatchObject({ items: { $ref: '#/components/schemas/Job' } });
    expect(schemas.QueueStats.properties?.['workers']).toMatchObject({
      items: { $ref: '#/components/schemas/WorkerInfo' },
    });
  });
});

describe('the JSON Schemas', () => {
  it('has one per named body, without per-schema $schema or $id', () => {
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(NAMED_SCHEMAS).sort());
    for (const schema of Object.values(schemas)) {
      expect(schema.$schema).toBeUndefined();
      expect(schema.$id).toBeUndefined();
    }
  });

  it('closes every object: no property outside those declared', () => {
    const open = Object.entries(schemas)
      .flatMap(([name, schema]) => objects(schema, name))
      .filter(({ schema }) => schema['additionalProperties'] !== false)
      .map(({ at }) => at);
    expect(open).toEqual([]);
  });

  it('writes ids as lowercase UUIDs, counts as integers and times as date-time', () => {
    expect(schemas.Job.properties?.['id']).toEqual({
      type: 'string',
      format: 'uuid',
      pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    });
    expect(schemas.Job.properties?.['attempts']).toMatchObject({ type: 'integer', minimum: 0 });
    expect(schemas.Job.properties?.['created_at']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(schemas.Job.properties?.['callback_url']).toMatchObject({
      anyOf: [{ type: 'string', format: 'uri' }, { type: 'null' }],
    });
  });
});

describe('the web module', () => {
  it('carries the field names and enums as JSON literals', () => {
    const source = webModuleSource();
    expect(source).toContain(`export const JOB_FIELDS = Object.freeze(${JSON.stringify(JOB_FIELDS)});`);
    expect(source).toContain(`export const QUEUE_STATES = Object.freeze(${JSON.stringify(QUEUE_COUNT_STATES)});`);
    expect(source).toContain(JSON.stringify(propertiesOf(schemas.WorkerInfo)));
    expect(webModuleSource()).toBe(source);
  });
});
