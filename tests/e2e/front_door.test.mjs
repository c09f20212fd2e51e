// The front door (nginx, deploy/nginx/casecall.conf.in) against the contracts: what it
// forwards, what it refuses itself (as problem+json), request ids, and whose limits answer.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import { frontDoorUrl, SERVICES } from './lib/env.mjs';
import { fetchRecord, header, headerValues, rawRequest } from './lib/http.mjs';
import { loadContract } from './lib/openapi.mjs';

const FRONT = frontDoorUrl();

const SERVICE_HEADER_LIMIT = 16 * 1024;
const FRONT_HEADER_LIMIT = 32 * 1024;
const FRONT_BODY_LIMIT = 2 * 1024 * 1024;

const contractFor = (path) => loadContract(`${SERVICES.find((s) => path.startsWith(`/api/${s}/`)) ?? 'intake'}.yaml`);

function onlyId(res) {
  const ids = headerValues(res, 'X-Request-Id');
  assert.equal(ids.length, 1, `${res.method} ${res.path}: X-Request-Id appears ${ids.length} times (${ids.join(' | ')})`);
  return ids[0];
}

describe(`the front door at ${FRONT}`, () => {
  for (const svc of SERVICES) {
    const contract = loadContract(`${svc}.yaml`);
    for (const what of ['healthz', 'readyz']) {
      const path = `/api/${svc}/v1/${what}`;
      test(`GET ${path} reaches ${svc} → 200 per contract`, async () => {
        const res = await fetchRecord(FRONT, path);
        assert.equal(res.status, 200, `GET ${path} → ${res.status}: ${res.body.slice(0, 300)}`);
        const body = contract.validateResponse(res);
        assert.equal(body.service, svc, `GET ${path} was answered by ${body.service}`);
      });
    }
  }

  const refused = ['/metrics', '/api/intake/v1/metrics', '/internal/v1/cases/x', '/api/review/v1/internal/x', '/api/unknown/v1/healthz'];
  for (const path of refused) {
    test(`GET ${path} → 404 not_found problem from the front door`, async () => {
      const res = await fetchRecord(FRONT, path);
      assert.equal(res.status, 404, `GET ${path} → ${res.status}: ${res.body.slice(0, 300)}`);
      const problem = contractFor(path).validateProblem(res, { documentedHeaders: false });
      assert.equal(problem.code, 'not_found');
    });
  }

  // The contracts say /healthz and /readyz at the root are served on each service's own port
  // only (the public site at / belongs to publish, whose root health routes are not public).
  for (const path of ['/healthz', '/readyz']) {
    test(`GET ${path} (service-port-only per contract) → 404 not_found problem`, async () => {
      const res = await fetchRecord(FRONT, path);
      assert.equal(res.status, 404, `GET ${path} through the front door → ${res.status} (${res.body.slice(0, 200)}); the contract documents it as service-port-only`);
      const problem = contractFor(path).validateProblem(res, { documentedHeaders: false });
      assert.equal(problem.code, 'not_found');
    });
  }

  test('GET / (the public site) → publish\'s home page, HTML under a CSP', async () => {
    const res = await fetchRecord(FRONT, '/');
    assert.equal(res.status, 200, `GET / → ${res.status}: ${res.body.slice(0, 300)}`);
    assert.equal(header(res, 'content-type'), 'text/html; charset=utf-8');
    assert.match(header(res, 'content-security-policy') ?? '', /default-src 'none'/);
    assert.match(res.body, /<html lang="[a-z]{2}" dir="(ltr|rtl)">/);
  });

  describe('X-Request-Id', () => {
    // A forwarded answer, a service's problem, and nginx's own problem.
    const paths = ['/api/intake/v1/healthz', '/api/publish/v1/no-such-resource', '/metrics'];

    for (const path of paths) {
      test(`one sent is echoed exactly once: GET ${path}`, async () => {
        const id = `e2e-${randomUUID()}`;
        const res = await rawRequest(FRONT, path, { headers: { 'X-Request-Id': id } });
        assert.equal(onlyId(res), id);
        if (res.status >= 400) {
          const problem = contractFor(path).validateProblem(res, { documentedHeaders: false });
          assert.equal(problem.request_id, id);
        }
      });

      test(`without one, a 32-hex id comes back exactly once: GET ${path}`, async () => {
        const res = await rawRequest(FRONT, path);
        assert.match(onlyId(res), /^[0-9a-f]{32}$/);
        if (res.status >= 400) contractFor(path).validateProblem(res, { documentedHeaders: false });
      });
    }
  });

  describe('limits: the service answers first, nginx only past its own', () => {
    const path = '/api/intake/v1/healthz';
    const intake = loadContract('intake.yaml');

    test(`a 20 KiB header → 431 from the service (limit ${SERVICE_HEADER_LIMIT})`, async () => {
      const res = await rawRequest(FRONT, path, { headers: { 'X-Filler': 'a'.repeat(20 * 1024) } });
      assert.equal(res.status, 431, `→ ${res.status}: ${res.body.slice(0, 300)}`);
      const problem = intake.validateResponse(res);
      assert.equal(problem.code, 'header_too_large');
      assert.equal(problem.limit, SERVICE_HEADER_LIMIT, 'the 431 should be the service\'s, naming its 16 KiB limit');
    });

    test('a 40 KiB header → 431 problem from nginx', async () => {
      const res = await rawRequest(FRONT, path, { headers: { 'X-Filler': 'a'.repeat(40 * 1024) } });
      assert.equal(res.status, 431, `→ ${res.status}: ${res.body.slice(0, 300)}`);
      const problem = intake.validateProblem(res, { documentedHeaders: false });
      assert.equal(problem.code, 'header_too_large');
      assert.notEqual(problem.limit, SERVICE_HEADER_LIMIT, 'a header over 32 KiB must not reach the service');
      if (problem.limit !== undefined) assert.equal(problem.limit, FRONT_HEADER_LIMIT);
    });

    test('a 1.5 MB body on GET → 413 from the service (limit 0)', async () => {
      const res = await rawRequest(FRONT, path, { body: Buffer.alloc(1_500_000, 0x61) });
      assert.equal(res.status, 413, `→ ${res.status}: ${res.body.slice(0, 300)}`);
      const problem = intake.validateResponse(res);
      assert.equal(problem.code, 'payload_too_large');
      assert.equal(problem.limit, 0, 'the 413 should be the service\'s, naming the route\'s limit of 0');
    });

    test('a 3 MB body → 413 problem from nginx', async () => {
      const res = await rawRequest(FRONT, path, { body: Buffer.alloc(3_000_000, 0x61) });
      assert.equal(res.status, 413, `→ ${res.status}: ${res.body.slice(0, 300)}`);
      const problem = intake.validateProblem(res, { documentedHeaders: false });
      assert.equal(problem.code, 'payload_too_large');
      assert.notEqual(problem.limit, 0, 'a body over 2 MiB must not reach the service');
      if (problem.limit !== undefined) assert.equal(problem.limit, FRONT_BODY_LIMIT);
      assert.equal(header(res, 'Content-Type')?.split(';')[0], 'application/problem+json');
    });
  });
});
