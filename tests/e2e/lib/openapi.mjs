// A small, real response validator for the contracts in proto/.
//
// loadContract('intake.yaml') reads proto/intake.yaml, follows its $refs (inside the document,
// and relative ones to other files such as proto/schemas/*.json), and answers:
//   contract.operations                    every documented (method, path template) operation
//   contract.findOperation(method, path)   the operation serving a concrete path
//   contract.validateResponse(res)         checks a response against the operation's contract:
//                                          the response object for the status (exact, then NXX,
//                                          then default), its required headers, the Content-Type
//                                          against the documented media types, and the body
//                                          against the schema (JSON bodies parsed first)
//   contract.validateProblem(res)          checks an error that no operation documents (unknown
//                                          path, wrong method, the front door's own answers)
//                                          against the shared Problem response
// Every failure throws a ContractError naming the request, the status and what is wrong.
//
// Schemas are validated with Ajv's draft-07 class: the files in proto/schemas/ are read by the
// service's own validator too (libs/http/json_schema.hpp; the services compile the request
// schemas, *-request.json, in), which understands a subset of draft-07 and refuses any keyword
// it does not know, so every schema met here is also checked to use draft-07 keywords alone.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));

// `format: language`, as the service checks it (libs/http/json_schema.cpp): a BCP 47-like tag.
export const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// Every keyword of JSON Schema draft-07 (core, validation, annotations). Nothing else may
// appear in a schema here: not 2019-09/2020-12 keywords ($defs, prefixItems,
// unevaluatedProperties, dependentRequired, ...), not OpenAPI's `nullable` or `example`.
export const DRAFT7_KEYWORDS = new Set([
  '$schema', '$id', '$ref', '$comment',
  'title', 'description', 'default', 'readOnly', 'writeOnly', 'examples',
  'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'format', 'contentMediaType', 'contentEncoding',
  'items', 'additionalItems', 'maxItems', 'minItems', 'uniqueItems', 'contains',
  'maxProperties', 'minProperties', 'required', 'properties', 'patternProperties',
  'additionalProperties', 'dependencies', 'propertyNames', 'definitions',
  'const', 'enum', 'type',
  'if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', 'not',
]);
const DRAFT7_URIS = new Set([
  'http://json-schema.org/draft-07/schema#',
  'http://json-schema.org/draft-07/schema',
]);
// Keywords whose value is a map from names to schemas, one schema, or a list of schemas.
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_ONE = new Set(['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);

export class ContractError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ContractError';
  }
}

// Walks a schema, calling visit(node, where) on every subschema, and throws on any keyword
// draft-07 does not have.
export function checkDraft7(schema, where) {
  const walk = (node, at) => {
    if (typeof node === 'boolean') return;
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      throw new ContractError(`${at}: a schema must be an object or a boolean`);
    }
    for (const [key, value] of Object.entries(node)) {
      if (!DRAFT7_KEYWORDS.has(key)) {
        throw new ContractError(`${at}: keyword "${key}" is not JSON Schema draft-07 (the service's schema validator would refuse it)`);
      }
      if (key === '$schema' && !DRAFT7_URIS.has(value)) {
        throw new ContractError(`${at}: "$schema" is ${JSON.stringify(value)}; only draft-07 is allowed`);
      }
      if (SCHEMA_MAPS.has(key)) {
        for (const [name, sub] of Object.entries(value)) walk(sub, `${at}/${key}/${name}`);
      } else if (key === 'dependencies') {
        for (const [name, sub] of Object.entries(value)) if (!Array.isArray(sub)) walk(sub, `${at}/${key}/${name}`);
      } else if (key === 'items') {
        if (Array.isArray(value)) value.forEach((sub, i) => walk(sub, `${at}/items/${i}`));
        else walk(value, `${at}/items`);
      } else if (SCHEMA_ONE.has(key)) {
        walk(value, `${at}/${key}`);
      } else if (SCHEMA_LISTS.has(key)) {
        if (!Array.isArray(value)) throw new ContractError(`${at}/${key}: must be a list of schemas`);
        value.forEach((sub, i) => walk(sub, `${at}/${key}/${i}`));
      }
    }
  };
  walk(schema, where);
}

function pointerGet(doc, pointer, where) {
  if (pointer === '' || pointer === '/') return doc;
  let node = doc;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) {
      throw new ContractError(`${where}: $ref target "#${pointer}" does not exist`);
    }
    node = node[key];
  }
  return node;
}

function withoutHash(url) {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}

function shortName(url) {
  const file = fileURLToPath(withoutHash(url));
  return path.relative(path.resolve(PROTO_DIR, '..'), file) || file;
}

// name → [values], from a fetch Headers, a list of [name, value] pairs (e.g. from
// node:http's rawHeaders) or a plain object (values may be lists).
export function headerMap(headers) {
  const map = new Map();
  const add = (name, value) => {
    const key = name.toLowerCase();
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(String(value));
  };
  if (headers == null) return map;
  if (headers instanceof Map) return headers;
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    for (const [name, value] of headers.entries()) add(name, value);
  } else if (Array.isArray(headers)) {
    for (const [name, value] of headers) add(name, value);
  } else {
    for (const [name, value] of Object.entries(headers)) {
      for (const v of Array.isArray(value) ? value : [value]) add(name, v);
    }
  }
  return map;
}

// "text/plain; version=0.0.4; charset=utf-8" → { essence: 'text/plain', params: Map }
export function parseMediaType(value) {
  const [essence, ...rest] = String(value).split(';');
  const params = new Map();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    params.set(name, v);
  }
  return { essence: essence.trim().toLowerCase(), params };
}

// Whether an actual Content-Type is one a documented media type (or range) allows: the same
// type/subtype (or a range covering it), and every parameter the document names with the same
// value (an actual `charset` the document does not name is fine).
export function mediaTypeMatches(documented, actual) {
  const d = parseMediaType(documented);
  const a = parseMediaType(actual);
  const [dt, ds] = d.essence.split('/');
  const [at, as] = a.essence.split('/');
  if (dt !== '*' && dt !== at) return false;
  if (ds !== '*' && ds !== as) return false;
  for (const [name, value] of d.params) {
    if (a.params.get(name)?.toLowerCase() !== value.toLowerCase()) return false;
  }
  return true;
}

function isJsonMediaType(mediaType) {
  const { essence } = parseMediaType(mediaType);
  return essence === 'application/json' || essence.endsWith('+json');
}

function describeErrors(errors) {
  return errors
    .map((e) => {
      const at = e.instancePath || '(the body)';
      const extra = e.keyword === 'additionalProperties' ? ` ("${e.params.additionalProperty}")`
        : e.keyword === 'enum' || e.keyword === 'const' ? ` (${JSON.stringify(e.params.allowedValues ?? e.params.allowedValue)})`
          : '';
      return `  - ${at}: ${e.message}${extra} [schema ${e.schemaPath}]`;
    })
    .join('\n');
}

function snippet(body, max = 400) {
  const s = typeof body === 'string' ? body : JSON.stringify(body);
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

function templateRegex(template) {
  const parts = template.split(/(\{[^}/]+\})/).filter((p) => p !== '');
  const source = parts
    .map((p) => (p.startsWith('{') ? '([^/]+)' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const literal = parts.filter((p) => !p.startsWith('{')).join('').length;
  const names = parts.filter((p) => p.startsWith('{')).map((p) => p.slice(1, -1));
  return { regex: new RegExp(`^${source}$`), literal, names };
}

export class Contract {
  constructor(file) {
    this.file = path.resolve(PROTO_DIR, file);
    this.url = pathToFileURL(this.file).href;
    this.name = path.basename(this.file);
    this.documents = new Map();
    this.schemaFiles = new Set();
    this.compiled = new WeakMap();
    this.ajv = new Ajv({ strict: true, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat('language', LANGUAGE_TAG);
    this.doc = this.#load(this.url);
    if (typeof this.doc.openapi !== 'string' || !this.doc.openapi.startsWith('3.1.')) {
      throw new ContractError(`${this.name}: expected an OpenAPI 3.1 document, found openapi: ${this.doc.openapi}`);
    }
    this.operations = this.#collectOperations();
  }

  #load(url) {
    const key = withoutHash(url);
    if (!this.documents.has(key)) {
      const file = fileURLToPath(key);
      let text;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new ContractError(`cannot read ${file} (referenced from the contract): ${e.message}`);
      }
      try {
        this.documents.set(key, file.endsWith('.json') ? JSON.parse(text) : parseYaml(text));
      } catch (e) {
        throw new ContractError(`cannot parse ${file}: ${e.message}`);
      }
    }
    return this.documents.get(key);
  }

  // The node a $ref names, and the URL of the document it is in (for its own relative refs).
  #resolve(ref, base) {
    const target = new URL(ref, base);
    const docUrl = withoutHash(target.href);
    const pointer = decodeURIComponent(target.hash.replace(/^#/, ''));
    return { node: pointerGet(this.#load(docUrl), pointer, `${shortName(base)} $ref "${ref}"`), base: docUrl };
  }

  // Follows $refs of OpenAPI objects (responses, headers, parameters, path items).
  #deref(node, base) {
    for (let hops = 0; node && typeof node === 'object' && typeof node.$ref === 'string'; hops++) {
      if (hops > 32) throw new ContractError(`${shortName(base)}: $ref chain too long (a cycle?)`);
      ({ node, base } = this.#resolve(node.$ref, base));
    }
    return { node, base };
  }

  // A schema file (proto/schemas/*.json) goes to Ajv whole, under its own URL, so that its
  // internal and relative refs resolve as they would for any other draft-07 validator.
  #addSchemaFile(url) {
    const key = withoutHash(url);
    if (this.schemaFiles.has(key)) return;
    this.schemaFiles.add(key);
    const schema = this.#load(key);
    checkDraft7(schema, shortName(key));
    const refs = [];
    JSON.stringify(schema, (k, v) => {
      if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) refs.push(v);
      return v;
    });
    for (const ref of refs) this.#addSchemaFile(new URL(ref, key).href);
    try {
      this.ajv.addSchema(schema, key);
    } catch (e) {
      throw new ContractError(`${shortName(key)}: not a valid draft-07 schema: ${e.message}`);
    }
  }

  // Turns a schema written inside the OpenAPI document into one Ajv can compile on its own:
  // refs into the document (components/schemas) are inlined, refs to .json schema files become
  // absolute refs to those files (added to Ajv). A $ref with sibling keywords becomes allOf,
  // since draft-07 ignores a $ref's siblings.
  #rewriteSchema(node, base, where, depth = 0) {
    if (depth > 64) throw new ContractError(`${where}: schema nesting too deep (a recursive $ref?)`);
    if (typeof node === 'boolean') return node;
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      throw new ContractError(`${where}: a schema must be an object or a boolean`);
    }
    const out = {};
    let refSchema;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref') {
        const target = new URL(value, base);
        if (target.pathname.endsWith('.json')) {
          this.#addSchemaFile(target.href);
          refSchema = { $ref: target.href };
        } else {
          const resolved = this.#resolve(value, base);
          refSchema = this.#rewriteSchema(resolved.node, resolved.base, `${where} → ${value}`, depth + 1);
        }
      } else if (SCHEMA_MAPS.has(key)) {
        out[key] = Object.fromEntries(
          Object.entries(value).map(([n, s]) => [n, this.#rewriteSchema(s, base, `${where}/${key}/${n}`, depth + 1)]),
        );
      } else if (key === 'dependencies') {
        out[key] = Object.fromEntries(
          Object.entries(value).map(([n, s]) => [n, Array.isArray(s) ? s : this.#rewriteSchema(s, base, `${where}/${key}/${n}`, depth + 1)]),
        );
      } else if (key === 'items') {
        out[key] = Array.isArray(value)
          ? value.map((s, i) => this.#rewriteSchema(s, base, `${where}/items/${i}`, depth + 1))
          : this.#rewriteSchema(value, base, `${where}/items`, depth + 1);
      } else if (SCHEMA_ONE.has(key)) {
        out[key] = this.#rewriteSchema(value, base, `${where}/${key}`, depth + 1);
      } else if (SCHEMA_LISTS.has(key)) {
        out[key] = value.map((s, i) => this.#rewriteSchema(s, base, `${where}/${key}/${i}`, depth + 1));
      } else {
        out[key] = value;
      }
    }
    checkDraft7({ ...out, ...(refSchema ? { $ref: '#' } : {}) }, where);
    if (!refSchema) return out;
    if (Object.keys(out).length === 0) return refSchema;
    return { ...out, allOf: [...(out.allOf ?? []), refSchema] };
  }

  #validator(schemaNode, base, where) {
    if (schemaNode && typeof schemaNode === 'object' && this.compiled.has(schemaNode)) {
      return this.compiled.get(schemaNode);
    }
    const schema = this.#rewriteSchema(schemaNode, base, where);
    let fn;
    try {
      fn = this.ajv.compile(schema);
    } catch (e) {
      throw new ContractError(`${where}: the schema does not compile: ${e.message}`);
    }
    if (schemaNode && typeof schemaNode === 'object') this.compiled.set(schemaNode, fn);
    return fn;
  }

  #collectOperations() {
    const ops = [];
    const paths = this.doc.paths ?? {};
    for (const [template, rawItem] of Object.entries(paths)) {
      const { node: item, base } = this.#deref(rawItem, this.url);
      for (const method of HTTP_METHODS) {
        if (!item[method]) continue;
        ops.push({
          method: method.toUpperCase(),
          path: template,
          operationId: item[method].operationId,
          operation: item[method],
          pathItem: item,
          base,
          matcher: templateRegex(template),
        });
      }
    }
    return ops;
  }

  // The operation serving (method, concrete path); HEAD falls back to the GET operation (HEAD
  // is implied for every GET). Literal paths win over templates; among templates, the one with
  // more literal characters.
  findOperation(method, concretePath) {
    const pathOnly = concretePath.split('?')[0];
    const want = method.toUpperCase();
    const pick = (m) => {
      let best;
      for (const op of this.operations) {
        if (op.method !== m || !op.matcher.regex.test(pathOnly)) continue;
        if (!best || op.matcher.literal > best.matcher.literal) best = op;
      }
      return best;
    };
    return pick(want) ?? (want === 'HEAD' ? pick('GET') : undefined);
  }

  // The documented response object for a status: exact code, then NXX, then default.
  responseFor(op, status) {
    const responses = op.operation.responses ?? {};
    const range = `${Math.floor(status / 100)}XX`;
    for (const key of [String(status), range, range.toLowerCase(), 'default']) {
      if (key in responses) return { key, ...this.#deref(responses[key], op.base) };
    }
    return undefined;
  }

  // res: { method, path, status, headers, body } with body the response text ('' for none).
  // Returns the parsed body (JSON) or the text.
  validateResponse(res) {
    const label = `${this.name}: ${res.method} ${res.path} → ${res.status}`;
    const op = this.findOperation(res.method, res.path);
    if (!op) {
      const documented = this.operations.map((o) => `${o.method} ${o.path}`).join(', ');
      throw new ContractError(`${label}: no operation documents ${res.method} ${res.path} (documented: ${documented})`);
    }
    const found = this.responseFor(op, res.status);
    if (!found) {
      throw new ContractError(
        `${label}: status ${res.status} is not documented for ${op.operationId} (documented: ${Object.keys(op.operation.responses ?? {}).join(', ')})`,
      );
    }
    return this.#checkAgainst(found.node, found.base, `${label} [${op.operationId}, response "${found.key}"]`, res, {
      headers: true,
      head: res.method.toUpperCase() === 'HEAD',
    });
  }

  // An error no operation documents (unknown path, wrong method, the front door's own answers),
  // checked against the shared components/responses/Problem. With documentedHeaders false, the
  // response's required headers other than X-Request-Id are not demanded (for answers that
  // nginx, not a service, makes).
  validateProblem(res, { documentedHeaders = true } = {}) {
    const label = `${this.name}: ${res.method ?? 'GET'} ${res.path} → ${res.status}`;
    const problem = this.doc.components?.responses?.Problem;
    if (!problem) throw new ContractError(`${this.name}: components/responses/Problem is missing`);
    const { node, base } = this.#deref(problem, this.url);
    return this.#checkAgainst(node, base, `${label} [components/responses/Problem]`, res, {
      headers: documentedHeaders,
      head: (res.method ?? 'GET').toUpperCase() === 'HEAD',
    });
  }

  #checkAgainst(response, base, label, res, { headers: checkHeaders, head }) {
    const headers = headerMap(res.headers);
    const body = res.body ?? '';

    for (const [name, rawHeader] of Object.entries(response.headers ?? {})) {
      const lower = name.toLowerCase();
      if (lower === 'content-type') continue;
      if (!checkHeaders && lower !== 'x-request-id') continue;
      const { node: header, base: hbase } = this.#deref(rawHeader, base);
      const values = headers.get(lower) ?? [];
      if (values.length === 0) {
        if (header.required) throw new ContractError(`${label}: the required header ${name} is missing`);
        continue;
      }
      if (values.length > 1) {
        throw new ContractError(`${label}: the header ${name} appears ${values.length} times (${values.join(' | ')}); the contract allows one`);
      }
      if (header.schema) {
        const validate = this.#validator(header.schema, hbase, `${label} header ${name}`);
        if (!validate(values[0])) {
          throw new ContractError(`${label}: the header ${name}: ${JSON.stringify(values[0])} violates its schema:\n${describeErrors(validate.errors)}`);
        }
      }
    }

    const content = response.content ?? {};
    const mediaTypes = Object.keys(content);
    const contentType = headers.get('content-type') ?? [];
    if (mediaTypes.length === 0) {
      if (body.length > 0) throw new ContractError(`${label}: the contract documents no body, but one of ${body.length} bytes came`);
      return body;
    }
    if (contentType.length !== 1) {
      throw new ContractError(`${label}: expected one Content-Type (one of ${mediaTypes.join(', ')}), got ${contentType.length ? contentType.join(' | ') : 'none'}`);
    }
    const mediaType = mediaTypes.find((m) => mediaTypeMatches(m, contentType[0]));
    if (!mediaType) {
      throw new ContractError(`${label}: Content-Type "${contentType[0]}" is not one the contract documents (${mediaTypes.join(', ')})`);
    }
    if (head) {
      if (body.length > 0) throw new ContractError(`${label}: a HEAD response carried a body of ${body.length} bytes`);
      return body;
    }
    const media = content[mediaType];
    let value = body;
    if (isJsonMediaType(mediaType)) {
      try {
        value = JSON.parse(body);
      } catch (e) {
        throw new ContractError(`${label}: the body is not valid JSON (${e.message}): ${snippet(body)}`);
      }
    }
    if (media.schema !== undefined) {
      const validate = this.#validator(media.schema, base, `${label} ${mediaType}`);
      if (!validate(value)) {
        throw new ContractError(`${label}: the ${mediaType} body violates its schema:\n${describeErrors(validate.errors)}\nbody: ${snippet(body)}`);
      }
    }
    if (parseMediaType(mediaType).essence === 'application/problem+json') {
      checkProblemConsistency(label, res.status, value, headers);
    }
    return value;
  }
}

// What a problem's schema cannot say: it repeats the HTTP status, its type is its code's URN,
// and its request_id is the one in the X-Request-Id header.
export function checkProblemConsistency(label, status, problem, headers) {
  if (problem.status !== status) {
    throw new ContractError(`${label}: the problem says status ${problem.status}, the response is ${status}`);
  }
  if (problem.type !== `urn:casecall:problem:${problem.code}`) {
    throw new ContractError(`${label}: the problem's type ${JSON.stringify(problem.type)} does not match its code ${JSON.stringify(problem.code)}`);
  }
  const ids = headerMap(headers).get('x-request-id') ?? [];
  if (ids.length !== 1 || ids[0] !== problem.request_id) {
    throw new ContractError(`${label}: the problem's request_id ${JSON.stringify(problem.request_id)} is not the X-Request-Id header (${ids.join(' | ') || 'none'})`);
  }
}

const cache = new Map();
export function loadContract(file) {
  const key = path.resolve(PROTO_DIR, file);
  if (!cache.has(key)) cache.set(key, new Contract(key));
  return cache.get(key);
}
