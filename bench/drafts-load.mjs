// The load of bench/run-drafts.sh (run it through that script: it starts the stack this
// needs). Drafts created and saved per second through intake's API, against pgbench writing
// the same rows into the same database, alternating runs, medians compared.
//
// A "pair" is what a partner's program does to start a case: POST
// /api/intake/v1/calls/{call_id}/cases, then PATCH /api/intake/v1/cases/{id} with If-Match
// from the creation's ETag, with an API token (Authorization: Bearer cc_pat_...). `connections`
// loops each run pairs one after the other on a keep-alive connection of their own; a pair
// counts when it ends within the run. pgbench runs bench/drafts.pgbench.sql (the INSERT and
// the UPDATE, each its own transaction) at -c connections -j 2 -M extended for as long.
//
// Options (numbers): --seconds 20 --connections 32 --rounds 3 --target 50
// Exit status: 0 target met, 1 below target, 2 the measurement itself failed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { int, median, nowMs, numberOptions, percentile, request, sleep } from './lib/measure.mjs';
import { API, MiB, benchEnv, makeWorld } from './lib/world.mjs';

const USAGE = 'usage: node bench/drafts-load.mjs [--seconds 20] [--connections 32] [--rounds 3] [--target 50]';
const opts = numberOptions(process.argv.slice(2), { seconds: 20, connections: 32, rounds: 3, target: 50 }, USAGE);
const { url, out } = benchEnv();
const PGBENCH = process.env.BENCH_PGBENCH ?? '/usr/lib/postgresql/15/bin/pgbench';
const PG_PORT = process.env.CASECALL_TEST_PG_PORT;
const SCRIPT = fileURLToPath(new URL('./drafts.pgbench.sql', import.meta.url));
const WARMUP_SECONDS = 3;

const log = (line) => process.stderr.write(`${line}\n`);

function failMeasurement(message) {
  log(`run-drafts: ${message}`);
  process.exit(2);
}

// --- what is written -------------------------------------------------------------------------

// A draft as a program starts it: a title and the case's language, then a save of one section
// (about 240 words, within the field's 500).
const SENTENCES = [
  'The cooperative began with forty smallholders who pooled their harvests to reach buyers in the district town.',
  'Mobile money let members receive payment on the day of delivery instead of waiting for the end of the season.',
  'Women, who had rarely held accounts of their own, made up more than half of the members within two years.',
  'Extension workers visited each village monthly and recorded yields, prices and losses in a shared notebook.',
];
const BACKGROUND = Array.from({ length: 4 }, () => SENTENCES.join(' ')).join('\n\n');
const CREATE_ANSWERS = { title: 'Mobile money for smallholders', case_language: 'en' };
const SAVE_CHANGES = { background: BACKGROUND };
const SAVED_ANSWERS = { ...CREATE_ANSWERS, ...SAVE_CHANGES };

// --- the API side ---------------------------------------------------------------------------

async function apiRun(world, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const auth = { Authorization: `Bearer ${world.token}` };
  const createBody = Buffer.from(JSON.stringify({ answers: CREATE_ANSWERS }));
  const saveBody = Buffer.from(JSON.stringify({ answers: SAVE_CHANGES }));
  const createHeaders = { ...auth, 'Content-Type': 'application/json', 'Content-Length': String(createBody.length) };
  const saveHeaders = { ...auth, 'Content-Type': 'application/json', 'Content-Length': String(saveBody.length) };
  const createPath = `${API}/calls/${world.call.id}/cases`;

  const latencies = [];
  const errors = new Map();
  const note = (what) => errors.set(what, (errors.get(what) ?? 0) + 1);
  const start = nowMs();
  const deadline = start + seconds * 1000;

  async function loop() {
    while (nowMs() < deadline) {
      const t0 = nowMs();
      try {
        const created = await request(url, { agent, method: 'POST', path: createPath, headers: createHeaders, body: createBody });
        if (created.status !== 201) {
          note(`POST → ${created.status} ${created.body.toString('utf8', 0, 200)}`);
          continue;
        }
        const saved = await request(url, {
          agent,
          method: 'PATCH',
          path: created.headers.location,
          headers: { ...saveHeaders, 'If-Match': created.headers.etag },
          body: saveBody,
        });
        if (saved.status !== 200) {
          note(`PATCH → ${saved.status} ${saved.body.toString('utf8', 0, 200)}`);
          continue;
        }
        const t1 = nowMs();
        if (t1 <= deadline) latencies.push(t1 - t0);
      } catch (e) {
        note(e.message);
        await sleep(10);
      }
    }
  }
  await Promise.all(Array.from({ length: opts.connections }, loop));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rate: latencies.length / seconds,
    pairs: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

// One pair by hand, its answers compared with what pgbench writes: the same rows.
async function checkOnePair(world) {
  const auth = { Authorization: `Bearer ${world.token}` };
  const created = await request(url, {
    method: 'POST',
    path: `${API}/calls/${world.call.id}/cases`,
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ answers: CREATE_ANSWERS }),
  });
  assert.equal(created.status, 201, created.body.toString());
  assert.match(created.headers.etag ?? '', /^"\d+"$/, 'the creation has an ETag');
  assert.match(created.headers.location ?? '', new RegExp(`^${API}/cases/[0-9a-f-]{36}$`));
  const saved = await request(url, {
    method: 'PATCH',
    path: created.headers.location,
    headers: { ...auth, 'Content-Type': 'application/json', 'If-Match': created.headers.etag },
    body: JSON.stringify({ answers: SAVE_CHANGES }),
  });
  assert.equal(saved.status, 200, saved.body.toString());
  const kase = JSON.parse(saved.body);
  assert.deepEqual(kase.answers, SAVED_ANSWERS, 'the saved answers are what pgbench writes');
  assert.equal(kase.version, 2);
}

// --- the pgbench side -----------------------------------------------------------------------

function pgbenchRun(world, seconds, name) {
  const kase = world.cases[0];
  const args = [
    '-n', // no vacuum of pgbench's own tables (there are none)
    '-M', 'extended', // parameters sent apart, as libpqxx's exec_params does
    '-c', String(opts.connections),
    '-j', '2',
    '-T', String(seconds),
    '-f', SCRIPT,
    '-D', `call_id=${world.call.id}`,
    '-D', `organisation_id=${kase.organisation_id}`,
    '-D', `user_id=${kase.created_by}`,
    '-D', `create_answers=${JSON.stringify(CREATE_ANSWERS)}`,
    '-D', `save_answers=${JSON.stringify(SAVED_ANSWERS)}`,
    '-D', 'no_items=[]',
    '-h', '127.0.0.1', '-p', PG_PORT, '-U', 'casecall_owner', 'casecall',
  ];
  return new Promise((resolve) => {
    const child = spawn(PGBENCH, args, { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.stderr.on('data', (c) => (text += c));
    child.on('error', (e) => failMeasurement(`cannot run ${PGBENCH}: ${e.message}`));
    child.on('close', (code) => {
      const report = path.join(out, `pgbench-${name}.txt`);
      writeFileSync(report, `${PGBENCH} ${args.map((a) => (/[\s"{}[\]]/.test(a) ? `'${a}'` : a)).join(' ')}\n\n${text}`);
      log(`--- pgbench, ${name}\n${text.trimEnd()}`);
      const tps = text.match(/^tps = ([\d.]+)/m);
      const failed = text.match(/^number of failed transactions: (\d+)/m);
      const latency = text.match(/^latency average = ([\d.]+) ms/m);
      if (code !== 0 || !tps) failMeasurement(`pgbench failed (exit ${code}; see ${report})`);
      if (failed && Number(failed[1]) > 0) failMeasurement(`pgbench had ${failed[1]} failed transactions (see ${report})`);
      resolve({ rate: Number(tps[1]), latency: latency ? Number(latency[1]) : NaN });
    });
  });
}

// --- the run --------------------------------------------------------------------------------

async function main() {
  if (!PG_PORT) failMeasurement('CASECALL_TEST_PG_PORT is not set: run this through bench/run-drafts.sh');
  const world = await makeWorld(url, {
    videoRule: { max_count: 1, max_file_bytes: 500 * MiB, max_total_bytes: 500 * MiB },
    cases: 1,
  });
  await checkOnePair(world);
  log(`call ${world.call.id}, organisation ${world.cases[0].organisation_id}; warming up ${WARMUP_SECONDS} s each`);
  const warmApi = await apiRun(world, WARMUP_SECONDS);
  if (warmApi.errors.size) failMeasurement(`the API answered errors while warming up: ${JSON.stringify([...warmApi.errors])}`);
  await pgbenchRun(world, WARMUP_SECONDS, 'warmup');

  const apiRates = [];
  const pgRates = [];
  const apiRuns = [];
  for (let round = 1; round <= opts.rounds; round += 1) {
    const api = await apiRun(world, opts.seconds);
    log(`--- intake API, round ${round}: ${api.pairs} pairs in ${opts.seconds} s = ${api.rate.toFixed(1)}/s, ` +
        `pair latency p50 ${api.p50.toFixed(1)} ms, p99 ${api.p99.toFixed(1)} ms`);
    if (api.errors.size) {
      for (const [what, n] of api.errors) log(`  ${n} × ${what}`);
      failMeasurement(`the API answered errors in round ${round}`);
    }
    apiRates.push(api.rate);
    apiRuns.push(api);
    const pg = await pgbenchRun(world, opts.seconds, `round-${round}`);
    pgRates.push(pg.rate);
  }

  const apiRate = median(apiRates);
  const pgRate = median(pgRates);
  const percent = (100 * apiRate) / pgRate;
  const p50 = median(apiRuns.map((r) => r.p50));
  const p99 = median(apiRuns.map((r) => r.p99));
  const list = (rates) => rates.map((r) => int(r)).join(' ');
  console.log('');
  console.log(`Draft create + save, ${opts.connections} connections, ${opts.rounds} alternating runs of ${opts.seconds} s`);
  console.log(`  intake API (POST + PATCH)       ${int(apiRate).padStart(7)} pairs/s (median of: ${list(apiRates)}); ` +
              `pair latency p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
  console.log(`  pgbench (INSERT + UPDATE)       ${int(pgRate).padStart(7)} pairs/s (median of: ${list(pgRates)}); ` +
              `-c ${opts.connections} -j 2 -M extended`);
  console.log(`  API/pgbench                     ${percent.toFixed(1)}% (target >= ${opts.target}%)`);
  console.log(`  (pgbench reports and logs: ${out})`);
  if (percent < opts.target) {
    console.log('BELOW TARGET');
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => failMeasurement(e.stack ?? String(e)),
);
