// The environment the runner (./casecall test) gives the end-to-end tests.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const SERVICES = ['intake', 'review', 'publish'];

const EXAMPLE = [
  'CASECALL_TEST_BIN_DIR=/path/to/build/debug/bin',
  'CASECALL_E2E_SERVICES="intake=http://127.0.0.1:18081 review=http://127.0.0.1:18082 publish=http://127.0.0.1:18083"',
  'CASECALL_E2E_FRONT_DOOR=http://127.0.0.1:18080',
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
