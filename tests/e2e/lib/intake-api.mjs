// The intake API's everyday steps, for tests that need a world to work in: an administrator
// (made with the shipped create-admin command), an open call made from the demo fixture, a
// verified and signed-in partner, an API token, a case. Every answer is checked against
// proto/intake.yaml, as apiCall does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { binDir, frontDoorUrl } from './env.mjs';
import { apiCall, header } from './http.mjs';
import { mailTo } from './mail.mjs';
import { loadContract } from './openapi.mjs';

export const API = '/api/intake/v1';
const FIXTURE = fileURLToPath(new URL('../../fixtures/gs7-call.json', import.meta.url));

// call(method, route, { json, headers }) against the front door, route below /api/intake/v1.
export function intakeClient(base = frontDoorUrl()) {
  const contract = loadContract('intake.yaml');
  return (method, route, { json, headers = {} } = {}) => apiCall(contract, base, `${API}${route}`, { method, json, headers });
}

export function createAdmin(email, password) {
  const port = process.env.CASECALL_TEST_PG_PORT;
  assert.ok(port && process.env.PGPASSFILE, 'CASECALL_TEST_PG_PORT and PGPASSFILE must be set (./casecall test sets them)');
  const dir = mkdtempSync(path.join(tmpdir(), 'casecall-e2e-'));
  const file = path.join(dir, 'password');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  const run = spawnSync(
    path.join(binDir(), 'casecall-intake'),
    ['create-admin', '--email', email, '--name', 'E2E Administrator', '--password-file', file],
    { encoding: 'utf8', env: { ...process.env, CASECALL_DB_URL: `postgresql://casecall_intake@127.0.0.1:${port}/casecall` } },
  );
  rmSync(dir, { recursive: true, force: true });
  assert.equal(run.status, 0, run.stderr + run.stdout);
}

// The headers a browser session sends on a write: the cookie and the CSRF token.
export async function signIn(call, email, password) {
  const res = await call('POST', '/sessions', { json: { email, password } });
  assert.equal(res.status, 201, res.body);
  return { Cookie: header(res, 'Set-Cookie').split(';')[0], 'X-CSRF-Token': res.json.csrf_token };
}

// A new administrator, signed in.
export async function adminSession(call) {
  const email = `admin-${randomUUID()}@example.org`;
  const password = 'an administrator of the call';
  createAdmin(email, password);
  return signIn(call, email, password);
}

// A partner organisation registers; its user verifies the address from the mail and signs in.
export async function partnerSession(call, { name = 'Case Writers', country = 'KE' } = {}) {
  const email = `partner-${randomUUID()}@example.org`;
  const password = 'a partner writes from a rural office';
  const registered = await call('POST', '/registrations', {
    json: {
      organisation: { names: { en: name }, country, kind: 'ngo', address: 'Nairobi' },
      account: { email, name: 'Wanjiru', language: 'en', password },
    },
  });
  assert.equal(registered.status, 201, registered.body);
  const token = (await mailTo(email)).match(/#token=([A-Za-z0-9_-]{43})/)[1];
  assert.equal((await call('POST', '/email-verifications', { json: { token } })).status, 200);
  return signIn(call, email, password);
}

// An API token of the session's user (a program's credential), shown once.
export async function apiToken(call, session, scopes = ['read', 'write']) {
  const made = await call('POST', '/api-tokens', { json: { name: `e2e ${scopes.join('+')}`, scopes }, headers: session });
  assert.equal(made.status, 201, made.body);
  return made.json.token;
}

// A call open now (the fixture with dates around today and a fresh reference prefix);
// `changes` replaces top-level members, e.g. attachment_rules.
export async function openCall(call, admin, changes = {}) {
  const body = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  body.opens_at = '2020-01-01T00:00:00Z';
  body.closes_at = '2099-01-01T00:00:00Z';
  body.reference_prefix = `E${randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase()}`;
  Object.assign(body, changes);
  const created = await call('POST', '/calls', { json: body, headers: admin });
  assert.equal(created.status, 201, created.body);
  return created.json;
}

// A draft case in a call.
export async function startCase(call, headers, callId, title = 'Mobile money for smallholders') {
  const made = await call('POST', `/calls/${callId}/cases`, {
    json: { answers: { title, case_language: 'en' } },
    headers: { ...headers, 'Idempotency-Key': randomUUID() },
  });
  assert.equal(made.status, 201, made.body);
  return made.json;
}
