// Small pieces the load scripts share: one HTTP request with node:http, the intake process's
// resident memory, percentiles and formatting.
import { readFileSync } from 'node:fs';
import http from 'node:http';

// One request on `agent` (keep-alive as the agent says). Resolves { status, headers, body }
// with the body as a Buffer; rejects on a network error or after `timeoutMs`.
export function request(url, { agent, method = 'GET', path, headers = {}, body, timeoutMs = 30_000 }) {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, method, path, agent, headers });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${method} ${path} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

// VmRSS of a process, in bytes (/proc/<pid>/status); null once the process is gone.
export function rssBytes(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const m = text.match(/^VmRSS:\s+(\d+)\s+kB$/m);
  return m ? Number(m[1]) * 1024 : null;
}

export function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Samples a process's RSS every `everyMs` until stop(); stop() gives { samples, max, last }.
export function rssSampler(pid, everyMs = 100) {
  const samples = [];
  const take = () => {
    const v = rssBytes(pid);
    if (v !== null) samples.push(v);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    max: () => Math.max(...samples),
    stop() {
      clearInterval(timer);
      take();
      return { samples, max: Math.max(...samples), last: samples[samples.length - 1] };
    },
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// Nearest-rank percentile of an ascending array.
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export const mib = (bytes) => (bytes / (1024 * 1024)).toFixed(1);
export const int = (x) => Math.round(x).toLocaleString('en-US');

// Parses --name value / --name=value options against `defaults` (numbers only).
export function numberOptions(argv, defaults, usage) {
  const opts = { ...defaults };
  for (let i = 0; i < argv.length; i += 1) {
    let [name, value] = argv[i].split(/=(.*)/s);
    if (value === undefined) value = argv[(i += 1)];
    const key = name.replace(/^--/, '').replace(/-/g, '_');
    if (!name.startsWith('--') || !(key in defaults) || value === undefined || !/^\d+(\.\d+)?$/.test(value)) {
      process.stderr.write(`bad argument ${argv[i]}\n${usage}\n`);
      process.exit(2);
    }
    opts[key] = Number(value);
  }
  return opts;
}
