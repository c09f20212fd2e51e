// The counts a partner sees in the browser (web/shared/count.mjs, Intl.Segmenter) are the
// counts the server enforces (libs/text, ICU), line by line over a corpus in the call's
// languages and a few others, with numbers, emoji, URLs and punctuation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { countCharacters, countWords } from '../../web/shared/count.mjs';

const CORPUS = fileURLToPath(new URL('../fixtures/text-count-corpus.txt', import.meta.url));

test('the browser and the server count every corpus line alike', () => {
  const binDir = process.env.CASECALL_TEST_BIN_DIR;
  assert.ok(binDir, 'CASECALL_TEST_BIN_DIR must be set (./casecall test sets it)');
  const text = readFileSync(CORPUS, 'utf8');
  const lines = text.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
  const run = spawnSync(path.join(binDir, 'casecall-text-count'), { input: lines.join('\n') + '\n', encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const server = run.stdout.trim().split('\n');
  assert.equal(server.length, lines.length);
  const differ = [];
  lines.forEach((line, i) => {
    const browser = `${countWords(line)} ${countCharacters(line)}`;
    if (browser !== server[i]) differ.push(`line ${i + 1}: browser ${browser}, server ${server[i]}: ${line}`);
  });
  assert.deepEqual(differ, []);
  // And the counts are the documented ones, not merely equal.
  assert.equal(countWords('电商扶贫让农民增收。'), 9);
  assert.equal(countWords("L'agriculture durable aide les éleveurs d'Afrique."), 6);
});
