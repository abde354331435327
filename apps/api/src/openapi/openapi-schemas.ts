import { jsonSchemas, type JsonSchemaObject } from '@stream-server/contract';

/**
 * `components.schemas`: the JSON Schemas (2020-12) of every JSON body the
 * API sends, written by zod from the contract package's schemas, where
 * each body is declared once. They are strict on purpose (no extra
 * properties, every field required, patterns and formats):
 * `tests/e2e/openapi.test.ts` validates real responses against them, so a
 * renamed, dropped or extra field fails a test instead of surprising a
 * client generated from this document.
 */
export const SCHEMAS: Readonly<Record<string, JsonSchemaObject>> = jsonSchemas(
  (name) => `#/components/schemas/${name}`,
);
