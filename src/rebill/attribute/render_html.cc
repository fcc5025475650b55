// The margin report as one self-contained HTML page: inline CSS and SVG, no scripts, nothing
// loaded from anywhere, so it opens the same offline, in a mail client or in an archive.
#include <algorithm>
#include <string>
#include <vector>

#include "rebill/attribute/attribute.h"
#include "rebill/core/escape.h"

namespace rebill::attribute {
namespace {

// Display amounts: two decimals, half-up; the JSON and CSV outputs keep every digit.
std::string Money(Decimal d) { return d.Round(2, RoundingMode::kHalfUp).ToString(2); }

// Pixels for `value` on a scale where `full` spans `pixels`; whole pixels, never floating point.
int Px(Decimal value, Decimal full, int pixels) {
  if (full.Sign() <= 0) return 0;
  Result<Decimal> px =
      Decimal::MulDiv(value, Decimal::FromInt(pixels), full, RoundingMode::kHalfUp);
  if (!px.ok()) return 0;
  return static_cast<int>(px->Round(0, RoundingMode::kHalfUp).raw() / Decimal::kOne);
}

constexpr const char* kPositive = "#2f7d4f";
constexpr const char* kNegative = "#b3372f";
constexpr const char* kAnchor = "#44546a";

// Horizontal bars of margin per key, positive to the right of the zero line, negative to the
// left.
std::string MarginBars(const std::vector<MarginRow>& rows, const std::string& title) {
  constexpr int kLabel = 220, kHalf = 260, kRow = 22, kValue = 110;
  Decimal largest;
  for (const MarginRow& r : rows) largest = std::max(largest, r.margin.Abs());
  const int width = kLabel + 2 * kHalf + kValue;
  const int height = static_cast<int>(rows.size()) * kRow + 30;
  const int zero = kLabel + kHalf;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" +
                    std::to_string(width) + "\" height=\"" + std::to_string(height) +
                    "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                    "\"><title>" + HtmlEscape(title) + "</title>";
  int y = 10;
  for (const MarginRow& r : rows) {
    int w = Px(r.margin.Abs(), largest, kHalf);
    int x = r.margin.Sign() < 0 ? zero - w : zero;
    svg += "<text x=\"" + std::to_string(kLabel - 6) + "\" y=\"" + std::to_string(y + 14) +
           "\" text-anchor=\"end\">" + HtmlEscape(r.key) + "</text>";
    svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y + 3) + "\" width=\"" +
           std::to_string(std::max(w, 1)) + "\" height=\"" + std::to_string(kRow - 6) +
           "\" fill=\"" + (r.margin.Sign() < 0 ? kNegative : kPositive) + "\"/>";
    svg += "<text x=\"" + std::to_string(zero + kHalf + 6) + "\" y=\"" + std::to_string(y + 14) +
           "\">" + Money(r.margin) + "</text>";
    y += kRow;
  }
  svg += "<line x1=\"" + std::to_string(zero) + "\" y1=\"5\" x2=\"" + std::to_string(zero) +
         "\" y2=\"" + std::to_string(height - 20) + "\" stroke=\"#333\"/>";
  return svg + "</svg>";
}

struct Bar {
  std::string label;
  Decimal value;  // an anchor's level, or a step's change
  bool anchor = false;
};

// A waterfall: anchors stand on zero, steps float from the running level.
std::string WaterfallChart(const std::vector<Bar>& bars, const std::string& title) {
  constexpr int kBar = 64, kGap = 14, kPlot = 260, kTop = 20, kLabels = 150, kLeft = 110;
  Decimal level, high, low;
  for (const Bar& b : bars) {
    level = b.anchor ? b.value : level + b.value;
    high = std::max(high, level);
    low = std::min(low, level);
  }
  const Decimal span = high - low;
  auto y_of = [&](Decimal v) { return kTop + Px(high - v, span, kPlot); };
  const int width = kLeft + static_cast<int>(bars.size()) * (kBar + kGap) + kGap;
  const int height = kTop + kPlot + kLabels;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" +
                    std::to_string(width) + "\" height=\"" + std::to_string(height) +
                    "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                    "\"><title>" + HtmlEscape(title) + "</title>";
  level = Decimal();
  int x = kLeft;
  for (const Bar& b : bars) {
    Decimal from = b.anchor ? Decimal() : level;
    Decimal to = b.anchor ? b.value : level + b.value;
    int y1 = y_of(std::max(from, to));
    int y2 = y_of(std::min(from, to));
    const char* fill = b.anchor ? kAnchor : (b.value.Sign() < 0 ? kNegative : kPositive);
    svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y1) + "\" width=\"" +
           std::to_string(kBar) + "\" height=\"" + std::to_string(std::max(y2 - y1, 1)) +
           "\" fill=\"" + fill + "\"/>";
    svg += "<text x=\"" + std::to_string(x + kBar / 2) + "\" y=\"" + std::to_string(y1 - 4) +
           "\" text-anchor=\"middle\" font-size=\"10\">" + Money(b.value) + "</text>";
    const int label_y = kTop + kPlot + 14;
    svg += "<text x=\"" + std::to_string(x + kBar / 2) + "\" y=\"" + std::to_string(label_y) +
           "\" font-size=\"10\" text-anchor=\"end\" transform=\"rotate(-35 " +
           std::to_string(x + kBar / 2) + " " + std::to_string(label_y) + ")\">" +
           HtmlEscape(b.label) + "</text>";
    level = to;
    x += kBar + kGap;
  }
  svg += "<line x1=\"0\" y1=\"" + std::to_string(y_of(Decimal())) + "\" x2=\"" +
         std::to_string(width) + "\" y2=\"" + std::to_string(y_of(Decimal())) +
         "\" stroke=\"#333\"/>";
  return svg + "</svg>";
}

std::vector<Bar> PriceBars(const Waterfall& w) {
  std::vector<Bar> bars = {{"List price", w.list_price, true}};
  for (int s = 0; s < kWaterfallStepCount; ++s) {
    auto step = static_cast<WaterfallStep>(s);
    if (LegOf(step) == WaterfallLeg::kListToBasis && !w[step].IsZero()) {
      bars.push_back({std::string(WaterfallStepLabel(step)), w[step], false});
    }
  }
  bars.push_back({"Cost basis", w.cost_basis, true});
  for (int s = 0; s < kWaterfallStepCount; ++s) {
    auto step = static_cast<WaterfallStep>(s);
    if (LegOf(step) == WaterfallLeg::kBasisToPrice && !w[step].IsZero()) {
      bars.push_back({std::string(WaterfallStepLabel(step)), w[step], false});
    }
  }
  bars.push_back({"Customer price", w.customer_price, true});
  return bars;
}

std::vector<Bar> CostBars(const Waterfall& w) {
  std::vector<Bar> bars = {{"Cost basis", w.cost_basis, true}};
  for (int s = 0; s < kWaterfallStepCount; ++s) {
    auto step = static_cast<WaterfallStep>(s);
    if (LegOf(step) == WaterfallLeg::kBasisToCost && !w[step].IsZero()) {
      bars.push_back({std::string(WaterfallStepLabel(step)), w[step], false});
    }
  }
  bars.push_back({"Reseller cost", w.reseller_cost, true});
  bars.push_back({"Margin", w.margin, false});
  bars.push_back({"Customer price", w.customer_price, true});
  return bars;
}

std::string RowsTable(const std::vector<MarginRow>& rows, const MarginRow* total,
                      const std::string& key_name) {
  std::string out = "<table><thead><tr><th>" + HtmlEscape(key_name) +
                    "</th><th>Revenue</th><th>Cost basis</th><th>True cost</th><th>Margin</th>"
                    "<th>Margin %</th></tr></thead><tbody>";
  auto row = [&](const MarginRow& r, bool bold) {
    std::string pct = MarginPercentText(r);
    out += std::string(bold ? "<tr class=\"total\">" : "<tr>") + "<td>" + HtmlEscape(r.key) +
           "</td><td>" + Money(r.revenue) + "</td><td>" + Money(r.cost_basis) + "</td><td>" +
           Money(r.cost) + "</td><td class=\"" + (r.margin.Sign() < 0 ? "neg" : "pos") + "\">" +
           Money(r.margin) + "</td><td>" + (pct.empty() ? "–" : pct + "%") + "</td></tr>";
  };
  for (const MarginRow& r : rows) row(r, false);
  if (total != nullptr) row(*total, true);
  return out + "</tbody></table>";
}

std::string WaterfallTable(const MarginReport& report) {
  std::vector<const Waterfall*> columns;
  for (const Waterfall& w : report.waterfalls) columns.push_back(&w);
  columns.push_back(&report.total_waterfall);
  std::string out = "<table class=\"waterfall\"><thead><tr><th></th>";
  for (const Waterfall* w : columns) out += "<th>" + HtmlEscape(w->key) + "</th>";
  out += "</tr></thead><tbody>";
  auto anchor = [&](const std::string& label, Decimal Waterfall::*field) {
    out += "<tr class=\"anchor\"><td>" + label + "</td>";
    for (const Waterfall* w : columns) out += "<td>" + Money(w->*field) + "</td>";
    out += "</tr>";
  };
  auto steps = [&](WaterfallLeg leg) {
    for (int s = 0; s < kWaterfallStepCount; ++s) {
      auto step = static_cast<WaterfallStep>(s);
      if (LegOf(step) != leg) continue;
      out += "<tr><td>" + HtmlEscape(std::string(WaterfallStepLabel(step))) + "</td>";
      for (const Waterfall* w : columns) out += "<td>" + Money((*w)[step]) + "</td>";
      out += "</tr>";
    }
  };
  anchor("List price", &Waterfall::list_price);
  steps(WaterfallLeg::kListToBasis);
  anchor("Cost basis", &Waterfall::cost_basis);
  steps(WaterfallLeg::kBasisToPrice);
  anchor("Customer price", &Waterfall::customer_price);
  out += "<tr><td colspan=\"" + std::to_string(columns.size() + 1) +
         "\" class=\"leg\">From the cost basis to what the reseller pays AWS</td></tr>";
  steps(WaterfallLeg::kBasisToCost);
  anchor("Reseller cost", &Waterfall::reseller_cost);
  anchor("Margin", &Waterfall::margin);
  steps(WaterfallLeg::kBelowTheLine);
  anchor("Net margin", &Waterfall::net_margin);
  return out + "</tbody></table>";
}

}  // namespace

std::string RenderMarginHtml(const MarginReport& report, const std::string& reseller) {
  const std::string period = report.through == report.period
                                 ? report.period.ToString()
                                 : report.period.ToString() + " to " + report.through.ToString();
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Margin " +
      HtmlEscape(period) +
      "</title><style>"
      "body{font-family:sans-serif;margin:2em;color:#222}"
      "table{border-collapse:collapse;margin:1em 0}"
      "th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:right}"
      "th:first-child,td:first-child{text-align:left}"
      "tr.total td,tr.anchor td{font-weight:bold}td.leg{font-style:italic;text-align:left}"
      ".neg{color:#b3372f}.pos{color:#2f7d4f}.alerts li{color:#b3372f}"
      "svg text{font-family:sans-serif;font-size:12px}"
      "</style></head><body>\n";
  html += "<h1>Margin " + HtmlEscape(period) + "</h1>\n<p>" + HtmlEscape(reseller) +
          " · amounts in " + HtmlEscape(report.currency) + " · true cost in the " +
          HtmlEscape(std::string(CostViewName(report.cost_view))) + " view, cost basis in the " +
          HtmlEscape(std::string(CostViewName(report.basis_cost_view))) + " view</p>\n";
  const MarginRow& t = report.total;
  std::string pct = MarginPercentText(t);
  html += "<p>Revenue <b>" + Money(t.revenue) + "</b> − true cost <b>" + Money(t.cost) +
          "</b> = margin <b class=\"" + (t.margin.Sign() < 0 ? "neg" : "pos") + "\">" +
          Money(t.margin) + "</b>" + (pct.empty() ? "" : " (" + pct + "%)") +
          "; net of absorbed costs <b>" + Money(report.total_waterfall.net_margin) + "</b></p>\n";
  html += "<h2>Alerts</h2>\n";
  if (report.alerts.empty()) {
    html += "<p>None.</p>\n";
  } else {
    html += "<ul class=\"alerts\">";
    for (const Alert& a : report.alerts) {
      html += "<li>" + HtmlEscape(a.period) + ": " + HtmlEscape(a.message) + "</li>";
    }
    html += "</ul>\n";
  }
  html += "<h2>Margin by customer</h2>\n" + MarginBars(report.by_customer, "Margin by customer") +
          "\n" + RowsTable(report.by_customer, &report.total, "Customer") + "\n";
  html += "<h2>Margin by service</h2>\n" + MarginBars(report.by_service, "Margin by service") +
          "\n" + RowsTable(report.by_service, &report.total, "Service") + "\n";
  html += "<h2>Waterfall</h2>\n<h3>List price to customer price</h3>\n" +
          WaterfallChart(PriceBars(report.total_waterfall), "List price to customer price") +
          "\n<h3>Cost basis to reseller cost</h3>\n" +
          WaterfallChart(CostBars(report.total_waterfall), "Cost basis to reseller cost") + "\n" +
          WaterfallTable(report) + "\n";
  html += "<h2>Margin by account</h2>\n" + RowsTable(report.by_account, &report.total, "Account") +
          "\n<h2>Margin by customer and service</h2>\n" +
          RowsTable(report.by_customer_service, &report.total, "Customer / service") + "\n";
  return html + "</body></html>\n";
}

}  // namespace rebill::attribute
