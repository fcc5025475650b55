#include "rebill/price/price.h"

#include <unordered_map>

namespace rebill::price {
namespace {

std::string RuleText(const CustomerPricing& p) {
  std::string kind = p.type == AdjustmentType::kMarkup ? "markup" : "discount";
  return p.rule_name + ": " + kind + " " + p.percent.ToString() + "%";
}

}  // namespace

Result<PricedLines> Price(const AllocatedLines& allocated, const PriceBook& book,
                          RunContext& /*ctx*/) {
  std::unordered_map<std::string, const CustomerPricing*> by_customer;
  for (const CustomerPricing& p : book.customers) {
    if (p.percent.Sign() < 0) {
      return InvalidInput("price plan '" + p.rule_name + "' of customer '" + p.customer +
                          "': percent " + p.percent.ToString() +
                          " is negative; use type = \"discount\" or \"markup\" with a positive "
                          "percent");
    }
    if (p.type == AdjustmentType::kDiscount && p.percent > Decimal::FromInt(100)) {
      return InvalidInput("price plan '" + p.rule_name + "' of customer '" + p.customer +
                          "': a discount of " + p.percent.ToString() + "% is more than 100%");
    }
    by_customer[p.customer] = &p;
  }
  const Decimal hundred = Decimal::FromInt(100);

  PricedLines out;
  for (size_t i = 0; i < allocated.lines.size(); ++i) {
    const AllocatedLine& line = allocated.lines[i];
    if (line.bucket != Bucket::kCustomer) continue;
    auto it = by_customer.find(line.customer);
    if (it == by_customer.end()) {
      return InvalidInput("customer '" + line.customer +
                          "' has no price plan; set price_plan on the customer in rebill.toml");
    }
    const CustomerPricing& pricing = *it->second;
    PricedLine priced;
    priced.allocated = static_cast<uint32_t>(i);
    priced.customer = line.customer;
    priced.usage_account = line.usage_account;
    priced.service = line.service;
    priced.category = line.category;
    priced.cost_basis = line.cost_basis;
    priced.list_cost = line.list_cost;
    priced.currency = pricing.currency;
    switch (line.category) {
      case ChargeCategory::kCredit:
      case ChargeCategory::kRefund:
        // Why: a credit AWS applied to the customer's account is passed on at face value;
        // marking it up would pay the customer more than AWS credited.
        priced.amount = line.cost_basis;
        priced.rule = "passed through at face value";
        break;
      case ChargeCategory::kMarketplace:
        // Marketplace sellers set their own prices; resale at cost keeps the seller's price.
        priced.amount = line.cost_basis;
        priced.rule = "AWS Marketplace at cost";
        break;
      default: {
        Decimal factor = pricing.type == AdjustmentType::kMarkup ? hundred + pricing.percent
                                                                 : hundred - pricing.percent;
        REBILL_ASSIGN_OR_RETURN(priced.amount, Decimal::MulDiv(line.cost_basis, factor, hundred));
        priced.rule = RuleText(pricing);
        break;
      }
    }
    out.lines.push_back(std::move(priced));
  }
  return out;
}

}  // namespace rebill::price
