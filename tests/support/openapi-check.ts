import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { Express } from 'express';

/**
 * Tools for keeping the OpenAPI document true: a structural schema of
 * OpenAPI 3.1 (the parts a document may use, strictly), a reader of
 * Express 5's routing table, and a validator of real responses against
 * the document's own schemas.
 */

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ref = {
  type: 'object',
  required: ['$ref'],
  properties: { $ref: { type: 'string', pattern: '^#/' } },
  additionalProperties: false,
};
const extensible = { '^x-': {} };

/** OpenAPI 3.1's object shapes (after spec.openapis.org/oas/3.1 schema), strict about unknown keys. */
export const OPENAPI_31_SHAPE = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  additionalProperties: false,
  patternProperties: extensible,
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
    jsonSchemaDialect: { type: 'string', format: 'uri' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      additionalProperties: false,
      properties: {
        title: { type: 'string' },
        version: { type: 'string' },
        description: { type: 'string' },
        summary: { type: 'string' },
        license: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, identifier: { type: 'string' } },
        },
      },
    },
    servers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url'],
        properties: { url: { type: 'string' }, description: { type: 'string' } },
      },
    },
    tags: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, description: { type: 'string' } },
      },
    },
    paths: { type: 'object', propertyNames: { pattern: '^/' }, additionalProperties: { $ref: '#/$defs/pathItem' } },
    components: {
      type: 'object',
      additionalProperties: false,
      properties: {
        schemas: { type: 'object', additionalProperties: { type: ['object', 'boolean'] } },
        responses: { type: 'object', additionalProperties: { $ref: '#/$defs/response' } },
        parameters: { type: 'object', additionalProperties: { $ref: '#/$defs/parameter' } },
        headers: { type: 'object', additionalProperties: { $ref: '#/$defs/header' } },
        securitySchemes: { type: 'object', additionalProperties: { $ref: '#/$defs/securityScheme' } },
      },
    },
  },
  $defs: {
    ref,
    pathItem: {
      type: 'object',
      additionalProperties: false,
      patternProperties: extensible,
      properties: {
        summary: { type: 'string' },
        description: { type: 'string' },
        parameters: { type: 'array', items: { anyOf: [{ $ref: '#/$defs/ref' }, { $ref: '#/$defs/parameter' }] } },
        get: { $ref: '#/$defs/operation' },
        put: { $ref: '#/$defs/operation' },
        post: { $ref: '#/$defs/operation' },
        delete: { $ref: '#/$defs/operation' },
        patch: { $ref: '#/$defs/operation' },
        head: { $ref: '#/$defs/operation' },
        options: { $ref: '#/$defs/operation' },
      },
    },
    operation: {
      type: 'object',
      required: ['responses'],
      additionalProperties: false,
      patternProperties: extensible,
      properties: {
        operationId: { type: 'string' },
        summary: { type: 'string' },
        description: { type: 'string' },
        tags: { type: 'array', items: { type: 'string' } },
        parameters: { type: 'array', items: { anyOf: [{ $ref: '#/$defs/ref' }, { $ref: '#/$defs/parameter' }] } },
        requestBody: {
          type: 'object',
          required: ['content'],
          additionalProperties: false,
          properties: {
            description: { type: 'string' },
            required: { type: 'boolean' },
            content: { $ref: '#/$defs/content' },
          },
        },
        responses: {
          type: 'object',
          minProperties: 1,
          propertyNames: { pattern: '^(?:[1-5](?:[0-9]{2}|XX)|default)$' },
          additionalProperties: { anyOf: [{ $ref: '#/$defs/ref' }, { $ref: '#/$defs/response' }] },
        },
        security: {
          type: 'array',
          items: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        },
        deprecated: { type: 'boolean' },
      },
    },
    parameter: {
      type: 'object',
      required: ['name', 'in', 'schema'],
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        in: { enum: ['query', 'header', 'path', 'cookie'] },
        description: { type: 'string' },
        required: { type: 'boolean' },
        deprecated: { type: 'boolean' },
        schema: { type: ['object', 'boolean'] },
      },
      if: { properties: { in: { const: 'path' } } },
      then: { required: ['required'], properties: { required: { const: true } } },
    },
    header: {
      type: 'object',
      required: ['schema'],
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        required: { type: 'boolean' },
        schema: { type: ['object', 'boolean'] },
      },
    },
    content: {
      type: 'object',
      propertyNames: { pattern: '^[a-z*]+/[a-z0-9.+*-]+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          schema: { type: ['object', 'boolean'] },
          example: {},
          examples: { type: 'object' },
          encoding: { type: 'object' },
        },
      },
    },
    response: {
      type: 'object',
      required: ['description'],
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        headers: {
          type: 'object',
          additionalProperties: { anyOf: [{ $ref: '#/$defs/ref' }, { $ref: '#/$defs/header' }] },
        },
        content: { $ref: '#/$defs/content' },
        links: { type: 'object' },
      },
    },
    securityScheme: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { enum: ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'] },
        description: { type: 'string' },
        name: { type: 'string' },
        in: { enum: ['query', 'header', 'cookie'] },
        scheme: { type: 'string' },
        bearerFormat: { type: 'string' },
      },
      allOf: [
        { if: { properties: { type: { const: 'apiKey' } } }, then: { required: ['name', 'in'] } },
        { if: { properties: { type: { const: 'http' } } }, then: { required: ['scheme'] } },
      ],
    },
  },
} as const;

/** The value a local `#/a/b~1c` pointer names inside `doc`, or undefined. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#')) return undefined;
  const parts = pointer
    .slice(1)
    .split('/')
    .slice(1)
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc;
  for (const part of parts) {
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = Reflect.get(node, part);
  }
  return node;
}

/** Follows `{ $ref }` objects (components, chained) to what they name. */
export function deref(doc: unknown, value: unknown): unknown {
  let node = value;
  for (let hops = 0; isObject(node) && typeof node['$ref'] === 'string' && hops < 10; hops++) {
    node = resolvePointer(doc, node['$ref']);
  }
  return node;
}

/** Every `$ref` string in the document, with where it was found. */
export function collectRefs(
  node: unknown,
  at = '#',
  into: { at: string; ref: string }[] = [],
): { at: string; ref: string }[] {
  if (Array.isArray(node)) node.forEach((item, index) => collectRefs(item, `${at}/${index}`, into));
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.push({ at, ref: value });
      else collectRefs(value, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, into);
    }
  }
  return into;
}

/** JSON pointers of every schema in the document (components and inline ones). */
export function schemaPointers(doc: Json): string[] {
  const pointers: string[] = [];
  const schemas = resolvePointer(doc, '#/components/schemas');
  if (isObject(schemas)) pointers.push(...Object.keys(schemas).map((name) => `#/components/schemas/${name}`));
  const walk = (node: unknown, at: string): void => {
    if (!isObject(node)) {
      if (Array.isArray(node)) node.forEach((item, index) => walk(item, `${at}/${index}`));
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const here = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (key === 'schema' && isObject(value)) pointers.push(here);
      else walk(value, here);
    }
  };
  walk(doc['paths'], '#/paths');
  for (const part of ['responses', 'parameters', 'headers'])
    walk(resolvePointer(doc, `#/components/${part}`), `#/components/${part}`);
  return pointers;
}

const DOC_ID = 'https://stream-server.test/openapi.json';

/**
 * Ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses) holding the whole
 * document, so any schema in it can be compiled by pointer with its
 * `#/components/...` references intact. Strict: unknown keywords, unknown
 * formats and `required` names without a property are errors.
 */
export function documentAjv(doc: Json): { compile(pointer: string): (data: unknown) => ErrorObject[] } {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  // Only the document's wrapper keys; what lies under them is compiled by pointer.
  for (const keyword of ['openapi', 'info', 'servers', 'tags', 'paths', 'components', 'jsonSchemaDialect']) {
    ajv.addKeyword({ keyword });
  }
  ajv.addSchema({ ...doc, $id: DOC_ID });
  return {
    compile(pointer) {
      const validate = ajv.compile({ $ref: `${DOC_ID}${pointer}` });
      return (data) => (validate(data) ? [] : [...(validate.errors ?? [])]);
    },
  };
}

export interface AppRoute {
  method: string;
  path: string;
}

/**
 * Routes the app serves, read from Express 5's router: each route's
 * method and path, with mounted routers' paths prefixed. Middleware that
 * is not a route (CORS, rate limits, static files) is skipped.
 */
export function appRoutes(app: Express): AppRoute[] {
  const routes: AppRoute[] = [];
  const visit = (stack: unknown, prefix: string): void => {
    if (!Array.isArray(stack)) return;
    for (const layer of stack) {
      if (!isObject(layer)) continue;
      const route = layer['route'];
      if (isObject(route) && typeof route['path'] === 'string' && isObject(route['methods'])) {
        for (const [method, on] of Object.entries(route['methods'])) {
          if (on === true && method !== '_all') routes.push({ method, path: prefix + route['path'] });
        }
        continue;
      }
      const handle: unknown = layer['handle'];
      const nested: unknown = typeof handle === 'function' ? Reflect.get(handle, 'stack') : undefined;
      const raw = layer['rawPath'];
      if (Array.isArray(nested)) visit(nested, prefix + (typeof raw === 'string' && raw !== '/' ? raw : ''));
    }
  };
  visit(Reflect.get(Reflect.get(app, 'router') ?? {}, 'stack'), '');
  return routes;
}

/** `/v1/stream/job/:id` and `/v1/stream/job/{id}` both become `/v1/stream/job/{}`. */
export function routeShape(path: string): string {
  return path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '{}').replace(/\{[^}]*\}/g, '{}');
}
