#include "rebill/pipeline/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "rebill/core/currency.h"
#include "rebill/core/ids.h"
#include "rebill/core/sha256.h"
#include "rebill/pipeline/config_reader_internal.h"
#include "rebill/report/lifecycle.h"
#include "rebill/store/connection.h"
#include "rebill/store/month_file.h"

namespace rebill::pipeline {
namespace {

struct PolicyChange {
  BillingPeriod from;
  const toml::table* table;
  std::string key;
};

Result<allocate::CommitmentRule> ParseRule(const ConfigReader& reader,
                                           const toml::node_view<const toml::node>& policy_node,
                                           const toml::node_view<const toml::node>& share_node,
                                           const std::string& policy_key,
                                           const std::string& share_key,
                                           allocate::CommitmentRule rule) {
  if (policy_node) {
    REBILL_ASSIGN_OR_RETURN(std::string name, reader.String(policy_node, policy_key, true));
    Result<allocate::CommitmentPolicy> p = allocate::ParseCommitmentPolicy(name);
    if (!p.ok()) return reader.Error(policy_key, p.status().message());
    rule.policy = *p;
  }
  if (share_node) {
    REBILL_ASSIGN_OR_RETURN(rule.passed_percent, reader.Number(share_node, share_key));
    if (rule.passed_percent.Sign() < 0 || rule.passed_percent > Decimal::FromInt(100)) {
      return reader.Error(share_key, "must be a percentage from 0 to 100");
    }
  }
  return rule;
}

// Apply the policy keys present in `table` to `policy`. `base` allows cost_view, which stays the
// same for all periods (changing it would make months incomparable).
Status ApplyPolicyKeys(const ConfigReader& reader, const toml::table& table, const std::string& key,
                       bool base, allocate::Policy& policy) {
  std::initializer_list<std::string_view> known_base = {"cost_view",
                                                        "commitments",
                                                        "commitment_share",
                                                        "unused_commitment",
                                                        "credits",
                                                        "channel_discounts",
                                                        "channel_discount_pass_percent",
                                                        "support",
                                                        "change"};
  std::initializer_list<std::string_view> known_change = {"from",
                                                          "commitments",
                                                          "commitment_share",
                                                          "unused_commitment",
                                                          "credits",
                                                          "channel_discounts",
                                                          "channel_discount_pass_percent",
                                                          "support"};
  REBILL_RETURN_IF_ERROR(CheckKnownKeys(reader, table, key, base ? known_base : known_change));
  toml::node_view<const toml::node> view{static_cast<const toml::node*>(&table)};
  // The text of an optional string key: nullopt when absent, an error when not a string.
  auto text = [&](const char* name) -> Result<std::optional<std::string>> {
    if (!view[name]) return std::optional<std::string>();
    REBILL_ASSIGN_OR_RETURN(std::string out, reader.String(view[name], key + "." + name, true));
    return std::optional<std::string>(std::move(out));
  };
  std::optional<std::string> value;
  REBILL_ASSIGN_OR_RETURN(value, text("cost_view"));
  if (base && value) {
    Result<CostView> cv = ParseCostView(*value);
    if (!cv.ok()) return reader.Error(key + ".cost_view", cv.status().message());
    if (*cv == CostView::kPublicOnDemand) {
      return reader.Error(key + ".cost_view",
                          "public-on-demand is not a cost; use amortized, unblended or "
                          "net-unblended");
    }
    policy.cost_view = *cv;
  }
  REBILL_ASSIGN_OR_RETURN(
      policy.commitments,
      ParseRule(reader, view["commitments"], view["commitment_share"], key + ".commitments",
                key + ".commitment_share", policy.commitments));
  REBILL_ASSIGN_OR_RETURN(value, text("unused_commitment"));
  if (value) {
    auto p = allocate::ParseUnusedCommitmentPolicy(*value);
    if (!p.ok()) return reader.Error(key + ".unused_commitment", p.status().message());
    policy.unused_commitment = *p;
  }
  REBILL_ASSIGN_OR_RETURN(value, text("credits"));
  if (value) {
    auto p = allocate::ParseCreditPolicy(*value);
    if (!p.ok()) return reader.Error(key + ".credits", p.status().message());
    policy.credits = *p;
  }
  REBILL_ASSIGN_OR_RETURN(value, text("channel_discounts"));
  if (value) {
    auto p = allocate::ParseChannelDiscountPolicy(*value);
    if (!p.ok()) return reader.Error(key + ".channel_discounts", p.status().message());
    policy.channel_discounts = *p;
  }
  if (view["channel_discount_pass_percent"]) {
    REBILL_ASSIGN_OR_RETURN(policy.channel_pass_percent,
                            reader.Number(view["channel_discount_pass_percent"],
                                          key + ".channel_discount_pass_percent"));
    if (policy.channel_pass_percent.Sign() < 0 ||
        policy.channel_pass_percent > Decimal::FromInt(100)) {
      return reader.Error(key + ".channel_discount_pass_percent",
                          "must be a percentage from 0 to 100");
    }
  }
  REBILL_ASSIGN_OR_RETURN(value, text("support"));
  if (value) {
    auto p = allocate::ParseSupportPolicy(*value);
    if (!p.ok()) return reader.Error(key + ".support", p.status().message());
    policy.support = *p;
  }
  return Status::Ok();
}

Status ParseWindow(const ConfigReader& reader, const toml::node_view<const toml::node>& view,
                   const std::string& key, Override& o) {
  for (const char* name : {"from", "to"}) {
    if (!view[name]) continue;
    REBILL_ASSIGN_OR_RETURN(std::string text, reader.String(view[name], key + "." + name, true));
    Result<BillingPeriod> p = BillingPeriod::Parse(text);
    if (!p.ok() || text.size() != 7) {
      return reader.Error(key + "." + name, "'" + text + "' is not a billing period (YYYY-MM)");
    }
    (std::string(name) == "from" ? o.from : o.to) = *p;
  }
  if (o.to < o.from) return reader.Error(key + ".to", "is before 'from'");
  return Status::Ok();
}

Status RequireCustomer(const ConfigReader& reader, const std::set<std::string>& ids,
                       const std::string& id, const std::string& key) {
  if (ids.count(id) == 0) return reader.Error(key, "'" + id + "' is not a [[customer]] id");
  return Status::Ok();
}

// [[split]]: an account shared by tag / cost category value or by fixed percentages.
Status ParseSplits(const ConfigReader& reader, const toml::table& root,
                   const std::set<std::string>& ids, map::AccountMap& accounts) {
  auto array = toml::node_view<const toml::node>{static_cast<const toml::node*>(&root)}["split"];
  if (!array) return Status::Ok();
  if (!array.is_array_of_tables()) return reader.Error("split", "must be [[split]] tables");
  size_t i = 0;
  for (const toml::node& node : *array.as_array()) {
    std::string key = Key("split", i++);
    toml::node_view<const toml::node> view{node};
    REBILL_RETURN_IF_ERROR(CheckKnownKeys(
        reader, *node.as_table(), key,
        {"account", "tag", "cost_category", "values", "untagged", "percent", "from", "to"}));
    map::Split split;
    split.config_key = key;
    REBILL_ASSIGN_OR_RETURN(std::string account,
                            reader.String(view["account"], key + ".account", true));
    Result<AccountId> id = AccountId::Parse(account);
    if (!id.ok()) return reader.Error(key + ".account", id.status().message());
    split.account = account;
    REBILL_ASSIGN_OR_RETURN(split.from, reader.Time(view["from"], key + ".from", split.from));
    REBILL_ASSIGN_OR_RETURN(split.to, reader.Time(view["to"], key + ".to", split.to));
    int kinds = (view["tag"] ? 1 : 0) + (view["cost_category"] ? 1 : 0) + (view["percent"] ? 1 : 0);
    if (kinds != 1) {
      return reader.Error(key,
                          "give exactly one of tag = \"user:Key\", cost_category = \"Name\" "
                          "or percent = { customer = \"60\", ... }");
    }
    if (view["percent"]) {
      split.by = map::Split::By::kPercent;
      if (!view["percent"].is_table()) return reader.Error(key + ".percent", "must be a table");
      for (const auto& [customer, value] : *view["percent"].as_table()) {
        std::string ckey = key + ".percent." + std::string(customer.str());
        REBILL_RETURN_IF_ERROR(RequireCustomer(reader, ids, std::string(customer.str()), ckey));
        REBILL_ASSIGN_OR_RETURN(Decimal percent,
                                reader.Number(toml::node_view<const toml::node>{&value}, ckey));
        split.percents.emplace_back(std::string(customer.str()), percent);
      }
    } else {
      split.by = map::Split::By::kTag;
      if (view["tag"]) {
        REBILL_ASSIGN_OR_RETURN(split.key, reader.String(view["tag"], key + ".tag", true));
      } else {
        REBILL_ASSIGN_OR_RETURN(std::string name,
                                reader.String(view["cost_category"], key + ".cost_category", true));
        split.key = "costCategory/" + name;
      }
      if (!view["values"].is_table()) {
        return reader.Error(key + ".values",
                            "is missing; map tag values to customers: { \"cc-100\" = \"globex\" }");
      }
      for (const auto& [value, customer] : *view["values"].as_table()) {
        std::string vkey = key + ".values." + std::string(value.str());
        if (!customer.is_string()) return reader.Error(vkey, "must be a customer id string");
        std::string id_text = *customer.value<std::string>();
        REBILL_RETURN_IF_ERROR(RequireCustomer(reader, ids, id_text, vkey));
        split.values[std::string(value.str())] = id_text;
      }
      REBILL_ASSIGN_OR_RETURN(std::string untagged,
                              reader.String(view["untagged"], key + ".untagged", true));
      if (untagged == "proportional") {
        split.untagged_proportional = true;
      } else {
        REBILL_RETURN_IF_ERROR(RequireCustomer(reader, ids, untagged, key + ".untagged"));
        split.untagged = untagged;
      }
    }
    accounts.splits.push_back(std::move(split));
  }
  return Status::Ok();
}

// [[assignment_rule]]: accounts of the imported organization that no customer lists.
Status ParseRules(const ConfigReader& reader, const toml::table& root,
                  const std::set<std::string>& ids, map::AccountMap& accounts) {
  auto array =
      toml::node_view<const toml::node>{static_cast<const toml::node*>(&root)}["assignment_rule"];
  if (!array) return Status::Ok();
  if (!array.is_array_of_tables()) {
    return reader.Error("assignment_rule", "must be [[assignment_rule]] tables");
  }
  size_t i = 0;
  for (const toml::node& node : *array.as_array()) {
    std::string key = Key("assignment_rule", i++);
    toml::node_view<const toml::node> view{node};
    REBILL_RETURN_IF_ERROR(CheckKnownKeys(reader, *node.as_table(), key,
                                          {"customer", "ou", "account_tag", "name", "priority"}));
    map::AssignmentRule rule;
    rule.config_key = key;
    REBILL_ASSIGN_OR_RETURN(rule.customer,
                            reader.String(view["customer"], key + ".customer", true));
    REBILL_RETURN_IF_ERROR(RequireCustomer(reader, ids, rule.customer, key + ".customer"));
    REBILL_ASSIGN_OR_RETURN(rule.ou_path, reader.String(view["ou"], key + ".ou", false));
    REBILL_ASSIGN_OR_RETURN(rule.account_tag,
                            reader.String(view["account_tag"], key + ".account_tag", false));
    REBILL_ASSIGN_OR_RETURN(rule.name, reader.String(view["name"], key + ".name", false));
    if (rule.ou_path.empty() && rule.account_tag.empty() && rule.name.empty()) {
      return reader.Error(key, "needs at least one of ou, account_tag or name to match on");
    }
    if (!rule.account_tag.empty() && rule.account_tag.find('=') == std::string::npos) {
      return reader.Error(key + ".account_tag", "write it as \"Key=Value\"");
    }
    if (view["priority"]) {
      if (!view["priority"].is_integer())
        return reader.Error(key + ".priority", "must be an integer");
      rule.priority = static_cast<int>(*view["priority"].value<int64_t>());
    }
    accounts.rules.push_back(std::move(rule));
  }
  return Status::Ok();
}

}  // namespace

namespace {

// [store] url: a PostgreSQL database instead of the workspace's SQLite file.
Result<std::string> ReadStoreUrl(const ConfigReader& reader, const toml::table& root) {
  auto store = root["store"];
  if (!store) return std::string();
  if (!store.is_table()) return reader.Error("store", "must be a table");
  REBILL_RETURN_IF_ERROR(CheckKnownKeys(reader, *store.as_table(), "store", {"url"}));
  REBILL_ASSIGN_OR_RETURN(std::string url, reader.String(store["url"], "store.url", true));
  if (!store::IsPostgresUrl(url)) {
    return reader.Error("store.url",
                        "'" + url +
                            "' is not a postgresql:// URL (leave [store] out to keep the store "
                            "in the workspace, rebill.db)");
  }
  return url;
}

}  // namespace

Result<WorkspaceConfig> ParseConfig(const std::string& text, const std::string& file) {
  ConfigReader reader(file);
  toml::table parsed;
  try {
    parsed = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return InvalidInput(file + ":" + std::to_string(e.source().begin.line) + ":" +
                        std::to_string(e.source().begin.column) + ": " +
                        std::string(e.description()));
  }
  const toml::table& root = parsed;
  REBILL_RETURN_IF_ERROR(
      CheckKnownKeys(reader, root, "",
                     {"reseller", "policy", "customer", "price_plan", "commitment", "credit_rule",
                      "split", "assignment_rule", "margin", "ingest", "store", "invoice"}));
  WorkspaceConfig config;
  config.sha256 = Sha256Hex(text);
  REBILL_ASSIGN_OR_RETURN(config.store_url, ReadStoreUrl(reader, root));

  // [ingest]
  if (auto ingest = root["ingest"]; ingest) {
    if (!ingest.is_table()) return reader.Error("ingest", "must be a table: [ingest]");
    REBILL_RETURN_IF_ERROR(CheckKnownKeys(reader, *ingest.as_table(), "ingest",
                                          {"max_rejected_rows", "max_rejected_percent"}));
    if (auto rows = ingest["max_rejected_rows"]; rows) {
      if (!rows.is_integer() || *rows.value<int64_t>() < 0) {
        return reader.Error("ingest.max_rejected_rows",
                            "must be a whole number of rows, 0 or more (e.g. 100)");
      }
      config.max_rejected_rows = static_cast<uint64_t>(*rows.value<int64_t>());
    }
    if (auto percent = ingest["max_rejected_percent"]; percent) {
      REBILL_ASSIGN_OR_RETURN(Decimal p, reader.Number(percent, "ingest.max_rejected_percent"));
      if (p < Decimal() || p > Decimal::FromInt(100)) {
        return reader.Error("ingest.max_rejected_percent", "must be between \"0\" and \"100\"");
      }
      config.max_rejected_percent = p;
    }
  }

  // [reseller]
  auto reseller = root["reseller"];
  if (!reseller.is_table()) return reader.Error("reseller", "is missing; add a [reseller] table");
  REBILL_RETURN_IF_ERROR(
      CheckKnownKeys(reader, *reseller.as_table(), "reseller",
                     {"name", "legal_entity", "currency", "accounts", "address", "tax_id", "logo",
                      "accent_colour", "paper", "language", "lines_by"}));
  REBILL_ASSIGN_OR_RETURN(config.reseller_name,
                          reader.String(reseller["name"], "reseller.name", true));
  REBILL_ASSIGN_OR_RETURN(config.legal_entity,
                          reader.String(reseller["legal_entity"], "reseller.legal_entity", false,
                                        config.reseller_name));
  REBILL_ASSIGN_OR_RETURN(config.currency,
                          reader.String(reseller["currency"], "reseller.currency", false, "USD"));
  if (Result<Currency> c = Currency::Parse(config.currency); !c.ok()) {
    return reader.Error("reseller.currency", c.status().message());
  }
  if (auto accounts = reseller["accounts"]; accounts) {
    if (!accounts.is_array()) return reader.Error("reseller.accounts", "must be an array");
    size_t j = 0;
    for (const toml::node& account : *accounts.as_array()) {
      std::string akey = "reseller.accounts[" + std::to_string(j++) + "]";
      if (!account.is_string()) return reader.Error(akey, "must be an account id string");
      Result<AccountId> id = AccountId::Parse(*account.value<std::string>());
      if (!id.ok()) return reader.Error(akey, id.status().message());
      config.accounts.reseller_accounts.push_back(id->str());
    }
  }

  // [invoice]
  if (auto invoice = root["invoice"]; invoice) {
    if (!invoice.is_table()) return reader.Error("invoice", "must be a table");
    REBILL_RETURN_IF_ERROR(
        CheckKnownKeys(reader, *invoice.as_table(), "invoice",
                       {"number_format", "credit_note_format", "debit_note_format",
                        "payment_terms_days", "corrections"}));
    InvoiceSettings& settings = config.invoice;
    for (auto [name, target] : {std::pair{"number_format", &settings.number_format},
                                std::pair{"credit_note_format", &settings.credit_note_format},
                                std::pair{"debit_note_format", &settings.debit_note_format}}) {
      const std::string key = std::string("invoice.") + name;
      REBILL_ASSIGN_OR_RETURN(*target, reader.String(invoice[name], key, false, *target));
      if (Status s = report::CheckNumberFormat(*target); !s.ok()) {
        return reader.Error(key, "'" + *target + "': " + s.message());
      }
    }
    if (settings.number_format == settings.credit_note_format ||
        settings.number_format == settings.debit_note_format ||
        settings.credit_note_format == settings.debit_note_format) {
      return reader.Error("invoice",
                          "invoices, credit notes and debit notes need different "
                          "number formats, so a number says what it is");
    }
    if (auto terms = invoice["payment_terms_days"]; terms) {
      if (!terms.is_integer() || *terms.value<int64_t>() < 0 || *terms.value<int64_t>() > 365) {
        return reader.Error("invoice.payment_terms_days",
                            "must be a whole number of days, 0 to 365");
      }
      settings.payment_terms_days = *terms.value<int64_t>();
    }
    REBILL_ASSIGN_OR_RETURN(
        std::string corrections,
        reader.String(invoice["corrections"], "invoice.corrections", false, "next-statement"));
    if (corrections != "next-statement" && corrections != "note") {
      return reader.Error("invoice.corrections", "'" + corrections +
                                                     "' is not known; use \"next-statement\" or "
                                                     "\"note\"");
    }
    settings.corrections_as_notes = corrections == "note";
  }

  // [policy], its effective-dated changes, commitment overrides and credit rules.
  allocate::Policy base;
  std::vector<PolicyChange> changes;
  if (auto policy = root["policy"]; policy) {
    if (!policy.is_table()) return reader.Error("policy", "must be a table");
    REBILL_RETURN_IF_ERROR(ApplyPolicyKeys(reader, *policy.as_table(), "policy", true, base));
    if (auto change_array = policy["change"]; change_array) {
      if (!change_array.is_array_of_tables()) {
        return reader.Error("policy.change", "must be an array of tables ([[policy.change]])");
      }
      size_t i = 0;
      for (const toml::node& node : *change_array.as_array()) {
        std::string key = Key("policy.change", i++);
        toml::node_view<const toml::node> view{node};
        REBILL_ASSIGN_OR_RETURN(std::string from, reader.String(view["from"], key + ".from", true));
        Result<BillingPeriod> period = BillingPeriod::Parse(from);
        if (!period.ok() || from.size() != 7) {
          return reader.Error(key + ".from", "'" + from +
                                                 "' is not a billing period; policies change "
                                                 "from the start of a month, e.g. \"2026-07\"");
        }
        if (!changes.empty() && !(changes.back().from < *period)) {
          return reader.Error(key + ".from", "changes must be in date order, each after the last");
        }
        changes.push_back({*period, node.as_table(), key});
      }
    }
  }
  // Each change applies on top of the policy in force before it.
  config.policies.push_back({BillingPeriod(), base});
  for (const PolicyChange& change : changes) {
    allocate::Policy next = config.policies.back().second;
    REBILL_RETURN_IF_ERROR(ApplyPolicyKeys(reader, *change.table, change.key, false, next));
    config.policies.emplace_back(change.from, next);
  }
  if (auto commitments = root["commitment"]; commitments) {
    if (!commitments.is_array_of_tables()) {
      return reader.Error("commitment", "must be an array of tables ([[commitment]])");
    }
    size_t i = 0;
    for (const toml::node& node : *commitments.as_array()) {
      std::string key = Key("commitment", i++);
      toml::node_view<const toml::node> view{node};
      REBILL_RETURN_IF_ERROR(
          CheckKnownKeys(reader, *node.as_table(), key, {"arn", "policy", "share", "from", "to"}));
      REBILL_ASSIGN_OR_RETURN(std::string arn, reader.String(view["arn"], key + ".arn", true));
      REBILL_ASSIGN_OR_RETURN(allocate::CommitmentRule rule,
                              ParseRule(reader, view["policy"], view["share"], key + ".policy",
                                        key + ".share", base.commitments));
      Override o{arn, rule, BillingPeriod(), BillingPeriod::Make(9999, 12).value()};
      REBILL_RETURN_IF_ERROR(ParseWindow(reader, view, key, o));
      config.commitment_overrides.push_back(std::move(o));
    }
  }
  if (auto rules = root["credit_rule"]; rules) {
    if (!rules.is_array_of_tables()) {
      return reader.Error("credit_rule", "must be an array of tables ([[credit_rule]])");
    }
    size_t i = 0;
    for (const toml::node& node : *rules.as_array()) {
      std::string key = Key("credit_rule", i++);
      toml::node_view<const toml::node> view{node};
      REBILL_RETURN_IF_ERROR(
          CheckKnownKeys(reader, *node.as_table(), key, {"description", "customer", "retain"}));
      allocate::CreditRule rule;
      rule.config_key = key;
      REBILL_ASSIGN_OR_RETURN(rule.description,
                              reader.String(view["description"], key + ".description", true));
      REBILL_ASSIGN_OR_RETURN(rule.customer,
                              reader.String(view["customer"], key + ".customer", false));
      rule.retain = view["retain"].value_or(false);
      if (rule.retain == !rule.customer.empty()) {
        return reader.Error(key, "give either customer = \"...\" or retain = true");
      }
      config.credit_rules.push_back(std::move(rule));
    }
  }

  config.statements.reseller = config.legal_entity;
  StatementDefaults statement_defaults;
  {
    std::string dir = std::filesystem::path(file).parent_path().string();
    REBILL_RETURN_IF_ERROR(ParseStatementHeader(reader, reseller, dir.empty() ? "." : dir,
                                                config.statements, statement_defaults));
  }

  // [margin]
  if (auto margin = root["margin"]; margin) {
    if (!margin.is_table()) return reader.Error("margin", "must be a table");
    REBILL_RETURN_IF_ERROR(
        CheckKnownKeys(reader, *margin.as_table(), "margin", {"cost_view", "alert_below_percent"}));
    if (margin["cost_view"]) {
      REBILL_ASSIGN_OR_RETURN(std::string view,
                              reader.String(margin["cost_view"], "margin.cost_view", true));
      if (view == "amortized") {
        config.margin_cost_view = CostView::kAmortized;
      } else if (view == "cash") {
        config.margin_cost_view = CostView::kUnblended;
      } else {
        return reader.Error("margin.cost_view",
                            "unknown cost view '" + view + "' (use amortized or cash)");
      }
    }
    if (margin["alert_below_percent"]) {
      REBILL_ASSIGN_OR_RETURN(
          config.margin_alert_below_percent,
          reader.Number(margin["alert_below_percent"], "margin.alert_below_percent"));
    }
  }

  // [[price_plan]]
  REBILL_RETURN_IF_ERROR(ParsePricePlans(reader, root, config.prices));

  // [[customer]]
  std::set<std::string> customer_ids;
  struct ParentLink {
    std::string child, parent, key;
  };
  std::vector<ParentLink> parents;
  if (auto customers = root["customer"]; customers) {
    if (!customers.is_array_of_tables()) {
      return reader.Error("customer", "must be an array of tables ([[customer]])");
    }
    size_t i = 0;
    for (const toml::node& node : *customers.as_array()) {
      std::string key = Key("customer", i);
      toml::node_view<const toml::node> c{node};
      REBILL_RETURN_IF_ERROR(CheckKnownKeys(
          reader, *node.as_table(), key,
          {"id", "name", "currency", "price_plan", "price_plans", "rounding", "accounts",
           "commitments", "commitment_share", "parent", "fees", "tax", "tax_exempt", "credits",
           "legal_name", "address", "tax_id", "language", "lines_by"}));
      report::CustomerInfo info;
      REBILL_ASSIGN_OR_RETURN(info.id, reader.String(c["id"], key + ".id", true));
      if (info.id.empty()) return reader.Error(key + ".id", "must not be empty");
      if (!customer_ids.insert(info.id).second) {
        return reader.Error(key + ".id", "customer '" + info.id + "' is defined twice");
      }
      REBILL_ASSIGN_OR_RETURN(info.name, reader.String(c["name"], key + ".name", false, info.id));
      REBILL_RETURN_IF_ERROR(ParseCustomerHeader(reader, c, key, statement_defaults, info));
      REBILL_ASSIGN_OR_RETURN(std::string parent,
                              reader.String(c["parent"], key + ".parent", false));
      if (!parent.empty()) parents.push_back({info.id, parent, key + ".parent"});
      REBILL_ASSIGN_OR_RETURN(
          info.currency, reader.String(c["currency"], key + ".currency", false, config.currency));
      if (Result<Currency> cur = Currency::Parse(info.currency); !cur.ok()) {
        return reader.Error(key + ".currency", cur.status().message());
      }
      REBILL_ASSIGN_OR_RETURN(std::string rounding,
                              reader.String(c["rounding"], key + ".rounding", false, "half-up"));
      Result<RoundingMode> mode = ParseRoundingMode(rounding);
      if (!mode.ok()) return reader.Error(key + ".rounding", mode.status().message());
      info.rounding = *mode;
      if (c["commitments"] || c["commitment_share"]) {
        REBILL_ASSIGN_OR_RETURN(
            allocate::CommitmentRule rule,
            ParseRule(reader, c["commitments"], c["commitment_share"], key + ".commitments",
                      key + ".commitment_share", base.commitments));
        config.customer_overrides[info.id] = rule;
      }
      REBILL_ASSIGN_OR_RETURN(
          price::CustomerPricing pricing,
          ParseCustomerPricing(reader, c, key, info.id, info.currency, config.prices));
      config.prices.customers.push_back(std::move(pricing));

      if (auto accounts = c["accounts"]; accounts) {
        if (!accounts.is_array()) return reader.Error(key + ".accounts", "must be an array");
        size_t j = 0;
        for (const toml::node& account : *accounts.as_array()) {
          std::string akey = key + ".accounts[" + std::to_string(j) + "]";
          map::Assignment assignment;
          assignment.customer = info.id;
          assignment.config_key = akey;
          std::string id_text;
          if (account.is_string()) {
            id_text = *account.value<std::string>();
          } else if (account.is_table()) {
            toml::node_view<const toml::node> a{account};
            REBILL_RETURN_IF_ERROR(
                CheckKnownKeys(reader, *account.as_table(), akey, {"id", "from", "to"}));
            REBILL_ASSIGN_OR_RETURN(id_text, reader.String(a["id"], akey + ".id", true));
            REBILL_ASSIGN_OR_RETURN(assignment.from,
                                    reader.Time(a["from"], akey + ".from", assignment.from));
            REBILL_ASSIGN_OR_RETURN(assignment.to,
                                    reader.Time(a["to"], akey + ".to", assignment.to));
          } else {
            return reader.Error(akey,
                                "must be an account id string or { id = \"...\", from = \"...\" }");
          }
          Result<AccountId> id = AccountId::Parse(id_text);
          if (!id.ok()) return reader.Error(akey, id.status().message());
          assignment.account = id->str();
          config.accounts.assignments.push_back(std::move(assignment));
          ++j;
        }
      }
      config.statements.customers.push_back(std::move(info));
      ++i;
    }
  }
  for (size_t i = 0; i < config.credit_rules.size(); ++i) {
    const allocate::CreditRule& rule = config.credit_rules[i];
    if (!rule.customer.empty() && customer_ids.count(rule.customer) == 0) {
      return reader.Error(rule.config_key + ".customer",
                          "'" + rule.customer + "' is not a [[customer]] id");
    }
  }
  // The hierarchy: parents exist, and following parents never loops.
  for (const ParentLink& link : parents) {
    if (customer_ids.count(link.parent) == 0) {
      return reader.Error(link.key, "'" + link.parent + "' is not a [[customer]] id");
    }
    config.parents[link.child] = link.parent;
  }
  for (const ParentLink& link : parents) {
    std::string at = link.child;
    for (size_t steps = 0; config.parents.count(at) != 0; ++steps) {
      at = config.parents.at(at);
      if (at == link.child || steps > parents.size()) {
        return reader.Error(link.key, "customer '" + link.child +
                                          "' is its own ancestor; the hierarchy must be a tree");
      }
    }
  }
  REBILL_RETURN_IF_ERROR(ParseSplits(reader, root, customer_ids, config.accounts));
  REBILL_RETURN_IF_ERROR(ParseRules(reader, root, customer_ids, config.accounts));
  for (const map::Split& split : config.accounts.splits) {
    if (split.by == map::Split::By::kTag) config.tag_keys.push_back(split.key);
  }
  Status valid = map::ValidateAccountMap(config.accounts);
  if (!valid.ok()) return InvalidInput(file + ": " + valid.message());
  for (const std::string& conflict : price::FindRuleConflicts(config.prices)) {
    config.warnings.push_back(file + ": " + conflict);
  }
  return config;
}

allocate::Policy PolicyFor(const WorkspaceConfig& config, BillingPeriod period) {
  allocate::Policy policy;
  for (const auto& [from, p] : config.policies) {
    if (!(period < from)) policy = p;
  }
  for (const Override& o : config.commitment_overrides) {
    if (!(period < o.from) && !(o.to < period)) policy.by_commitment[o.arn] = o.rule;
  }
  policy.by_customer = config.customer_overrides;
  policy.credit_rules = config.credit_rules;
  return policy;
}

Result<WorkspaceConfig> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFound(path + ": no configuration; create a workspace with `rebill init` first");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseConfig(buffer.str(), path);
}

Result<std::string> LoadStoreUrl(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string();
  std::stringstream buffer;
  buffer << in.rdbuf();
  ConfigReader reader(path);
  toml::table parsed;
  try {
    parsed = toml::parse(buffer.str(), path);
  } catch (const toml::parse_error& e) {
    return InvalidInput(path + ":" + std::to_string(e.source().begin.line) + ":" +
                        std::to_string(e.source().begin.column) + ": " +
                        std::string(e.description()));
  }
  return ReadStoreUrl(reader, parsed);
}

std::string DefaultConfigText() {
  return R"toml(# rebill workspace configuration (see docs/configuration.md).
# Amounts and percentages are written as strings ("2.5") so they stay exact.

[reseller]
name = "Example Reseller"              # shown on statements
legal_entity = "Example Reseller Ltd"  # the seller on statements (defaults to name)
currency = "USD"                       # ISO 4217; the default currency of customers
# accounts = ["999999999999"]          # the reseller's own accounts, e.g. the payer

[policy]
# How Savings Plan benefit is shared between customers:
#   pro-rata: each plan's cost is spread over all usage it covered, by on-demand value.
commitments = "pro-rata"
# Which CUR cost view customers' cost basis uses: amortized | unblended | net-unblended.
cost_view = "amortized"

# Margin against the reseller's true cost (docs/margin.md):
# [margin]
# cost_view = "amortized"      # amortized | cash; default: the cost view above
# alert_below_percent = "10"   # alert on customers whose margin % is below this

# Closing a period numbers its statements from one gapless sequence per legal entity.
# [invoice]
# number_format = "INV-{year}-{seq:05}"   # {year}, {month}, {seq} or {seq:05}
# payment_terms_days = 30
# corrections = "next-statement"          # or "note": corrections after close as credit notes

# A price plan applies one global rule to a customer's cost basis.
[[price_plan]]
id = "standard"
rules = [{ scope = "global", type = "markup", percent = "5" }]

# Customers own AWS accounts, optionally from / to a UTC time (hour precision):
#   accounts = ["111111111111", { id = "222222222222", from = "2026-03-14T00:00:00Z" }]
# Accounts with spend that no customer owns land in the Unassigned bucket.
#
# [[customer]]
# id = "globex"
# name = "Globex Corporation"
# price_plan = "standard"
# accounts = ["111111111111"]
)toml";
}

}  // namespace rebill::pipeline
