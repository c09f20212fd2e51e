#!/usr/bin/env node
// Loads the demo data through the public API of a running stack, as people would enter it:
// the GS7 call (open now), the demo partner organisations (each owner invited by the
// administrator, the invitation read from the SMTP sink's folder and accepted), and their
// cases, some left as drafts and some submitted. Does nothing when the stack has a call.
//
//   node deploy/local/demo/load.mjs   (./casecall up runs it)
// Environment: CASECALL_DEMO_BASE (the front door), CASECALL_DEMO_ADMIN_EMAIL,
// CASECALL_DEMO_ADMIN_PASSWORD_FILE, CASECALL_DEMO_PASSWORD_FILE (the partners' password),
// CASECALL_DEMO_MAIL_DIR (the sink's folder).
import { existsSync, readdirSync, readFileSync, watch } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const BASE = env('CASECALL_DEMO_BASE');
const API = `${BASE}/api/intake/v1`;
const MAIL_DIR = env('CASECALL_DEMO_MAIL_DIR');
const adminEmail = env('CASECALL_DEMO_ADMIN_EMAIL');
const adminPassword = readFileSync(env('CASECALL_DEMO_ADMIN_PASSWORD_FILE'), 'utf8').trim();
const partnerPassword = readFileSync(env('CASECALL_DEMO_PASSWORD_FILE'), 'utf8').trim();

async function api(method, route, { json, session, headers = {} } = {}) {
  const h = { ...headers };
  if (json !== undefined) h['Content-Type'] = 'application/json';
  if (session) {
    h.Cookie = session.cookie;
    if (method !== 'GET') h['X-CSRF-Token'] = session.csrf;
  }
  const res = await fetch(`${API}${route}`, { method, headers: h, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  return { status: res.status, body, headers: res.headers };
}

async function must(expected, promise, what) {
  const res = await promise;
  if (res.status !== expected) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

async function signIn(email, password) {
  const res = await must(201, api('POST', '/sessions', { json: { email, password } }), `sign-in of ${email}`);
  return { cookie: res.headers.get('set-cookie').split(';')[0], csrf: res.body.csrf_token };
}

// The token of the newest mail to `address` in the sink's folder, waiting for it.
function invitationToken(address) {
  const find = () => {
    for (const name of readdirSync(MAIL_DIR).filter((f) => f.endsWith('.eml')).sort().reverse()) {
      const text = readFileSync(path.join(MAIL_DIR, name), 'utf8');
      if (text.includes(`X-Envelope-To: ${address}`)) {
        const m = text.match(/accept-invitation#token=([A-Za-z0-9_-]{43})/);
        if (m) return m[1];
      }
    }
    return null;
  };
  return new Promise((resolve, reject) => {
    const watcher = watch(MAIL_DIR);
    const finish = (fn, value) => {
      clearTimeout(timer);
      watcher.close();
      fn(value);
    };
    const timer = setTimeout(() => finish(reject, new Error(`no invitation for ${address} in ${MAIL_DIR}`)), 60_000);
    watcher.on('change', () => {
      const token = find();
      if (token) finish(resolve, token);
    });
    const already = find();
    if (already) finish(resolve, already);
  });
}

async function main() {
  if (!existsSync(MAIL_DIR)) throw new Error(`${MAIL_DIR} does not exist`);
  const admin = await signIn(adminEmail, adminPassword);
  const calls = await must(200, api('GET', '/calls'), 'calls');
  const demo = JSON.parse(readFileSync(path.join(here, 'cases.json'), 'utf8'));
  if (calls.body.items.length > 0) {
    console.log('   demo data already there');
    return demo;
  }
  const call = JSON.parse(readFileSync(path.join(here, '../../../tests/fixtures/gs7-call.json'), 'utf8'));
  const day = 24 * 3600 * 1000;
  call.opens_at = new Date(Date.now() - 30 * day).toISOString().replace(/\.\d+Z$/, 'Z');
  call.closes_at = new Date(Date.now() + 60 * day).toISOString().replace(/\.\d+Z$/, 'Z');
  const made = await must(201, api('POST', '/calls', { json: call, session: admin }), 'the demo call');
  const callId = made.body.id;

  const owners = new Map();
  for (const org of demo.organisations) {
    const created = await must(201, api('POST', '/organisations', {
      json: { names: org.names, country: org.country, kind: org.kind, purpose: 'partner', address: org.address, website: org.website },
      session: admin,
    }), `organisation ${org.key}`);
    await must(201, api('POST', '/invitations', {
      json: { email: org.owner.email, name: org.owner.name, language: org.owner.language, role: 'partner',
              organisation_id: created.body.id, organisation_role: 'owner' },
      session: admin,
    }), `invitation of ${org.owner.email}`);
    const token = await invitationToken(org.owner.email);
    await must(201, api('POST', '/invitations/accept', {
      json: { token, name: org.owner.name, password: partnerPassword, language: org.owner.language },
    }), `acceptance by ${org.owner.email}`);
    owners.set(org.key, await signIn(org.owner.email, partnerPassword));
  }

  let submitted = 0;
  for (const [i, c] of demo.cases.entries()) {
    const session = owners.get(c.organisation);
    const draft = await must(201, api('POST', `/calls/${callId}/cases`, {
      json: { answers: c.answers, co_authors: c.co_authors ?? [], contacts: c.contacts ?? [], declarations: c.declarations ?? [] },
      session,
      headers: { 'Idempotency-Key': `demo-${i}` },
    }), `case ${i}`);
    if (c.submit) {
      await must(201, api('POST', `/cases/${draft.body.id}/submit`, { session, headers: { 'If-Match': draft.headers.get('etag') } }),
        `submission of case ${i}`);
      submitted += 1;
    }
  }
  console.log(`   the GS7 call, ${demo.organisations.length} organisations, ${demo.cases.length} cases (${submitted} submitted)`);
  return demo;
}

main().then((demo) => {
  console.log(`   demo logins (password in ${process.env.CASECALL_DEMO_PASSWORD_FILE}):`);
  for (const org of demo.organisations) console.log(`     ${org.owner.email.padEnd(40)} ${org.names.en ?? Object.values(org.names)[0]}`);
}).catch((e) => {
  console.error(`demo data: ${e.message}`);
  process.exit(1);
});
