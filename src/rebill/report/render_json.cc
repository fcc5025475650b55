#include <algorithm>
#include <nlohmann/json.hpp>

#include "rebill/core/currency.h"
#include "rebill/report/render.h"

namespace rebill::report {
namespace {

using Json = nlohmann::ordered_json;

int MinorUnits(const std::string& currency) {
  Result<Currency> c = Currency::Parse(currency);
  return c.ok() ? c->minor_units() : 2;
}

Result<Decimal> Amount(const nlohmann::json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return InvalidInput(where + ": '" + key + "' must be a decimal string");
  }
  Result<Decimal> d = Decimal::Parse(it->get<std::string>());
  if (!d.ok()) return InvalidInput(where + ": '" + key + "': " + d.status().message());
  return d;
}

std::string Text(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

template <typename Enum, typename NameFn>
Result<Enum> EnumFrom(const std::string& text, NameFn name, int count, const std::string& what) {
  for (int i = 0; i < count; ++i) {
    if (name(static_cast<Enum>(i)) == text) return static_cast<Enum>(i);
  }
  return InvalidInput(what + ": unknown value '" + text + "'");
}

Json PartyJson(const Party& party) {
  return {{"name", party.name},
          {"address", party.address},
          {"tax_id", party.tax_id.empty() ? Json(nullptr) : Json(party.tax_id)}};
}

Party PartyFrom(const nlohmann::json& object) {
  Party party;
  party.name = Text(object, "name");
  if (auto address = object.find("address"); address != object.end() && address->is_array()) {
    for (const auto& line : *address) {
      if (line.is_string()) party.address.push_back(line.get<std::string>());
    }
  }
  party.tax_id = Text(object, "tax_id");
  return party;
}

}  // namespace

std::string RenderJson(const StatementSet& set) {
  Json out = Json::object();
  out["period"] = set.period.ToString();
  out["reseller"] = set.reseller;
  Json statements = Json::array();
  for (const Statement& s : set.statements) {
    const int digits = MinorUnits(s.currency);
    Json lines = Json::array();
    for (const StatementLine& l : s.lines) {
      Json line = {{"kind", StatementLineKindName(l.kind)},
                   {"service", l.service},
                   {"description", l.description},
                   {"list_amount", l.list_amount.ToString(digits)},
                   {"precise", l.precise.ToString(digits)},
                   {"amount", l.amount.ToString(digits)},
                   {"rule", l.rule},
                   {"account", l.account.empty() ? Json(nullptr) : Json(l.account)},
                   {"commitment_benefit", l.commitment_benefit.ToString(digits)}};
      if (l.kind == StatementLineKind::kAdjustment) {
        line["original_invoice"] = l.original_invoice;
        line["reason"] = l.reason;
      }
      lines.push_back(std::move(line));
    }
    Json statement = {{"customer", s.customer},
                      {"customer_name", s.customer_name},
                      {"currency", s.currency},
                      {"status", StatementStatusName(s.status)},
                      {"invoice_number", nullptr},
                      {"period", s.period.ToString()},
                      {"lines", lines},
                      {"subtotal", s.subtotal.ToString(digits)},
                      {"fees", s.fees.ToString(digits)},
                      {"credits", s.credits.ToString(digits)},
                      {"tax", s.tax.ToString(digits)},
                      {"total", s.total.ToString(digits)},
                      {"rounding_residue", s.rounding_residue.ToString(digits)},
                      {"policy_note", s.policy_note},
                      {"fx", nullptr}};
    Json credits = Json::array();
    for (const CreditUsage& c : s.customer_credits) {
      credits.push_back({{"name", c.name},
                         {"used", c.used.ToString(digits)},
                         {"remaining", c.remaining.ToString(digits)},
                         {"expires", c.expires.ToString()}});
    }
    statement["customer_credits"] = credits;
    if (s.fx) {
      statement["fx"] = {{"from", s.fx->from},
                         {"to", s.fx->to},
                         {"rate", s.fx->rate.ToString()},
                         {"source", s.fx->source}};
    }
    if (!s.invoice_number.empty()) statement["invoice_number"] = s.invoice_number;
    statement["language"] = s.language;
    statement["lines_by"] = s.lines_by;
    statement["issuer"] = PartyJson(s.issuer);
    statement["bill_to"] = PartyJson(s.bill_to);
    statement["branding"] = {
        {"logo", s.branding.logo.empty() ? Json(nullptr) : Json(s.branding.logo)},
        {"accent_colour", s.branding.accent},
        {"paper", s.branding.paper}};
    Json daily = Json::array();
    for (const DailyAmount& d : s.daily) {
      daily.push_back({{"day", d.day}, {"amount", d.amount.ToString(digits)}});
    }
    statement["daily"] = std::move(daily);
    // Keys that only some statements have are left out rather than null, so statements without
    // corrections, payments or an invoice read as before.
    if (!s.adjustments.IsZero() ||
        std::any_of(s.lines.begin(), s.lines.end(), [](const StatementLine& l) {
          return l.kind == StatementLineKind::kAdjustment;
        })) {
      statement["adjustments"] = s.adjustments.ToString(digits);
    }
    if (!s.issued.empty()) statement["issued"] = s.issued;
    if (!s.due_date.empty()) statement["due_date"] = s.due_date;
    if (s.account) {
      statement["account"] = {
          {"balance_brought_forward", s.account->balance_brought_forward.ToString(digits)},
          {"payments_received", s.account->payments_received.ToString(digits)},
          {"amount_due", s.account->amount_due.ToString(digits)}};
    }
    statements.push_back(std::move(statement));
  }
  out["statements"] = std::move(statements);
  // Names come from configuration and CUR files; a stray invalid UTF-8 byte must not abort a run.
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

Result<StatementSet> ParseStatementsJson(const std::string& json) {
  nlohmann::json root = nlohmann::json::parse(json, nullptr, false);
  if (root.is_discarded() || !root.is_object()) {
    return InvalidInput("stored statements are not valid JSON");
  }
  StatementSet set;
  Result<BillingPeriod> period = BillingPeriod::Parse(Text(root, "period"));
  if (!period.ok()) return period.status().WithContext("stored statements: 'period'");
  set.period = *period;
  set.reseller = Text(root, "reseller");
  if (!root.contains("statements") || !root["statements"].is_array()) {
    return InvalidInput("stored statements have no 'statements' array");
  }
  for (const auto& js : root["statements"]) {
    Statement s;
    s.customer = Text(js, "customer");
    const std::string where = "statement of '" + s.customer + "'";
    s.customer_name = Text(js, "customer_name");
    s.currency = Text(js, "currency");
    REBILL_ASSIGN_OR_RETURN(s.status,
                            (EnumFrom<StatementStatus>(Text(js, "status"), StatementStatusName, 3,
                                                       where + ": status")));
    s.invoice_number = Text(js, "invoice_number");
    Result<BillingPeriod> statement_period = BillingPeriod::Parse(Text(js, "period"));
    if (!statement_period.ok()) return statement_period.status().WithContext(where + ": 'period'");
    s.period = *statement_period;
    if (js.contains("lines") && js["lines"].is_array()) {
      for (const auto& jl : js["lines"]) {
        StatementLine l;
        REBILL_ASSIGN_OR_RETURN(
            l.kind, (EnumFrom<StatementLineKind>(Text(jl, "kind"), StatementLineKindName,
                                                 kStatementLineKindCount, where + ": line kind")));
        l.service = Text(jl, "service");
        l.description = Text(jl, "description");
        REBILL_ASSIGN_OR_RETURN(l.list_amount, Amount(jl, "list_amount", where));
        REBILL_ASSIGN_OR_RETURN(l.precise, Amount(jl, "precise", where));
        REBILL_ASSIGN_OR_RETURN(l.amount, Amount(jl, "amount", where));
        l.rule = Text(jl, "rule");
        l.account = Text(jl, "account");
        if (jl.contains("commitment_benefit")) {  // absent from statements stored before it
          REBILL_ASSIGN_OR_RETURN(l.commitment_benefit, Amount(jl, "commitment_benefit", where));
        }
        l.original_invoice = Text(jl, "original_invoice");
        l.reason = Text(jl, "reason");
        s.lines.push_back(std::move(l));
      }
    }
    REBILL_ASSIGN_OR_RETURN(s.subtotal, Amount(js, "subtotal", where));
    REBILL_ASSIGN_OR_RETURN(s.fees, Amount(js, "fees", where));
    REBILL_ASSIGN_OR_RETURN(s.credits, Amount(js, "credits", where));
    REBILL_ASSIGN_OR_RETURN(s.tax, Amount(js, "tax", where));
    REBILL_ASSIGN_OR_RETURN(s.total, Amount(js, "total", where));
    REBILL_ASSIGN_OR_RETURN(s.rounding_residue, Amount(js, "rounding_residue", where));
    if (js.contains("adjustments")) {
      REBILL_ASSIGN_OR_RETURN(s.adjustments, Amount(js, "adjustments", where));
    }
    s.issued = Text(js, "issued");
    s.due_date = Text(js, "due_date");
    if (auto account = js.find("account"); account != js.end() && account->is_object()) {
      AccountSummary a;
      REBILL_ASSIGN_OR_RETURN(a.balance_brought_forward,
                              Amount(*account, "balance_brought_forward", where + ": account"));
      REBILL_ASSIGN_OR_RETURN(a.payments_received,
                              Amount(*account, "payments_received", where + ": account"));
      REBILL_ASSIGN_OR_RETURN(a.amount_due, Amount(*account, "amount_due", where + ": account"));
      s.account = a;
    }
    s.policy_note = Text(js, "policy_note");
    if (auto credits = js.find("customer_credits"); credits != js.end() && credits->is_array()) {
      for (const auto& c : *credits) {
        CreditUsage usage;
        usage.name = Text(c, "name");
        REBILL_ASSIGN_OR_RETURN(usage.used, Amount(c, "used", where + ": customer_credits"));
        REBILL_ASSIGN_OR_RETURN(usage.remaining,
                                Amount(c, "remaining", where + ": customer_credits"));
        REBILL_ASSIGN_OR_RETURN(usage.expires, BillingPeriod::Parse(Text(c, "expires")));
        s.customer_credits.push_back(std::move(usage));
      }
    }
    if (auto fx = js.find("fx"); fx != js.end() && fx->is_object()) {
      FxRate rate;
      rate.from = Text(*fx, "from");
      rate.to = Text(*fx, "to");
      REBILL_ASSIGN_OR_RETURN(rate.rate, Amount(*fx, "rate", where + ": fx"));
      rate.source = Text(*fx, "source");
      s.fx = rate;
    }
    // Statements stored before the header and daily amounts existed read with the defaults.
    if (std::string language = Text(js, "language"); !language.empty()) s.language = language;
    if (std::string lines_by = Text(js, "lines_by"); !lines_by.empty()) s.lines_by = lines_by;
    if (auto issuer = js.find("issuer"); issuer != js.end() && issuer->is_object()) {
      s.issuer = PartyFrom(*issuer);
    }
    if (auto bill_to = js.find("bill_to"); bill_to != js.end() && bill_to->is_object()) {
      s.bill_to = PartyFrom(*bill_to);
    }
    if (auto branding = js.find("branding"); branding != js.end() && branding->is_object()) {
      s.branding.logo = Text(*branding, "logo");
      if (std::string accent = Text(*branding, "accent_colour"); !accent.empty()) {
        s.branding.accent = accent;
      }
      if (std::string paper = Text(*branding, "paper"); !paper.empty()) s.branding.paper = paper;
    }
    if (auto daily = js.find("daily"); daily != js.end() && daily->is_array()) {
      for (const auto& d : *daily) {
        DailyAmount amount;
        if (!d.contains("day") || !d["day"].is_number_integer()) {
          return InvalidInput(where + ": daily: 'day' must be an integer");
        }
        amount.day = d["day"].get<int>();
        REBILL_ASSIGN_OR_RETURN(amount.amount, Amount(d, "amount", where + ": daily"));
        s.daily.push_back(amount);
      }
    }
    set.statements.push_back(std::move(s));
  }
  return set;
}

}  // namespace rebill::report
