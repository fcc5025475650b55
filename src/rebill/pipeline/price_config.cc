// [[price_plan]] and the pricing keys of [[customer]] (docs/pricing.md).
#include <set>

#include "rebill/model/aws_services.h"
#include "rebill/pipeline/config_reader_internal.h"

namespace rebill::pipeline {
namespace {

using View = toml::node_view<const toml::node>;

View Of(const toml::node& node) { return View{&node}; }

Result<price::Rule> ParseRule(const ConfigReader& reader, const View& r, const std::string& key,
                              size_t index) {
  if (!r.is_table()) return reader.Error(key, "must be an inline table { type = ..., ... }");
  REBILL_RETURN_IF_ERROR(CheckKnownKeys(
      reader, *r.as_table(), key,
      {"name", "scope", "type", "percent", "rate", "tiers", "allowance", "priority",
       "billing_entity", "service", "usage_type", "operation", "region", "account", "tag"}));
  price::Rule rule;
  rule.config_key = key;
  (void)index;
  price::Scope& s = rule.scope;
  REBILL_ASSIGN_OR_RETURN(s.billing_entity,
                          reader.String(r["billing_entity"], key + ".billing_entity", false));
  if (!s.billing_entity.empty() && s.billing_entity != "AWS" &&
      s.billing_entity != "AWS Marketplace") {
    return reader.Error(
        key + ".billing_entity",
        "'" + s.billing_entity + "' is not a billing entity (AWS or AWS Marketplace)");
  }
  REBILL_ASSIGN_OR_RETURN(s.service, reader.String(r["service"], key + ".service", false));
  // Product codes are one word ("AmazonEC2"); a display name or a near miss of a known code is
  // a mistake that would silently price nothing.
  if (s.service.find(' ') != std::string::npos) {
    return reader.Error(key + ".service", "'" + s.service +
                                              "' is not a product code; use the CUR's "
                                              "lineItem/ProductCode, e.g. \"AmazonEC2\"");
  }
  if (!s.service.empty() && !IsKnownService(s.service)) {
    if (std::string suggestion = SuggestService(s.service); !suggestion.empty()) {
      return reader.Error(key + ".service", "unknown service '" + s.service + "'; did you mean '" +
                                                suggestion + "'?");
    }
  }
  REBILL_ASSIGN_OR_RETURN(s.usage_type, reader.String(r["usage_type"], key + ".usage_type", false));
  REBILL_ASSIGN_OR_RETURN(s.operation, reader.String(r["operation"], key + ".operation", false));
  REBILL_ASSIGN_OR_RETURN(s.region, reader.String(r["region"], key + ".region", false));
  REBILL_ASSIGN_OR_RETURN(s.account, reader.String(r["account"], key + ".account", false));
  if (!s.account.empty() && !AccountId::IsValid(s.account)) {
    return reader.Error(key + ".account", "'" + s.account + "' is not a 12-digit account id");
  }
  REBILL_ASSIGN_OR_RETURN(std::string tag, reader.String(r["tag"], key + ".tag", false));
  if (!tag.empty()) {
    size_t eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) {
      return reader.Error(key + ".tag", "write it as \"user:Key=value\"");
    }
    s.tag_key = tag.substr(0, eq);
    s.tag_value = tag.substr(eq + 1);
  }
  // `scope` names what the rule is about; it must agree with the fields given.
  REBILL_ASSIGN_OR_RETURN(std::string scope, reader.String(r["scope"], key + ".scope", false));
  if (!scope.empty()) {
    static const std::map<std::string, const std::string price::Scope::*> kScopes = {
        {"billing_entity", &price::Scope::billing_entity},
        {"service", &price::Scope::service},
        {"usage_type", &price::Scope::usage_type},
        {"operation", &price::Scope::operation},
        {"region", &price::Scope::region},
        {"account", &price::Scope::account},
        {"tag", &price::Scope::tag_key}};
    if (scope == "global") {
      if (s.Specificity() != 0) {
        return reader.Error(key + ".scope", "is \"global\" but the rule also names a " +
                                                std::string("service, usage type or other field"));
      }
    } else if (auto it = kScopes.find(scope); it == kScopes.end()) {
      return reader.Error(key + ".scope", "'" + scope +
                                              "' is not a scope (global, billing_entity, service, "
                                              "usage_type, operation, region, account, tag)");
    } else if ((s.*(it->second)).empty()) {
      return reader.Error(key + "." + scope, "is missing; scope = \"" + scope + "\" needs it");
    }
  }
  // An unnamed rule is called after its scope: "global", "AmazonEC2", "AmazonS3 *Storage*".
  std::string scope_name;
  for (const std::string* field :
       {&s.billing_entity, &s.service, &s.usage_type, &s.operation, &s.region, &s.account}) {
    if (!field->empty()) scope_name += (scope_name.empty() ? "" : " ") + *field;
  }
  if (!tag.empty()) scope_name += (scope_name.empty() ? "" : " ") + tag;
  REBILL_ASSIGN_OR_RETURN(rule.name, reader.String(r["name"], key + ".name", false,
                                                   scope_name.empty() ? "global" : scope_name));
  if (r["priority"]) {
    if (!r["priority"].is_integer()) return reader.Error(key + ".priority", "must be an integer");
    rule.priority = static_cast<int>(*r["priority"].value<int64_t>());
  }
  REBILL_ASSIGN_OR_RETURN(std::string type, reader.String(r["type"], key + ".type", true));
  auto non_negative = [&](const char* field, Decimal* out) -> Status {
    REBILL_ASSIGN_OR_RETURN(*out, reader.Number(r[field], key + "." + field));
    if (out->Sign() < 0) {
      return reader.Error(key + "." + field,
                          "must not be negative" +
                              std::string(type == "markup" ? "; use type = \"discount\"" : ""));
    }
    return Status::Ok();
  };
  if (type == "markup") {
    rule.type = price::RuleType::kMarkup;
    REBILL_RETURN_IF_ERROR(non_negative("percent", &rule.percent));
  } else if (type == "discount") {
    rule.type = price::RuleType::kDiscount;
    REBILL_RETURN_IF_ERROR(non_negative("percent", &rule.percent));
    if (rule.percent > Decimal::FromInt(100)) {
      return reader.Error(key + ".percent", "a discount cannot exceed 100");
    }
  } else if (type == "rate") {
    rule.type = price::RuleType::kRate;
    REBILL_RETURN_IF_ERROR(non_negative("rate", &rule.rate));
  } else if (type == "free") {
    rule.type = price::RuleType::kFree;
    REBILL_RETURN_IF_ERROR(non_negative("allowance", &rule.allowance));
  } else if (type == "tiered") {
    rule.type = price::RuleType::kTiered;
    if (!r["tiers"].is_array() || r["tiers"].as_array()->empty()) {
      return reader.Error(key + ".tiers",
                          "is missing; e.g. [{ up_to = \"10000\", percent = \"0\" }, { percent = "
                          "\"-3\" }]");
    }
    size_t t = 0;
    for (const toml::node& tier_node : *r["tiers"].as_array()) {
      std::string tkey = key + ".tiers[" + std::to_string(t++) + "]";
      View tier = Of(tier_node);
      if (!tier.is_table()) return reader.Error(tkey, "must be an inline table");
      REBILL_RETURN_IF_ERROR(CheckKnownKeys(reader, *tier.as_table(), tkey, {"up_to", "percent"}));
      price::Tier value;
      REBILL_ASSIGN_OR_RETURN(value.percent, reader.Number(tier["percent"], tkey + ".percent"));
      if (value.percent < Decimal::FromInt(-100)) {
        return reader.Error(tkey + ".percent", "a discount cannot exceed 100");
      }
      if (tier["up_to"]) {
        REBILL_ASSIGN_OR_RETURN(Decimal up_to, reader.Number(tier["up_to"], tkey + ".up_to"));
        if (!rule.tiers.empty() &&
            (!rule.tiers.back().up_to || up_to <= *rule.tiers.back().up_to)) {
          return reader.Error(tkey + ".up_to", "tiers must rise: each up_to above the last");
        }
        value.up_to = up_to;
      } else if (t != r["tiers"].as_array()->size()) {
        return reader.Error(tkey + ".up_to", "only the last tier may have no upper bound");
      }
      rule.tiers.push_back(value);
    }
  } else {
    return reader.Error(key + ".type", "'" + type +
                                           "' is not a rule type (markup, discount, rate, tiered, "
                                           "free)");
  }
  return rule;
}

Result<std::vector<price::Fee>> ParseFees(const ConfigReader& reader, const View& fees,
                                          const std::string& key) {
  std::vector<price::Fee> out;
  if (!fees) return out;
  if (!fees.is_array()) return reader.Error(key, "must be an array of inline tables");
  size_t i = 0;
  for (const toml::node& node : *fees.as_array()) {
    std::string fkey = key + "[" + std::to_string(i++) + "]";
    View f = Of(node);
    if (!f.is_table()) return reader.Error(fkey, "must be an inline table");
    REBILL_RETURN_IF_ERROR(
        CheckKnownKeys(reader, *f.as_table(), fkey,
                       {"name", "amount", "percent", "minimum", "maximum", "once", "from", "to"}));
    price::Fee fee;
    fee.config_key = fkey;
    REBILL_ASSIGN_OR_RETURN(fee.name, reader.String(f["name"], fkey + ".name", true));
    if (f["amount"].operator bool() == f["percent"].operator bool()) {
      return reader.Error(fkey, "give either amount = \"...\" (flat) or percent = \"...\"");
    }
    if (f["amount"]) {
      REBILL_ASSIGN_OR_RETURN(fee.amount, reader.Number(f["amount"], fkey + ".amount"));
    } else {
      fee.kind = price::Fee::Kind::kPercent;
      REBILL_ASSIGN_OR_RETURN(fee.percent, reader.Number(f["percent"], fkey + ".percent"));
      if (fee.percent.Sign() < 0) return reader.Error(fkey + ".percent", "must not be negative");
    }
    for (const char* bound : {"minimum", "maximum"}) {
      if (!f[bound]) continue;
      REBILL_ASSIGN_OR_RETURN(Decimal value, reader.Number(f[bound], fkey + "." + bound));
      (std::string(bound) == "minimum" ? fee.minimum : fee.maximum) = value;
    }
    if (fee.minimum && fee.maximum && *fee.maximum < *fee.minimum) {
      return reader.Error(fkey + ".maximum", "is below the minimum");
    }
    for (const char* name : {"once", "from", "to"}) {
      if (!f[name]) continue;
      REBILL_ASSIGN_OR_RETURN(std::string text, reader.String(f[name], fkey + "." + name, true));
      Result<BillingPeriod> p = BillingPeriod::Parse(text);
      if (!p.ok() || text.size() != 7) {
        return reader.Error(fkey + "." + name, "'" + text + "' is not a billing period (YYYY-MM)");
      }
      std::string n = name;
      if (n == "once") fee.once = *p;
      if (n == "from") fee.from = *p;
      if (n == "to") fee.to = *p;
    }
    if (fee.to < fee.from) return reader.Error(fkey + ".to", "is before 'from'");
    out.push_back(std::move(fee));
  }
  return out;
}

}  // namespace

Status ParsePricePlans(const ConfigReader& reader, const toml::table& root,
                       price::PriceBook& book) {
  View plans = View{static_cast<const toml::node*>(&root)}["price_plan"];
  if (!plans) return Status::Ok();
  if (!plans.is_array_of_tables()) {
    return reader.Error("price_plan", "must be an array of tables ([[price_plan]])");
  }
  size_t i = 0;
  for (const toml::node& node : *plans.as_array()) {
    std::string key = Key("price_plan", i++);
    View view = Of(node);
    REBILL_RETURN_IF_ERROR(CheckKnownKeys(reader, *node.as_table(), key, {"id", "rules", "fees"}));
    price::Plan plan;
    REBILL_ASSIGN_OR_RETURN(plan.id, reader.String(view["id"], key + ".id", true));
    if (book.plans.count(plan.id) != 0) {
      return reader.Error(key + ".id", "'" + plan.id + "' is defined twice");
    }
    if (view["rules"] && !view["rules"].is_array()) {
      return reader.Error(key + ".rules", "must be an array of inline tables");
    }
    if (view["rules"]) {
      size_t r = 0;
      std::set<std::string> names;
      for (const toml::node& rule_node : *view["rules"].as_array()) {
        std::string rkey = key + ".rules[" + std::to_string(r) + "]";
        REBILL_ASSIGN_OR_RETURN(price::Rule rule, ParseRule(reader, Of(rule_node), rkey, r));
        if (!names.insert(rule.name).second) {
          return reader.Error(rkey + ".name", "'" + rule.name + "' is used twice in this plan");
        }
        plan.rules.push_back(std::move(rule));
        ++r;
      }
    }
    REBILL_ASSIGN_OR_RETURN(plan.fees, ParseFees(reader, view["fees"], key + ".fees"));
    book.plans[plan.id] = std::move(plan);
  }
  return Status::Ok();
}

Result<price::CustomerPricing> ParseCustomerPricing(const ConfigReader& reader, const View& c,
                                                    const std::string& key,
                                                    const std::string& customer,
                                                    const std::string& currency,
                                                    const price::PriceBook& book) {
  price::CustomerPricing pricing;
  pricing.customer = customer;
  pricing.currency = currency;
  auto require_plan = [&](const std::string& id, const std::string& where) -> Status {
    if (book.plans.count(id) == 0) {
      return reader.Error(where,
                          "'" + id + "' is not a [[price_plan]] id; define it or fix the name");
    }
    return Status::Ok();
  };
  if (c["price_plan"].operator bool() == c["price_plans"].operator bool()) {
    return reader.Error(key + ".price_plan",
                        "give the customer's plan: price_plan = \"id\", or price_plans = [{ plan "
                        "= \"id\", from = \"...\" }, ...] for plans that change over time");
  }
  if (c["price_plan"]) {
    price::PlanAssignment assignment;
    REBILL_ASSIGN_OR_RETURN(assignment.plan,
                            reader.String(c["price_plan"], key + ".price_plan", true));
    REBILL_RETURN_IF_ERROR(require_plan(assignment.plan, key + ".price_plan"));
    pricing.plans.push_back(assignment);
  } else {
    if (!c["price_plans"].is_array()) return reader.Error(key + ".price_plans", "must be an array");
    size_t i = 0;
    for (const toml::node& node : *c["price_plans"].as_array()) {
      std::string pkey = key + ".price_plans[" + std::to_string(i++) + "]";
      View p = Of(node);
      if (!p.is_table()) return reader.Error(pkey, "must be { plan = \"id\", from = \"...\" }");
      REBILL_RETURN_IF_ERROR(CheckKnownKeys(reader, *p.as_table(), pkey, {"plan", "from", "to"}));
      price::PlanAssignment assignment;
      REBILL_ASSIGN_OR_RETURN(assignment.plan, reader.String(p["plan"], pkey + ".plan", true));
      REBILL_RETURN_IF_ERROR(require_plan(assignment.plan, pkey + ".plan"));
      REBILL_ASSIGN_OR_RETURN(assignment.from,
                              reader.Time(p["from"], pkey + ".from", assignment.from));
      REBILL_ASSIGN_OR_RETURN(assignment.to, reader.Time(p["to"], pkey + ".to", assignment.to));
      if (assignment.from >= assignment.to)
        return reader.Error(pkey + ".to", "is not after 'from'");
      for (const price::PlanAssignment& other : pricing.plans) {
        if (assignment.from < other.to && other.from < assignment.to) {
          return reader.Error(pkey, "overlaps the plan '" + other.plan +
                                        "' given before it; end one where the other begins");
        }
      }
      pricing.plans.push_back(assignment);
    }
  }
  REBILL_ASSIGN_OR_RETURN(pricing.fees, ParseFees(reader, c["fees"], key + ".fees"));
  if (View credits = c["credits"]; credits) {
    if (!credits.is_array()) return reader.Error(key + ".credits", "must be an array");
    size_t i = 0;
    for (const toml::node& node : *credits.as_array()) {
      std::string ckey = key + ".credits[" + std::to_string(i++) + "]";
      View g = Of(node);
      if (!g.is_table()) {
        return reader.Error(ckey,
                            "must be { name = \"...\", amount = \"...\", granted = "
                            "\"YYYY-MM\", expires = \"YYYY-MM\" }");
      }
      REBILL_RETURN_IF_ERROR(
          CheckKnownKeys(reader, *g.as_table(), ckey, {"name", "amount", "granted", "expires"}));
      price::CreditGrant grant;
      grant.config_key = ckey;
      REBILL_ASSIGN_OR_RETURN(grant.name, reader.String(g["name"], ckey + ".name", true));
      REBILL_ASSIGN_OR_RETURN(grant.amount, reader.Number(g["amount"], ckey + ".amount"));
      if (grant.amount.Sign() <= 0) return reader.Error(ckey + ".amount", "must be more than 0");
      for (const char* name : {"granted", "expires"}) {
        REBILL_ASSIGN_OR_RETURN(std::string text, reader.String(g[name], ckey + "." + name, true));
        Result<BillingPeriod> p = BillingPeriod::Parse(text);
        if (!p.ok() || text.size() != 7) {
          return reader.Error(ckey + "." + name,
                              "'" + text + "' is not a billing period (YYYY-MM)");
        }
        (std::string(name) == "granted" ? grant.granted : grant.expires) = *p;
      }
      if (grant.expires < grant.granted)
        return reader.Error(ckey + ".expires", "is before 'granted'");
      for (const price::CreditGrant& other : pricing.credit_grants) {
        if (other.name == grant.name) {
          return reader.Error(ckey + ".name",
                              "'" + grant.name + "' is used twice for this customer");
        }
      }
      pricing.credit_grants.push_back(std::move(grant));
    }
  }
  if (c["tax"] && c["tax_exempt"]) {
    return reader.Error(key + ".tax_exempt", "a customer has either tax or tax_exempt, not both");
  }
  if (c["tax"]) {
    if (!c["tax"].is_table()) {
      return reader.Error(key + ".tax",
                          "must be { rate = \"19\", category = \"VAT\", location = \"DE\" }");
    }
    REBILL_RETURN_IF_ERROR(CheckKnownKeys(reader, *c["tax"].as_table(), key + ".tax",
                                          {"rate", "category", "location"}));
    TaxTreatment tax;
    tax.customer = customer;
    REBILL_ASSIGN_OR_RETURN(tax.rate, reader.Number(c["tax"]["rate"], key + ".tax.rate"));
    if (tax.rate.Sign() < 0 || tax.rate > Decimal::FromInt(100)) {
      return reader.Error(key + ".tax.rate", "must be a percentage from 0 to 100");
    }
    REBILL_ASSIGN_OR_RETURN(
        tax.category, reader.String(c["tax"]["category"], key + ".tax.category", false, "Tax"));
    REBILL_ASSIGN_OR_RETURN(tax.location,
                            reader.String(c["tax"]["location"], key + ".tax.location", false));
    pricing.tax = tax;
  } else if (c["tax_exempt"]) {
    TaxTreatment tax;
    tax.customer = customer;
    REBILL_ASSIGN_OR_RETURN(tax.exempt_reason,
                            reader.String(c["tax_exempt"], key + ".tax_exempt", true));
    if (tax.exempt_reason.empty()) {
      return reader.Error(key + ".tax_exempt", "give the reason the customer is exempt");
    }
    pricing.tax = tax;
  }
  return pricing;
}

}  // namespace rebill::pipeline
