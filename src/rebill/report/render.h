// Statement renderers: JSON (the machine contract of DESIGN.md §6, amounts as decimal strings),
// CSV (one row per statement line) and self-contained HTML (one file, no network). JSON is also
// the stored form: ParseStatementsJson reads back exactly what RenderJson wrote.
#pragma once

#include <string>

#include "rebill/core/result.h"
#include "rebill/model/statement.h"

namespace rebill::report {

std::string RenderJson(const StatementSet& set);
std::string RenderCsv(const StatementSet& set);
std::string RenderHtml(const Statement& statement, const std::string& reseller);
Result<StatementSet> ParseStatementsJson(const std::string& json);

}  // namespace rebill::report
