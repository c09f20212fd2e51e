#!/usr/bin/env node
// Loads the demo data through the public API of a running stack, as people would enter it:
// the GS7 call (open now), the demo partner organisations (each owner invited by the
// administrator, the invitation read from the SMTP sink's folder and accepted), and their
// cases, some left as drafts and some submitted. Does nothing when the stack has a call.
// Then the call's review (review.json): judges from six organisations, an anonymous scoring
// round with its rubric, the solver's assignment, every judge's scores (each case has a
// quality, each judge a bias, so that calibration has work to do), decisions on the
// calibrated ranking, the closed round and its released decisions. Done once per call.
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
const REVIEW = `${BASE}/api/review/v1`;
const PUBLISH = `${BASE}/api/publish/v1`;
const MAIL_DIR = env('CASECALL_DEMO_MAIL_DIR');
const adminEmail = env('CASECALL_DEMO_ADMIN_EMAIL');
const adminPassword = readFileSync(env('CASECALL_DEMO_ADMIN_PASSWORD_FILE'), 'utf8').trim();
const partnerPassword = readFileSync(env('CASECALL_DEMO_PASSWORD_FILE'), 'utf8').trim();

async function api(method, route, options) {
  return request(`${API}${route}`, method, options);
}

async function review(method, route, options) {
  return request(`${REVIEW}${route}`, method, options);
}

async function publish(method, route, options) {
  return request(`${PUBLISH}${route}`, method, options);
}

async function request(url, method, { json, session, headers = {} } = {}) {
  const h = { ...headers };
  if (json !== undefined) h['Content-Type'] = 'application/json';
  if (session) {
    h.Cookie = session.cookie;
    if (method !== 'GET') h['X-CSRF-Token'] = session.csrf;
  }
  const res = await fetch(url, { method, headers: h, body: json === undefined ? undefined : JSON.stringify(json) });
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
    await reviewDemo(admin, calls.body.items[0].id, demo);
    await publishDemo(admin, calls.body.items[0].id);
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
  await reviewDemo(admin, callId, demo);
  await publishDemo(admin, callId);
  return demo;
}

// The edition of the accepted cases, once: made from review's decisions and intake's content,
// one case's text edited and one title translated (the originals are kept), then published.
async function publishDemo(admin, callId) {
  const year = new Date().getUTCFullYear();
  const slug = `gs7-${year}`;
  const existing = await publish('GET', `/editions/${slug}/entries`, { session: admin });
  if (existing.status === 200) return;
  const made = await must(201, publish('POST', '/editions', {
    json: {
      slug, call_id: callId,
      title: { en: `Best Poverty Reduction Practices ${year}`, fr: `Meilleures pratiques de réduction de la pauvreté ${year}`,
               es: `Mejores prácticas de reducción de la pobreza ${year}`, zh: `${year}年全球最佳减贫案例`,
               ar: `أفضل ممارسات الحد من الفقر ${year}` },
      description: { en: 'The cases the judges of the Global Solicitation on Best Poverty Reduction Practices selected this year, ' +
                         'as their authors submitted them, edited only to the collection\'s writing norms.' },
    },
    session: admin,
  }), 'the demo edition');
  const entries = (await must(200, publish('GET', `/editions/${slug}/entries`, { session: admin }), 'the edition\'s cases')).body.items;
  // The first case: its summary tightened to the collection's norms; a Chinese case's title in English.
  const first = await must(200, publish('GET', `/editions/${slug}/entries/${entries[0].reference}`, { session: admin }), 'a case');
  const summary = first.body.original.answers.english_abstract;
  if (summary) {
    await must(200, publish('PATCH', `/editions/${slug}/entries/${entries[0].reference}`, {
      json: { answers: { english_abstract: summary.replace(/\s+/g, ' ').trim() } },
      headers: { 'If-Match': first.headers.get('etag') }, session: admin,
    }), 'the curated summary');
  }
  for (const entry of entries) {
    const full = await must(200, publish('GET', `/editions/${slug}/entries/${entry.reference}`, { session: admin }), 'a case');
    if (full.body.original.answers.case_language !== 'zh') continue;
    const abstract = full.body.original.answers.english_abstract ?? '';
    const title = abstract.split(/[.;]/)[0].slice(0, 120) || entry.reference;
    await must(200, publish('PATCH', `/editions/${slug}/entries/${entry.reference}`, {
      json: { translations: { en: { title: { text: title, provenance: 'organiser' } } } },
      headers: { 'If-Match': full.headers.get('etag') }, session: admin,
    }), 'a translated title');
    break;
  }
  const published = await must(200, publish('POST', `/editions/${slug}/publish`, { json: {}, session: admin }), 'publication');
  console.log(`   publish: the edition ${slug}, ${made.body.entries} cases, ${published.body.published.length} published ` +
              `(${BASE}/editions/${slug})`);
}

// Invites a user as the administrator and accepts with the mailed token; returns the user.
async function inviteAndAccept(admin, invitation, password) {
  await must(201, api('POST', '/invitations', { json: invitation, session: admin }), `invitation of ${invitation.email}`);
  const token = await invitationToken(invitation.email);
  const accepted = await must(201, api('POST', '/invitations/accept', {
    json: { token, name: invitation.name, password, language: invitation.language },
  }), `acceptance by ${invitation.email}`);
  return accepted.body.user;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The review of the demo call, once: see the head of this file.
async function reviewDemo(admin, callId, demo) {
  const plan = JSON.parse(readFileSync(path.join(here, 'review.json'), 'utf8'));
  const rounds = await must(200, review('GET', `/calls/${callId}/rounds`, { session: admin }), 'rounds');
  if (rounds.body.items.length > 0) return;
  const expected = demo.cases.filter((c) => c.submit).length;

  const orgIds = new Map();
  for (const org of plan.organisations) {
    const made = await must(201, api('POST', '/organisations', {
      json: { names: org.names, country: org.country, kind: org.kind, purpose: 'judging' }, session: admin,
    }), `organisation ${org.key}`);
    orgIds.set(org.key, made.body.id);
  }
  const judges = [];
  for (const j of plan.judges) {
    const user = await inviteAndAccept(admin, { email: j.email, name: j.name, language: j.language, role: 'judge',
                                                organisation_id: orgIds.get(j.organisation) }, partnerPassword);
    judges.push({ ...j, id: user.id, session: await signIn(j.email, partnerPassword) });
  }

  const r = plan.round;
  const round = await must(201, review('POST', `/calls/${callId}/rounds`, {
    json: { kind: r.kind, blind: r.blind, rubric: r.rubric }, session: admin,
  }), 'the scoring round');
  const base = `/rounds/${round.body.id}`;
  for (const j of judges) {
    await must(201, review('PUT', `${base}/panel/${j.id}`, {
      json: { capacity: r.capacity, themes: j.themes, languages: j.languages }, session: admin,
    }), `panel place of ${j.email}`);
  }
  // Intake hands submissions over through its outbox: wait until review holds them all.
  const deadline = Date.now() + 60_000;
  let cases = [];
  for (;;) {
    cases = (await must(200, review('GET', `${base}/cases`, { session: admin }), 'the round\'s cases')).body.items;
    if (cases.length >= expected) break;
    if (Date.now() > deadline) throw new Error(`review holds ${cases.length} of the ${expected} submitted demo cases`);
    await sleep(200);
  }
  const solved = await must(200, review('POST', `${base}/assignment`, {
    json: { k: r.k, m: r.m, seed: r.seed }, session: admin,
  }), 'the assignment');
  if (solved.body.shortfalls.length > 0) throw new Error(`the demo assignment left cases short: ${JSON.stringify(solved.body.shortfalls)}`);

  // Each case's quality (5 to 9, from its place in the list) plus the judge's bias, a little
  // different per criterion; the reviews go in as a judge would enter them.
  const quality = new Map(cases.map((c, i) => [c.case_id, 5 + ((i * 37) % 5)]));
  const criteria = r.rubric.criteria.map((c) => c.id);
  let reviews = 0;
  for (const j of judges) {
    const mine = (await must(200, review('GET', '/my/assignments', { session: j.session }), `assignments of ${j.email}`)).body.items;
    for (const a of mine) {
      const scores = {};
      criteria.forEach((id, n) => {
        const raw = Math.round(quality.get(a.case_id) + j.bias + ((n + a.case_id.charCodeAt(0)) % 3) - 1);
        scores[id] = Math.min(10, Math.max(1, raw));
      });
      const path = `${base}/cases/${a.case_id}/review`;
      await must(200, review('PUT', path, {
        json: { scores, confidence: 3 + (reviews % 3), comment_to_panel: 'Read in full; scores as the rubric describes.',
                comment_to_submitter: 'Thank you for a clear account of the work and its results.' },
        session: j.session,
      }), `review by ${j.email}`);
      await must(200, review('POST', `${path}/submit`, { session: j.session }), `submission by ${j.email}`);
      reviews += 1;
    }
  }
  const results = await must(200, review('GET', `${base}/results`, { session: admin }), 'the results');
  for (const entry of results.body.ranking) {
    const accepted = entry.rank <= r.accept;
    await must(200, review('PUT', `${base}/decisions/${entry.case_id}`, {
      json: { decision: accepted ? 'accept' : 'reject',
              reason: `Ranked ${entry.rank} of ${results.body.ranking.length} by calibrated score${accepted ? '' : '; the call selects ' + r.accept}.` },
      session: admin,
    }), `decision on ${entry.reference}`);
  }
  const record = await must(200, review('POST', `${base}/close`, { json: { method: 'z_score' }, session: admin }), 'closing the round');
  await must(200, review('POST', `${base}/decisions/release`, { session: admin }), 'releasing the decisions');
  console.log(`   review: ${judges.length} judges from ${plan.organisations.length} organisations, ${reviews} reviews, ` +
              `${r.accept} cases accepted; decision record ${record.body.sha256.slice(0, 16)}…`);
  console.log(`   demo judges (same password as the partners): ${judges.map((j) => j.email).join(', ')}`);
}

main().then((demo) => {
  console.log(`   demo logins (password in ${process.env.CASECALL_DEMO_PASSWORD_FILE}):`);
  for (const org of demo.organisations) console.log(`     ${org.owner.email.padEnd(40)} ${org.names.en ?? Object.values(org.names)[0]}`);
}).catch((e) => {
  console.error(`demo data: ${e.message}`);
  process.exit(1);
});
