// The mails the SMTP sink of the stack under test received (./casecall test runs it and
// sets CASECALL_E2E_MAIL_DIR to where it keeps them).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, watch } from 'node:fs';
import path from 'node:path';

function mailDir() {
  const dir = process.env.CASECALL_E2E_MAIL_DIR;
  assert.ok(dir && existsSync(dir), 'CASECALL_E2E_MAIL_DIR must name the SMTP sink\'s folder (./casecall test sets it)');
  return dir;
}

// The first mail in the sink's folder addressed to `address`, waiting for it to arrive.
export function mailTo(address, timeoutMs = 30_000) {
  const dir = mailDir();
  const find = () => {
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()) {
      const text = readFileSync(path.join(dir, name), 'utf8');
      if (text.includes(`X-Envelope-To: ${address}`)) return text;
    }
    return null;
  };
  return new Promise((resolve, reject) => {
    const watcher = watch(dir);
    const finish = (fn, value) => {
      clearTimeout(timer);
      watcher.close();
      fn(value);
    };
    const timer = setTimeout(() => finish(reject, new Error(`no mail to ${address} in ${dir} within ${timeoutMs} ms`)), timeoutMs);
    watcher.on('change', () => {
      const found = find();
      if (found) finish(resolve, found);
    });
    const already = find();
    if (already) finish(resolve, already);
  });
}

