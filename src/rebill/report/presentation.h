// What a printed statement shows, in the customer's language, computed once for the HTML and
// the PDF renderer so that both say the same: header fields, table rows with their amounts
// formatted, totals, chart bars and notes. Amounts are formatted here; layout is the renderer's.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "rebill/model/statement.h"
#include "rebill/report/locale.h"

namespace rebill::report {

struct PresentedLine {
  std::string section;  // non-empty on the first line of a kind: "Charges", "Fees", ...
  std::string service;  // the readable service name, or the fee / credit / tax name
  std::string account;  // with statements grouped by account
  std::string description;
  std::string rule;
  std::string list_price;  // charges only
  std::string discount;    // charges only: amount - list price
  std::string amount;
};

struct PresentedTotal {
  std::string label;
  std::string amount;
  bool grand = false;  // the total due
};

/// One bar of a chart; `permille` of the largest bar's length (at least 1 for a positive amount).
struct ChartBar {
  std::string label;
  std::string value;
  int permille = 0;
};

struct Presentation {
  const Locale* locale = nullptr;
  std::string title;      // "Statement", or "Invoice" once final
  std::string watermark;  // "DRAFT" / "VOID", empty for final statements
  std::string status;     // "Draft", "Final", "Void"
  bool final = false;
  std::vector<std::pair<std::string, std::string>> meta;  // label, value; in header order
  std::string bill_to_label;
  std::vector<std::string> issuer_lines;   // name first
  std::vector<std::string> bill_to_lines;  // name first
  bool by_account = false;
  std::vector<PresentedLine> lines;
  std::string no_lines;  // text when there are none
  std::vector<PresentedTotal> totals;
  std::string by_service_title;
  std::vector<ChartBar> by_service;  // largest first; services that net to zero or less omitted
  std::string by_day_title;
  std::vector<ChartBar> by_day;  // every day of the month, label = day number
  std::vector<std::pair<std::string, std::string>> notes;  // heading (may be empty), text
};

Presentation Present(const Statement& statement);

/// The column headings of the lines table, matching Presentation::by_account.
std::vector<std::string> LineColumns(const Presentation& p);

}  // namespace rebill::report
