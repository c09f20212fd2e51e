// The review API's everyday steps, for tests that take cases through review: judging
// organisations and judges (made through intake: invited, the invitation read from the mail
// sink, accepted, signed in), a rubric, and waiting for intake's hand-over of a submitted case.
// Every answer of review is checked against proto/review.yaml, as apiCall does; what goes
// through intake, against proto/intake.yaml. tests/support/review_world.hpp does the same in C++.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

import { frontDoorUrl } from './env.mjs';
import { apiCall } from './http.mjs';
import { signIn } from './intake-api.mjs';
import { mailTo } from './mail.mjs';
import { loadContract } from './openapi.mjs';

export const REVIEW_API = '/api/review/v1';

// call(method, route, { json, headers }) against the front door, route below /api/review/v1.
export function reviewClient(base = frontDoorUrl()) {
  const contract = loadContract('review.yaml');
  return (method, route, { json, headers = {} } = {}) => apiCall(contract, base, `${REVIEW_API}${route}`, { method, json, headers });
}

// Two criteria, weights adding up to 100, scales 1 to 10, with the judges' confidence.
export function rubric() {
  const criterion = (id, weight) => ({ id, labels: { en: id }, weight, scale: { min: 1, max: 10 } });
  return { criteria: [criterion('results', 60), criterion('innovation', 40)], confidence: true };
}

// A judging organisation (an administrator makes it through intake); its id.
export async function judgingOrganisation(call, admin, name) {
  const made = await call('POST', '/organisations', {
    json: { names: { en: name }, country: 'IT', kind: 'international_organisation', purpose: 'judging' },
    headers: admin,
  });
  assert.equal(made.status, 201, made.body);
  return made.json.id;
}

// A judge of the organisation: invited by the administrator, the invitation's token read from
// the mail, accepted, signed in. Returns { id, email, session }.
export async function judge(call, admin, organisationId, name = 'E2E Judge') {
  const email = `judge-${randomUUID()}@example.org`;
  const password = 'a judge reads every case twice';
  const invited = await call('POST', '/invitations', {
    json: { email, role: 'judge', organisation_id: organisationId },
    headers: admin,
  });
  assert.equal(invited.status, 201, invited.body);
  const mail = await mailTo(email);
  const link = mail.match(/#token=([A-Za-z0-9_-]{43})/);
  assert.ok(link, `no invitation link in the mail to ${email}:\n${mail}`);
  const accepted = await call('POST', '/invitations/accept', { json: { token: link[1], name, password } });
  assert.equal(accepted.status, 201, accepted.body);
  assert.equal(accepted.json.user.role, 'judge');
  return { id: accepted.json.user.id, email, session: await signIn(call, email, password) };
}

// Intake hands submitted cases to review asynchronously (its outbox relay): asks review for the
// round's cases, as the administrator, until the case is among them or the deadline passes.
export async function waitForRoundCase(review, admin, roundId, caseId, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await review('GET', `/rounds/${roundId}/cases`, { headers: admin });
    assert.equal(listed.status, 200, listed.body);
    const found = listed.json.items.find((c) => c.case_id === caseId);
    if (found) return found;
    if (Date.now() >= deadline) {
      assert.fail(`case ${caseId} did not reach review (round ${roundId}) within ${timeoutMs} ms; intake's review relay delivers it (see intake's log)`);
    }
    await delay(200);
  }
}
