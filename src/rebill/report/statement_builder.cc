#include "rebill/report/statement_builder.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include "rebill/core/currency.h"
#include "rebill/model/aws_services.h"

namespace rebill::report {
namespace {

std::string Describe(const PricedLine& line) {
  if (line.kind == StatementLineKind::kFee) return line.service;  // the fee's name
  std::string name = ServiceDisplayName(line.service);
  switch (line.category) {
    case ChargeCategory::kCredit:
      return "AWS credits — " + name;
    case ChargeCategory::kRefund:
      return "AWS refunds — " + name;
    case ChargeCategory::kMarketplace:
      return name + " (AWS Marketplace)";
    case ChargeCategory::kSupport:
      return name + " (support)";
    case ChargeCategory::kCommitment:
      return name + " (commitment)";
    case ChargeCategory::kDiscount:
      return name + " (discount)";
    default:
      return name;
  }
}

// A statement line being assembled, with the distinct rules that priced it in first-seen order.
struct Group {
  StatementLine line;
  std::vector<std::string> rules;
};

std::string JoinRules(const std::vector<std::string>& rules) {
  std::string out;
  for (const std::string& rule : rules) {
    if (!out.empty()) out += "; ";
    out += rule;
  }
  return out;
}

constexpr Timestamp kSecondsPerDay = 86400;

int DayOfMonth(Timestamp t, Timestamp period_start) {
  return static_cast<int>((t - period_start) / kSecondsPerDay) + 1;
}

}  // namespace

Status CheckStatement(const Statement& s) {
  Decimal sum;
  for (const StatementLine& line : s.lines) sum += line.amount;
  if (sum != s.total) {
    return Internal("invariant 'statements add up' failed for customer '" + s.customer +
                    "': total " + s.total.ToString() + " but the lines sum to " + sum.ToString());
  }
  const Decimal parts = s.subtotal + s.fees - s.credits + s.tax + s.adjustments;
  if (parts != s.total) {
    return Internal("invariant 'statements add up' failed for customer '" + s.customer +
                    "': subtotal + fees - credits + tax + adjustments = " + parts.ToString() +
                    " but the total is " + s.total.ToString());
  }
  return Status::Ok();
}

Result<StatementSet> BuildStatements(const PricedLines& priced, const StatementSettings& settings,
                                     RunContext& ctx) {
  StatementSet set;
  set.period = ctx.period;
  set.reseller = settings.reseller;

  std::unordered_map<Interned, size_t> index;  // hashes a line's customer by its number
  for (const CustomerInfo& c : settings.customers) {
    if (!index.emplace(c.id, set.statements.size()).second) {
      // A second statement for the same id would silently receive none of its lines.
      return InvalidInput("customer '" + c.id +
                          "' is configured twice; customer ids must be unique");
    }
    Statement s;
    s.customer = c.id;
    s.customer_name = c.name;
    s.period = ctx.period;
    s.currency = c.currency;
    s.status = StatementStatus::kDraft;
    s.policy_note = settings.policy_note;
    s.issuer = settings.issuer;
    s.bill_to = c.bill_to;
    s.branding = settings.branding;
    s.language = c.language;
    s.lines_by = c.lines_by;
    if (auto fx = settings.fx.find(c.id); fx != settings.fx.end()) s.fx = fx->second;
    set.statements.push_back(std::move(s));
  }

  // Group each customer's lines by (kind, service, category): the category stays in the key so
  // that credits, refunds, discounts and commitment fees of one service read as separate lines.
  // The map's order is the statement's order: charges by service, then fees, credits, tax.
  // Statements by account put the usage account first in the key, so lines read account by
  // account, each by service.
  using Key = std::tuple<StatementLineKind, Interned, Interned, ChargeCategory>;
  std::vector<std::map<Key, Group>> grouped(set.statements.size());
  std::vector<std::map<int, Decimal>> daily(set.statements.size());
  std::vector<const FxRate*> fx(set.statements.size(), nullptr);
  for (size_t i = 0; i < set.statements.size(); ++i) {
    if (set.statements[i].fx) fx[i] = &*set.statements[i].fx;
  }
  const Timestamp period_start = ctx.period.start(), period_end = ctx.period.end();
  for (const PricedLine& line : priced.lines) {
    auto it = index.find(line.customer);
    if (it == index.end()) {
      return InvalidInput("priced lines for customer '" + line.customer +
                          "', who is not configured; add a [[customer]] with this id");
    }
    StatementLineKind kind = line.kind;
    const bool by_account =
        settings.customers[it->second].lines_by == "account" && kind != StatementLineKind::kFee;
    Interned account = by_account ? line.usage_account : Interned();
    auto [entry, inserted] =
        grouped[it->second].try_emplace(Key{kind, account, line.service, line.category});
    Group& group = entry->second;
    StatementLine& out = group.line;
    if (inserted) {
      out.kind = kind;
      out.service = line.service;
      out.account = account;
      out.description = Describe(line);
    }
    if (kind == StatementLineKind::kCharge && line.usage_start >= period_start &&
        line.usage_start < period_end) {
      daily[it->second][DayOfMonth(line.usage_start, period_start)] += line.amount;
    }
    // A line can name several rules ("free allowance; markup"): keep each distinct one once.
    std::string_view rules = line.rule;
    while (!rules.empty()) {
      size_t end = rules.find("; ");
      std::string_view rule = rules.substr(0, end);
      rules = end == std::string_view::npos ? std::string_view() : rules.substr(end + 2);
      if (!rule.empty() &&
          std::find(group.rules.begin(), group.rules.end(), rule) == group.rules.end()) {
        group.rules.emplace_back(rule);
      }
    }
    // List cost and cost basis are in the CUR's currency; the statement shows the customer's.
    Decimal list = line.list_cost;
    Decimal benefit = line.category == ChargeCategory::kUsage && kind == StatementLineKind::kCharge
                          ? line.list_cost - line.cost_basis
                          : Decimal();
    if (const FxRate* rate = fx[it->second]) {
      REBILL_ASSIGN_OR_RETURN(list, Decimal::Mul(list, rate->rate));
      REBILL_ASSIGN_OR_RETURN(benefit, Decimal::Mul(benefit, rate->rate));
    }
    out.list_amount += list;
    out.commitment_benefit += benefit;
    out.precise += line.amount;
  }

  std::map<std::string, const TaxTreatment*> taxes;
  for (const TaxTreatment& t : priced.taxes) taxes[t.customer] = &t;
  for (size_t i = 0; i < set.statements.size(); ++i) {
    Statement& s = set.statements[i];
    const CustomerInfo& info = settings.customers[i];
    Result<Currency> parsed = Currency::Parse(s.currency);
    if (!parsed.ok()) return parsed.status().WithContext("customer '" + s.customer + "'");
    const Currency currency = *parsed;
    Decimal precise_sum;
    for (auto& [key, group] : grouped[i]) {
      StatementLine& line = group.line;
      line.rule = JoinRules(group.rules);
      line.amount = line.precise.Round(currency.minor_units(), info.rounding);
      precise_sum += line.precise;
      switch (line.kind) {
        case StatementLineKind::kCharge:
          s.subtotal += line.amount;
          break;
        case StatementLineKind::kFee:
          s.fees += line.amount;
          break;
        case StatementLineKind::kCredit:
          s.credits -= line.amount;
          break;
        case StatementLineKind::kTax:
          s.tax += line.amount;
          break;
        case StatementLineKind::kAdjustment:
          s.adjustments += line.amount;
          break;
      }
      s.total += line.amount;
      s.lines.push_back(std::move(line));
    }
    // Customer credits, soonest-expiring first, reduce what is due after fees; never below zero.
    std::vector<const CreditBalance*> balances;
    for (const CreditBalance& c : priced.credits) {
      if (c.customer == s.customer) balances.push_back(&c);
    }
    std::stable_sort(
        balances.begin(), balances.end(),
        [](const CreditBalance* a, const CreditBalance* b) { return a->expires < b->expires; });
    for (const CreditBalance* c : balances) {
      Decimal due = s.subtotal + s.fees - s.credits;
      Decimal available = c->available.Round(currency.minor_units(), RoundingMode::kDown);
      Decimal used = std::max(Decimal(), std::min(available, due));
      s.customer_credits.push_back({c->name, used, c->available - used, c->expires});
      if (used.IsZero()) continue;
      StatementLine line;
      line.kind = StatementLineKind::kCredit;
      line.service = "Credit: " + c->name;
      line.description = c->name + " (remaining " +
                         (c->available - used).ToString(currency.minor_units()) +
                         ", usable until " + c->expires.ToString() + ")";
      line.precise = -used;
      line.amount = -used;
      line.rule = "customer credit, after fees, before tax";
      s.credits += used;
      s.total -= used;
      s.lines.push_back(std::move(line));
    }
    // Tax on the rounded lines: subtotal + fees - credits, rounded half-up once.
    if (auto tax = taxes.find(s.customer); tax != taxes.end()) {
      const TaxTreatment& t = *tax->second;
      StatementLine line;
      line.kind = StatementLineKind::kTax;
      line.service = t.category.empty() ? "Tax" : t.category;
      Decimal base = s.subtotal + s.fees - s.credits;
      if (!t.exempt_reason.empty()) {
        line.description = "Exempt: " + t.exempt_reason;
        line.rule = "tax exempt";
      } else {
        REBILL_ASSIGN_OR_RETURN(line.precise, Decimal::MulDiv(base, t.rate, Decimal::FromInt(100),
                                                              RoundingMode::kHalfEven));
        line.description = line.service + " " + t.rate.ToString() + "%" +
                           (t.location.empty() ? "" : " (" + t.location + ")") + " on " +
                           base.ToString(currency.minor_units());
        line.rule = "tax " + t.rate.ToString() + "% of subtotal + fees - credits";
      }
      line.amount = line.precise.Round(currency.minor_units(), RoundingMode::kHalfUp);
      precise_sum += line.precise;
      s.tax += line.amount;
      s.total += line.amount;
      s.lines.push_back(std::move(line));
    }
    s.rounding_residue = precise_sum - s.total;
    for (const auto& [day, amount] : daily[i]) {
      s.daily.push_back({day, amount.Round(currency.minor_units(), info.rounding)});
    }
    REBILL_RETURN_IF_ERROR(CheckStatement(s));
  }
  return set;
}

}  // namespace rebill::report
