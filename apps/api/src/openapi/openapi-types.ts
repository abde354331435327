import type { JsonSchemaObject } from '@stream-server/contract';

/**
 * The slice of OpenAPI 3.1 (and of JSON Schema 2020-12, which 3.1 uses
 * unchanged) that our document needs, typed so a misspelt keyword is a
 * compile error rather than a silently ignored key.
 */

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';
type JsonScalar = string | number | boolean | null;

interface JsonSchema {
  $ref?: string;
  type?: JsonType | readonly JsonType[];
  title?: string;
  description?: string;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: readonly JsonScalar[];
  const?: JsonScalar;
  pattern?: string;
  format?: 'date-time' | 'uuid' | 'uri' | 'uri-reference';
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  default?: JsonScalar;
  oneOf?: readonly JsonSchema[];
  anyOf?: readonly JsonSchema[];
  allOf?: readonly JsonSchema[];
  contentMediaType?: string;
  examples?: readonly unknown[];
}

export interface MediaType {
  schema: JsonSchema;
  example?: unknown;
}

export interface Header {
  description: string;
  schema: JsonSchema;
}

export interface ResponseObject {
  description: string;
  headers?: Readonly<Record<string, Header | Reference>>;
  content?: Readonly<Record<string, MediaType>>;
}

interface Reference {
  $ref: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  description: string;
  required?: boolean;
  schema: JsonSchema;
}

interface RequestBody {
  description?: string;
  required: boolean;
  content: Readonly<Record<string, MediaType>>;
}

/** Scope names per scheme; `{}` in the list means "also without credentials". */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  parameters?: readonly (Parameter | Reference)[];
  requestBody?: RequestBody;
  responses: Readonly<Record<string, ResponseObject | Reference>>;
  security?: readonly SecurityRequirement[];
}

export interface PathItem {
  parameters?: readonly (Parameter | Reference)[];
  get?: Operation;
  post?: Operation;
  patch?: Operation;
  head?: Operation;
  delete?: Operation;
}

interface SecurityScheme {
  type: 'http' | 'apiKey';
  description: string;
  scheme?: 'bearer';
  bearerFormat?: string;
  name?: string;
  in?: 'query' | 'header';
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  jsonSchemaDialect: string;
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  servers: readonly { url: string; description: string }[];
  tags: readonly { name: string; description: string }[];
  paths: Readonly<Record<string, PathItem>>;
  components: {
    /** Written by zod from the contract's schemas (see openapi-schemas.ts). */
    schemas: Readonly<Record<string, JsonSchemaObject>>;
    responses: Readonly<Record<string, ResponseObject>>;
    parameters: Readonly<Record<string, Parameter>>;
    headers: Readonly<Record<string, Header>>;
    securitySchemes: Readonly<Record<string, SecurityScheme>>;
  };
}
