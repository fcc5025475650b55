#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
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
