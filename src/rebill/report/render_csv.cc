#include "rebill/core/currency.h"
#include "rebill/report/render.h"

namespace rebill::report {
namespace {

std::string Field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::string RenderCsv(const StatementSet& set) {
  std::string out =
      "period,customer,customer_name,currency,status,invoice_number,kind,service,description,"
      "list_amount,amount,rule,account\n";
  for (const Statement& s : set.statements) {
    Result<Currency> currency = Currency::Parse(s.currency);
    const int digits = currency.ok() ? currency->minor_units() : 2;
    for (const StatementLine& l : s.lines) {
      out += Field(s.period.ToString()) + "," + Field(s.customer) + "," + Field(s.customer_name) +
             "," + Field(s.currency) + "," + std::string(StatementStatusName(s.status)) + "," +
             Field(s.invoice_number) + "," + std::string(StatementLineKindName(l.kind)) + "," +
             Field(l.service) + "," + Field(l.description) + "," +
             l.list_amount.Round(digits, RoundingMode::kHalfUp).ToString(digits) + "," +
             l.amount.ToString(digits) + "," + Field(l.rule) + "," + Field(l.account) + "\n";
    }
  }
  return out;
}

}  // namespace rebill::report
