// Calls through the front door, every answer checked against proto/intake.yaml: an
// administrator (made with the shipped create-admin command) makes a call from the demo
// fixture, anyone reads it, a stale change is refused.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

import { frontDoorUrl } from './lib/env.mjs';
import { apiCall, header } from './lib/http.mjs';
import { createAdmin } from './lib/intake-api.mjs';
import { mailTo } from './lib/mail.mjs';
import { loadContract } from './lib/openapi.mjs';

const BASE = frontDoorUrl();
const contract = loadContract('intake.yaml');
const FIXTURE = fileURLToPath(new URL('../fixtures/gs7-call.json', import.meta.url));

function call(method, route, { json, headers = {} } = {}) {
  return apiCall(contract, BASE, `/api/intake/v1${route}`, { method, json, headers });
}

describe('calls through the front door', () => {
  const email = `admin-${randomUUID()}@example.org`;
  const password = 'an administrator of the call';
  let session;
  let created;

  test('an administrator makes a call', async () => {
    createAdmin(email, password);
    const signedIn = await call('POST', '/sessions', { json: { email, password } });
    assert.equal(signedIn.status, 201, signedIn.body);
    session = { Cookie: header(signedIn, 'Set-Cookie').split(';')[0], 'X-CSRF-Token': signedIn.json.csrf_token };
    const body = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    body.opens_at = '2020-01-01T00:00:00Z'; // open now
    body.closes_at = '2099-01-01T00:00:00Z';
    body.reference_prefix = `E${randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase()}`;
    created = await call('POST', '/calls', { json: body, headers: session });
    assert.equal(created.status, 201, created.body);
    assert.deepEqual(created.json.form, body.form);
  });

  test('anyone reads it, and the list shows it without its form', async () => {
    const one = await call('GET', `/calls/${created.json.id}`);
    assert.equal(one.status, 200);
    assert.equal(header(one, 'ETag'), '"1"');
    const list = await call('GET', '/calls');
    const mine = list.json.items.find((c) => c.id === created.json.id);
    assert.ok(mine && !('form' in mine));
  });

  test('a change needs the current ETag; a stale one is 412', async () => {
    const ok = await call('PATCH', `/calls/${created.json.id}`, {
      json: { grace_minutes: 30 },
      headers: { ...session, 'If-Match': '"1"' },
    });
    assert.equal(ok.status, 200, ok.body);
    const stale = await call('PATCH', `/calls/${created.json.id}`, {
      json: { grace_minutes: 0 },
      headers: { ...session, 'If-Match': '"1"' },
    });
    assert.equal(stale.status, 412);
    const bad = await call('POST', '/calls', { json: { reference_prefix: 'x' }, headers: session });
    assert.equal(bad.status, 422);
  });

  test('a partner starts a case in it, once per Idempotency-Key, and saves it with If-Match', async () => {
    // The partner registers; the verification link comes by mail.
    const partner = `partner-${randomUUID()}@example.org`;
    const registered = await call('POST', '/registrations', {
      json: {
        organisation: { names: { en: 'Case Writers' }, country: 'KE', kind: 'ngo', address: 'Nairobi' },
        account: { email: partner, name: 'Wanjiru', language: 'en', password },
      },
    });
    assert.equal(registered.status, 201, registered.body);
    const token = (await mailTo(partner)).match(/#token=([A-Za-z0-9_-]{43})/)[1];
    assert.equal((await call('POST', '/email-verifications', { json: { token } })).status, 200);
    const signedIn = await call('POST', '/sessions', { json: { email: partner, password } });
    const writer = { Cookie: header(signedIn, 'Set-Cookie').split(';')[0], 'X-CSRF-Token': signedIn.json.csrf_token };

    const key = randomUUID();
    const body = { answers: { title: 'Mobile money for smallholders', case_language: 'en' } };
    const made = await call('POST', `/calls/${created.json.id}/cases`, { json: body, headers: { ...writer, 'Idempotency-Key': key } });
    assert.equal(made.status, 201, made.body);
    assert.equal(made.json.fields['/english_abstract'].state, 'hidden');
    const again = await call('POST', `/calls/${created.json.id}/cases`, { json: body, headers: { ...writer, 'Idempotency-Key': key } });
    assert.equal(again.json.id, made.json.id);
    const saved = await call('PATCH', `/cases/${made.json.id}`, {
      json: { answers: { background: 'Farmers walked two days to sell tea.' } },
      headers: { ...writer, 'If-Match': header(made, 'ETag') },
    });
    assert.equal(saved.status, 200, saved.body);
    assert.equal(saved.json.fields['/background'].count, 7);
    const stale = await call('PATCH', `/cases/${made.json.id}`, {
      json: { answers: { background: 'Lost update' } },
      headers: { ...writer, 'If-Match': header(made, 'ETag') },
    });
    assert.equal(stale.status, 412);
    const list = await call('GET', '/cases', { headers: { Cookie: writer.Cookie } });
    assert.deepEqual(list.json.items.map((c) => c.id), [made.json.id]);

    // Submitting an incomplete case lists every problem; the receipt of a complete one can be
    // checked by anyone holding the content, here in JavaScript.
    const incomplete = await call('POST', `/cases/${made.json.id}/submit`, { headers: { ...writer, 'If-Match': header(saved, 'ETag') } });
    assert.equal(incomplete.status, 422);
    assert.ok(incomplete.json.errors.some((e) => e.field === '/answers/results' && e.code === 'missing'));
    const answers = { country: 'KE', theme: ['finance'], contact_email: 'cases@example.org' };
    for (const f of ['results', 'approach', 'lessons', 'innovation', 'sustainability', 'replicability']) answers[f] = `About ${f}.`;
    const complete = await call('PATCH', `/cases/${made.json.id}`, {
      json: { answers, declarations: created.json.declarations.map((d) => d.id) },
      headers: { ...writer, 'If-Match': header(saved, 'ETag') },
    });
    assert.equal(complete.status, 200, complete.body);
    const receipt = await call('POST', `/cases/${made.json.id}/submit`, { headers: { ...writer, 'If-Match': header(complete, 'ETag') } });
    assert.equal(receipt.status, 201, receipt.body);
    const version = await call('GET', header(receipt, 'Location').replace('/api/intake/v1', ''), { headers: { Cookie: writer.Cookie } });
    const canonical = (v) =>
      Array.isArray(v) ? `[${v.map(canonical).join(',')}]`
      : v && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
      : JSON.stringify(v);
    assert.equal(canonical(version.json.content), version.json.canonical);
    assert.equal(createHash('sha256').update(canonical(version.json.content), 'utf8').digest('hex'), receipt.json.sha256);
  });
});
