#include "rebill/core/currency.h"
#include "rebill/core/escape.h"
#include "rebill/report/render.h"

namespace rebill::report {
namespace {}  // namespace

std::string RenderCsv(const StatementSet& set) {
  std::string out =
      "period,customer,customer_name,currency,status,invoice_number,kind,service,description,"
      "list_amount,amount,rule,account\n";
  for (const Statement& s : set.statements) {
    Result<Currency> currency = Currency::Parse(s.currency);
    const int digits = currency.ok() ? currency->minor_units() : 2;
    for (const StatementLine& l : s.lines) {
      out += CsvField(s.period.ToString()) + "," + CsvField(s.customer) + "," +
             CsvField(s.customer_name) + "," + CsvField(s.currency) + "," +
             std::string(StatementStatusName(s.status)) + "," + CsvField(s.invoice_number) + "," +
             std::string(StatementLineKindName(l.kind)) + "," + CsvField(l.service) + "," +
             CsvField(l.description) + "," +
             l.list_amount.Round(digits, RoundingMode::kHalfUp).ToString(digits) + "," +
             l.amount.ToString(digits) + "," + CsvField(l.rule) + "," + CsvField(l.account) + "\n";
    }
  }
  return out;
}

}  // namespace rebill::report
