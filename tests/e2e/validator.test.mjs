// The validator in lib/openapi.mjs, on made-up responses: it must refuse what the contract
// does not allow, or the live tests prove nothing. Needs no running stack.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { checkDraft7, ContractError, loadContract, mediaTypeMatches } from './lib/openapi.mjs';

const contract = loadContract('intake.yaml');
const ID = '0123456789abcdef0123456789abcdef';

function response(status, contentType, body, extra = []) {
  const headers = [['X-Request-Id', ID], ['Cache-Control', 'no-store'], ...extra];
  if (contentType) headers.push(['Content-Type', contentType]);
  return { method: 'GET', path: '/api/intake/v1/healthz', status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

const healthy = { status: 'ok', service: 'intake', version: '0.1.0' };
const problem = (status, code, extra = {}) => ({
  type: `urn:casecall:problem:${code}`, title: 'T', status, code, request_id: ID, ...extra,
});

describe('lib/openapi.mjs', () => {
  test('finds operations by method and concrete path; HEAD falls back to GET', () => {
    assert.equal(contract.findOperation('GET', '/api/intake/v1/healthz').operationId, 'intake.api.healthz');
    assert.equal(contract.findOperation('GET', '/healthz?x=1').operationId, 'intake.root.healthz');
    assert.equal(contract.findOperation('HEAD', '/metrics').operationId, 'intake.root.metrics');
    assert.equal(contract.findOperation('POST', '/healthz'), undefined);
    assert.equal(contract.findOperation('GET', '/api/intake/v1/healthz/x'), undefined);
  });

  test('accepts a response that follows the contract', () => {
    assert.deepEqual(contract.validateResponse(response(200, 'application/json', healthy)), healthy);
    contract.validateResponse(response(200, 'application/json; charset=utf-8', healthy));
    contract.validateResponse({ ...response(200, 'application/json', ''), method: 'HEAD' });
  });

  const refusals = [
    ['an unknown member where additionalProperties is false', response(200, 'application/json', { ...healthy, extra: 1 }), /extra/],
    ['a missing member', response(200, 'application/json', { status: 'ok', service: 'intake' }), /version/],
    ['a wrong value', response(200, 'application/json', { ...healthy, service: 'nobody' }), /service/],
    ['an undocumented Content-Type', response(200, 'text/html', '<p>ok</p>'), /Content-Type "text\/html"/],
    ['no Content-Type', response(200, undefined, healthy), /Content-Type/],
    ['a body that is not JSON', response(200, 'application/json', '{"status":'), /not valid JSON/],
    ['a missing required header', { ...response(200, 'application/json', healthy), headers: [['Content-Type', 'application/json']] }, /X-Request-Id is missing/],
    ['a doubled header', response(200, 'application/json', healthy, [['X-Request-Id', ID]]), /appears 2 times/],
    ['a problem without request_id', response(404, 'application/problem+json', { ...problem(404, 'not_found'), request_id: undefined }), /request_id/],
    ['a problem whose status is not the response\'s', response(404, 'application/problem+json', problem(400, 'not_found')), /status 400/],
    ['a problem whose type is not its code\'s', response(404, 'application/problem+json', { ...problem(404, 'not_found'), type: 'about:blank' }), /type/],
    ['a problem as application/json', response(404, 'application/json', problem(404, 'not_found')), /Content-Type/],
    ['a 413 without limit', response(413, 'application/problem+json', problem(413, 'payload_too_large')), /limit/],
    ['a readiness 503 without checks', response(503, 'application/problem+json', problem(503, 'not_ready'), [['Retry-After', '2']]), /checks/],
    ['a body on HEAD', { ...response(200, 'application/json', healthy), method: 'HEAD' }, /HEAD/],
    ['a status the operation does not document', response(302, 'application/json', healthy), /302 is not documented/],
  ];
  for (const [what, res, pattern] of refusals) {
    test(`refuses ${what}`, () => {
      const readyz = what.includes('readiness') ? { path: '/api/intake/v1/readyz' } : {};
      assert.throws(() => contract.validateResponse({ ...res, ...readyz }), (e) => e instanceof ContractError && pattern.test(e.message));
    });
  }

  test('metrics must be Prometheus text', () => {
    const ok = '# HELP x_total X.\n# TYPE x_total counter\nx_total{route="a",status="200"} 2\nx_seconds 0.5\n';
    const metrics = (body) => ({ method: 'GET', path: '/metrics', status: 200, body,
      headers: [['X-Request-Id', ID], ['Cache-Control', 'no-store'], ['Content-Type', 'text/plain; version=0.0.4; charset=utf-8']] });
    contract.validateResponse(metrics(ok));
    assert.throws(() => contract.validateResponse(metrics('hello world\n')), ContractError);
    assert.throws(() => contract.validateResponse({ ...metrics(ok), headers: [['X-Request-Id', ID], ['Cache-Control', 'no-store'], ['Content-Type', 'text/plain']] }), /Content-Type/);
  });

  test('validateProblem checks errors no operation documents', () => {
    const res = { ...response(405, 'application/problem+json', problem(405, 'method_not_allowed')), method: 'POST' };
    assert.equal(contract.validateProblem(res).code, 'method_not_allowed');
    assert.throws(() => contract.validateProblem({ ...res, body: JSON.stringify({ error: 'nope' }) }), ContractError);
    const bare = { ...res, headers: [['X-Request-Id', ID], ['Content-Type', 'application/problem+json']] };
    assert.throws(() => contract.validateProblem(bare), /Cache-Control/);
    contract.validateProblem(bare, { documentedHeaders: false });
  });

  test('media types match by type, subtype and the documented parameters', () => {
    assert.ok(mediaTypeMatches('application/json', 'application/json; charset=utf-8'));
    assert.ok(mediaTypeMatches('text/plain; version=0.0.4', 'text/plain; version=0.0.4; charset=utf-8'));
    assert.ok(!mediaTypeMatches('text/plain; version=0.0.4', 'text/plain; version=1.0.0'));
    assert.ok(mediaTypeMatches('application/*', 'application/problem+json'));
    assert.ok(!mediaTypeMatches('application/json', 'application/problem+json'));
  });

  test('only draft-07 keywords pass', () => {
    checkDraft7({ type: 'object', properties: { $defs: { type: 'string' } }, definitions: { a: { const: 1 } } }, 'ok');
    for (const bad of [{ $defs: {} }, { prefixItems: [] }, { unevaluatedProperties: false }, { nullable: true },
      { properties: { a: { dependentRequired: {} } } }, { $schema: 'https://json-schema.org/draft/2020-12/schema' }]) {
      assert.throws(() => checkDraft7(bad, 'bad'), ContractError, JSON.stringify(bad));
    }
  });
});
