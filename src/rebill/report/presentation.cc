#include "rebill/report/presentation.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "rebill/core/currency.h"
#include "rebill/model/aws_services.h"

namespace rebill::report {
namespace {

constexpr Timestamp kSecondsPerDay = 86400;

int MinorUnits(const std::string& currency) {
  Result<Currency> c = Currency::Parse(currency);
  return c.ok() ? c->minor_units() : 2;
}

// Bar lengths in thousandths of the largest, truncated, at least 1 for a positive amount.
void Scale(std::vector<ChartBar>& bars, const std::vector<Decimal>& amounts) {
  Decimal largest;
  for (const Decimal& a : amounts) largest = std::max(largest, a);
  for (size_t i = 0; i < bars.size(); ++i) {
    if (amounts[i].Sign() <= 0 || largest.Sign() <= 0) continue;
    Decimal scaled =
        Decimal::MulDiv(amounts[i], Decimal::FromInt(1000), largest, RoundingMode::kDown).value();
    bars[i].permille =
        std::max(1, static_cast<int>(std::stoi(scaled.Round(0, RoundingMode::kDown).ToString())));
  }
}

std::string ServiceLabel(const StatementLine& line) {
  // AWS charges and credits name a product code; fees, customer credits and tax their own name.
  if (line.kind == StatementLineKind::kCharge ||
      (line.kind == StatementLineKind::kCredit && line.service.rfind("Credit: ", 0) != 0)) {
    return ServiceDisplayName(line.service);
  }
  return line.service;
}

}  // namespace

std::vector<std::string> LineColumns(const Presentation& p) {
  const Locale& l = *p.locale;
  std::vector<std::string> columns;
  if (p.by_account) columns.push_back(l.Label("account"));
  columns.push_back(l.Label("service"));
  columns.push_back(l.Label("description"));
  columns.push_back(l.Label("list_price"));
  columns.push_back(l.Label("discount"));
  columns.push_back(l.Label("amount"));
  return columns;
}

Presentation Present(const Statement& s) {
  Presentation p;
  const Locale& l = LocaleFor(s.language);
  p.locale = &l;
  const int digits = MinorUnits(s.currency);
  auto money = [&](const Decimal& amount) { return l.Money(amount, s.currency); };

  p.final = s.status == StatementStatus::kFinal;
  p.title = l.Label(p.final ? "invoice" : "statement");
  if (s.status == StatementStatus::kDraft) p.watermark = l.Label("watermark_draft");
  if (s.status == StatementStatus::kVoid) p.watermark = l.Label("watermark_void");
  if (!s.invoice_number.empty()) p.meta.emplace_back(l.Label("invoice_number"), s.invoice_number);
  const int days = static_cast<int>((s.period.end() - s.period.start()) / kSecondsPerDay);
  p.meta.emplace_back(l.Label("billing_period"), l.Period(s.period));
  p.meta.emplace_back("", l.Date(s.period, 1) + " – " + l.Date(s.period, days));
  p.meta.emplace_back(l.Label("currency"), s.currency);
  p.status = l.Label("status_" + std::string(StatementStatusName(s.status)));
  p.meta.emplace_back(l.Label("status"), p.status);
  p.meta.emplace_back(l.Label("customer_id"), s.customer);

  p.issuer_lines.push_back(s.issuer.name);
  for (const std::string& line : s.issuer.address) p.issuer_lines.push_back(line);
  if (!s.issuer.tax_id.empty()) {
    p.issuer_lines.push_back(l.Label("tax_id") + " " + s.issuer.tax_id);
  }
  p.bill_to_label = l.Label("bill_to");
  p.bill_to_lines.push_back(s.bill_to.name.empty() ? s.customer_name : s.bill_to.name);
  for (const std::string& line : s.bill_to.address) p.bill_to_lines.push_back(line);
  if (!s.bill_to.tax_id.empty()) {
    p.bill_to_lines.push_back(l.Label("tax_id") + " " + s.bill_to.tax_id);
  }

  // Lines in the statement's order, a section heading where the kind changes. Kinds are
  // labelled kind_<name> in the locale; a kind without a label shows its name.
  p.by_account = s.lines_by == "account";
  Decimal list_total;
  Decimal benefit_total;
  std::string_view previous_kind;
  for (const StatementLine& line : s.lines) {
    PresentedLine out;
    std::string_view kind = StatementLineKindName(line.kind);
    if (kind != previous_kind) {
      // A kind no locale names yet is headed by its own name, capitalized.
      std::string name(kind);
      if (!name.empty()) name[0] = static_cast<char>(std::toupper(name[0]));
      out.section = l.LabelOr("kind_" + std::string(kind), name);
    }
    previous_kind = kind;
    out.service = ServiceLabel(line);
    out.account = line.account;
    out.description = line.description;
    out.rule = line.reason.empty() ? line.rule : line.rule + " — " + line.reason;
    out.amount = money(line.amount);
    if (line.kind == StatementLineKind::kCharge) {
      Decimal list = line.list_amount.Round(digits, RoundingMode::kHalfUp);
      list_total += list;
      benefit_total += line.commitment_benefit.Round(digits, RoundingMode::kHalfUp);
      out.list_price = money(list);
      out.discount = money(line.amount - list);
    }
    p.lines.push_back(std::move(out));
  }
  p.no_lines = l.Label("no_charges");

  p.totals.push_back({l.Label("usage_at_list"), money(list_total), false});
  // Subtotal = usage at list - commitment benefit + the price book's markups and discounts.
  p.totals.push_back({l.Label("commitment_benefit"), money(-benefit_total), false});
  p.totals.push_back(
      {l.Label("price_book"), money(s.subtotal - list_total + benefit_total), false});
  p.totals.push_back({l.Label("subtotal"), money(s.subtotal), false});
  p.totals.push_back({l.Label("fees"), money(s.fees), false});
  p.totals.push_back({l.Label("credits"), money(-s.credits), false});
  p.totals.push_back({l.Label("tax"), money(s.tax), false});
  bool corrected = std::any_of(s.lines.begin(), s.lines.end(), [](const StatementLine& line) {
    return line.kind == StatementLineKind::kAdjustment;
  });
  if (corrected) p.totals.push_back({l.Label("corrections"), money(s.adjustments), false});
  p.totals.push_back({l.Label("total") + " " + s.currency, money(s.total), true});
  if (s.account) {
    p.totals.push_back(
        {l.Label("balance_brought_forward"), money(s.account->balance_brought_forward), false});
    p.totals.push_back({l.Label("payments_received"), money(-s.account->payments_received), false});
    p.totals.push_back(
        {l.Label("amount_due") + " " + s.currency, money(s.account->amount_due), true});
  }

  // Spend by service: a service's charge lines summed (usage, commitment fees and discounts are
  // one bar), largest first.
  p.by_service_title = l.Label("spend_by_service");
  std::map<std::string, Decimal> by_service;
  for (const StatementLine& line : s.lines) {
    if (line.kind == StatementLineKind::kCharge) by_service[line.service] += line.amount;
  }
  std::vector<std::pair<std::string, Decimal>> services;
  for (const auto& [service, amount] : by_service) {
    if (amount.Sign() > 0) services.emplace_back(service, amount);
  }
  std::stable_sort(services.begin(), services.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<Decimal> amounts;
  for (const auto& [service, amount] : services) {
    p.by_service.push_back({ServiceDisplayName(service), money(amount), 0});
    amounts.push_back(amount);
  }
  Scale(p.by_service, amounts);

  p.by_day_title = l.Label("spend_by_day");
  amounts.clear();
  if (!s.daily.empty()) {
    for (int day = 1; day <= days; ++day) {
      Decimal amount;
      for (const DailyAmount& d : s.daily) {
        if (d.day == day) amount = d.amount;
      }
      p.by_day.push_back({std::to_string(day), money(amount), 0});
      amounts.push_back(amount);
    }
    Scale(p.by_day, amounts);
  }

  if (!s.policy_note.empty()) p.notes.emplace_back(l.Label("commitment_policy"), s.policy_note);
  if (s.fx) {
    p.notes.emplace_back("", l.Label("fx_note", {{"from", s.fx->from},
                                                 {"rate", l.Number(s.fx->rate, 0)},
                                                 {"to", s.fx->to},
                                                 {"source", s.fx->source}}));
  }
  if (!s.issued.empty()) {
    p.notes.emplace_back(
        "", s.due_date.empty()
                ? l.Label("issued_note", {{"issued", s.issued}})
                : l.Label("issued_due_note", {{"issued", s.issued}, {"due", s.due_date}}));
  }
  p.notes.emplace_back("", l.Label("rounding_note"));
  return p;
}

}  // namespace rebill::report
