// Server-side rendering of the public site: ctemplate templates under auto-escape, filled from a
// JSON view model that the service builds. Every template starts with
// {{%AUTOESCAPE context="HTML"}}, so each value is escaped for where it stands (text, attribute,
// URL; a URL attribute that starts with a scheme other than http or https becomes "#"). The one
// value emitted unescaped is JSON_LD, which must come from json_ld() below.
//
// Pages are "<name>.tpl" in the template folder, expanded inside "layout.tpl" (included there as
// {{>PAGE_CONTENT}}). Both get the whole view model.
//
// View model → ctemplate dictionary (names are the keys upper-cased; a character other than a
// letter, digit or "_" becomes "_"):
//   string, number     a variable NAME; when not empty it also shows the section NAME once, so a
//                      template can test for an optional value: {{#OG_IMAGE}}…{{OG_IMAGE}}…{{/OG_IMAGE}}
//   true               shows the section NAME
//   false              shows the section NOT_NAME
//   null (or absent)   nothing: no variable, no section
//   object             its members, prefixed with NAME_, in the same dictionary (og.title →
//                      OG_TITLE, case.is_current → CASE_IS_CURRENT / NOT_CASE_IS_CURRENT,
//                      labels.search → LABELS_SEARCH); it also shows the section NAME once
//   array of objects   the section NAME repeated per item; inside it the item's members go by
//                      their own names, unprefixed ({{#CASES}}{{TITLE}}{{/CASES}})
//   array of scalars   the section NAME repeated per item, the item as the variable VALUE
//   non-empty array    also shows the section HAS_NAME once (for a heading or a <ul> around it)
// Sections inherit the variables and sections of the dictionaries around them (ctemplate's rule),
// so {{LABELS_SEARCH}} works at any depth; an item that lacks a member sees the enclosing one of
// that name, so the service gives every item all of its members.
//
// Names set by render_page itself: PAGE_NAME (the page's name, for a CSS hook on <body>), and,
// unless the view has them, HOME_URL "/", EDITIONS_URL "/editions", SEARCH_URL "/search".
// `json_ld` may be the text from json_ld() or a JSON value (serialised with json_ld()); text is
// escaped again (a no-op on json_ld()'s output), so no string in it can end the script element.
//
// Besides the documented view models, the templates read these optional members:
//   home_url, editions_url, search_url   the header's links and the search forms' action
//   search_params [{name, value}]         hidden fields of the search forms: a GET form drops the
//                                         query of its action, so a language kept in the query
//                                         goes here
//   feed_url                              on any page, an Atom <link> in the head
//   case.provenance                       display text (e.g. the translated_by_machine label)
//                                         when the case page is a translation
// Dates (published_at) are ISO 8601, as they fill <time datetime>; a translation's provenance
// and a photo's credit are display text.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace casecall::publish::site {

// Loads every "*.tpl" in `dir` (the service passes its installed template folder) and checks
// that each parses under auto-escape. The first successful call loads them, for the life of the
// process; a later call with the same folder does nothing. Throws std::runtime_error when the
// folder has no layout.tpl, when a template fails to load (ctemplate logs the reason to stderr),
// or when the templates were already loaded from another folder. Safe to call from several threads.
void load_templates(const std::string& dir);
// The same from the templates built into the binary (name with .tpl, text); other files are
// ignored. The service uses this: what was tested is what is served.
void load_templates(const std::vector<std::pair<std::string_view, std::string_view>>& files);

// Renders page `name` ("home", "editions", "edition", "case", "search", "not_found") with the
// view model `view` (a JSON object, mapped as above) inside the layout: a complete HTML document.
// Throws std::runtime_error when the templates are not loaded, when there is no such page or
// when the view is not an object. Safe to call from several threads.
std::string render_page(const std::string& name, const nlohmann::json& view);

// Renders template `name` on its own, without the layout: a whole document of its own (the
// printable casebook). Same mapping and errors as render_page.
std::string render_document(const std::string& name, const nlohmann::json& view);

// `value` as JSON for a <script type="application/ld+json"> block: compact, UTF-8, with "<", ">"
// and "&" (and U+2028, U+2029) written as \u003c, \u003e, \u0026 (\u2028, \u2029), so the text
// can never close the script element or open a comment, and stays the same JSON. Text that is
// not valid UTF-8 has its bad bytes replaced by U+FFFD.
std::string json_ld(const nlohmann::json& value);

}  // namespace casecall::publish::site
