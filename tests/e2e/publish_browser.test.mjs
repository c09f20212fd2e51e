// A case whose fields hold a script element, an attribute breakout with an image's error
// handler, and javascript: links goes the whole way through the real APIs, through the front
// door: a partner submits it (intake), two judges of two organisations score it and the
// administrators accept it in a closed round (review), an edition of the call is published
// (publish). Then Debian's Chromium, driven by playwright-core, loads its page, the search page
// and the edition page, and no script runs: no dialog, no call of alert (watched from before the
// page's own code), no page error, nothing in the console, not even a script the CSP refused;
// the DOM holds no script but the JSON-LD data block, no event handler, no <img src=x>, no
// javascript: URL; the hostile text shows as text; the CSP header says default-src 'none'.
// Each page is loaded twice: as served, and with the CSP bypassed, so that the escaping is
// shown to hold without the CSP's help.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { launchChromium, inspectDom, scriptSigns, visit, watchedPage } from './lib/browser.mjs';
import { frontDoorUrl } from './lib/env.mjs';
import { header } from './lib/http.mjs';
import { API, adminSession, intakeClient, openCall, partnerSession } from './lib/intake-api.mjs';
import { publishClient } from './lib/publish-api.mjs';
import { judge, judgingOrganisation, reviewClient, rubric, waitForRoundCase } from './lib/review-api.mjs';

const FRONT = frontDoorUrl();
const call = intakeClient(FRONT);
const review = reviewClient(FRONT);
const publish = publishClient(FRONT);

// The stack lives on across the end-to-end files and runs: what must be unique is.
const TAG = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
// A word no other case has, for the search page: letters only, so that every text search
// configuration takes it as one word.
const WORD = `ledger${TAG.replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)])}`;

const TITLE = '<script>alert(1)</script> Community kitchens';
const BACKGROUND = '"><img src=x onerror=alert(1)> The kitchens serve lunch.';
const APPROACH = 'See <a href="javascript:alert(1)">javascript:alert(1)</a>.';
const ANSWERS = {
  title: TITLE,
  case_language: 'en',
  country: 'PE',
  theme: ['nutrition'],
  contact_email: 'cases@example.org',
  background: BACKGROUND,
  approach: APPROACH,
  results: `A thousand families eat at the kitchens every day; the ${WORD} shows each meal.`,
  lessons: 'About lessons.',
  innovation: 'About innovation.',
  sustainability: 'About sustainability.',
  replicability: 'About replicability.',
};

const MODES = [
  { name: 'as served', bypassCSP: false },
  { name: 'with the CSP bypassed (the escaping alone)', bypassCSP: true },
];

// What an injection would leave in the DOM: none of it may be there.
function assertNothingInjected(dom, where) {
  assert.deepEqual(
    dom.scripts.filter((s) => s.type !== 'application/ld+json' || s.src !== null),
    [],
    `${where}: a script element other than the JSON-LD data block`,
  );
  for (const block of dom.jsonLd) assert.doesNotThrow(() => JSON.parse(block), `${where}: the JSON-LD block is not JSON: ${block}`);
  assert.deepEqual(dom.handlers, [], `${where}: elements with inline event handlers`);
  assert.ok(!dom.images.includes('x'), `${where}: an <img src="x"> is in the DOM (images: ${dom.images.join(', ')})`);
  assert.deepEqual(dom.links.filter((href) => /^\s*javascript:/i.test(href)), [], `${where}: a link whose href starts with javascript:`);
  assert.deepEqual(dom.javascriptUrls, [], `${where}: elements with a javascript: URL`);
  assert.deepEqual(dom.embedded, [], `${where}: frames, objects, embeds, <base> or <meta http-equiv>`);
}

// The CSP as the front door delivered it: once, default-src 'none', nothing unsafe.
function assertStrictCsp(headers, where) {
  const values = headers.filter((h) => h.name.toLowerCase() === 'content-security-policy');
  assert.equal(values.length, 1, `${where}: ${values.length} Content-Security-Policy headers (${values.map((h) => h.value).join(' | ')})`);
  const csp = values[0].value;
  const directives = new Map(
    csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name, ...sources] = d.split(/\s+/);
      return [name.toLowerCase(), sources.join(' ')];
    }),
  );
  assert.equal(directives.get('default-src'), "'none'", `${where}: Content-Security-Policy: ${csp}`);
  assert.doesNotMatch(csp, /'unsafe-|'strict-dynamic'/, `${where}: Content-Security-Policy: ${csp}`);
  for (const name of ['script-src', 'script-src-elem', 'script-src-attr']) {
    if (directives.has(name)) assert.equal(directives.get(name), "'none'", `${where}: Content-Security-Policy: ${csp}`);
  }
}

describe('a published case with hostile text, in Debian Chromium', () => {
  let browser;
  const contexts = new Map(); // mode name → browser context
  let admin;
  let callId;
  let caseId;
  let slug;
  let casePath;

  before(async () => {
    browser = await launchChromium();
    for (const mode of MODES) contexts.set(mode.name, await browser.newContext({ bypassCSP: mode.bypassCSP }));
  });

  after(async () => {
    await browser?.close();
  });

  // Loads `url` in a fresh watched page of the mode's context: the response's status and
  // headers (as [{ name, value }], duplicates kept), the DOM's findings, and every sign of script.
  async function load(url, mode) {
    const watched = await watchedPage(contexts.get(mode.name));
    try {
      const response = await visit(watched, url);
      const headers = await response.headersArray();
      const dom = await inspectDom(watched.page);
      return { status: response.status(), headers, dom, signs: scriptSigns(watched.seen) };
    } finally {
      await watched.page.close();
    }
  }

  test('a partner submits a case whose title, background and approach hold a script, markup and a javascript: link', async () => {
    admin = await adminSession(call);
    const opened = await openCall(call, admin);
    callId = opened.id;
    const partner = await partnerSession(call, { name: 'Community Kitchens Network' });
    const made = await call('POST', `/calls/${callId}/cases`, {
      json: { answers: ANSWERS, declarations: opened.declarations.map((d) => d.id) },
      headers: { ...partner, 'Idempotency-Key': randomUUID() },
    });
    assert.equal(made.status, 201, made.body);
    caseId = made.json.id;
    const receipt = await call('POST', `/cases/${caseId}/submit`, { headers: { ...partner, 'If-Match': header(made, 'ETag') } });
    assert.equal(receipt.status, 201, receipt.body);
    // Intake keeps the text as written: escaping is the pages' business, not the input's.
    const version = await call('GET', header(receipt, 'Location').replace(API, ''), { headers: { Cookie: partner.Cookie } });
    assert.equal(version.status, 200, version.body);
    assert.equal(version.json.content.answers.title, TITLE);
    assert.equal(version.json.content.answers.background, BACKGROUND);
    assert.equal(version.json.content.answers.approach, APPROACH);
  });

  test('two judges of two organisations score it, and it is accepted in a closed scoring round', async () => {
    const judges = [
      await judge(call, admin, await judgingOrganisation(call, admin, `Judging Panel One ${TAG}`), 'Judge One'),
      await judge(call, admin, await judgingOrganisation(call, admin, `Judging Panel Two ${TAG}`), 'Judge Two'),
    ];
    const made = await review('POST', `/calls/${callId}/rounds`, { json: { kind: 'scoring', rubric: rubric() }, headers: admin });
    assert.equal(made.status, 201, made.body);
    const roundId = made.json.id;
    for (const j of judges) {
      const seated = await review('PUT', `/rounds/${roundId}/panel/${j.id}`, { json: { capacity: 5, languages: ['en'] }, headers: admin });
      assert.equal(seated.status, 201, seated.body);
    }
    await waitForRoundCase(review, admin, roundId, caseId);

    const solved = await review('POST', `/rounds/${roundId}/assignment`, { json: { k: 2, m: 2 }, headers: admin });
    assert.equal(solved.status, 200, solved.body);
    assert.equal(solved.json.added, 2, solved.body);
    for (const j of judges) {
      const path = `/rounds/${roundId}/cases/${caseId}/review`;
      const scored = await review('PUT', path, { json: { scores: { results: 8, innovation: 7 } }, headers: j.session });
      assert.equal(scored.status, 200, scored.body);
      const sent = await review('POST', `${path}/submit`, { headers: j.session });
      assert.equal(sent.status, 200, sent.body);
    }
    const decided = await review('PUT', `/rounds/${roundId}/decisions/${caseId}`, {
      json: { decision: 'accept', reason: 'Selected for publication.' },
      headers: admin,
    });
    assert.equal(decided.status, 200, decided.body);
    const closed = await review('POST', `/rounds/${roundId}/close`, { headers: admin });
    assert.equal(closed.status, 200, closed.body);
  });

  test('an edition of the call is made and published; the case has its page', async () => {
    slug = `xss-${TAG}`;
    const made = await publish('POST', '/editions', {
      json: { slug, call_id: callId, title: { en: `Community kitchens ${TAG}` } },
      headers: admin,
    });
    assert.equal(made.status, 201, made.body);
    assert.equal(made.json.entries, 1, made.body);
    // The administrators' views of it, each answer checked against proto/publish.yaml.
    const entries = await publish('GET', `/editions/${slug}/entries`, { headers: admin });
    assert.equal(entries.status, 200, entries.body);
    assert.equal(entries.json.unpublished_changes, 1, entries.body);
    assert.equal(entries.json.items[0].unpublished_changes, true, entries.body);
    const listed = await publish('GET', '/admin/editions', { headers: admin });
    assert.equal(listed.status, 200, listed.body);
    assert.ok(listed.json.items.some((e) => e.slug === slug && e.published === 0 && e.unpublished_changes === 1), listed.body);
    const published = await publish('POST', `/editions/${slug}/publish`, { json: {}, headers: admin });
    assert.equal(published.status, 200, published.body);
    assert.equal(published.json.published.length, 1, published.body);
    assert.equal(published.json.published[0].number, 1);
    casePath = published.json.published[0].path;
    assert.match(casePath, new RegExp(`^/cases/${slug}/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`));
  });

  test("the case page shows the hostile text as text, runs no script, and is served with CSP default-src 'none'", async () => {
    const url = new URL(casePath, FRONT).href;
    for (const mode of MODES) {
      const where = `${url} ${mode.name}`;
      const { status, headers, dom, signs } = await load(url, mode);
      assert.equal(status, 200, where);
      assertStrictCsp(headers, where);
      assert.deepEqual(signs, [], `${where}: script ran, or tried to`);
      assertNothingInjected(dom, where);
      // The hostile text is on the page as text, exactly as written.
      assert.equal(dom.h1, TITLE, `${where}: the heading`);
      assert.ok(dom.title.startsWith(TITLE), `${where}: the document's title is ${JSON.stringify(dom.title)}`);
      assert.ok(dom.paragraphs.includes(BACKGROUND), `${where}: no paragraph reads ${JSON.stringify(BACKGROUND)}`);
      assert.ok(dom.paragraphs.includes(APPROACH), `${where}: no paragraph reads ${JSON.stringify(APPROACH)}`);
      for (const shown of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">']) {
        assert.ok(dom.text.includes(shown), `${where}: the visible text does not show ${shown}`);
      }
      // The JSON-LD data block carries the title as data, not markup.
      assert.equal(dom.jsonLd.length, 1, where);
      assert.equal(JSON.parse(dom.jsonLd[0]).headline, TITLE, `${where}: the JSON-LD headline`);
    }
  });

  test('the search page for a word of the case lists it, title as text, and runs no script', async () => {
    const url = `${FRONT}/search?q=${encodeURIComponent(WORD)}`;
    for (const mode of MODES) {
      const where = `${url} ${mode.name}`;
      const { status, headers, dom, signs } = await load(url, mode);
      assert.equal(status, 200, where);
      assertStrictCsp(headers, where);
      assert.deepEqual(signs, [], `${where}: script ran, or tried to`);
      assertNothingInjected(dom, where);
      assert.ok(dom.links.includes(casePath), `${where}: no link to ${casePath} (links: ${dom.links.join(', ')})`);
      assert.ok(dom.text.includes(TITLE), `${where}: the visible text does not show the title ${JSON.stringify(TITLE)}`);
    }
  });

  test('the edition page lists the case, its title and summary as text, and runs no script', async () => {
    const url = `${FRONT}/editions/${slug}`;
    for (const mode of MODES) {
      const where = `${url} ${mode.name}`;
      const { status, headers, dom, signs } = await load(url, mode);
      assert.equal(status, 200, where);
      assertStrictCsp(headers, where);
      assert.deepEqual(signs, [], `${where}: script ran, or tried to`);
      assertNothingInjected(dom, where);
      assert.ok(dom.links.includes(casePath), `${where}: no link to ${casePath} (links: ${dom.links.join(', ')})`);
      assert.ok(dom.text.includes(TITLE), `${where}: the visible text does not show the title ${JSON.stringify(TITLE)}`);
      assert.ok(dom.paragraphs.includes(BACKGROUND), `${where}: the summary does not read ${JSON.stringify(BACKGROUND)}`);
    }
  });
});
