// The environment the runner (./casecall test) gives the end-to-end tests.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const SERVICES = ['intake', 'review', 'publish'];

const EXAMPLE = [
  'CASECALL_TEST_BIN_DIR=/path/to/build/debug/bin',
  'CASECALL_E2E_SERVICES="intake=http://127.0.0.1:18081 review=http://127.0.0.1:18082 publish=http://127.0.0.1:18083"',
  'CASECALL_E2E_FRONT_DOOR=http://127.0.0.1:18080',
  'CASECALL_E2E_INTAKE_ENV=/path/to/intake.env',
].join(' ');

function fail(message) {
  throw new Error(
    `${message}\nThe end-to-end tests need a running stack; ./casecall test --e2e sets this up. ` +
      `By hand: ${EXAMPLE} node --test --test-concurrency=1 ./*.test.mjs`,
  );
}

function baseUrl(name, value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    fail(`${name}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:') fail(`${name}: "${value}" is not an http:// URL`);
  return url.origin;
}

export function binDir() {
  const dir = process.env.CASECALL_TEST_BIN_DIR;
  if (!dir) fail('CASECALL_TEST_BIN_DIR is not set (the folder of the casecall-<service> binaries).');
  for (const svc of SERVICES) {
    const bin = path.join(dir, `casecall-${svc}`);
    if (!existsSync(bin)) fail(`CASECALL_TEST_BIN_DIR=${dir}: ${bin} does not exist (is the build done?).`);
  }
  return dir;
}

// { intake: 'http://127.0.0.1:18081', review: ..., publish: ... }
export function serviceUrls() {
  const raw = process.env.CASECALL_E2E_SERVICES;
  if (!raw) fail('CASECALL_E2E_SERVICES is not set (each service\'s own base URL: "intake=URL review=URL publish=URL").');
  const urls = {};
  for (const item of raw.trim().split(/\s+/)) {
    const eq = item.indexOf('=');
    if (eq <= 0) fail(`CASECALL_E2E_SERVICES: "${item}" is not service=URL.`);
    const name = item.slice(0, eq);
    if (!SERVICES.includes(name)) fail(`CASECALL_E2E_SERVICES: unknown service "${name}" (expected ${SERVICES.join(', ')}).`);
    urls[name] = baseUrl(`CASECALL_E2E_SERVICES (${name})`, item.slice(eq + 1));
  }
  const missing = SERVICES.filter((s) => !urls[s]);
  if (missing.length) fail(`CASECALL_E2E_SERVICES has no URL for ${missing.join(', ')}.`);
  return urls;
}

export function frontDoorUrl() {
  const raw = process.env.CASECALL_E2E_FRONT_DOOR;
  if (!raw) fail('CASECALL_E2E_FRONT_DOOR is not set (the front door\'s base URL).');
  return baseUrl('CASECALL_E2E_FRONT_DOOR', raw);
}

// The file of `NAME=value` lines the stack's intake runs with (CASECALL_E2E_INTAKE_ENV), so
// that a test can start a second intake on the same database and upload folder.
export function intakeEnvFile() {
  const file = process.env.CASECALL_E2E_INTAKE_ENV;
  if (!file) fail('CASECALL_E2E_INTAKE_ENV is not set (a file of NAME=value lines: the environment the stack\'s intake runs with).');
  if (!existsSync(file)) fail(`CASECALL_E2E_INTAKE_ENV=${file}: the file does not exist.`);
  return file;
}

// Its variables as an object. Values are taken literally (no quotes, no expansion), as the
// runner writes them; blank lines and # comments are skipped.
export function intakeEnv() {
  const file = intakeEnvFile();
  const vars = {};
  readFileSync(file, 'utf8').split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(line.slice(0, eq))) {
      fail(`CASECALL_E2E_INTAKE_ENV=${file}, line ${i + 1}: "${line}" is not NAME=value.`);
    }
    vars[line.slice(0, eq)] = line.slice(eq + 1);
  });
  if (!vars.CASECALL_HTTP_PORT) fail(`CASECALL_E2E_INTAKE_ENV=${file} has no CASECALL_HTTP_PORT: is it the intake's environment?`);
  return vars;
}

// The database as its owner role (which owns the intake schema), for the few tests that must
// change what no API can, such as an upload's expiry. Needs CASECALL_TEST_PG_PORT and
// PGPASSFILE (./casecall test sets both).
export function ownerDbUrl() {
  const port = process.env.CASECALL_TEST_PG_PORT;
  if (!port) fail('CASECALL_TEST_PG_PORT is not set (the port of the test Postgres).');
  if (!process.env.PGPASSFILE) fail('PGPASSFILE is not set (libpq\'s password file for the test Postgres).');
  return `postgresql://casecall_owner@127.0.0.1:${port}/casecall`;
}
