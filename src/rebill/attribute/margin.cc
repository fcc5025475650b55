#include <algorithm>
#include <array>
#include <map>
#include <string_view>
#include <unordered_map>

#include "rebill/attribute/attribute.h"

namespace rebill::attribute {
namespace {

struct Sums {
  Decimal revenue;
  Decimal cost;
  Decimal basis;
};
// Sums per key, hashed: every allocated line adds to four of them. Rows() puts them in order.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
};
class Totals {
 public:
  Sums& operator[](std::string_view key) {
    // Neighbouring lines mostly share their customer, service and account.
    if (last_ != nullptr && last_->first == key) return last_->second;
    auto it = sums_.find(key);
    if (it == sums_.end()) it = sums_.emplace(std::string(key), Sums()).first;
    last_ = &*it;
    return it->second;
  }
  /// The sums of `customer`/`service`, without building the key for a line that has one.
  Sums& Pair(std::string_view customer, std::string_view service) {
    pair_.assign(customer).append("/").append(service);
    return (*this)[pair_];
  }
  void try_emplace(std::string_view key) { (*this)[key]; }

  std::vector<MarginRow> Rows() const {
    std::vector<MarginRow> rows;
    rows.reserve(sums_.size());
    for (const auto& [key, s] : sums_) {
      rows.push_back({key, s.revenue, s.cost, s.revenue - s.cost, s.basis});
    }
    std::sort(rows.begin(), rows.end(),
              [](const MarginRow& a, const MarginRow& b) { return a.key < b.key; });
    return rows;
  }

 private:
  std::unordered_map<std::string, Sums, KeyHash, std::equal_to<>> sums_;
  std::pair<const std::string, Sums>* last_ = nullptr;  // nodes stay put as the map grows
  std::string pair_;
};

// What one allocated line adds to: the sums of its customer, service, account and
// customer/service, and its customer's waterfall, found once for each combination of the three
// rather than by five look-ups on every line. Map nodes stay put, so the pointers stay valid.
class LineTargets {
 public:
  struct Targets {
    Sums* customer;
    Sums* service;
    Sums* account;
    Sums* customer_service;
    Waterfall* waterfall;
  };
  LineTargets(Totals& by_customer, Totals& by_service, Totals& by_account,
              Totals& by_customer_service, std::map<std::string, Waterfall>& waterfalls)
      : by_customer_(by_customer),
        by_service_(by_service),
        by_account_(by_account),
        by_customer_service_(by_customer_service),
        waterfalls_(waterfalls) {}

  const Targets& For(Interned customer, Interned service, Interned account) {
    // Interned texts are equal when their numbers are: the three numbers are the key.
    Key key{customer.identity(), service.identity(), account.identity()};
    // Neighbouring lines mostly share all three.
    if (last_ != nullptr && last_->first == key) return last_->second;
    auto it = targets_.find(key);
    if (it == targets_.end()) {
      Targets t{&by_customer_[customer], &by_service_[service], &by_account_[account],
                &by_customer_service_.Pair(customer, service), &waterfalls_[customer.str()]};
      it = targets_.emplace(key, t).first;
    }
    last_ = &*it;
    return it->second;
  }

 private:
  Totals& by_customer_;
  Totals& by_service_;
  Totals& by_account_;
  Totals& by_customer_service_;
  std::map<std::string, Waterfall>& waterfalls_;
  using Key = std::array<uint32_t, 3>;
  struct PointersHash {
    size_t operator()(const Key& key) const {
      size_t h = 0;
      for (uint32_t id : key) h = h * 0x9E3779B97F4A7C15ull + id;
      return h;
    }
  };
  std::unordered_map<Key, Targets, PointersHash> targets_;
  std::pair<const Key, Targets>* last_ = nullptr;
};

Status CheckIdentity(const std::vector<MarginRow>& rows, const char* grouping) {
  for (const MarginRow& r : rows) {
    if (r.revenue - r.cost != r.margin) {
      return Internal(std::string("invariant 'margin identity' failed for ") + grouping + " '" +
                      r.key + "'");
    }
  }
  return Status::Ok();
}

// Where the gap between a customer line's list price and its cost basis comes from.
WaterfallStep ListStep(const AllocatedLine& a) {
  switch (a.category) {
    case ChargeCategory::kCredit:
    case ChargeCategory::kRefund:
      return WaterfallStep::kAwsCreditsPassed;
    case ChargeCategory::kDiscount:
      return WaterfallStep::kChannelDiscountsPassed;
    case ChargeCategory::kCommitment:
      return WaterfallStep::kCommitmentBenefitPassed;
    case ChargeCategory::kUsage:
      return a.commitment_arn.empty() ? WaterfallStep::kChargesOffList
                                      : WaterfallStep::kCommitmentBenefitPassed;
    default:
      return WaterfallStep::kChargesOffList;
  }
}

// What kind of benefit the reseller kept of what a customer's usage earned.
WaterfallStep KeptStep(const AllocatedLine& a) {
  switch (a.category) {
    case ChargeCategory::kCredit:
    case ChargeCategory::kRefund:
      return WaterfallStep::kCreditsKept;
    case ChargeCategory::kDiscount:
      return WaterfallStep::kChannelDiscountsKept;
    default:
      return WaterfallStep::kCommitmentBenefitKept;
  }
}

Decimal LegSum(const Waterfall& w, WaterfallLeg leg) {
  Decimal sum;
  for (int s = 0; s < kWaterfallStepCount; ++s) {
    if (LegOf(static_cast<WaterfallStep>(s)) == leg) sum += w.steps[static_cast<size_t>(s)];
  }
  return sum;
}

void AddWaterfall(Waterfall& into, const Waterfall& w) {
  into.list_price += w.list_price;
  into.cost_basis += w.cost_basis;
  into.customer_price += w.customer_price;
  into.reseller_cost += w.reseller_cost;
  into.margin += w.margin;
  into.net_margin += w.net_margin;
  for (size_t s = 0; s < into.steps.size(); ++s) into.steps[s] += w.steps[s];
}

void AddRows(std::vector<MarginRow>& into, const std::vector<MarginRow>& rows) {
  std::map<std::string, MarginRow> merged;
  for (MarginRow& r : into) merged[r.key] = r;
  for (const MarginRow& r : rows) {
    MarginRow& m = merged[r.key];
    m.key = r.key;
    m.revenue += r.revenue;
    m.cost += r.cost;
    m.margin += r.margin;
    m.cost_basis += r.cost_basis;
  }
  into.clear();
  for (auto& [key, r] : merged) into.push_back(r);
}

}  // namespace

Status CheckWaterfall(const Waterfall& w) {
  auto fail = [&](const std::string& what, Decimal from, Decimal steps, Decimal to) {
    return Internal("invariant 'waterfall adds up' failed for '" + w.key + "': " + what + " " +
                    from.ToString() + " + steps " + steps.ToString() + " != " + to.ToString());
  };
  if (Decimal s = LegSum(w, WaterfallLeg::kListToBasis); w.list_price + s != w.cost_basis) {
    return fail("list price", w.list_price, s, w.cost_basis);
  }
  if (Decimal s = LegSum(w, WaterfallLeg::kBasisToPrice); w.cost_basis + s != w.customer_price) {
    return fail("cost basis to customer price:", w.cost_basis, s, w.customer_price);
  }
  if (Decimal s = LegSum(w, WaterfallLeg::kBasisToCost); w.cost_basis + s != w.reseller_cost) {
    return fail("cost basis to reseller cost:", w.cost_basis, s, w.reseller_cost);
  }
  if (w.customer_price - w.reseller_cost != w.margin) {
    return fail("margin: customer price - reseller cost", w.customer_price, -w.reseller_cost,
                w.margin);
  }
  if (Decimal s = LegSum(w, WaterfallLeg::kBelowTheLine); w.margin + s != w.net_margin) {
    return fail("net margin:", w.margin, s, w.net_margin);
  }
  return Status::Ok();
}

Result<MarginReport> AttributeMargin(const AllocatedLines& allocated, const AllocatedLines& at_cost,
                                     const PricedLines& priced, const StatementSet& statements,
                                     RunContext& ctx) {
  MarginReport report;
  report.period = ctx.period;
  report.through = ctx.period;
  report.cost_view = at_cost.cost_view;
  report.basis_cost_view = allocated.cost_view;
  // Margin is in the currency of the cost: a customer billed in another currency has its revenue
  // converted back at the rate it was billed with.
  std::map<std::string, const FxRate*> rates;
  for (const Statement& s : statements.statements) {
    const std::string currency = s.fx ? s.fx->from : s.currency;
    if (report.currency.empty()) {
      report.currency = currency;
    } else if (report.currency != currency) {
      report.currency = "mixed";
    }
    if (s.fx) rates[s.customer] = &*s.fx;
  }
  auto in_cost_currency = [&](const std::string& customer, Decimal amount) -> Result<Decimal> {
    auto it = rates.find(customer);
    if (it == rates.end()) return amount;
    return Decimal::Div(amount, it->second->rate);
  };

  Totals by_customer, by_service, by_account, by_customer_service;
  std::map<std::string, Waterfall> waterfalls;
  // Revenue is what customers are billed, the rounded statement amounts, without tax: the tax
  // the reseller collects is owed to the tax authority.
  for (const Statement& s : statements.statements) {
    Waterfall& w = waterfalls[s.customer];
    Decimal rounding, customer_credits;
    for (const StatementLine& l : s.lines) {
      if (l.kind == StatementLineKind::kTax) continue;
      REBILL_ASSIGN_OR_RETURN(Decimal amount, in_cost_currency(s.customer, l.amount));
      by_customer[s.customer].revenue += amount;
      by_service[l.service].revenue += amount;
      by_customer_service.Pair(s.customer, l.service).revenue += amount;
      w.customer_price += amount;
      rounding += l.amount - l.precise;
    }
    for (const CreditUsage& c : s.customer_credits) customer_credits += c.used;
    REBILL_ASSIGN_OR_RETURN(w[WaterfallStep::kRounding], in_cost_currency(s.customer, rounding));
    REBILL_ASSIGN_OR_RETURN(Decimal credits, in_cost_currency(s.customer, customer_credits));
    w[WaterfallStep::kCustomerCredits] = -credits;
    by_customer.try_emplace(s.customer);
  }
  // By account there is no statement line to take: precise priced amounts, which differ from
  // the statement by the rounding residue.
  std::map<std::string, Decimal> priced_by_customer;
  std::map<std::string, Decimal> fees_by_customer;
  for (const PricedLine& p : priced.lines) {
    if (p.kind == StatementLineKind::kFee) {
      fees_by_customer[p.customer] += p.amount;
      continue;  // fees belong to no account
    }
    REBILL_ASSIGN_OR_RETURN(Decimal amount, in_cost_currency(p.customer, p.amount));
    by_account[p.usage_account].revenue += amount;
    priced_by_customer[p.customer] += p.amount;
  }
  // List price to cost basis: what the allocation passed on, line by line.
  LineTargets targets(by_customer, by_service, by_account, by_customer_service, waterfalls);
  for (const AllocatedLine& a : allocated.lines) {
    if (a.bucket != Bucket::kCustomer) continue;
    const LineTargets::Targets& t = targets.For(a.customer, a.service, a.usage_account);
    t.customer->basis += a.cost_basis;
    t.service->basis += a.cost_basis;
    t.account->basis += a.cost_basis;
    t.customer_service->basis += a.cost_basis;
    Waterfall& w = *t.waterfall;
    w.list_price += a.list_cost;
    w.cost_basis += a.cost_basis;
    w[ListStep(a)] += a.cost_basis - a.list_cost;
  }
  // True cost: the customer's cost basis in the margin's cost view, plus what the reseller kept
  // of what the customer's usage earned (negative: kept benefit lowers the reseller's cost).
  Waterfall absorbed;
  for (const AllocatedLine& a : at_cost.lines) {
    const Interned* customer = nullptr;
    WaterfallStep step = WaterfallStep::kCostView;
    if (a.bucket == Bucket::kCustomer) {
      customer = &a.customer;
    } else if (a.bucket == Bucket::kResellerRetained && !a.earned_by.empty()) {
      customer = &a.earned_by;
      step = KeptStep(a);
    } else {
      if (a.bucket == Bucket::kResellerRetained && a.category == ChargeCategory::kSupport) {
        absorbed[WaterfallStep::kSupportAbsorbed] -= a.cost_basis;
      } else if (a.bucket == Bucket::kResellerRetained &&
                 a.category == ChargeCategory::kCommitment) {
        absorbed[WaterfallStep::kCommitmentFeesAbsorbed] -= a.cost_basis;
      }
      continue;
    }
    const LineTargets::Targets& t = targets.For(*customer, a.service, a.usage_account);
    (*t.waterfall)[step] += a.cost_basis;
    t.customer->cost += a.cost_basis;
    t.service->cost += a.cost_basis;
    t.account->cost += a.cost_basis;
    t.customer_service->cost += a.cost_basis;
  }

  report.by_customer = by_customer.Rows();
  report.by_service = by_service.Rows();
  report.by_account = by_account.Rows();
  report.by_customer_service = by_customer_service.Rows();
  report.total.key = "total";
  for (const MarginRow& r : report.by_customer) {
    report.total.revenue += r.revenue;
    report.total.cost += r.cost;
    report.total.cost_basis += r.cost_basis;
  }
  report.total.margin = report.total.revenue - report.total.cost;

  REBILL_RETURN_IF_ERROR(CheckIdentity(report.by_customer, "customer"));
  REBILL_RETURN_IF_ERROR(CheckIdentity(report.by_service, "service"));
  REBILL_RETURN_IF_ERROR(CheckIdentity(report.by_account, "account"));
  REBILL_RETURN_IF_ERROR(CheckIdentity(report.by_customer_service, "customer/service"));
  Decimal margins;
  for (const MarginRow& r : report.by_customer) margins += r.margin;
  if (margins != report.total.margin) {
    return Internal("invariant 'margin identity' failed: customers' margins sum to " +
                    margins.ToString() + ", the total margin is " + report.total.margin.ToString());
  }

  // Cost basis to customer price and to reseller cost; every leg is checked below.
  report.total_waterfall.key = "total";
  for (const MarginRow& row : report.by_customer) {
    Waterfall& w = waterfalls[row.key];
    w.key = row.key;
    // The price book's effect: what the customer's cost basis was priced at, less that basis.
    REBILL_ASSIGN_OR_RETURN(Decimal price, in_cost_currency(row.key, priced_by_customer[row.key]));
    w[WaterfallStep::kPriceBook] = price - w.cost_basis;
    REBILL_ASSIGN_OR_RETURN(w[WaterfallStep::kFees],
                            in_cost_currency(row.key, fees_by_customer[row.key]));
    // What converting each statement line back at the billed rate leaves over; nothing for a
    // customer billed in the cost currency, where the other steps must account for every cent.
    w[WaterfallStep::kFx] = w.customer_price - w.cost_basis - w[WaterfallStep::kPriceBook] -
                            w[WaterfallStep::kFees] - w[WaterfallStep::kCustomerCredits] -
                            w[WaterfallStep::kRounding];
    if (!rates.contains(row.key) && !w[WaterfallStep::kFx].IsZero()) {
      return Internal("invariant 'waterfall adds up' failed for '" + row.key +
                      "': its statement differs from its priced lines by " +
                      w[WaterfallStep::kFx].ToString());
    }
    // kCostView holds the cost basis in the margin's view so far.
    w[WaterfallStep::kCostView] -= w.cost_basis;
    w.reseller_cost = row.cost;
    w.margin = row.margin;
    w.net_margin = row.margin;
    REBILL_RETURN_IF_ERROR(CheckWaterfall(w));
    AddWaterfall(report.total_waterfall, w);
    report.waterfalls.push_back(w);
  }
  for (size_t s = 0; s < absorbed.steps.size(); ++s) {
    report.total_waterfall.steps[s] += absorbed.steps[s];
    report.total_waterfall.net_margin += absorbed.steps[s];
  }
  REBILL_RETURN_IF_ERROR(CheckWaterfall(report.total_waterfall));
  return report;
}

Result<MarginReport> CombineMargins(const std::vector<MarginReport>& reports) {
  if (reports.empty()) return InvalidInput("no margin reports to combine");
  MarginReport out;
  out.period = reports.front().period;
  out.through = reports.front().through;
  out.currency = reports.front().currency;
  out.cost_view = reports.front().cost_view;
  out.basis_cost_view = reports.front().basis_cost_view;
  out.total.key = "total";
  out.total_waterfall.key = "total";
  std::map<std::string, Waterfall> waterfalls;
  for (const MarginReport& r : reports) {
    if (r.currency != out.currency || r.cost_view != out.cost_view ||
        r.basis_cost_view != out.basis_cost_view) {
      return InvalidInput("cannot combine the margin of " + r.period.ToString() + " (" +
                          r.currency + ", " + std::string(CostViewName(r.cost_view)) +
                          ") with that of " + out.period.ToString() + " (" + out.currency + ", " +
                          std::string(CostViewName(out.cost_view)) +
                          "); re-run the periods with the same [margin] and [policy] cost_view");
    }
    out.period = std::min(out.period, r.period);
    out.through = std::max(out.through, r.through);
    AddRows(out.by_customer, r.by_customer);
    AddRows(out.by_service, r.by_service);
    AddRows(out.by_account, r.by_account);
    AddRows(out.by_customer_service, r.by_customer_service);
    out.total.revenue += r.total.revenue;
    out.total.cost += r.total.cost;
    out.total.margin += r.total.margin;
    out.total.cost_basis += r.total.cost_basis;
    for (const Waterfall& w : r.waterfalls) {
      Waterfall& into = waterfalls[w.key];
      into.key = w.key;
      AddWaterfall(into, w);
    }
    AddWaterfall(out.total_waterfall, r.total_waterfall);
    out.alerts.insert(out.alerts.end(), r.alerts.begin(), r.alerts.end());
  }
  for (auto& [key, w] : waterfalls) {
    REBILL_RETURN_IF_ERROR(CheckWaterfall(w));
    out.waterfalls.push_back(w);
  }
  REBILL_RETURN_IF_ERROR(CheckWaterfall(out.total_waterfall));
  REBILL_RETURN_IF_ERROR(CheckIdentity(out.by_customer, "customer"));
  return out;
}

std::vector<Alert> RaiseAlerts(const MarginReport& margin, const Reconciliation& reconciliation,
                               const NormalizedMonth& month, const AlertSettings& settings) {
  std::vector<Alert> alerts;
  const std::string period = margin.period.ToString();
  const std::string& currency = margin.currency;
  for (const MarginRow& r : margin.by_customer) {
    if (r.margin.Sign() < 0) {
      alerts.push_back({AlertKind::kNegativeMargin, period, r.key, r.margin,
                        "customer '" + r.key + "' has a negative margin of " +
                            r.margin.ToString(2) + " " + currency + " (revenue " +
                            r.revenue.ToString(2) + ", cost " + r.cost.ToString(2) + ")"});
      continue;
    }
    if (!settings.margin_below_percent || r.revenue.Sign() <= 0) continue;
    // margin / revenue < threshold / 100, without dividing.
    Result<Decimal> scaled = Decimal::Mul(r.margin, Decimal::FromInt(100));
    Result<Decimal> bar = Decimal::Mul(r.revenue, *settings.margin_below_percent);
    if (scaled.ok() && bar.ok() && *scaled < *bar) {
      alerts.push_back({AlertKind::kLowMargin, period, r.key, r.margin,
                        "customer '" + r.key + "' has a margin of " + MarginPercentText(r) +
                            "%, below the " + settings.margin_below_percent->ToString() +
                            "% of [margin] alert_below_percent"});
    }
  }
  for (const PayerReconciliation& p : reconciliation.payers) {
    if (!p.unassigned.IsZero()) {
      alerts.push_back({AlertKind::kUnassignedSpend, period, p.payer, p.unassigned,
                        "payer " + p.payer + " has " + p.unassigned.ToString(2) + " " +
                            reconciliation.currency +
                            " of spend no customer carries (rebill accounts check)"});
    }
    if (!p.difference.IsZero()) {
      alerts.push_back({AlertKind::kUnbalancedReconciliation, period, p.payer, p.difference,
                        "payer " + p.payer + " does not reconcile: " + p.difference.ToString(2) +
                            " " + reconciliation.currency +
                            " of its CUR total is not accounted for"});
    }
  }
  std::map<std::string, std::pair<Decimal, size_t>> quarantined;
  for (const CurLine& line : month.lines) {
    if (line.type != LineItemType::kUnknown) continue;
    auto& [cost, rows] = quarantined[line.type_text];
    cost += line.cost.Get(reconciliation.cost_view);
    ++rows;
  }
  for (const auto& [type, entry] : quarantined) {
    alerts.push_back({AlertKind::kQuarantinedLineItems, period, type, entry.first,
                      std::to_string(entry.second) + " line(s) of unknown line item type '" + type +
                          "' (" + entry.first.ToString(2) + " " + reconciliation.currency +
                          ") are quarantined; they block closing the period"});
  }
  return alerts;
}

}  // namespace rebill::attribute
