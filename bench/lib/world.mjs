// What a benchmark needs before it measures, made as the end-to-end tests make it
// (tests/e2e/lib/intake-api.mjs, every answer checked against proto/intake.yaml): an
// administrator (the shipped create-admin command), an open call from the demo fixture with
// the benchmark's attachment rules, a verified and signed-in partner, its API token (read and
// write: what a program uses, so no CSRF token), and draft cases.
//
// bench/lib/stack.sh's bench_node sets the environment those helpers read:
// CASECALL_TEST_BIN_DIR, CASECALL_TEST_PG_PORT, PGPASSFILE, CASECALL_E2E_MAIL_DIR; and
// BENCH_INTAKE_URL, BENCH_INTAKE_PID, BENCH_OUT for the benchmark itself.
import { adminSession, apiToken, intakeClient, openCall, partnerSession, startCase } from '../../tests/e2e/lib/intake-api.mjs';

export const API = '/api/intake/v1';
export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

// The call's rules for photos and documents as in the demo; the benchmark gives the video's.
export const DEMO_RULES = {
  photo: { max_count: 10, max_file_bytes: 10 * MiB, max_total_bytes: 50 * MiB },
  document: { max_count: 3, max_file_bytes: 20 * MiB, max_total_bytes: 40 * MiB },
};

// The first 24 bytes of an MP4 file (an ftyp box: isom, minor version 0x200, isom iso2), for
// libmagic to say video/mp4; the same bytes as tests/e2e/uploads.test.mjs.
export const MP4_HEAD = Buffer.concat([
  Buffer.from([0x00, 0x00, 0x00, 0x18]),
  Buffer.from('ftypisom'),
  Buffer.from([0x00, 0x00, 0x02, 0x00]),
  Buffer.from('isomiso2'),
]);

export function benchEnv() {
  const url = process.env.BENCH_INTAKE_URL;
  const pid = Number(process.env.BENCH_INTAKE_PID);
  if (!url || !pid) throw new Error('BENCH_INTAKE_URL and BENCH_INTAKE_PID are not set: run this through its bench/run-*.sh');
  return { url, pid, out: process.env.BENCH_OUT ?? '.' };
}

// { call, token, cases: [case JSON, ...] } — `videoRule` the call's rule for videos, `cases`
// how many drafts to start (at least one: its organisation_id and created_by are the
// partner's ids).
export async function makeWorld(base, { videoRule, cases = 1 }) {
  const call = intakeClient(base);
  const admin = await adminSession(call);
  const opened = await openCall(call, admin, { attachment_rules: { ...DEMO_RULES, video: videoRule } });
  const partner = await partnerSession(call);
  const token = await apiToken(call, partner, ['read', 'write']);
  const bearer = { Authorization: `Bearer ${token}` };
  const made = [];
  for (let i = 0; i < Math.max(1, cases); i += 1) made.push(await startCase(call, bearer, opened.id, `Benchmark case ${i + 1}`));
  return { call: opened, token, cases: made };
}

// tus Upload-Metadata: "key base64,key base64".
export function uploadMetadata(pairs) {
  return Object.entries(pairs)
    .map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`)
    .join(',');
}
