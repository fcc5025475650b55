#include "rebill/price/price.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "rebill/core/glob.h"
#include "rebill/core/parallel.h"

namespace rebill::price {
namespace {

constexpr std::string_view kMarketplace = "AWS Marketplace";

bool Matches(const Scope& s, const CurLine& line) {
  auto field = [](const std::string& want, const std::string& have) {
    return want.empty() || want == have;
  };
  if (!field(s.billing_entity, line.billing_entity) || !field(s.service, line.product_code) ||
      !field(s.operation, line.operation) || !field(s.region, line.region) ||
      !field(s.account, line.usage_account)) {
    return false;
  }
  if (!s.usage_type.empty() && !GlobMatch(s.usage_type, line.usage_type)) return false;
  if (!s.tag_key.empty()) {
    bool found = false;
    for (const auto& [k, v] : line.tags) found = found || (k == s.tag_key && v == s.tag_value);
    if (!found) return false;
  }
  return true;
}

// Rules compete by priority, then by how specific their scope is, then by order of definition.
bool Beats(const Rule& a, size_t ia, const Rule& b, size_t ib) {
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.scope.Specificity() != b.scope.Specificity()) {
    return a.scope.Specificity() > b.scope.Specificity();
  }
  return ia < ib;
}

Decimal Percent(Decimal amount, Decimal percent) {
  // percent / 100 is exact for any percentage written with up to 16 decimals, and multiplying
  // by it gives the very same rounded quotient as dividing the product by 100, in a 64-bit
  // division instead of a 256-bit one.
  if (percent.raw() % 100 == 0) {
    return Decimal::Mul(amount, Decimal::FromRaw(percent.raw() / 100)).value();
  }
  return Decimal::MulDiv(amount, percent, Decimal::FromInt(100)).value();
}

std::string Label(const std::string& plan, const Rule& rule) {
  std::string out = plan + "/" + rule.name + ": ";
  switch (rule.type) {
    case RuleType::kMarkup:
      return out + "markup " + rule.percent.ToString() + "%";
    case RuleType::kDiscount:
      return out + "discount " + rule.percent.ToString() + "%";
    case RuleType::kRate:
      return out + "rate " + rule.rate.ToString() + " per unit";
    case RuleType::kTiered:
      return out + "tiered";
    case RuleType::kFree:
      return out + "free allowance " + rule.allowance.ToString();
  }
  return out;
}

class Pricer {
 public:
  Pricer(const NormalizedMonth& month, const AllocatedLines& allocated, const PriceBook& book,
         const RunContext& ctx)
      : month_(month), allocated_(allocated), book_(book), ctx_(ctx) {
    for (const CustomerPricing& c : book_.customers) customers_[c.customer] = &c;
  }

  Result<PricedLines> Run() {
    // Time order, so that tiers and allowances fill up the way the month happened; lines of
    // the same start in their own order.
    // Each customer line k (in the allocated lines' order) is priced into place k, so the
    // priced lines come out in that order whatever order they are priced in.
    std::vector<uint32_t> customer_lines;
    std::vector<Timestamp> starts;
    for (size_t i = 0; i < allocated_.lines.size(); ++i) {
      const AllocatedLine& a = allocated_.lines[i];
      if (a.bucket != Bucket::kCustomer) continue;
      starts.push_back(StartOf(a));
      customer_lines.push_back(static_cast<uint32_t>(i));
    }
    out_.lines = DefaultConstructed<PricedLine>(customer_lines.size());
    for (uint32_t k : TimeOrder(starts)) {
      REBILL_RETURN_IF_ERROR(PriceLine(customer_lines[k], out_.lines[k]));
    }
    REBILL_RETURN_IF_ERROR(AddFees());
    for (const CustomerPricing& c : book_.customers) {
      if (c.tax) out_.taxes.push_back(*c.tax);
      for (const CreditBalance& credit : c.credits) {
        if (!(credit.expires < ctx_.period) && credit.available.Sign() > 0) {
          out_.credits.push_back(credit);
        }
      }
    }
    return std::move(out_);
  }

 private:
  Timestamp StartOf(const AllocatedLine& a) const {
    const CurLine& line = month_.lines[a.line];
    return line.usage_start != 0 ? line.usage_start : line.period.start();
  }

  // A rule's label is the same on every line it prices: made and interned once.
  Interned LabelOf(const Plan& plan, const Rule& rule) {
    auto [it, added] = labels_.try_emplace(&rule);
    if (added) it->second = Label(plan.id, rule);
    return it->second;
  }

  const Plan* PlanAt(const CustomerPricing& c, Timestamp at) {
    for (const PlanAssignment& p : c.plans) {
      if (at >= p.from && at < p.to) {
        // Every line asks: each assignment's plan is looked up by name once.
        auto [known, added] = plan_of_.try_emplace(&p, nullptr);
        if (added) {
          auto it = book_.plans.find(p.plan);
          known->second = it == book_.plans.end() ? nullptr : &it->second;
        }
        return known->second;
      }
    }
    return nullptr;
  }

  // The usage units of this part of the line: a split line carries its share of the usage.
  Decimal UsageOf(const AllocatedLine& a, const CurLine& line) const {
    if (line.usage_amount.IsZero()) return Decimal();
    if (!line.cost.public_on_demand.IsZero() && a.list_cost != line.cost.public_on_demand) {
      return Decimal::MulDiv(line.usage_amount, a.list_cost, line.cost.public_on_demand).value();
    }
    return line.usage_amount;
  }

  // Price allocated line `index` into `p`, a default-constructed line.
  Status PriceLine(size_t index, PricedLine& p) {
    const AllocatedLine& a = allocated_.lines[index];
    auto it = customers_.find(a.customer);
    if (it == customers_.end()) {
      return InvalidInput("customer '" + a.customer +
                          "' has no pricing; set price_plan on the customer in rebill.toml");
    }
    const CustomerPricing& c = *it->second;
    const CurLine& line = month_.lines[a.line];
    p.allocated = static_cast<uint32_t>(index);
    p.customer = a.customer;
    p.usage_account = a.usage_account;
    p.usage_start = line.usage_start;
    p.service = a.service;
    p.category = a.category;
    p.cost_basis = a.cost_basis;
    p.list_cost = a.list_cost;
    p.currency = c.currency;
    if (a.category == ChargeCategory::kCredit || a.category == ChargeCategory::kRefund) {
      // A credit AWS gave is passed on at face value; marking it up would pay out more than AWS
      // credited.
      p.kind = StatementLineKind::kCredit;
      p.amount = a.cost_basis;
      p.rule = face_value_;
      return Convert(c, p);
    }
    const Timestamp at = StartOf(a);
    const Plan* plan = PlanAt(c, at);
    if (plan == nullptr) {
      return InvalidInput("customer '" + a.customer + "' has no price plan for usage at " +
                          FormatTimestamp(at) + "; give it a plan covering that time");
    }
    // Marketplace sellers set their own prices: only rules aimed at the Marketplace apply.
    bool marketplace = line.billing_entity == kMarketplace;
    const Rule* best = nullptr;
    const Rule* free = nullptr;
    size_t best_index = 0, free_index = 0;
    for (size_t r = 0; r < plan->rules.size(); ++r) {
      const Rule& rule = plan->rules[r];
      if (marketplace && rule.scope.billing_entity != kMarketplace) continue;
      if (!Matches(rule.scope, line)) continue;
      if (rule.type == RuleType::kFree) {
        if (free == nullptr || Beats(rule, r, *free, free_index)) free = &rule, free_index = r;
      } else if (best == nullptr || Beats(rule, r, *best, best_index)) {
        best = &rule;
        best_index = r;
      }
    }

    Decimal basis = a.cost_basis;
    Decimal usage = UsageOf(a, line);
    auto label = [&p](Interned text) {
      p.rule = p.rule.empty() ? text : Interned(p.rule + "; " + text);
    };
    Decimal free_fraction;  // of the usage, 0..1
    if (free != nullptr && usage.Sign() > 0) {
      Decimal& used = allowance_used_[{a.customer, plan->id, free_index}];
      Decimal left = free->allowance - used;
      if (left.Sign() > 0) {
        Decimal free_units = std::min(left, usage);
        used += free_units;
        REBILL_ASSIGN_OR_RETURN(free_fraction, Decimal::Div(free_units, usage));
        label(Interned(LabelOf(*plan, *free) + " (" + free_units.ToString() + " units free)"));
      }
    }
    Decimal charged_basis = basis;
    Decimal charged_usage = usage;
    if (!free_fraction.IsZero()) {
      const Decimal one = Decimal::FromInt(1);
      REBILL_ASSIGN_OR_RETURN(charged_basis, Decimal::Mul(basis, one - free_fraction));
      REBILL_ASSIGN_OR_RETURN(charged_usage, Decimal::Mul(usage, one - free_fraction));
    }

    if (best == nullptr) {
      p.amount = charged_basis;
      label(marketplace ? marketplace_at_cost_ : no_rule_at_cost_);
    } else {
      label(LabelOf(*plan, *best));
      switch (best->type) {
        case RuleType::kMarkup:
          p.amount = charged_basis + Percent(charged_basis, best->percent);
          break;
        case RuleType::kDiscount:
          p.amount = charged_basis - Percent(charged_basis, best->percent);
          break;
        case RuleType::kRate: {
          REBILL_ASSIGN_OR_RETURN(p.amount, Decimal::Mul(best->rate, charged_usage));
          break;
        }
        case RuleType::kTiered:
          p.amount = Tiered(*best, {a.customer, plan->id, best_index}, charged_basis);
          break;
        case RuleType::kFree:
          break;
      }
    }
    return Convert(c, p);
  }

  // Into the customer's currency, exactly (18 digits); rounding happens on statement lines.
  static Status Convert(const CustomerPricing& c, PricedLine& p) {
    if (!c.fx) return Status::Ok();
    REBILL_ASSIGN_OR_RETURN(p.amount, Decimal::Mul(p.amount, c.fx->rate));
    return Status::Ok();
  }

  // Walk the tiers from the customer's spend so far in this rule's scope; each part of the
  // basis gets the adjustment of the tier it falls in.
  Decimal Tiered(const Rule& rule, const std::tuple<std::string, std::string, size_t>& key,
                 Decimal basis) {
    Decimal& spent = tier_spend_[key];
    if (basis.Sign() <= 0) {
      // Negative lines (discounts) take the current tier's adjustment and give back spend.
      Decimal pct = rule.tiers.back().percent;
      for (const Tier& t : rule.tiers) {
        if (!t.up_to || spent < *t.up_to) {
          pct = t.percent;
          break;
        }
      }
      spent += basis;
      return basis + Percent(basis, pct);
    }
    Decimal left = basis;
    Decimal amount;
    for (const Tier& t : rule.tiers) {
      if (left.IsZero()) break;
      Decimal room = t.up_to ? *t.up_to - spent : left;
      if (room.Sign() <= 0) continue;
      Decimal portion = std::min(room, left);
      amount += portion + Percent(portion, t.percent);
      spent += portion;
      left -= portion;
    }
    if (!left.IsZero()) {  // beyond the last bounded tier: its adjustment goes on
      amount += left + Percent(left, rule.tiers.back().percent);
      spent += left;
    }
    return amount;
  }

  Status AddFees() {
    const BillingPeriod period = ctx_.period;
    // Each customer's charges, in one pass over the lines and before any fee is added to them.
    std::vector<Decimal> charges_of(book_.customers.size());
    {
      std::unordered_map<std::string_view, Decimal> by_customer;
      for (const PricedLine& p : out_.lines) {
        if (p.kind == StatementLineKind::kCharge) by_customer[p.customer] += p.amount;
      }
      for (size_t i = 0; i < book_.customers.size(); ++i) {
        auto it = by_customer.find(book_.customers[i].customer);
        if (it != by_customer.end()) charges_of[i] = it->second;
      }
    }
    for (size_t i = 0; i < book_.customers.size(); ++i) {
      const CustomerPricing& c = book_.customers[i];
      const Decimal charges = charges_of[i];
      // The plan the customer is on at the end of the period brings its fees.
      std::vector<const Fee*> fees;
      if (const Plan* plan = PlanAt(c, period.end() - 1)) {
        for (const Fee& f : plan->fees) fees.push_back(&f);
      }
      for (const Fee& f : c.fees) fees.push_back(&f);
      for (const Fee* f : fees) {
        bool applies = f->once ? *f->once == period : !(period < f->from) && !(f->to < period);
        if (!applies) continue;
        PricedLine p;
        p.kind = StatementLineKind::kFee;
        p.customer = c.customer;
        p.service = f->name;
        p.currency = c.currency;
        if (f->kind == Fee::Kind::kFlat) {
          p.amount = f->amount;
          p.rule = "fee " + f->config_key + ": " + f->amount.ToString();
        } else {
          p.amount = Percent(charges, f->percent);
          p.rule = "fee " + f->config_key + ": " + f->percent.ToString() + "% of charges";
        }
        if (f->minimum && p.amount < *f->minimum) {
          p.amount = *f->minimum;
          p.rule = p.rule + ", minimum " + f->minimum->ToString();
        }
        if (f->maximum && p.amount > *f->maximum) {
          p.amount = *f->maximum;
          p.rule = p.rule + ", maximum " + f->maximum->ToString();
        }
        out_.lines.push_back(std::move(p));
      }
    }
    return Status::Ok();
  }

  const NormalizedMonth& month_;
  const AllocatedLines& allocated_;
  const PriceBook& book_;
  const RunContext& ctx_;
  std::unordered_map<Interned, const CustomerPricing*> customers_;  // by interned customer id
  std::map<std::tuple<std::string, std::string, size_t>, Decimal> allowance_used_;
  std::map<std::tuple<std::string, std::string, size_t>, Decimal> tier_spend_;
  std::unordered_map<const Rule*, Interned> labels_;
  const Interned face_value_{"passed through at face value"};
  const Interned marketplace_at_cost_{"AWS Marketplace at cost"};
  const Interned no_rule_at_cost_{"no rule matched: at cost"};
  std::unordered_map<const PlanAssignment*, const Plan*> plan_of_;
  PricedLines out_;
};

}  // namespace

int Scope::Specificity() const {
  return !billing_entity.empty() + !service.empty() + !usage_type.empty() + !operation.empty() +
         !region.empty() + !account.empty() + !tag_key.empty();
}

std::string_view RuleTypeName(RuleType type) {
  switch (type) {
    case RuleType::kMarkup:
      return "markup";
    case RuleType::kDiscount:
      return "discount";
    case RuleType::kRate:
      return "rate";
    case RuleType::kTiered:
      return "tiered";
    case RuleType::kFree:
      return "free";
  }
  return "markup";
}

std::vector<std::string> FindRuleConflicts(const PriceBook& book) {
  std::vector<std::string> out;
  for (const auto& [id, plan] : book.plans) {
    for (size_t i = 0; i < plan.rules.size(); ++i) {
      for (size_t j = i + 1; j < plan.rules.size(); ++j) {
        const Rule& a = plan.rules[i];
        const Rule& b = plan.rules[j];
        bool both_free = a.type == RuleType::kFree && b.type == RuleType::kFree;
        bool neither_free = a.type != RuleType::kFree && b.type != RuleType::kFree;
        if (a.scope == b.scope && a.priority == b.priority && (both_free || neither_free)) {
          out.push_back("price plan '" + id + "': rules '" + a.name + "' (" + a.config_key +
                        ") and '" + b.name + "' (" + b.config_key +
                        ") have the same scope and priority; '" + b.name + "' never applies");
        }
      }
    }
  }
  return out;
}

Result<PricedLines> Price(const NormalizedMonth& month, const AllocatedLines& allocated,
                          const PriceBook& book, RunContext& ctx) {
  for (const AllocatedLine& a : allocated.lines) {
    if (a.line >= month.lines.size()) return Internal("allocated line is not in the month");
  }
  return Pricer(month, allocated, book, ctx).Run();
}

}  // namespace rebill::price
