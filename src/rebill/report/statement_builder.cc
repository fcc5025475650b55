#include "rebill/report/statement_builder.h"

#include <map>
#include <tuple>
#include <unordered_map>

#include "rebill/core/currency.h"
#include "rebill/report/service_names_internal.h"

namespace rebill::report {
namespace {

StatementLineKind KindOf(ChargeCategory category) {
  switch (category) {
    case ChargeCategory::kCredit:
    case ChargeCategory::kRefund:
      return StatementLineKind::kCredit;
    default:
      return StatementLineKind::kCharge;
  }
}

std::string Describe(const PricedLine& line) {
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

}  // namespace

Status CheckStatement(const Statement& s) {
  Decimal sum;
  for (const StatementLine& line : s.lines) sum += line.amount;
  if (sum != s.total) {
    return Internal("invariant 'statements add up' failed for customer '" + s.customer +
                    "': total " + s.total.ToString() + " but the lines sum to " + sum.ToString());
  }
  if (s.subtotal + s.fees - s.credits + s.tax != s.total) {
    return Internal("invariant 'statements add up' failed for customer '" + s.customer +
                    "': subtotal + fees - credits + tax = " +
                    (s.subtotal + s.fees - s.credits + s.tax).ToString() + " but the total is " +
                    s.total.ToString());
  }
  return Status::Ok();
}

Result<StatementSet> BuildStatements(const PricedLines& priced, const StatementSettings& settings,
                                     RunContext& ctx) {
  StatementSet set;
  set.period = ctx.period;
  set.reseller = settings.reseller;

  std::unordered_map<std::string, size_t> index;
  for (const CustomerInfo& c : settings.customers) {
    Statement s;
    s.customer = c.id;
    s.customer_name = c.name;
    s.period = ctx.period;
    s.currency = c.currency;
    s.status = StatementStatus::kDraft;
    s.policy_note = settings.policy_note;
    index[c.id] = set.statements.size();
    set.statements.push_back(std::move(s));
  }

  // Group each customer's lines by (kind, category, service), in a stable order.
  using Key = std::tuple<StatementLineKind, std::string, ChargeCategory>;
  std::vector<std::map<Key, StatementLine>> grouped(set.statements.size());
  for (const PricedLine& line : priced.lines) {
    auto it = index.find(line.customer);
    if (it == index.end()) {
      return InvalidInput("priced lines for customer '" + line.customer +
                          "', who is not configured; add a [[customer]] with this id");
    }
    StatementLineKind kind = KindOf(line.category);
    StatementLine& out = grouped[it->second][{kind, line.service, line.category}];
    if (out.service.empty() && out.description.empty()) {
      out.kind = kind;
      out.service = line.service;
      out.description = Describe(line);
      out.rule = line.rule;
    } else if (out.rule != line.rule && out.rule.find(line.rule) == std::string::npos) {
      out.rule += "; " + line.rule;
    }
    out.list_amount += line.list_cost;
    out.precise += line.amount;
  }

  for (size_t i = 0; i < set.statements.size(); ++i) {
    Statement& s = set.statements[i];
    const CustomerInfo& info = settings.customers[i];
    REBILL_ASSIGN_OR_RETURN(Currency currency, Currency::Parse(s.currency));
    Decimal precise_sum;
    for (auto& [key, line] : grouped[i]) {
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
      }
      s.total += line.amount;
      s.lines.push_back(std::move(line));
    }
    s.rounding_residue = precise_sum - s.total;
    REBILL_RETURN_IF_ERROR(CheckStatement(s));
  }
  return set;
}

}  // namespace rebill::report
