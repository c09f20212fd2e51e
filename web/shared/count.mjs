// Word and character counts as the server counts them (libs/text/count.hpp), for the
// browser: Intl.Segmenter runs the same Unicode segmentation rules (UAX #29) as ICU.
//   countWords: word-like segments; each Han, Hiragana or Katakana character is one word.
//   countCharacters: user-perceived characters (grapheme clusters), spaces included.
// tests/e2e/text_count.test.mjs checks that both sides agree on a corpus.
const words = new Intl.Segmenter('und', { granularity: 'word' });
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });
const perCharacter = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

export function countWords(text) {
  let n = 0;
  // "@" separates words, whatever the ICU version behind Intl.Segmenter says.
  for (const { segment, isWordLike } of words.segment(text.replaceAll('@', ' '))) {
    if (!isWordLike) continue;
    let characters = 0;
    let other = false;
    for (const ch of segment) {
      if (perCharacter.test(ch)) characters += 1;
      else other = true;
    }
    n += characters + (other ? 1 : 0);
  }
  return n;
}

export function countCharacters(text) {
  let n = 0;
  for (const _ of graphemes.segment(text)) n += 1;
  return n;
}
