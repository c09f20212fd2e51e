// A round's results as files for the administrators: a CSV of the ranking and an Excel
// workbook of the ranking, the judges and the method. Pure apart from one temporary file (see
// results_xlsx): no database, no network.
//
// `results` is the round's results document:
//   {"round_id", "method": {"name", "shrinkage", "disagreement_threshold"}, "reviews",
//    "panel_mean", "panel_sd", "alpha", "criteria": [{"id", "alpha"}, ...],
//    "ranking": [{"rank", "case_id", "reference", "title", "reviews", "raw_mean", "calibrated",
//                 "spread", "flagged", "decision", "reason"}, ...],
//    "judges": [{"user_id", "name", "reviews", "mean", "sd", "agreement"}, ...]}
// A field that is null or absent gives an empty cell; an absent or null list gives no rows.
// Both functions throw std::invalid_argument when `results` is not an object, when "ranking",
// "judges" or "criteria" is neither null nor an array, when an entry of them is not an object,
// or when a cell's value is an array or an object.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace casecall::review::domain {

// The ranking as CSV (RFC 4180), for spreadsheets:
// - UTF-8, starting with a byte order mark (EF BB BF): without it Excel reads the file in the
//   machine's legacy code page and garbles non-Latin titles (Chinese, Arabic, Cyrillic, ...);
// - every record, the last included, ends with CRLF;
// - a header row `rank,reference,case_id,title,reviews,raw_mean,calibrated,spread,flagged,
//   decision,reason`, then one row per ranking entry, in the order given;
// - null or absent → empty field; true/false → "true"/"false"; an integer → its decimal digits;
//   any other number → printed fixed-point with exactly 6 decimals (rounded to nearest, in the
//   C locale), then trailing zeros and a trailing '.' dropped, and "-0" written "0"
//   (7.2 → "7.2", 7.93333333 → "7.933333", 3.0 → "3", -0.0000001 → "0"); a non-finite number
//   (NaN, ±infinity) → empty field;
// - formula injection: a text field (any string value: title, reference, reason, decision,
//   case_id) that begins with '=', '+', '-', '@', a tab or a CR gets a leading apostrophe ('),
//   so that a spreadsheet shows it as text instead of evaluating it ("=HYPERLINK(...)" →
//   "'=HYPERLINK(...)"). The apostrophe is part of the field's value in the file;
// - a field containing a comma, a double quote, a CR or a LF is enclosed in double quotes, its
//   double quotes doubled.
std::string results_csv(const nlohmann::json& results);

// The bytes of an .xlsx workbook (written by libxlsxwriter) with three worksheets:
// - "Ranking": the CSV's columns; numbers as numbers (raw_mean, calibrated, spread shown with
//   2 decimals, the stored value unrounded), flagged as a boolean, texts as string cells;
// - "Judges": user_id, name, reviews, mean, sd (2 decimals shown), agreement (3 decimals shown);
// - "Method": key/value rows under a "key","value" header: round_id, method (method.name),
//   shrinkage, disagreement_threshold, reviews, panel_mean, panel_sd, alpha, then one row
//   "alpha: <criterion id>" per criterion, in the order given.
// Each sheet has a bold header row, frozen, and fixed column widths. Every text is written as a
// string cell, never as a formula, so no apostrophe is added here (it would show). Null, absent
// or non-finite values leave the cell empty.
// libxlsxwriter 1.1.4 cannot write to memory, so the workbook is written to a temporary file
// made by mkstemp in $TMPDIR (or /tmp when unset or empty), read back and unlinked, also when
// writing fails; libxlsxwriter's own scratch files go to the same directory.
// Throws std::runtime_error with lxw_strerror's text when libxlsxwriter fails (a text longer
// than Excel's 32,767 characters, more rows than a sheet holds, a full disk, ...) and when the
// temporary file cannot be made or read.
std::string results_xlsx(const nlohmann::json& results);

}  // namespace casecall::review::domain
