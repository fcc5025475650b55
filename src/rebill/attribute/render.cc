#include <nlohmann/json.hpp>

#include "rebill/attribute/attribute.h"

namespace rebill::attribute {
namespace {

using Json = nlohmann::ordered_json;

std::string Csv(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

/// margin / revenue * 100, half-up to 2 digits; null when there is no revenue.
Json MarginPercent(const MarginRow& row) {
  if (row.revenue.IsZero()) return nullptr;
  Result<Decimal> pct =
      Decimal::MulDiv(row.margin, Decimal::FromInt(100), row.revenue, RoundingMode::kHalfUp);
  if (!pct.ok()) return nullptr;
  return pct->Round(2, RoundingMode::kHalfUp).ToString(2);
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
          {"margin_percent", MarginPercent(r)}};
}

std::string PercentText(const MarginRow& r) {
  Json pct = MarginPercent(r);
  return pct.is_null() ? "" : pct.get<std::string>();
}

}  // namespace

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
  }
  out["payers"] = payers;
  return out.dump(2) + "\n";
}

std::string RenderReconcileText(const Reconciliation& r) {
  const int scale = r.display_scale;
  std::string out = "reconciliation " + r.period.ToString() + " (" +
                    std::string(CostViewName(r.cost_view)) + ", " + r.currency +
                    "): " + (r.balanced ? "balanced" : "NOT balanced") + "\n";
  for (const PayerReconciliation& p : r.payers) {
    out += "  payer " + p.payer + "\n";
    out += "    CUR total          " + p.cur_total.ToString(scale) + "\n";
    out += "    customers          " + p.customers.ToString(scale) + "\n";
    out += "    reseller retained  " + p.reseller_retained.ToString(scale) + "\n";
    out += "    unassigned         " + p.unassigned.ToString(scale) + "\n";
    out += "    difference         " + p.difference.ToString(scale) + "\n";
  }
  return out;
}

std::string RenderMarginJson(const MarginReport& report, const std::string& by) {
  Json out = Json::object();
  out["period"] = report.period.ToString();
  out["currency"] = report.currency;
  out["cost_view"] = std::string(CostViewName(report.cost_view));
  out["by"] = by;
  Json rows = Json::array();
  for (const MarginRow& r : RowsBy(report, by)) rows.push_back(RowJson(r));
  out["rows"] = rows;
  out["total"] = RowJson(report.total);
  return out.dump(2) + "\n";
}

std::string RenderMarginCsv(const MarginReport& report, const std::string& by) {
  std::string out = "key,revenue,cost,margin,margin_percent\n";
  auto line = [&](const MarginRow& r) {
    out += Csv(r.key) + "," + r.revenue.ToString(2) + "," + r.cost.ToString(2) + "," +
           r.margin.ToString(2) + "," + PercentText(r) + "\n";
  };
  for (const MarginRow& r : RowsBy(report, by)) line(r);
  line(report.total);
  return out;
}

}  // namespace rebill::attribute
