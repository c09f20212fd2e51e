// A second intake process beside the stack's: the same environment (CASECALL_E2E_INTAKE_ENV:
// same database, same upload folder) on a port of its own, so that a test may kill it -9 and
// start it again without touching the stack the other tests use.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { binDir, intakeEnv } from './env.mjs';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

// A port nobody listens on now (the kernel's pick for a listener we close at once).
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// The intake, started on `port` (a free one when not given); resolves once GET /healthz on
// its own port answers 200. Its output goes to a log file, quoted when it fails to start.
export async function startIntake({ port } = {}) {
  port ??= await freePort();
  const env = { ...process.env, ...intakeEnv(), CASECALL_HTTP_PORT: String(port) };
  const log = path.join(process.env.CASECALL_TEST_SCRATCH || tmpdir(), `second-intake-${process.pid}-${port}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(path.join(binDir(), 'casecall-intake'), [], { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // Should the test file end without stopping it, the process must not outlive the run.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  exited.then(() => process.removeListener('exit', reap));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  let gone = null;
  exited.then((how) => {
    gone = how;
  });
  for (;;) {
    if (gone) throw new Error(`the second intake exited while starting (${JSON.stringify(gone)}); its log ${log}:\n${tail(log)}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the second intake did not answer GET ${url}/healthz with 200 within ${START_TIMEOUT_MS} ms; its log ${log}:\n${tail(log)}`);
    }
    await delay(50); // the pause between polls, not a synchronisation
  }

  return {
    port,
    url,
    pid: child.pid,
    log,
    exited,
    // kill -9, resolved once the process is gone.
    async kill9() {
      if (!gone) process.kill(child.pid, 'SIGKILL');
      return exited;
    },
    // A polite stop (SIGTERM), then SIGKILL if it does not leave in time.
    async stop() {
      if (gone) return gone;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const how = await exited;
      clearTimeout(timer);
      return how;
    },
  };
}
