// A case's files, uploaded by the tus 1.0 protocol (creation, creation-with-upload,
// termination, checksum, expiration), through the front door unless said otherwise, every
// answer checked against proto/intake.yaml:
//   - the protocol by hand, with fetch: OPTIONS, creation, the refusals (412, 415, 409, 413,
//     400, 460), termination, expiry, a file whose bytes are not what its name says, and the
//     download of a complete one (typed as sniffed, never rendered by a browser);
//   - a real client, tus-js-client, sending a 200 MiB video through a proxy that cuts the
//     connection five times, and to a second intake process killed with SIGKILL midway and
//     started again. Either way the case's attachment has the source's SHA-256.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { before, describe, test } from 'node:test';

import * as tus from 'tus-js-client';

import { frontDoorUrl, intakeEnv, ownerDbUrl } from './lib/env.mjs';
import { header } from './lib/http.mjs';
import { API, adminSession, apiToken, intakeClient, openCall, partnerSession, startCase } from './lib/intake-api.mjs';
import { startIntake } from './lib/intake-process.mjs';
import { loadContract } from './lib/openapi.mjs';
import { startCuttingProxy } from './lib/tcp-proxy.mjs';

const BASE = frontDoorUrl();
const contract = loadContract('intake.yaml');
const call = intakeClient(BASE);

const KiB = 1024;
const MiB = 1024 * KiB;
const UPLOADS = `${API}/uploads`;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UPLOAD_PATH = new RegExp(`^${API}/uploads/(${UUID})$`);
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const TIMEOUT_MS = 15_000;

// The call's rules: the demo's for photos and documents, and room for a 200 MiB video.
const RULES = {
  photo: { max_count: 10, max_file_bytes: 10 * MiB, max_total_bytes: 50 * MiB },
  document: { max_count: 3, max_file_bytes: 20 * MiB, max_total_bytes: 40 * MiB },
  video: { max_count: 1, max_file_bytes: 300 * MiB, max_total_bytes: 300 * MiB },
};

// --- files, made by their magic bytes (the server sniffs them with libmagic) ----------------

const JPEG_HEAD = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF'),
  Buffer.from([0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]),
]);
const MP4_HEAD = Buffer.concat([
  Buffer.from([0x00, 0x00, 0x00, 0x18]),
  Buffer.from('ftypisom'),
  Buffer.from([0x00, 0x00, 0x02, 0x00]),
  Buffer.from('isomiso2'),
]);
const HTML = Buffer.from('<!DOCTYPE html>\n<html>\n<head><title>Not a photo</title></head>\n<body><script>alert(document.cookie)</script></body>\n</html>\n');

function jpeg(size) {
  const bytes = randomBytes(size);
  JPEG_HEAD.copy(bytes);
  return bytes;
}

// A video of `size` bytes: an MP4 header, then random bytes (filled in 1 MiB blocks, fast).
function mp4(size) {
  const bytes = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at += MiB) randomFillSync(bytes, at, Math.min(MiB, size - at));
  MP4_HEAD.copy(bytes);
  return bytes;
}

const sha256hex = (bytes) => createHash('sha256').update(bytes).digest('hex');
const digest64 = (algorithm, bytes) => createHash(algorithm).update(bytes).digest('base64');

// tus Upload-Metadata: "key base64,key base64", values in UTF-8.
function metadata(pairs) {
  return Object.entries(pairs).map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`).join(',');
}

describe('uploads (tus 1.0)', () => {
  let callId;
  let partner; // the partner's browser session (cookie, CSRF token)
  let token; // the partner's API token, read and write: what a program uploads with
  let photoCase; // the case the protocol tests attach photos to

  before(async () => {
    const admin = await adminSession(call);
    callId = (await openCall(call, admin, { attachment_rules: RULES })).id;
    partner = await partnerSession(call);
    token = await apiToken(call, partner, ['read', 'write']);
    photoCase = await startCase(call, partner, callId, 'Photos of the market');
  });

  // --- raw requests ------------------------------------------------------------------------

  // One request with fetch, by default through the front door with Tus-Resumable: 1.0.0 and
  // the API token; `version: null` and `bearer: null` leave either out. The answer is checked
  // against the contract, and every answer of the upload routes must carry Tus-Resumable
  // (but an OPTIONS error). Returns { method, path, status, headers, body, bytes, json }.
  async function tusFetch(method, path, { headers = {}, body, version = '1.0.0', bearer = token } = {}) {
    const res = await fetch(new URL(path, BASE), {
      method,
      headers: {
        ...(version === null ? {} : { 'Tus-Resumable': version }),
        ...(bearer === null ? {} : { Authorization: `Bearer ${bearer}` }),
        ...headers,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const record = { method, path, status: res.status, headers: [...res.headers.entries()], body: bytes.toString('utf8'), bytes };
    contract.validateResponse(record);
    const type = header(record, 'Content-Type') ?? '';
    record.json = /json/.test(type) && bytes.length ? JSON.parse(record.body) : null;
    if (path.startsWith(UPLOADS) && !(method === 'OPTIONS' && res.status >= 400)) {
      assert.equal(header(record, 'Tus-Resumable'), '1.0.0', `${method} ${path} → ${res.status} without Tus-Resumable: 1.0.0`);
    }
    return record;
  }

  function expectProblem(res, status, code) {
    assert.equal(res.status, status, `${res.method} ${res.path} → ${res.status}, expected ${status} ${code}: ${res.body.slice(0, 300)}`);
    if (res.method !== 'HEAD') assert.equal(res.json?.code, code, `${res.method} ${res.path}: ${res.body.slice(0, 300)}`);
  }

  function expectGone(res) {
    assert.ok([404, 410].includes(res.status), `${res.method} ${res.path} → ${res.status}, expected 410 (or 404): ${res.body.slice(0, 300)}`);
    if (res.method !== 'HEAD') assert.equal(res.json?.code, res.status === 410 ? 'upload_gone' : 'not_found');
  }

  // POST /uploads for the photo case unless told otherwise; with `body`, creation-with-upload.
  function create({ caseId = photoCase.id, kind = 'photo', filename = 'field.jpg', filetype, length, body, headers = {} }) {
    return tusFetch('POST', UPLOADS, {
      headers: {
        'Upload-Length': String(length),
        'Upload-Metadata': metadata({ case_id: caseId, kind, filename, ...(filetype ? { filetype } : {}) }),
        ...(body === undefined ? {} : { 'Content-Type': 'application/offset+octet-stream' }),
        ...headers,
      },
      body,
    });
  }

  // A new upload's path (its Location, checked).
  async function newUpload(options) {
    const res = await create(options);
    assert.equal(res.status, 201, res.body);
    const location = header(res, 'Location');
    assert.match(location, UPLOAD_PATH, 'Location must be the path-absolute /api/intake/v1/uploads/{uuid}');
    return location;
  }

  const idOf = (uploadPath) => uploadPath.match(UPLOAD_PATH)[1];

  function patch(uploadPath, offset, bytes, headers = {}) {
    return tusFetch('PATCH', uploadPath, {
      headers: { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset), ...headers },
      body: bytes,
    });
  }

  async function offsetOf(uploadPath) {
    const head = await tusFetch('HEAD', uploadPath);
    assert.equal(head.status, 200, `HEAD ${uploadPath} → ${head.status}`);
    return Number(header(head, 'Upload-Offset'));
  }

  function expectFutureExpiry(res) {
    const expires = header(res, 'Upload-Expires');
    assert.match(expires ?? '', IMF_FIXDATE, `${res.method} ${res.path}: Upload-Expires ${expires} is not an IMF-fixdate`);
    assert.ok(Date.parse(expires) > Date.now(), `${res.method} ${res.path}: Upload-Expires ${expires} is not in the future`);
  }

  async function attachmentsOf(caseId) {
    const kase = await call('GET', `/cases/${caseId}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(kase.status, 200, kase.body);
    return kase.json.attachments;
  }

  // --- the protocol by hand ------------------------------------------------------------------

  test('OPTIONS tells the version, the extensions, the largest size and the checksums, to anyone', async () => {
    const res = await tusFetch('OPTIONS', UPLOADS, { version: null, bearer: null });
    assert.equal(res.status, 204, res.body);
    assert.equal(header(res, 'Tus-Resumable'), '1.0.0');
    assert.equal(header(res, 'Tus-Version'), '1.0.0');
    assert.equal(header(res, 'Tus-Extension'), 'creation,creation-with-upload,termination,checksum,expiration');
    assert.equal(header(res, 'Tus-Max-Size'), intakeEnv().CASECALL_UPLOAD_MAX_BYTES ?? '10737418240');
    assert.equal(header(res, 'Tus-Checksum-Algorithm'), 'sha1,sha256');
  });

  test('creation: 201 with Location, Upload-Offset 0 and a future Upload-Expires; HEAD is never cached', async () => {
    const res = await create({ length: 4096 });
    assert.equal(res.status, 201, res.body);
    const location = header(res, 'Location');
    assert.match(location, UPLOAD_PATH);
    assert.equal(header(res, 'Upload-Offset'), '0');
    expectFutureExpiry(res);

    const head = await tusFetch('HEAD', location);
    assert.equal(head.status, 200);
    assert.equal(header(head, 'Upload-Offset'), '0');
    assert.equal(header(head, 'Upload-Length'), '4096');
    assert.equal(header(head, 'Cache-Control'), 'no-store');
    expectFutureExpiry(head);

    // The case lists it at once, receiving, with nothing known of its content yet.
    const listed = (await attachmentsOf(photoCase.id)).find((a) => a.id === idOf(location));
    assert.ok(listed, 'the new upload is not among the case\'s attachments');
    assert.deepEqual(
      { kind: listed.kind, filename: listed.filename, status: listed.status, length: listed.length, offset: listed.offset },
      { kind: 'photo', filename: 'field.jpg', status: 'receiving', length: 4096, offset: 0 },
    );
    assert.equal(listed.media_type, null);
    assert.equal(listed.sha256, null);
    assert.equal(listed.download_url, null);
    assert.equal(listed.upload_url, location);
    assert.ok(Date.parse(listed.expires_at) > Date.now());
  });

  test('412 without Tus-Resumable: 1.0.0, naming the supported version in Tus-Version', async () => {
    for (const version of [null, '0.2.2']) {
      const refused = await tusFetch('POST', UPLOADS, {
        version,
        headers: { 'Upload-Length': '10', 'Upload-Metadata': metadata({ case_id: photoCase.id, kind: 'photo', filename: 'a.jpg' }) },
      });
      expectProblem(refused, 412, 'tus_version_unsupported');
      assert.equal(header(refused, 'Tus-Version'), '1.0.0');
    }
    const location = await newUpload({ length: 10 });
    const head = await tusFetch('HEAD', location, { version: null });
    expectProblem(head, 412, 'tus_version_unsupported');
    assert.equal(header(head, 'Tus-Version'), '1.0.0');
  });

  test('refusals: 415 without offset+octet-stream, 409 at the wrong offset, 413 past the limits, 400 without a length; the offset stays', async () => {
    const location = await newUpload({ length: 64 * KiB });
    const bytes = jpeg(16 * KiB);

    const notTus = await patch(location, 0, bytes, { 'Content-Type': 'application/octet-stream' });
    expectProblem(notTus, 415, 'unsupported_media_type');

    const wrongOffset = await patch(location, 1024, bytes);
    expectProblem(wrongOffset, 409, 'offset_mismatch');
    assert.equal(await offsetOf(location), 0);

    const tooBig = await create({ length: RULES.photo.max_file_bytes + 1 });
    expectProblem(tooBig, 413, 'file_too_large');

    const noLength = await tusFetch('POST', UPLOADS, {
      headers: { 'Upload-Metadata': metadata({ case_id: photoCase.id, kind: 'photo', filename: 'a.jpg' }) },
    });
    expectProblem(noLength, 400, 'bad_upload_length');

    // Bytes past Upload-Length: nothing of them is kept.
    const small = await newUpload({ length: 10 });
    const tooLong = await patch(small, 0, jpeg(11));
    expectProblem(tooLong, 413, 'upload_too_long');
    assert.equal(await offsetOf(small), 0);
  });

  test('checksums: a mismatch (460) keeps nothing; sha1 and sha256 advance; md5 is 400; the photo then downloads safely', async () => {
    const name = '照片 1.jpg';
    const file = jpeg(48 * KiB);
    const [a, b, c] = [file.subarray(0, 16 * KiB), file.subarray(16 * KiB, 32 * KiB), file.subarray(32 * KiB)];
    const location = await newUpload({ length: file.length, filename: name });

    const mismatch = await patch(location, 0, a, { 'Upload-Checksum': `sha1 ${digest64('sha1', b)}` });
    expectProblem(mismatch, 460, 'checksum_mismatch');
    assert.equal(await offsetOf(location), 0, 'a chunk that failed its checksum must leave the offset where it was');

    const sha1 = await patch(location, 0, a, { 'Upload-Checksum': `sha1 ${digest64('sha1', a)}` });
    assert.equal(sha1.status, 204, sha1.body);
    assert.equal(header(sha1, 'Upload-Offset'), String(a.length));
    expectFutureExpiry(sha1);

    const md5 = await patch(location, a.length, b, { 'Upload-Checksum': `md5 ${digest64('md5', b)}` });
    expectProblem(md5, 400, 'checksum_algorithm_unsupported');
    assert.equal(await offsetOf(location), a.length);

    const sha256 = await patch(location, a.length, b, { 'Upload-Checksum': `sha256 ${digest64('sha256', b)}` });
    assert.equal(sha256.status, 204, sha256.body);
    assert.equal(header(sha256, 'Upload-Offset'), String(a.length + b.length));

    const last = await patch(location, a.length + b.length, c);
    assert.equal(last.status, 204, last.body);
    assert.equal(header(last, 'Upload-Offset'), String(file.length));
    assert.equal(header(last, 'Upload-Expires'), undefined, 'a complete upload does not expire');
    const head = await tusFetch('HEAD', location);
    assert.equal(head.status, 200);
    assert.equal(header(head, 'Upload-Offset'), String(file.length));

    const attachment = (await attachmentsOf(photoCase.id)).find((x) => x.id === idOf(location));
    assert.ok(attachment, 'the complete upload is not among the case\'s attachments');
    assert.equal(attachment.status, 'complete');
    assert.equal(attachment.filename, name);
    assert.equal(attachment.media_type, 'image/jpeg');
    assert.equal(attachment.sha256, sha256hex(file));
    assert.equal(attachment.length, file.length);
    assert.equal(attachment.offset, file.length);
    assert.equal(attachment.expires_at, null);
    assert.equal(attachment.download_url, `${API}/attachments/${idOf(location)}`);

    // The download: the same bytes, as a file to save, never a page to render.
    const got = await tusFetch('GET', attachment.download_url, { version: null });
    assert.equal(got.status, 200, got.body.slice(0, 300));
    assert.ok(got.bytes.equals(file), 'the download is not the bytes uploaded');
    assert.equal(header(got, 'Content-Type'), 'image/jpeg');
    assert.equal(header(got, 'ETag'), `"${sha256hex(file)}"`);
    assert.equal(header(got, 'X-Content-Type-Options'), 'nosniff');
    assert.match(header(got, 'Content-Security-Policy') ?? '', /(^|;)\s*sandbox\s*(;|$)/);
    assert.equal(header(got, 'Cache-Control'), 'private, no-cache');
    const disposition = header(got, 'Content-Disposition') ?? '';
    assert.match(disposition, /^attachment;/);
    const fallback = disposition.match(/;\s*filename="((?:[^"\\]|\\.)*)"/);
    assert.ok(fallback && /^[\x20-\x7e]*$/.test(fallback[1]), `no ASCII filename fallback in ${disposition}`);
    const utf8 = disposition.match(/;\s*filename\*=UTF-8''([^;\s]+)/i);
    assert.ok(utf8, `no filename* in ${disposition}`);
    assert.equal(decodeURIComponent(utf8[1]), name);
  });

  test('creation-with-upload: the POST\'s body is the first bytes (Upload-Offset = its length)', async () => {
    const file = jpeg(40 * KiB);
    const first = file.subarray(0, 8 * KiB);
    const res = await create({ length: file.length, body: first, filename: 'with-upload.jpg' });
    assert.equal(res.status, 201, res.body);
    assert.equal(header(res, 'Upload-Offset'), String(first.length));
    const location = header(res, 'Location');
    assert.match(location, UPLOAD_PATH);
    assert.equal(await offsetOf(location), first.length);
    const rest = await patch(location, first.length, file.subarray(first.length));
    assert.equal(rest.status, 204, rest.body);
    const attachment = (await attachmentsOf(photoCase.id)).find((x) => x.id === idOf(location));
    assert.equal(attachment.status, 'complete');
    assert.equal(attachment.sha256, sha256hex(file));
  });

  test('termination: DELETE ends an unfinished upload and removes a complete attachment; both are gone', async () => {
    const unfinished = await newUpload({ length: 32 * KiB, filename: 'half.jpg' });
    assert.equal((await patch(unfinished, 0, jpeg(8 * KiB))).status, 204);
    const file = jpeg(8 * KiB);
    const complete = await newUpload({ length: file.length, filename: 'whole.jpg' });
    assert.equal((await patch(complete, 0, file)).status, 204);
    const downloadUrl = (await attachmentsOf(photoCase.id)).find((x) => x.id === idOf(complete)).download_url;
    assert.equal((await tusFetch('GET', downloadUrl, { version: null })).status, 200);

    for (const location of [unfinished, complete]) {
      const deleted = await tusFetch('DELETE', location);
      assert.equal(deleted.status, 204, deleted.body);
      expectGone(await tusFetch('HEAD', location));
      expectGone(await patch(location, 0, jpeg(1024)));
    }
    const ids = (await attachmentsOf(photoCase.id)).map((x) => x.id);
    assert.ok(!ids.includes(idOf(unfinished)) && !ids.includes(idOf(complete)), 'a terminated upload is still among the case\'s attachments');
    expectProblem(await tusFetch('GET', downloadUrl, { version: null }), 404, 'not_found');
  });

  test('expiration: past its expiry an upload is gone (410)', async () => {
    const location = await newUpload({ length: 32 * KiB, filename: 'late.jpg' });
    assert.equal((await patch(location, 0, jpeg(8 * KiB))).status, 204);
    // No API moves time: the owner role moves the upload's expiry into the past.
    const run = spawnSync(
      'psql',
      [ownerDbUrl(), '-v', 'ON_ERROR_STOP=1', '-qAt', '-c',
        `UPDATE intake.uploads SET expires_at = now() - interval '1 minute' WHERE id = '${idOf(location)}' RETURNING id`],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), idOf(location), 'psql updated no upload row');

    expectProblem(await tusFetch('HEAD', location), 410, 'upload_gone');
    expectProblem(await patch(location, 8 * KiB, jpeg(1024)), 410, 'upload_gone');
    const ids = (await attachmentsOf(photoCase.id)).map((x) => x.id);
    assert.ok(!ids.includes(idOf(location)), 'an expired upload is still among the case\'s attachments');
  });

  test('a file that is not what its name says (HTML as photo.jpg) is refused once whole: 422, then 410', async () => {
    // filetype is the client's word only: the server believes the bytes.
    const location = await newUpload({ length: HTML.length, filename: 'photo.jpg', filetype: 'image/jpeg' });
    const refused = await patch(location, 0, HTML);
    expectProblem(refused, 422, 'file_type_not_allowed');
    assert.match(refused.json.detail ?? '', /text\/html/, 'the detail should name the type found');
    expectProblem(await tusFetch('HEAD', location), 410, 'upload_gone');
    const ids = (await attachmentsOf(photoCase.id)).map((x) => x.id);
    assert.ok(!ids.includes(idOf(location)), 'a refused upload is still among the case\'s attachments');
  });

  test('another organisation sees none of it (404), and cannot upload to the case', async () => {
    const file = jpeg(4 * KiB);
    const location = await newUpload({ length: file.length, filename: 'ours.jpg' });
    assert.equal((await patch(location, 0, file)).status, 204);
    const stranger = await apiToken(call, await partnerSession(call, { name: 'Other Writers', country: 'PE' }));
    expectProblem(await tusFetch('HEAD', location, { bearer: stranger }), 404, 'not_found');
    expectProblem(await tusFetch('DELETE', location, { bearer: stranger }), 404, 'not_found');
    expectProblem(await tusFetch('GET', `${API}/attachments/${idOf(location)}`, { version: null, bearer: stranger }), 404, 'not_found');
    const theirs = await tusFetch('POST', UPLOADS, {
      bearer: stranger,
      headers: { 'Upload-Length': '10', 'Upload-Metadata': metadata({ case_id: photoCase.id, kind: 'photo', filename: 'x.jpg' }) },
    });
    expectProblem(theirs, 404, 'not_found');
  });

  // --- a real client ------------------------------------------------------------------------

  // What a program's retry policy should be: a closed call is final; an offset that moved
  // (409, after a cut the server kept more than the client knew), an upload still held by the
  // PATCH the cut interrupted (423), the network and the server's 5xx are worth another try.
  function shouldRetry(err) {
    const res = err.originalResponse;
    if (!res) return true;
    let code;
    try {
      code = JSON.parse(res.getBody()).code;
    } catch {
      code = undefined;
    }
    if (code === 'call_closed') return false;
    const status = res.getStatus();
    return status === 409 || status === 423 || status >= 500;
  }

  // Sends `bytes` with tus-js-client and resolves once it reports success. Counts creations
  // (there must be one: a resumed upload is not a new one) and passes each successful HEAD's
  // Upload-Offset (where a retry resumed) to onHead. Gives up after `deadlineMs`, or as soon
  // as the promise `failWith` rejects (something the test does beside the upload failed).
  function sendWithTusClient(bytes, {
    endpoint, meta, chunkSize = Number.POSITIVE_INFINITY, retryDelays, onProgress, onChunkComplete, onHead,
    deadlineMs = 100_000, failWith = new Promise(() => {}),
  }) {
    const seen = { creations: 0, retried: [], url: null };
    let upload;
    let timer;
    const done = new Promise((resolve, reject) => {
      upload = new tus.Upload(bytes, {
        endpoint,
        metadata: meta,
        chunkSize,
        retryDelays,
        headers: { Authorization: `Bearer ${token}` },
        onBeforeRequest(req) {
          if (req.getMethod() === 'POST') seen.creations += 1;
        },
        onAfterResponse(req, res) {
          if (req.getMethod() === 'HEAD' && res.getStatus() === 200) onHead?.(Number(res.getHeader('Upload-Offset')));
          // A PATCH refused at once (409, 423) is answered while its body is still going out;
          // stop sending the rest rather than stream up to 200 MiB nobody will keep.
          const sending = req.getUnderlyingObject();
          if (req.getMethod() === 'PATCH' && res.getStatus() !== 204 && sending && !sending.writableFinished) sending.destroy();
        },
        onShouldRetry(err) {
          const again = shouldRetry(err);
          const status = err.originalResponse?.getStatus() ?? 'network';
          seen.retried.push(`${status}${again ? '' : ' (final)'}: ${err.message.split('\n')[0]}`);
          return again;
        },
        onProgress,
        onChunkComplete,
        onSuccess() {
          seen.url = upload.url;
          resolve(seen);
        },
        onError: reject,
      });
      timer = setTimeout(() => {
        upload.abort(false);
        reject(new Error(`tus-js-client did not finish within ${deadlineMs} ms (retries: ${seen.retried.join(' | ')})`));
      }, deadlineMs);
      failWith.catch((e) => {
        upload.abort(false);
        reject(e);
      });
      upload.start();
    });
    return done.finally(() => clearTimeout(timer));
  }

  // The case's one attachment, complete, is the source (by SHA-256) and a video.
  async function expectVideoAttachment(caseId, seen, source) {
    assert.equal(seen.creations, 1, `the upload was created ${seen.creations} times: it was restarted, not resumed`);
    const uploadId = new URL(seen.url).pathname.match(UPLOAD_PATH)?.[1];
    assert.ok(uploadId, `tus-js-client's upload URL ${seen.url} is not an upload path`);
    const attachments = await attachmentsOf(caseId);
    assert.equal(attachments.length, 1, JSON.stringify(attachments));
    const [video] = attachments;
    assert.equal(video.id, uploadId);
    assert.equal(video.status, 'complete');
    assert.equal(video.length, source.bytes.length);
    assert.equal(video.media_type, 'video/mp4');
    assert.equal(video.sha256, source.sha256, 'the server\'s SHA-256 of the video is not the source\'s');
    return video;
  }

  function bigVideo() {
    const bytes = mp4(200 * MiB);
    return { bytes, sha256: sha256hex(bytes) };
  }

  // `count` positions in [margin, total - margin], at least `gap` apart, else random: where
  // the proxy cuts, in bytes of upload stream.
  function cutPoints(total, count, { margin = 10 * MiB, gap = 24 * MiB } = {}) {
    const slack = total - 2 * margin - (count - 1) * gap;
    assert.ok(slack > 0);
    return Array.from({ length: count }, () => Math.random() * slack)
      .sort((x, y) => x - y)
      .map((x, i) => Math.floor(margin + x + i * gap));
  }

  test('tus-js-client sends 200 MiB through a proxy that cuts the connection 5 times; it resumes each time', { timeout: 120_000 }, async (t) => {
    const videoCase = await startCase(call, partner, callId, 'Video of the cooperative');
    const source = bigVideo();
    const cutAt = cutPoints(source.bytes.length, 5);
    t.diagnostic(`cuts after ${cutAt.join(', ')} bytes of upload`);
    const proxy = await startCuttingProxy({ target: BASE, cutAt });
    const heads = []; // { cuts: how many cuts before it, offset }
    try {
      const seen = await sendWithTusClient(source.bytes, {
        endpoint: `${proxy.url}${UPLOADS}`,
        meta: { case_id: videoCase.id, kind: 'video', filename: 'cooperative.mp4', filetype: 'video/mp4' },
        retryDelays: [0, 100, 250, 500, 1000, 2000, 4000],
        onHead: (offset) => heads.push({ cuts: proxy.cuts, offset }),
      });
      t.diagnostic(`retried after: ${seen.retried.join(' | ')}; ${proxy.bytesUp} bytes sent in all`);
      assert.equal(proxy.cuts, 5, `the proxy cut ${proxy.cuts} times`);
      await expectVideoAttachment(videoCase.id, seen, source);

      // Each cut lost at most what was in flight: the offset the client resumed from (its last
      // HEAD before the next cut) grew from one cut to the next.
      const resumedAt = [1, 2, 3, 4, 5].map((k) => heads.filter((h) => h.cuts === k).at(-1)?.offset);
      t.diagnostic(`resumed at ${resumedAt.join(', ')}`);
      assert.ok(resumedAt.every((o) => Number.isInteger(o)), `no HEAD after some cut: ${JSON.stringify(heads)}`);
      assert.ok(resumedAt[0] > 0, 'after the first cut the upload resumed from 0: the bytes that arrived were not kept');
      for (let k = 1; k < 5; k++) {
        assert.ok(resumedAt[k] > resumedAt[k - 1], `after cut ${k + 1} the upload resumed at ${resumedAt[k]}, not past ${resumedAt[k - 1]}`);
      }
      const offsets = heads.map((h) => h.offset);
      assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), 'a HEAD reported less than an earlier one');
    } finally {
      await proxy.close();
    }
  });

  test('tus-js-client sends 200 MiB to a second intake killed with SIGKILL at 60 MiB and started again', { timeout: 120_000 }, async (t) => {
    const videoCase = await startCase(call, partner, callId, 'Video of the harvest');
    const source = bigVideo();
    let intake = await startIntake();
    const { port } = intake;
    let acknowledged = 0; // the offset of the last 204, which must survive the kill
    let atKill = null;
    let restart = null;
    let restartFailed;
    const restartFailure = new Promise((_, reject) => {
      restartFailed = reject;
    });
    const headsAfter = [];
    try {
      const seen = await sendWithTusClient(source.bytes, {
        endpoint: `${intake.url}${UPLOADS}`,
        meta: { case_id: videoCase.id, kind: 'video', filename: 'harvest.mp4', filetype: 'video/mp4' },
        // Chunks, so that some offsets are acknowledged (and must be durable) before the kill.
        chunkSize: 16 * MiB,
        retryDelays: [100, 250, 500, 1000, 1000, 2000, 2000, 4000, 4000, 8000],
        onChunkComplete: (_size, accepted) => {
          acknowledged = accepted;
        },
        onProgress: (sent) => {
          if (restart || sent <= 60 * MiB) return;
          atKill = acknowledged;
          restart = (async () => {
            const how = await intake.kill9();
            assert.equal(how.signal, 'SIGKILL', `the second intake ended by ${JSON.stringify(how)}, not by the kill`);
            intake = await startIntake({ port });
          })();
          restart.catch(restartFailed); // the upload's retries ride through the restart, not a failed one
        },
        onHead: (offset) => {
          if (restart) headsAfter.push(offset);
        },
        failWith: restartFailure,
      });
      assert.ok(restart, 'the upload finished before 60 MiB were sent: nothing was killed');
      await restart;
      t.diagnostic(`killed with ${atKill} bytes acknowledged; resumed at ${headsAfter.join(', ')}; retried after: ${seen.retried.join(' | ')}`);
      assert.ok(atKill >= 48 * MiB, `only ${atKill} bytes were acknowledged at 60 MiB sent in 16 MiB chunks`);
      assert.ok(headsAfter.length > 0, 'the client never asked the restarted intake where to resume');
      assert.ok(headsAfter[0] >= atKill, `the restarted intake resumed at ${headsAfter[0]}, before the ${atKill} bytes it had acknowledged`);
      const video = await expectVideoAttachment(videoCase.id, seen, source);

      // The stack's intake (through the front door) serves what the second one received: the
      // same database and the same upload folder.
      const res = await fetch(new URL(video.download_url, BASE), { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) });
      if (res.status !== 200) assert.fail(`GET ${video.download_url} → ${res.status}: ${await res.text()}`);
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of res.body) {
        hash.update(chunk);
        size += chunk.length;
      }
      // The headers against the contract; the body, too big to hold as text, is hashed instead.
      contract.validateResponse({ method: 'GET', path: video.download_url, status: res.status, headers: [...res.headers.entries()], body: '' });
      assert.equal(res.headers.get('Content-Type'), 'video/mp4');
      assert.equal(size, source.bytes.length);
      assert.equal(hash.digest('hex'), source.sha256, 'the downloaded video is not the source');
    } finally {
      await restart?.catch(() => {});
      await intake.stop();
    }
  });
});
