// The load of bench/run-slow-uploads.sh (run it through that script: it starts the stack
// and raises the open-file limit). Many slow uploads at once, as partners on poor connections
// send them: each a tus PATCH of one long body, paced to a fixed rate in small pieces (a 4 KiB
// piece every 62.5 ms is 64 KiB/s), opened over a few seconds and then held. While they are
// held, intake's RSS is sampled every 100 ms and GET /healthz is timed at a steady rate on a
// keep-alive connection of its own, from a worker thread (its own event loop, so that the
// pacing of the uploads does not delay its timing).
//
// The call's video rule takes 100 files a case (the schema's most), so the uploads are spread
// over uploads/100 cases. Each upload is longer than its PATCH's body, and the body longer than
// what the hold sends: no upload finishes, none is made durable on the way (the body stays
// under CASECALL_UPLOAD_CHECKPOINT_BYTES, 8 MiB, for the default 60 s).
//
// Options (numbers): --uploads 1000 --seconds 60 --rate-kib 64 --piece-kib 4 --ramp-seconds 5
//   --probe-hz 20 --rss-target-mib 300 --p99-target-ms 10
// Exit status: 0 targets met, 1 a target missed, 2 the measurement itself failed.
import http from 'node:http';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';

import { int, median, mib, nowMs, numberOptions, percentile, processAlive, request, rssSampler, sleep } from './lib/measure.mjs';

// --- the GET /healthz probe (worker thread) -------------------------------------------------

async function probe({ url, hz }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let stopped = false;
  parentPort.on('message', () => (stopped = true));
  const latencies = [];
  const errors = [];
  const get = () => request(url, { agent, path: '/healthz', timeoutMs: 5_000 });
  await get(); // the connection, opened outside the figures
  parentPort.postMessage({ ready: true });
  const period = 1000 / hz;
  let next = nowMs();
  while (!stopped) {
    const t0 = nowMs();
    try {
      const res = await get();
      if (res.status === 200) latencies.push(nowMs() - t0);
      else errors.push(`status ${res.status}`);
    } catch (e) {
      errors.push(e.message);
    }
    next += period;
    const wait = next - nowMs();
    if (wait > 0) await sleep(wait);
    else next = nowMs(); // late: go on at once, no burst to catch up
  }
  agent.destroy();
  parentPort.postMessage({ latencies, errors });
}

if (!isMainThread) {
  await probe(workerData);
} else {
  await import('./lib/world.mjs').then(main).then(
    (code) => process.exit(code),
    (e) => failMeasurement(e.stack ?? String(e)),
  );
}

function log(line) {
  process.stderr.write(`${line}\n`);
}

function failMeasurement(message) {
  log(`run-slow-uploads: ${message}`);
  process.exit(2);
}

// --- the uploads (main thread) --------------------------------------------------------------

async function main({ API, MiB, MP4_HEAD, benchEnv, makeWorld, uploadMetadata }) {
  const USAGE =
    'usage: node bench/slow-uploads-load.mjs [--uploads 1000] [--seconds 60] [--rate-kib 64] [--piece-kib 4] ' +
    '[--ramp-seconds 5] [--probe-hz 20] [--rss-target-mib 300] [--p99-target-ms 10]';
  const opts = numberOptions(
    process.argv.slice(2),
    { uploads: 1000, seconds: 60, rate_kib: 64, piece_kib: 4, ramp_seconds: 5, probe_hz: 20, rss_target_mib: 300, p99_target_ms: 10 },
    USAGE,
  );
  const { url, pid, out } = benchEnv();
  const target = new URL(url);
  const PER_CASE = 100; // the call schema's largest max_count
  const pieceBytes = opts.piece_kib * 1024;
  const interval = (1000 * pieceBytes) / (opts.rate_kib * 1024); // ms between pieces of one upload
  // The body outlasts ramp + hold (with room to spare); the upload is twice the body.
  const wanted = (opts.rate_kib * 1024 * (opts.ramp_seconds + opts.seconds + 15));
  const bodyBytes = Math.max(8 * MiB, Math.ceil(wanted / MiB) * MiB);
  const uploadLength = 2 * bodyBytes;
  const cases = Math.ceil(opts.uploads / PER_CASE);

  log(`setting up: ${cases} case(s), ${opts.uploads} uploads of ${mib(uploadLength)} MiB`);
  const world = await makeWorld(url, {
    videoRule: { max_count: PER_CASE, max_file_bytes: uploadLength, max_total_bytes: PER_CASE * uploadLength },
    cases,
  });
  const auth = { Authorization: `Bearer ${world.token}` };

  // Creations, 16 at a time.
  const createAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const locations = new Array(opts.uploads);
  let nextToCreate = 0;
  async function creator() {
    while (nextToCreate < opts.uploads) {
      const i = nextToCreate++;
      const res = await request(url, {
        agent: createAgent,
        method: 'POST',
        path: `${API}/uploads`,
        headers: {
          ...auth,
          'Tus-Resumable': '1.0.0',
          'Upload-Length': String(uploadLength),
          'Upload-Metadata': uploadMetadata({ case_id: world.cases[i % cases].id, kind: 'video', filename: `clip-${i}.mp4` }),
        },
      });
      if (res.status !== 201) throw new Error(`POST /uploads (${i}) → ${res.status}: ${res.body}`);
      locations[i] = res.headers.location;
    }
  }
  await Promise.all(Array.from({ length: 16 }, creator));
  createAgent.destroy();

  // intake at rest, uploads created: its RSS over two seconds.
  const idle = rssSampler(pid, 100);
  await sleep(2000);
  const before = median(idle.stop().samples);

  // --- open, pace, hold ---
  const first = Buffer.concat([MP4_HEAD, randomBytes(pieceBytes - MP4_HEAD.length)]);
  const piece = randomBytes(pieceBytes);
  const patchAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const uploads = locations.map((location) => ({ location, req: null, start: 0, next: 0, sent: 0, blocked: false }));
  const early = new Map(); // status or error → count: the server ended an upload before we did
  const noteEarly = (what) => early.set(what, (early.get(what) ?? 0) + 1);
  let stopping = false;
  const sampler = rssSampler(pid, 100);

  function open(u) {
    const req = http.request({
      host: target.hostname,
      port: target.port,
      method: 'PATCH',
      path: u.location,
      agent: patchAgent,
      headers: {
        ...auth,
        'Tus-Resumable': '1.0.0',
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': '0',
        'Content-Length': String(bodyBytes),
      },
    });
    req.on('response', (res) => {
      res.resume();
      if (!stopping) noteEarly(`answered ${res.statusCode}`);
    });
    req.on('error', (e) => {
      if (!stopping && !req.res) noteEarly(e.code ?? e.message);
    });
    req.on('drain', () => (u.blocked = false));
    u.req = req;
  }

  function send(u, now) {
    let burst = 0;
    while (!u.blocked && u.next <= now && u.sent < bodyBytes && burst < 4) {
      const bytes = u.sent === 0 ? first : piece;
      const n = Math.min(bytes.length, bodyBytes - u.sent);
      if (!u.req.write(n === bytes.length ? bytes : bytes.subarray(0, n))) u.blocked = true;
      u.sent += n;
      u.next += interval;
      burst += 1;
    }
  }

  const t0 = nowMs();
  const rampMs = opts.ramp_seconds * 1000;
  uploads.forEach((u, i) => {
    u.start = t0 + (rampMs * i) / opts.uploads;
    u.next = u.start;
  });
  let opened = 0;
  const tick = setInterval(() => {
    const now = nowMs();
    for (const u of uploads) {
      if (!u.req) {
        if (u.start > now) break; // starts are in order
        open(u);
        opened += 1;
      }
      if (!u.req.res && !u.req.destroyed) send(u, now);
    }
  }, 5);

  await sleep(Math.max(0, t0 + rampMs - nowMs()));
  await sleep(1000); // the last ones settle in
  if (opened !== opts.uploads) failMeasurement(`only ${opened} of ${opts.uploads} uploads opened during the ramp`);
  const rampRss = sampler.max();

  const worker = new Worker(new URL(import.meta.url), { workerData: { url, hz: opts.probe_hz } });
  let probeReady;
  const ready = new Promise((resolve) => (probeReady = resolve));
  const probeDone = new Promise((resolve, reject) => {
    worker.on('message', (m) => (m.ready ? probeReady() : resolve(m)));
    worker.on('error', reject);
  });
  await Promise.race([ready, probeDone]);
  const holdStart = nowMs();
  let intakeAlive = true;
  while (nowMs() - holdStart < opts.seconds * 1000) {
    await sleep(250);
    if (!processAlive(pid)) {
      intakeAlive = false;
      break;
    }
  }
  const holdEnd = nowMs();
  const sent = uploads.reduce((sum, u) => sum + u.sent, 0);
  worker.postMessage('stop');
  const probeResult = await probeDone;
  await worker.terminate();

  // What the server says it is receiving, before the uploads are cut.
  let streams = NaN;
  if (intakeAlive) {
    const metrics = await request(url, { path: '/metrics', timeoutMs: 10_000 });
    const m = metrics.body.toString().match(/^casecall_http_streams_in_flight(?:\{\})? (\S+)$/m);
    if (m) streams = Number(m[1]);
  }
  clearInterval(tick);
  const rss = sampler.stop();
  const scheduled = uploads.reduce((sum, u) => {
    const pieces = Math.floor((holdEnd - u.start) / interval) + 1;
    return sum + Math.min(bodyBytes, pieces * pieceBytes);
  }, 0);
  const stillSending = uploads.filter((u) => u.req && !u.req.res && !u.req.destroyed).length;
  stopping = true;
  for (const u of uploads) u.req?.destroy();
  patchAgent.destroy();
  await sleep(500);

  const lat = probeResult.latencies.sort((a, b) => a - b);
  const p50 = percentile(lat, 50);
  const p99 = percentile(lat, 99);
  const max = lat.length ? lat[lat.length - 1] : NaN;
  const sentShare = (100 * sent) / scheduled;
  const rssMet = rss.max < opts.rss_target_mib * MiB;
  const p99Met = lat.length > 0 && p99 < opts.p99_target_ms;
  const heldAll = early.size === 0 && intakeAlive && stillSending === opts.uploads;

  console.log('');
  console.log(`${int(opts.uploads)} slow uploads at ${opts.rate_kib} KiB/s each (${opts.piece_kib} KiB every ${interval.toFixed(1)} ms; ` +
              `${mib(opts.uploads * opts.rate_kib * 1024)} MiB/s together), opened over ${opts.ramp_seconds} s, held ${opts.seconds} s; ` +
              `each a PATCH of ${mib(bodyBytes)} MiB into a ${mib(uploadLength)} MiB upload, ${cases} case(s)`);
  console.log(`  uploads still streaming   ${int(stillSending)} (client); ${Number.isNaN(streams) ? '?' : int(streams)} ` +
              `(intake's casecall_http_streams_in_flight)`);
  console.log(`  bytes sent                ${mib(sent)} MiB of ${mib(scheduled)} MiB scheduled (${sentShare.toFixed(1)}%)`);
  console.log(`  intake RSS                ${mib(before)} MiB before, ${mib(rampRss)} MiB at most during the ramp, ` +
              `${mib(rss.max)} MiB at most overall (target < ${opts.rss_target_mib} MiB)${rssMet ? '' : '  OVER TARGET'}`);
  console.log(`  GET /healthz at ${opts.probe_hz}/s     ${int(lat.length)} answers: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, ` +
              `max ${max.toFixed(2)} ms (target p99 < ${opts.p99_target_ms} ms)${p99Met ? '' : '  OVER TARGET'}`);
  if (probeResult.errors.length) console.log(`  GET /healthz errors       ${probeResult.errors.length}: ${[...new Set(probeResult.errors)].join('; ')}`);
  if (early.size) console.log(`  uploads ended by intake   ${[...early].map(([w, n]) => `${n} × ${w}`).join(', ')}`);
  if (!intakeAlive) console.log('  intake EXITED during the hold');
  console.log(`  (logs: ${out})`);

  if (sentShare < 90 && heldAll) {
    failMeasurement(`the client sent only ${sentShare.toFixed(1)}% of the bytes scheduled: the load was not applied as asked ` +
                    '(a busy machine, or intake reading slower than the uploads send)');
  }
  if (!rssMet || !p99Met || !heldAll || probeResult.errors.length) {
    console.log('TARGET MISSED');
    return 1;
  }
  return 0;
}
