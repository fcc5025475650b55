// Statement renderers: JSON (the machine contract of DESIGN.md §6, amounts as decimal strings),
// CSV (one row per statement line), self-contained HTML (one file, no network) and PDF (cairo +
// pango, fonts embedded). JSON is also the stored form: ParseStatementsJson reads back exactly
// what RenderJson wrote. HTML and PDF show the same Presentation (presentation.h) in the
// customer's language.
#pragma once

#include <string>

#include "rebill/core/result.h"
#include "rebill/model/statement.h"

namespace rebill::report {

/// What rendering needs beyond the statement: the bytes of the logo PNG it names, read by the
/// caller (renderers do no I/O). Empty: no logo.
struct RenderAssets {
  std::string logo_png;
};

std::string RenderJson(const StatementSet& set);
std::string RenderCsv(const StatementSet& set);
std::string RenderHtml(const Statement& statement, const RenderAssets& assets = RenderAssets());
/// A PDF document of one statement, A4 or Letter as its branding says. The same statement
/// renders to the same bytes: the creation date is the first day after the period.
Result<std::string> RenderPdf(const Statement& statement,
                              const RenderAssets& assets = RenderAssets());
Result<StatementSet> ParseStatementsJson(const std::string& json);

}  // namespace rebill::report
