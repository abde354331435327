import { z } from 'zod';
import {
  JobListSchema,
  JobSchema,
  LoudnessSchema,
  ProgressEventSchema,
  RenditionSchema,
  SourceInfoSchema,
  SubmitResponseSchema,
} from './job-body';
import { ErrorBodySchema, HealthSchema, QueueStatsSchema, WaveformSchema, WorkerInfoSchema } from './ops-bodies';

/** A JSON Schema (2020-12) as zod writes it. */
export type JsonSchemaObject = z.core.JSONSchema.BaseSchema;

/**
 * The bodies by the names the OpenAPI document gives them. A schema used
 * inside another (a Rendition in a Job, a Job in a JobList) becomes a
 * `$ref` to its own entry.
 */
export const NAMED_SCHEMAS = {
  Job: JobSchema,
  Rendition: RenditionSchema,
  Loudness: LoudnessSchema,
  SourceInfo: SourceInfoSchema,
  SubmitResponse: SubmitResponseSchema,
  Error: ErrorBodySchema,
  Health: HealthSchema,
  QueueStats: QueueStatsSchema,
  WorkerInfo: WorkerInfoSchema,
  JobList: JobListSchema,
  Waveform: WaveformSchema,
  ProgressEvent: ProgressEventSchema,
} as const;
export type SchemaName = keyof typeof NAMED_SCHEMAS;

/**
 * JSON Schemas (draft 2020-12) of every named body, for an OpenAPI 3.1
 * `components.schemas`: nested named bodies are `$ref`s made by `refOf`
 * (e.g. `#/components/schemas/Rendition`). The per-schema `$schema` and
 * `$id` are left out: the document's `jsonSchemaDialect` says the former,
 * and the entries live at their pointers rather than at ids.
 */
export function jsonSchemas(refOf: (name: string) => string): Record<SchemaName, JsonSchemaObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(NAMED_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: refOf,
    unrepresentable: 'throw',
  });
  const entry = (name: SchemaName): JsonSchemaObject => {
    const generated = schemas[name];
    if (generated === undefined) throw new Error(`zod wrote no JSON Schema for ${name}`);
    const { $schema: _dialect, $id: _id, ...schema } = generated;
    return schema;
  };
  return {
    Job: entry('Job'),
    Rendition: entry('Rendition'),
    Loudness: entry('Loudness'),
    SourceInfo: entry('SourceInfo'),
    SubmitResponse: entry('SubmitResponse'),
    Error: entry('Error'),
    Health: entry('Health'),
    QueueStats: entry('QueueStats'),
    WorkerInfo: entry('WorkerInfo'),
    JobList: entry('JobList'),
    Waveform: entry('Waveform'),
    ProgressEvent: entry('ProgressEvent'),
  };
}
