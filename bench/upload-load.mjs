// The load of bench/run-upload.sh (run it through that script: it starts the stack and makes
// the file). One large tus upload over loopback straight to intake — a POST creating it (kind
// video, in a call whose video rule allows 2 GiB), then one PATCH streaming the whole file from
// disk with node:http and a ReadStream, never the file in memory — against dd writing the same
// bytes to the same folder (bs=1M conv=fsync), alternating; intake's RSS sampled every 100 ms
// from before the first upload to the end.
//
// Options: --src FILE --dd-target FILE (paths), --rounds 3, --ratio-target 70, --rss-target-mib 32
// Exit status: 0 targets met, 1 a target missed, 2 the measurement itself failed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, openSync, rmSync, statSync, writeSync } from 'node:fs';
import http from 'node:http';

import { median, mib, nowMs, request, rssSampler, sleep } from './lib/measure.mjs';
import { API, GiB, MP4_HEAD, benchEnv, makeWorld, uploadMetadata } from './lib/world.mjs';

const log = (line) => process.stderr.write(`${line}\n`);

function failMeasurement(message) {
  log(`run-upload: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { src: null, dd_target: null, rounds: 3, ratio_target: 70, rss_target_mib: 32 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-/g, '_');
    if (!(key in opts) || argv[i + 1] === undefined) failMeasurement(`bad argument ${argv[i]}`);
    opts[key] = typeof opts[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!opts.src || !opts.dd_target) failMeasurement('--src and --dd-target are required');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const { url, pid, out } = benchEnv();
const target = new URL(url);

// Seconds dd takes to copy the source to the target and fsync it; the copy is then deleted.
function ddRun() {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const child = spawn('dd', [`if=${opts.src}`, `of=${opts.dd_target}`, 'bs=1M', 'conv=fsync', 'status=none'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (nowMs() - t0) / 1000;
      if (code !== 0) return reject(new Error(`dd failed (exit ${code}): ${err}`));
      rmSync(opts.dd_target, { force: true });
      resolve(seconds);
    });
  });
}

// PATCH of the whole file at offset 0, streamed from disk. Resolves { status, headers, body }.
function streamPatch(agent, token, location, size) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn, v) => {
      if (!settled) {
        settled = true;
        fn(v);
      }
    };
    const req = http.request({
      host: target.hostname,
      port: target.port,
      method: 'PATCH',
      path: location,
      agent,
      headers: {
        'Tus-Resumable': '1.0.0',
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': '0',
        'Content-Length': String(size),
      },
    });
    req.setTimeout(600_000, () => req.destroy(new Error('no answer to the PATCH within 600 s')));
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => settle(resolve, { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    // An early answer (a refusal) may cut the body short: the answer is what counts.
    req.on('error', (e) => {
      if (!req.res) settle(reject, e);
    });
    const file = createReadStream(opts.src, { highWaterMark: 1024 * 1024 });
    file.on('error', (e) => req.destroy(e));
    file.pipe(req);
  });
}

function sha256OfFile(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file, { highWaterMark: 1024 * 1024 })
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

// Each round's file differs from the last by 16 bytes just after the MP4 header, so that each
// upload is a new file to the content-addressed store (not one it already holds).
function varySource() {
  const fd = openSync(opts.src, 'r+');
  try {
    writeSync(fd, randomBytes(16), 0, 16, MP4_HEAD.length);
  } finally {
    closeSync(fd);
  }
}

async function uploadRun(agent, world, caseId, size) {
  const auth = { Authorization: `Bearer ${world.token}` };
  const t0 = nowMs();
  const created = await request(url, {
    agent,
    method: 'POST',
    path: `${API}/uploads`,
    headers: {
      ...auth,
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(size),
      'Upload-Metadata': uploadMetadata({ case_id: caseId, kind: 'video', filename: 'field-visit.mp4', filetype: 'video/mp4' }),
    },
  });
  const t1 = nowMs();
  if (created.status !== 201) failMeasurement(`POST /uploads → ${created.status}: ${created.body}`);
  const patched = await streamPatch(agent, world.token, created.headers.location, size);
  const t2 = nowMs();
  if (patched.status !== 204 || patched.headers['upload-offset'] !== String(size)) {
    failMeasurement(`PATCH → ${patched.status}, Upload-Offset ${patched.headers['upload-offset']}: ${patched.body}`);
  }
  return { create: (t1 - t0) / 1000, patch: (t2 - t1) / 1000, total: (t2 - t0) / 1000 };
}

async function main() {
  const size = statSync(opts.src).size;
  const world = await makeWorld(url, {
    videoRule: { max_count: 1, max_file_bytes: 2 * GiB, max_total_bytes: 2 * GiB },
    cases: opts.rounds, // one video per case: a case per round
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  // intake at rest, set-up done: its RSS over two seconds.
  const idle = rssSampler(pid, 100);
  await sleep(2000);
  const before = median(idle.stop().samples);
  const sampler = rssSampler(pid, 100);

  const ddRates = [];
  const upRates = [];
  const creates = [];
  for (let round = 1; round <= opts.rounds; round += 1) {
    varySource();
    const ddSeconds = await ddRun();
    ddRates.push(size / (1024 * 1024) / ddSeconds);
    const caseId = world.cases[round - 1].id;
    const up = await uploadRun(agent, world, caseId, size);
    upRates.push(size / (1024 * 1024) / up.total);
    creates.push(up.create * 1000);
    log(`--- round ${round}: dd ${ddSeconds.toFixed(2)} s (${(size / 1048576 / ddSeconds).toFixed(1)} MiB/s); ` +
        `upload ${up.total.toFixed(2)} s (${(size / 1048576 / up.total).toFixed(1)} MiB/s: POST ${(up.create * 1000).toFixed(1)} ms, ` +
        `PATCH ${up.patch.toFixed(2)} s); intake RSS peak so far ${mib(sampler.max())} MiB`);

    // The attachment is whole and is this file (hashed now, outside the timing).
    const kase = await request(url, { agent, path: `${API}/cases/${caseId}`, headers: { Authorization: `Bearer ${world.token}` } });
    assert.equal(kase.status, 200, kase.body.toString());
    const [attachment] = JSON.parse(kase.body).attachments;
    assert.equal(attachment?.status, 'complete', `round ${round}: the attachment is not complete`);
    assert.equal(attachment.media_type, 'video/mp4');
    assert.equal(attachment.length, size);
    assert.equal(attachment.sha256, await sha256OfFile(opts.src), `round ${round}: the stored file is not the source`);
  }
  const rss = sampler.stop();
  agent.destroy();

  const dd = median(ddRates);
  const up = median(upRates);
  const percent = (100 * up) / dd;
  const growth = rss.max - before;
  const list = (rates) => rates.map((r) => r.toFixed(1)).join(' ');
  const ratioMet = percent >= opts.ratio_target;
  const rssMet = growth < opts.rss_target_mib * 1024 * 1024;
  console.log('');
  console.log(`${mib(size)} MiB tus upload over loopback to intake (POST, then one PATCH of the whole file) against ` +
              `dd bs=1M conv=fsync into the upload folder, ${opts.rounds} alternating runs`);
  console.log(`  dd                 ${dd.toFixed(1).padStart(7)} MiB/s (median of: ${list(ddRates)})`);
  console.log(`  intake upload      ${up.toFixed(1).padStart(7)} MiB/s (median of: ${list(upRates)}); POST ${median(creates).toFixed(1)} ms`);
  console.log(`  upload/dd          ${percent.toFixed(1).padStart(7)}% (target >= ${opts.ratio_target}%)${ratioMet ? '' : '  BELOW TARGET'}`);
  console.log(`  intake RSS         ${mib(before)} MiB before, ${mib(rss.max)} MiB at most during the uploads: ` +
              `+${mib(growth)} MiB (target < ${opts.rss_target_mib} MiB)${rssMet ? '' : '  OVER TARGET'}`);
  console.log(`  (logs: ${out})`);
  if (!ratioMet || !rssMet) {
    console.log('TARGET MISSED');
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => failMeasurement(e.stack ?? String(e)),
);
