// The public collection's pure parts: what a published case says (the submitted original with
// the organisers' edits and translations, its sections, its credit), how the organisers'
// edits differ from the original, and the search terms that Postgres alone cannot make:
// Chinese and Japanese have no spaces, so their texts are indexed and queried by overlapping
// character bigrams (a query of two or more characters is the phrase of its bigrams) and single
// characters (a one-character query). No I/O.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace casecall::publish::collection {

// The prose sections of a call's form, in the form's order: every long-text field with its
// heading in each language the form gives it, [{"field": …, "heading": {"en": …, …}}, …]. The
// heading is the form section's title where the field is that section's only long text ("Results"),
// else the field's own label ("Abstract in English").
nlohmann::json form_sections(const nlohmann::json& form);

// A call's vocabularies by kind and id, with their labels by language, from its `themes` and
// `regions` ([{"id", "labels"}, …]): {"theme": {id: labels, …}, "region": {…}}.
nlohmann::json call_vocabulary(const nlohmann::json& call);

// An edition's prose sections: those of its call's form, kept on the edition when it was made
// (`sections`); for an edition without them, the Global Solicitation's own (summary, background,
// approach, results, lessons, innovation, sustainability, replicability) with built-in headings.
nlohmann::json edition_sections(const nlohmann::json& edition);

// Whether an organiser may edit or translate this field of the edition's cases: the title and
// the prose sections.
bool editable_field(const nlohmann::json& edition, const std::string& field);

// A text by language from {lang: text}: the one in `lang`, else English, else any; a plain
// string is itself; anything else is empty.
std::string in_language(const nlohmann::json& texts, const std::string& lang);

// Whether a file's first bytes (12 are enough) are those of a photo of `type`: image/jpeg,
// image/png or image/webp; false for any other type.
bool begins_as(std::string_view head, std::string_view type);

// A text's paragraphs: its lines joined, split where a line is blank.
std::vector<std::string> paragraphs(const std::string& text);

// The start of a text for a list: the whole text when it has at most `characters` code
// points, else cut at the last space within them (at a character, for text without spaces such
// as Chinese, or when the last space comes early) and followed by " …". Never cuts a
// character in two.
std::string excerpt(std::string_view text, std::size_t characters);

// A case's answers as published: the original's, with each curated field in place of the
// original's (a curated null restores the original).
nlohmann::json curated_answers(const nlohmann::json& original_answers, const nlohmann::json& curated);

// A published version's record: everything the site, the API, the feeds and OAI-PMH show.
//   edition: {slug, title, sections (optional: edition_sections())}; reference; number; published_at (RFC 3339); note (a correction's);
//   entry: the working copy (original content, organisation, curated, translations, photos,
//   public_files, rank).
// The authors' credit (the organisation, then the co-authors) is always part of it.
nlohmann::json public_record(const nlohmann::json& edition, const std::string& reference, int number,
                             const std::string& published_at, const std::string& note, const nlohmann::json& entry);

// The region of an ISO 3166-1 alpha-2 country, as the call's vocabulary names them:
// asia_pacific, africa, latin_america, arab_states, europe_central_asia; none when unknown.
std::optional<std::string> region_of(std::string_view country);

// A word-level difference of two texts: [{"op": "=" | "-" | "+", "text": ...}, ...], in order;
// Chinese and Japanese characters count as words.
nlohmann::json text_diff(std::string_view before, std::string_view after);

// Overlapping bigrams of every run of Han, Hiragana or Katakana characters, in text order,
// joined by spaces (a run of one character gives that character). Empty without such runs.
std::string cjk_bigrams(std::string_view text);
// Every Han, Hiragana or Katakana character of the text, once each, joined by spaces.
std::string cjk_characters(std::string_view text);
// The words of two characters or more that ICU's dictionary finds in each run, each as it is
// kept in a tsvector: marked with a leading "~" (which no text search parser puts in a
// lexeme), so that a word and the bigram with the same characters stay apart.
std::vector<std::string> cjk_words(std::string_view text);
// All three as a tsvector literal (for `::tsvector`, which involves no parser or locale): the
// bigrams at positions in text order (a gap between runs, so no phrase spans two runs), the
// marked ICU words at the position of their first character, the single characters without
// positions. Empty without CJK runs.
std::string cjk_tsvector(std::string_view text);

// How a query is searched. `words` is the query without its CJK runs (for the language
// configurations); `cjk` a tsquery literal (for `::tsquery`) over the bigrams (runs joined by
// &, each run the phrase of its bigrams with <->) or, for a single character, that character;
// empty when none. The bigrams decide what is found: every case holding the query's
// characters in that order, whatever the dictionary thinks of the words around them.
// `cjk_ranking` (a tsquery literal, empty when none) holds the query's ICU words, joined by |:
// a case where they stand as words ranks above one where the characters only meet.
struct query_plan {
  std::string words;
  std::string cjk;
  std::string cjk_ranking;
};
query_plan plan_query(std::string_view q);

}  // namespace casecall::publish::collection
