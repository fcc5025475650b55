#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rebill/attribute/attribute.h"
#include "rebill/core/escape.h"

namespace rebill::attribute {
namespace {

using Json = nlohmann::ordered_json;

/// margin / revenue * 100, half-up to 2 digits; null when there is no revenue.
Json MarginPercent(const MarginRow& row) {
  if (row.revenue.IsZero()) return nullptr;
  // One rounding, straight to hundredths of a percent: with b = 10^-14, MulDiv's raw result is
  // round(margin / revenue * 10^4). Rounding to 18 digits first and then to 2 would round twice
  // (12.34499..95 -> 12.345 -> 12.35).
  Result<Decimal> hundredths =
      Decimal::MulDiv(row.margin, Decimal::FromRaw(10'000), row.revenue, RoundingMode::kHalfUp);
  if (!hundredths.ok()) return nullptr;  // a ratio beyond 10^16 % means nothing to a reader
  Decimal::Rep n = hundredths->raw();
  const bool negative = n < 0;
  __extension__ typedef unsigned __int128 Magnitude;
  // Unsigned so that the most negative value has a magnitude too.
  Magnitude magnitude =
      negative ? static_cast<Magnitude>(0) - static_cast<Magnitude>(n) : static_cast<Magnitude>(n);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  while (digits.size() < 3) digits.insert(digits.begin(), '0');
  digits.insert(digits.size() - 2, ".");
  return (negative ? "-" : "") + digits;
}

const std::vector<MarginRow>& RowsBy(const MarginReport& report, const std::string& by) {
  if (by == "service") return report.by_service;
  if (by == "account") return report.by_account;
  if (by == "customer-service") return report.by_customer_service;
  return report.by_customer;
}

Json RowJson(const MarginRow& r) {
  return {{"key", r.key},
          {"revenue", r.revenue.ToString(2)},
          {"cost", r.cost.ToString(2)},
          {"margin", r.margin.ToString(2)},
          {"margin_percent", MarginPercent(r)},
          {"cost_basis", r.cost_basis.ToString(2)}};
}

Json WaterfallJson(const Waterfall& w, bool below_the_line) {
  Json steps = Json::array();
  for (int s = 0; s < kWaterfallStepCount; ++s) {
    auto step = static_cast<WaterfallStep>(s);
    if (!below_the_line && LegOf(step) == WaterfallLeg::kBelowTheLine) continue;
    steps.push_back({{"step", std::string(WaterfallStepName(step))},
                     {"label", std::string(WaterfallStepLabel(step))},
                     {"amount", w[step].ToString(2)}});
  }
  Json out = {{"key", w.key},
              {"list_price", w.list_price.ToString(2)},
              {"cost_basis", w.cost_basis.ToString(2)},
              {"customer_price", w.customer_price.ToString(2)},
              {"reseller_cost", w.reseller_cost.ToString(2)},
              {"margin", w.margin.ToString(2)}};
  if (below_the_line) out["net_margin"] = w.net_margin.ToString(2);
  out["steps"] = steps;
  return out;
}

Json AlertJson(const Alert& a) {
  return {{"kind", std::string(AlertKindName(a.kind))},
          {"period", a.period},
          {"subject", a.subject},
          {"amount", a.amount.ToString(2)},
          {"message", a.message}};
}

}  // namespace

std::string MarginPercentText(const MarginRow& r) {
  Json pct = MarginPercent(r);
  return pct.is_null() ? "" : pct.get<std::string>();
}

std::string RenderAlertsText(const std::vector<Alert>& alerts) {
  std::string out;
  for (const Alert& a : alerts) out += "  alert: " + a.message + "\n";
  return out;
}

std::string RenderReconcileJson(const Reconciliation& r) {
  const int scale = r.display_scale;
  Json out = Json::object();
  out["period"] = r.period.ToString();
  out["cost_view"] = std::string(CostViewName(r.cost_view));
  out["currency"] = r.currency;
  out["balanced"] = r.balanced;
  Json payers = Json::array();
  for (const PayerReconciliation& p : r.payers) {
    Json components = Json::object();
    for (int c = 0; c < kChargeCategoryCount; ++c) {
      components[std::string(ChargeCategoryName(static_cast<ChargeCategory>(c)))] =
          p.components[static_cast<size_t>(c)].ToString(scale);
    }
    payers.push_back({{"payer", p.payer},
                      {"cur_total", p.cur_total.ToString(scale)},
                      {"customers", p.customers.ToString(scale)},
                      {"reseller_retained", p.reseller_retained.ToString(scale)},
                      {"unassigned", p.unassigned.ToString(scale)},
                      {"difference", p.difference.ToString(scale)},
                      {"balanced", p.difference.IsZero()},
                      {"components", components}});
    if (!p.invoices.empty()) {
      Json invoices = Json::array();
      for (const InvoiceReconciliation& i : p.invoices) {
        invoices.push_back({{"invoice_id", i.invoice_id},
                            {"cur_total", i.cur_total.ToString(scale)},
                            {"allocated", i.allocated.ToString(scale)},
                            {"difference", i.difference.ToString(scale)},
                            {"balanced", i.difference.IsZero()}});
      }
      payers.back()["invoices"] = invoices;
    }
  }
  out["payers"] = payers;
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string RenderReconcileText(const Reconciliation& r) {
  const int scale = r.display_scale;
  std::string out = "reconciliation " + r.period.ToString() + " (" +
                    std::string(CostViewName(r.cost_view)) + ", " + r.currency +
                    "): " + (r.balanced ? "balanced" : "NOT balanced") + "\n";
  if (r.payers.empty()) return out + "  no payers in this period\n";
  // One row per payer; amounts right-aligned so that the columns add up visibly.
  std::vector<std::array<std::string, 7>> rows;
  rows.push_back(
      {"payer", "CUR total", "customers", "reseller retained", "unassigned", "difference", ""});
  for (const PayerReconciliation& p : r.payers) {
    rows.push_back({p.payer, p.cur_total.ToString(scale), p.customers.ToString(scale),
                    p.reseller_retained.ToString(scale), p.unassigned.ToString(scale),
                    p.difference.ToString(scale), p.difference.IsZero() ? "ok" : "DIFFERENCE"});
  }
  std::array<size_t, 7> width{};
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - row[c].size(), ' ');
      // The payer and the status read left to right; amounts align on the right.
      line += "  " + (c == 0 || c == 6 ? row[c] + pad : pad + row[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  for (const PayerReconciliation& p : r.payers) {
    for (const InvoiceReconciliation& i : p.invoices) {
      out += "  payer " + p.payer + " invoice " + i.invoice_id + ": CUR " +
             i.cur_total.ToString(scale) + ", allocated " + i.allocated.ToString(scale) +
             (i.difference.IsZero() ? ", ok" : ", DIFFERENCE " + i.difference.ToString(scale)) +
             "\n";
    }
  }
  return out;
}

std::string RenderMarginJson(const MarginReport& report, const std::string& by) {
  Json out = Json::object();
  out["period"] = report.period.ToString();
  if (report.through != report.period) out["through"] = report.through.ToString();
  out["currency"] = report.currency;
  out["cost_view"] = std::string(CostViewName(report.cost_view));
  out["basis_cost_view"] = std::string(CostViewName(report.basis_cost_view));
  out["by"] = by;
  Json rows = Json::array();
  for (const MarginRow& r : RowsBy(report, by)) rows.push_back(RowJson(r));
  out["rows"] = rows;
  out["total"] = RowJson(report.total);
  Json waterfall = Json::object();
  waterfall["total"] = WaterfallJson(report.total_waterfall, true);
  Json customers = Json::array();
  for (const Waterfall& w : report.waterfalls) customers.push_back(WaterfallJson(w, false));
  waterfall["customers"] = customers;
  out["waterfall"] = waterfall;
  Json alerts = Json::array();
  for (const Alert& a : report.alerts) alerts.push_back(AlertJson(a));
  out["alerts"] = alerts;
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string RenderMarginCsv(const MarginReport& report, const std::string& by) {
  if (by == "waterfall") {
    // One row per customer and the total; the columns read left to right as the waterfall.
    std::string out = "key,list_price";
    for (int s = 0; s < kWaterfallStepCount; ++s) {
      out += "," + std::string(WaterfallStepName(static_cast<WaterfallStep>(s)));
      if (s == static_cast<int>(WaterfallStep::kChargesOffList)) out += ",cost_basis";
      if (s == static_cast<int>(WaterfallStep::kFx)) out += ",customer_price";
      if (s == static_cast<int>(WaterfallStep::kCostView)) out += ",reseller_cost,margin";
    }
    out += ",net_margin\n";
    auto line = [&](const Waterfall& w) {
      out += CsvField(w.key) + "," + w.list_price.ToString(2);
      for (int s = 0; s < kWaterfallStepCount; ++s) {
        out += "," + w.steps[static_cast<size_t>(s)].ToString(2);
        if (s == static_cast<int>(WaterfallStep::kChargesOffList)) {
          out += "," + w.cost_basis.ToString(2);
        }
        if (s == static_cast<int>(WaterfallStep::kFx)) out += "," + w.customer_price.ToString(2);
        if (s == static_cast<int>(WaterfallStep::kCostView)) {
          out += "," + w.reseller_cost.ToString(2) + "," + w.margin.ToString(2);
        }
      }
      out += "," + w.net_margin.ToString(2) + "\n";
    };
    for (const Waterfall& w : report.waterfalls) line(w);
    line(report.total_waterfall);
    return out;
  }
  std::string out = "key,revenue,cost,margin,margin_percent,cost_basis\n";
  auto line = [&](const MarginRow& r) {
    out += CsvField(r.key) + "," + r.revenue.ToString(2) + "," + r.cost.ToString(2) + "," +
           r.margin.ToString(2) + "," + MarginPercentText(r) + "," + r.cost_basis.ToString(2) +
           "\n";
  };
  for (const MarginRow& r : RowsBy(report, by)) line(r);
  line(report.total);
  return out;
}

namespace {

Json RowsJson(const std::vector<MarginRow>& rows) {
  Json out = Json::array();
  for (const MarginRow& r : rows) {
    out.push_back({r.key, r.revenue.ToString(), r.cost.ToString(), r.cost_basis.ToString()});
  }
  return out;
}

Json StoredWaterfall(const Waterfall& w) {
  Json steps = Json::array();
  for (Decimal d : w.steps) steps.push_back(d.ToString());
  return {{"key", w.key},
          {"list_price", w.list_price.ToString()},
          {"cost_basis", w.cost_basis.ToString()},
          {"customer_price", w.customer_price.ToString()},
          {"reseller_cost", w.reseller_cost.ToString()},
          {"margin", w.margin.ToString()},
          {"net_margin", w.net_margin.ToString()},
          {"steps", steps}};
}

Result<Decimal> Amount(const Json& j) {
  if (!j.is_string()) return InvalidInput("stored margin: an amount is not a decimal string");
  return Decimal::Parse(j.get<std::string>());
}

Result<std::vector<MarginRow>> ParseRows(const Json& rows) {
  std::vector<MarginRow> out;
  for (const Json& r : rows) {
    MarginRow row;
    row.key = r.at(0).get<std::string>();
    REBILL_ASSIGN_OR_RETURN(row.revenue, Amount(r.at(1)));
    REBILL_ASSIGN_OR_RETURN(row.cost, Amount(r.at(2)));
    REBILL_ASSIGN_OR_RETURN(row.cost_basis, Amount(r.at(3)));
    row.margin = row.revenue - row.cost;
    out.push_back(std::move(row));
  }
  return out;
}

Result<Waterfall> ParseWaterfall(const Json& j) {
  Waterfall w;
  w.key = j.at("key").get<std::string>();
  REBILL_ASSIGN_OR_RETURN(w.list_price, Amount(j.at("list_price")));
  REBILL_ASSIGN_OR_RETURN(w.cost_basis, Amount(j.at("cost_basis")));
  REBILL_ASSIGN_OR_RETURN(w.customer_price, Amount(j.at("customer_price")));
  REBILL_ASSIGN_OR_RETURN(w.reseller_cost, Amount(j.at("reseller_cost")));
  REBILL_ASSIGN_OR_RETURN(w.margin, Amount(j.at("margin")));
  REBILL_ASSIGN_OR_RETURN(w.net_margin, Amount(j.at("net_margin")));
  const Json& steps = j.at("steps");
  if (steps.size() != w.steps.size()) {
    return InvalidInput("stored margin: a waterfall has " + std::to_string(steps.size()) +
                        " steps, expected " + std::to_string(w.steps.size()) +
                        "; run the period again");
  }
  for (size_t s = 0; s < w.steps.size(); ++s) {
    REBILL_ASSIGN_OR_RETURN(w.steps[s], Amount(steps[s]));
  }
  return w;
}

}  // namespace

std::string MarginReportToJson(const MarginReport& r) {
  Json out = Json::object();
  out["period"] = r.period.ToString();
  out["through"] = r.through.ToString();
  out["currency"] = r.currency;
  out["cost_view"] = std::string(CostViewName(r.cost_view));
  out["basis_cost_view"] = std::string(CostViewName(r.basis_cost_view));
  out["by_customer"] = RowsJson(r.by_customer);
  out["by_service"] = RowsJson(r.by_service);
  out["by_account"] = RowsJson(r.by_account);
  out["by_customer_service"] = RowsJson(r.by_customer_service);
  out["total"] = RowsJson({r.total}).at(0);
  Json waterfalls = Json::array();
  for (const Waterfall& w : r.waterfalls) waterfalls.push_back(StoredWaterfall(w));
  out["waterfalls"] = waterfalls;
  out["total_waterfall"] = StoredWaterfall(r.total_waterfall);
  Json alerts = Json::array();
  for (const Alert& a : r.alerts) {
    alerts.push_back({{"kind", static_cast<int>(a.kind)},
                      {"period", a.period},
                      {"subject", a.subject},
                      {"amount", a.amount.ToString()},
                      {"message", a.message}});
  }
  out["alerts"] = alerts;
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<MarginReport> ParseMarginReportJson(std::string_view text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidInput("stored margin is not JSON");
  try {
    MarginReport r;
    REBILL_ASSIGN_OR_RETURN(r.period, BillingPeriod::Parse(j.at("period").get<std::string>()));
    REBILL_ASSIGN_OR_RETURN(r.through, BillingPeriod::Parse(j.at("through").get<std::string>()));
    r.currency = j.at("currency").get<std::string>();
    REBILL_ASSIGN_OR_RETURN(r.cost_view, ParseCostView(j.at("cost_view").get<std::string>()));
    REBILL_ASSIGN_OR_RETURN(r.basis_cost_view,
                            ParseCostView(j.at("basis_cost_view").get<std::string>()));
    REBILL_ASSIGN_OR_RETURN(r.by_customer, ParseRows(j.at("by_customer")));
    REBILL_ASSIGN_OR_RETURN(r.by_service, ParseRows(j.at("by_service")));
    REBILL_ASSIGN_OR_RETURN(r.by_account, ParseRows(j.at("by_account")));
    REBILL_ASSIGN_OR_RETURN(r.by_customer_service, ParseRows(j.at("by_customer_service")));
    REBILL_ASSIGN_OR_RETURN(std::vector<MarginRow> total, ParseRows(Json::array({j.at("total")})));
    r.total = total.at(0);
    for (const Json& w : j.at("waterfalls")) {
      REBILL_ASSIGN_OR_RETURN(Waterfall parsed, ParseWaterfall(w));
      r.waterfalls.push_back(std::move(parsed));
    }
    REBILL_ASSIGN_OR_RETURN(r.total_waterfall, ParseWaterfall(j.at("total_waterfall")));
    for (const Json& a : j.at("alerts")) {
      Alert alert;
      int kind = a.at("kind").get<int>();
      if (kind < 0 || kind > static_cast<int>(AlertKind::kUnbalancedReconciliation)) {
        return InvalidInput("stored margin: unknown alert kind " + std::to_string(kind));
      }
      alert.kind = static_cast<AlertKind>(kind);
      alert.period = a.at("period").get<std::string>();
      alert.subject = a.at("subject").get<std::string>();
      REBILL_ASSIGN_OR_RETURN(alert.amount, Amount(a.at("amount")));
      alert.message = a.at("message").get<std::string>();
      r.alerts.push_back(std::move(alert));
    }
    return r;
  } catch (const Json::exception& e) {
    return InvalidInput(std::string("stored margin is not in the expected shape: ") + e.what());
  }
}

}  // namespace rebill::attribute
