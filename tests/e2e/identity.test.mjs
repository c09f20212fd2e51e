// A partner's first steps through the front door, each answer checked against
// proto/intake.yaml: register, read the verification mail the SMTP sink received, verify,
// sign in (the cookie passes the proxy), read and change the account with the CSRF token and
// If-Match, make an API token and use it, sign out.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import { frontDoorUrl } from './lib/env.mjs';
import { apiCall, header } from './lib/http.mjs';
import { mailTo } from './lib/mail.mjs';
import { loadContract } from './lib/openapi.mjs';

const BASE = frontDoorUrl();
const API = '/api/intake/v1';
const contract = loadContract('intake.yaml');

function call(method, route, { json, headers = {} } = {}) {
  return apiCall(contract, BASE, `${API}${route}`, { method, json, headers });
}

describe('a partner through the front door', () => {
  const email = `e2e-${randomUUID()}@example.org`;
  const password = 'a partner writes from a rural office';
  let cookie;
  let csrf;

  test('registers and receives the verification mail in their language', async () => {
    const res = await call('POST', '/registrations', {
      json: {
        organisation: { names: { es: 'Cooperativa Andina', en: 'Andean Cooperative' }, country: 'PE', kind: 'ngo', address: 'Cusco' },
        account: { email, name: 'Rosa Quispe', language: 'es', password },
      },
    });
    assert.equal(res.status, 201, res.body);
    assert.equal(res.json.user.email_verified, false);
    const mail = await mailTo(email);
    assert.match(mail, /Content-Language: es/);
    const link = mail.match(/http:\/\/localhost:\d+\/app\/verify-email#token=([A-Za-z0-9_-]{43})/);
    assert.ok(link, `no verification link in:\n${mail}`);
    const early = await call('POST', '/sessions', { json: { email, password } });
    assert.equal(early.status, 403);
    assert.equal(early.json.code, 'email_not_verified');
    const verified = await call('POST', '/email-verifications', { json: { token: link[1] } });
    assert.equal(verified.status, 200, verified.body);
  });

  test('signs in: an HttpOnly, SameSite=Lax cookie and a CSRF token', async () => {
    const res = await call('POST', '/sessions', { json: { email, password } });
    assert.equal(res.status, 201, res.body);
    const setCookie = header(res, 'Set-Cookie');
    assert.match(setCookie, /^casecall_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
    cookie = setCookie.split(';')[0];
    csrf = res.json.csrf_token;
  });

  test('reads and changes the account, with the CSRF token and If-Match', async () => {
    const me = await call('GET', '/me', { headers: { Cookie: cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.json.csrf_token, csrf);
    assert.equal(me.json.organisation.names.es, 'Cooperativa Andina');
    const etag = header(me, 'ETag');
    const without = await call('PATCH', '/me', { json: { position: 'Coordinadora' }, headers: { Cookie: cookie, 'If-Match': etag } });
    assert.equal(without.status, 403);
    assert.equal(without.json.code, 'csrf_token_missing');
    const changed = await call('PATCH', '/me', {
      json: { position: 'Coordinadora' },
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'If-Match': etag },
    });
    assert.equal(changed.status, 200, changed.body);
    assert.equal(changed.json.user.position, 'Coordinadora');
    const orgId = me.json.organisation.id;
    const org = await call('GET', `/organisations/${orgId}`, { headers: { Cookie: cookie } });
    assert.equal(org.status, 200);
    const members = await call('GET', `/organisations/${orgId}/members`, { headers: { Cookie: cookie } });
    assert.equal(members.status, 200);
    assert.deepEqual(members.json.items.map((u) => u.email), [email]);
    const other = await call('GET', `/organisations/${randomUUID()}`, { headers: { Cookie: cookie } });
    assert.equal(other.status, 404);
  });

  test('makes an API token, shown once, and a program uses it', async () => {
    const made = await call('POST', '/api-tokens', {
      json: { name: 'nightly export', scopes: ['read'] },
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf },
    });
    assert.equal(made.status, 201, made.body);
    const token = made.json.token;
    const me = await call('GET', '/me', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal(me.json.via, 'api_token');
    const list = await call('GET', '/api-tokens', { headers: { Cookie: cookie } });
    assert.equal(list.json.items.length, 1);
    assert.equal(list.json.items[0].token, undefined, 'the token itself is never shown again');
    const write = await call('PATCH', '/me', { json: {}, headers: { Authorization: `Bearer ${token}`, 'If-Match': '*' } });
    assert.equal(write.status, 403);
    assert.equal(write.json.code, 'insufficient_scope');
  });

  test('bad input is a problem naming the field', async () => {
    const res = await call('POST', '/api-tokens', {
      json: { name: 'x', scopes: ['admin'], colour: 'blue' },
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(
      res.json.errors.map((e) => `${e.field} ${e.code}`),
      ['/colour unknown_field', '/scopes/0 not_allowed'],
    );
  });

  test('signs out: the cookie is cleared and the session is over', async () => {
    const out = await call('DELETE', '/sessions/current', { headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
    assert.equal(out.status, 204);
    assert.match(header(out, 'Set-Cookie'), /Max-Age=0/);
    const after = await call('GET', '/me', { headers: { Cookie: cookie } });
    assert.equal(after.status, 401);
    assert.equal(after.json.code, 'session_expired');
  });
});
