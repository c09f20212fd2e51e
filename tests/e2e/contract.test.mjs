// The contracts in proto/ against the services themselves, on each service's own port:
//   - the schema files are draft-07 only and self-contained (the services' own draft-07 subset
//     validator, libs/http/json_schema.hpp, reads the request schemas too);
//   - each service's route table (casecall-<svc> --routes) is exactly its documented operations;
//   - every documented GET without path parameters open to anyone answers as documented, HEAD
//     too; every other one answers 401 unauthenticated without credentials;
//   - the errors every route can give (404, 405, 431, 413) are problems as documented.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import Ajv from 'ajv';
import addFormats from 'ajv-formats';

import { binDir, serviceUrls, SERVICES } from './lib/env.mjs';
import { fetchRecord, header, headerValues, rawRequest } from './lib/http.mjs';
import { checkDraft7, LANGUAGE_TAG, loadContract, PROTO_DIR } from './lib/openapi.mjs';

const BIN_DIR = binDir();
const URLS = serviceUrls();

const ROUTE_FIELDS = ['access', 'body_limit', 'method', 'name', 'path'];
// x-casecall-access for users: the roles admitted, joined by commas in this order.
const USER_ROLES = ['partner', 'judge', 'admin'];
// The formats the services' schema validator knows (libs/http/json_schema.cpp): email, uri,
// uuid and date-time as in ajv-formats, and "language", a language tag as the service checks it.
const SERVICE_HEADER_LIMIT = 16 * 1024;

function routeTable(svc) {
  const bin = path.join(BIN_DIR, `casecall-${svc}`);
  const run = spawnSync(bin, ['--routes'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, `${bin} --routes exited with ${run.status}: ${run.stderr}`);
  let routes;
  try {
    routes = JSON.parse(run.stdout);
  } catch (e) {
    assert.fail(`${bin} --routes did not print JSON (${e.message}): ${run.stdout.slice(0, 300)}`);
  }
  assert.ok(Array.isArray(routes) && routes.length > 0, `${bin} --routes printed no routes`);
  return routes;
}

function describeRoute(r) {
  return `${r.method} ${r.path} name=${r.name} access=${r.access} body_limit=${r.body_limit}`;
}

describe('proto/schemas', () => {
  const dir = path.join(PROTO_DIR, 'schemas');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

  test('there are schema files', () => {
    assert.ok(files.length > 0, `no .json files in ${dir}`);
  });

  for (const file of files) {
    test(`${file} is a self-contained JSON Schema draft-07`, () => {
      const schema = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#', `${file}: "$schema" must name draft-07`);
      checkDraft7(schema, file);
      const external = [];
      JSON.stringify(schema, (k, v) => {
        if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) external.push(v);
        return v;
      });
      assert.deepEqual(external, [], `${file}: refers to other files; schema files must be self-contained`);
      const ajv = new Ajv({ strict: true });
      addFormats(ajv);
      ajv.addFormat('language', LANGUAGE_TAG);
      assert.doesNotThrow(() => ajv.compile(schema), `${file}: does not compile as draft-07`);
    });
  }
});

for (const svc of SERVICES) {
  describe(`${svc} contract (proto/${svc}.yaml) on the service port ${URLS[svc]}`, () => {
    const contract = loadContract(`${svc}.yaml`);
    const base = URLS[svc];

    test('the route table is exactly the documented operations', () => {
      const routes = routeTable(svc);
      for (const r of routes) {
        assert.deepEqual(
          Object.keys(r).sort(),
          ROUTE_FIELDS,
          `route ${JSON.stringify(r)}: the route table's fields changed; carry the new ones in the contract (x-casecall-*) and here`,
        );
      }
      const served = routes.map(describeRoute).sort();
      const documented = contract.operations
        .map((op) =>
          describeRoute({
            method: op.method,
            path: op.path,
            name: op.operationId,
            access: op.operation['x-casecall-access'],
            body_limit: op.operation['x-casecall-body-limit'],
          }),
        )
        .sort();
      const undocumented = served.filter((r) => !documented.includes(r));
      const unserved = documented.filter((r) => !served.includes(r));
      assert.deepEqual(
        { undocumented, unserved },
        { undocumented: [], unserved: [] },
        `casecall-${svc} --routes and proto/${svc}.yaml disagree:\n` +
          `  served but not documented (as is):\n    ${undocumented.join('\n    ') || '-'}\n` +
          `  documented but not served (as is):\n    ${unserved.join('\n    ') || '-'}`,
      );
      const ids = contract.operations.map((op) => op.operationId);
      assert.equal(new Set(ids).size, ids.length, 'operationIds must be unique');
    });

    test('every operation says who may call it, consistently with its security', () => {
      for (const op of contract.operations) {
        const access = op.operation['x-casecall-access'];
        const security = op.operation.security;
        if (access === 'anyone') {
          assert.deepEqual(security, [], `${op.operationId}: open to anyone, so security must be []`);
        } else if (access === 'service') {
          assert.deepEqual(security, [{ serviceToken: [] }], `${op.operationId}: for services, so security must be [{serviceToken: []}]`);
        } else {
          const roles = typeof access === 'string' ? access.split(',') : [];
          assert.ok(
            roles.length > 0 && roles.join(',') === USER_ROLES.filter((r) => roles.includes(r)).join(','),
            `${op.operationId}: x-casecall-access is ${JSON.stringify(access)}; expected anyone, service, or some of ${USER_ROLES.join(',')} in that order`,
          );
          assert.ok(Array.isArray(security), `${op.operationId}: for users, but security is ${JSON.stringify(security)}`);
          assert.deepEqual(
            security.map((req) => JSON.stringify(req)).sort(),
            [{ apiToken: [] }, { sessionCookie: [] }].map((req) => JSON.stringify(req)),
            `${op.operationId}: for users, so security must list sessionCookie and apiToken (${JSON.stringify(security)})`,
          );
        }
        assert.ok(Array.isArray(op.operation.tags) && op.operation.tags.length > 0, `${op.operationId}: no tags`);
      }
    });

    const gets = contract.operations.filter((op) => op.method === 'GET' && op.matcher.names.length === 0);
    const plainGets = gets.filter((op) => op.operation['x-casecall-access'] === 'anyone');
    const guardedGets = gets.filter((op) => op.operation['x-casecall-access'] !== 'anyone');

    test('every documented GET without path parameters open to anyone answers as documented', async (t) => {
      assert.ok(plainGets.length > 0, 'no GET operations without path parameters open to anyone');
      for (const op of plainGets) {
        await t.test(`GET ${op.path}`, async () => {
          const res = await fetchRecord(base, op.path);
          contract.validateResponse(res);
          assert.equal(res.status, 200, `GET ${op.path} → ${res.status} on a running stack: ${res.body.slice(0, 300)}`);
        });
      }
    });

    test('every such GET also answers HEAD, without a body', async (t) => {
      for (const op of plainGets) {
        await t.test(`HEAD ${op.path}`, async () => {
          const res = await fetchRecord(base, op.path, { method: 'HEAD' });
          contract.validateResponse(res);
          assert.equal(res.status, 200, `HEAD ${op.path} → ${res.status}`);
        });
      }
    });

    test('every other documented GET without path parameters → 401 unauthenticated without credentials', async (t) => {
      for (const op of guardedGets) {
        await t.test(`GET ${op.path} (${op.operation['x-casecall-access']})`, async () => {
          const res = await fetchRecord(base, op.path);
          assert.equal(res.status, 401, `GET ${op.path} without credentials → ${res.status}: ${res.body.slice(0, 300)}`);
          const problem = contract.validateResponse(res);
          assert.equal(problem.code, 'unauthenticated');
        });
      }
    });

    test('the service keeps a sent X-Request-Id, and makes a 32-hex one otherwise', async () => {
      const id = `e2e-${randomUUID()}`;
      const sent = await fetchRecord(base, plainGets[0].path, { headers: { 'X-Request-Id': id } });
      contract.validateResponse(sent);
      assert.deepEqual(headerValues(sent, 'X-Request-Id'), [id]);
      const made = await fetchRecord(base, plainGets[0].path);
      const ids = headerValues(made, 'X-Request-Id');
      assert.equal(ids.length, 1, `X-Request-Id: ${ids.join(' | ')}`);
      assert.match(ids[0], /^[0-9a-f]{32}$/);
    });

    test('an unknown path → 404 not_found problem', async (t) => {
      for (const p of ['/no-such-path', `/api/${svc}/v1/no-such-resource`, `/api/${svc}/v2/healthz`]) {
        await t.test(p, async () => {
          const res = await fetchRecord(base, p);
          assert.equal(res.status, 404, `GET ${p} → ${res.status}`);
          const problem = contract.validateProblem(res);
          assert.equal(problem.code, 'not_found');
        });
      }
    });

    test('a method a path does not serve → 405 method_not_allowed problem with Allow', async (t) => {
      const templates = [...new Set(contract.operations.map((op) => op.path))].filter((p) => !p.includes('{'));
      for (const template of templates) {
        // Every operation whose path matches, templates included: the service's router matches
        // /invitations/accept against /invitations/{id} too, and its Allow says so.
        const documented = new Set(contract.operations.filter((op) => op.matcher.regex.test(template)).map((op) => op.method));
        if (documented.has('GET')) documented.add('HEAD');
        const method = ['POST', 'PUT', 'DELETE', 'PATCH'].find((m) => !documented.has(m));
        await t.test(`${method} ${template}`, async () => {
          const res = await fetchRecord(base, template, { method });
          assert.equal(res.status, 405, `${method} ${template} → ${res.status}: ${res.body.slice(0, 300)}`);
          const problem = contract.validateProblem(res);
          assert.equal(problem.code, 'method_not_allowed');
          const allow = header(res, 'Allow');
          assert.ok(allow, `${method} ${template}: 405 without an Allow header`);
          const allowed = new Set(allow.split(',').map((m) => m.trim().toUpperCase()));
          assert.deepEqual([...allowed].sort(), [...documented].sort(), `${method} ${template}: Allow is "${allow}"`);
        });
      }
    });

    test(`a 20 KiB header → 431 header_too_large problem with limit ${SERVICE_HEADER_LIMIT}`, async () => {
      const res = await rawRequest(base, '/healthz', { headers: { 'X-Filler': 'a'.repeat(20 * 1024) } });
      assert.equal(res.status, 431, `→ ${res.status}: ${res.body.slice(0, 300)}`);
      const problem = contract.validateResponse(res);
      assert.equal(problem.code, 'header_too_large');
      assert.equal(problem.limit, SERVICE_HEADER_LIMIT);
    });

    test('GET /healthz with a 10-byte body (its limit is 0) → 413 payload_too_large problem with limit 0', async () => {
      const route = routeTable(svc).find((r) => r.method === 'GET' && r.path === '/healthz');
      assert.ok(route, 'no GET /healthz route');
      assert.equal(route.body_limit, 0, 'GET /healthz should read no body');
      const res = await rawRequest(base, '/healthz', { body: '0123456789' });
      assert.equal(res.status, 413, `→ ${res.status}: ${res.body.slice(0, 300)}`);
      const problem = contract.validateResponse(res);
      assert.equal(problem.code, 'payload_too_large');
      assert.equal(problem.limit, route.body_limit);
    });
  });
}
