#include <algorithm>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "rebill/core/currency.h"
#include "rebill/model/aws_services.h"
#include "rebill/report/render.h"

namespace rebill::report {
namespace {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// Group the integer part in threes for reading: 12345.60 -> 12,345.60.
std::string Readable(const Decimal& amount, int digits) {
  std::string text = amount.ToString(digits);
  size_t start = text[0] == '-' ? 1 : 0;
  size_t point = text.find('.');
  if (point == std::string::npos) point = text.size();
  for (size_t i = point; i > start + 3; i -= 3) text.insert(i - 3, ",");
  return text;
}

constexpr const char* kStyle = R"css(
  body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1d2330; margin: 0;
         background: #f4f5f7; }
  .page { max-width: 820px; margin: 24px auto; background: #fff; padding: 40px 48px;
          box-shadow: 0 1px 4px rgba(0,0,0,.12); position: relative; }
  header { display: flex; justify-content: space-between; border-bottom: 3px solid #2b59c3;
           padding-bottom: 16px; }
  h1 { font-size: 22px; margin: 0 0 4px; color: #2b59c3; }
  h2 { font-size: 15px; margin: 28px 0 8px; color: #2b59c3; }
  .meta { text-align: right; font-size: 13px; line-height: 1.6; }
  .badge { display: inline-block; padding: 2px 10px; border-radius: 10px; font-size: 12px;
           font-weight: bold; letter-spacing: .08em; background: #fde7c2; color: #8a5300; }
  .badge.final { background: #d7f0dd; color: #1f6b35; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th { text-align: left; border-bottom: 1px solid #c9ced8; padding: 6px 4px; color: #5a6275; }
  td { padding: 6px 4px; border-bottom: 1px solid #eceef2; vertical-align: top; }
  td.amount, th.amount { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  .rule { color: #7a8191; font-size: 11px; }
  .totals { margin-top: 12px; margin-left: auto; width: 320px; }
  .totals td { border: none; padding: 3px 4px; }
  .totals tr.total td { border-top: 2px solid #1d2330; font-weight: bold; font-size: 15px; }
  .note { font-size: 12px; color: #5a6275; margin-top: 24px; line-height: 1.5; }
  .watermark { position: absolute; top: 40%; left: 0; right: 0; text-align: center;
               font-size: 110px; color: rgba(200,120,0,.08); transform: rotate(-24deg);
               pointer-events: none; font-weight: bold; }
  @media print { body { background: #fff; } .page { box-shadow: none; margin: 0; } }
)css";

// At most `max_chars` code points of UTF-8 `text`, never cutting a multi-byte sequence.
std::string Truncate(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    // Count lead bytes only; continuation bytes are 10xxxxxx.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
      return std::string(text.substr(0, i)) + "…";
    }
  }
  return std::string(text);
}

// Spend by service: the charge lines of each service summed (usage, commitment fees and
// discounts of one service are one bar), largest first; services that net to zero or less have
// no bar. Pure SVG so that the file needs nothing from the network and prints as drawn.
std::string Chart(const Statement& s, int digits) {
  std::map<std::string, Decimal> by_service;
  for (const StatementLine& l : s.lines) {
    if (l.kind == StatementLineKind::kCharge) by_service[l.service] += l.amount;
  }
  std::vector<std::pair<std::string, Decimal>> bars;
  Decimal largest;
  for (const auto& [service, amount] : by_service) {
    if (amount.Sign() <= 0) continue;
    bars.emplace_back(service, amount);
    largest = std::max(largest, amount);
  }
  if (bars.empty()) return "";
  std::stable_sort(bars.begin(), bars.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  const int row_height = 24;
  const int label_width = 260;
  const int bar_width = 360;
  std::string svg =
      "<svg role=\"img\" aria-label=\"Spend by service\" "
      "width=\"100%\" viewBox=\"0 0 720 " +
      std::to_string(row_height * static_cast<int>(bars.size()) + 8) + "\">";
  int y = 4;
  for (const auto& [service, amount] : bars) {
    // Bar length in whole pixels, amount / largest * width truncated, at least one pixel.
    Decimal scaled =
        Decimal::MulDiv(amount, Decimal::FromInt(bar_width), largest, RoundingMode::kDown).value();
    std::string px = std::max(Decimal::FromInt(1), scaled).Round(0, RoundingMode::kDown).ToString();
    svg += "<text x=\"0\" y=\"" + std::to_string(y + 15) + "\" font-size=\"12\" fill=\"#1d2330\">" +
           Escape(Truncate(ServiceDisplayName(service), 40)) + "</text>";
    svg += "<rect x=\"" + std::to_string(label_width) + "\" y=\"" + std::to_string(y + 3) +
           "\" width=\"" + px + "\" height=\"16\" rx=\"2\" fill=\"#2b59c3\"/>";
    svg += "<text x=\"" + std::to_string(label_width + 8) + "\" dx=\"" + px + "\" y=\"" +
           std::to_string(y + 15) + "\" font-size=\"11\" fill=\"#5a6275\">" +
           Escape(Readable(amount, digits)) + "</text>";
    y += row_height;
  }
  return svg + "</svg>";
}

}  // namespace

std::string RenderHtml(const Statement& s, const std::string& reseller) {
  Result<Currency> currency = Currency::Parse(s.currency);
  const int digits = currency.ok() ? currency->minor_units() : 2;
  const bool draft = s.status == StatementStatus::kDraft;
  std::string status = std::string(StatementStatusName(s.status));
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>Statement " + Escape(s.period.ToString()) + " — " + Escape(s.customer_name) +
         "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<div class=\"page\">\n";
  if (draft) out += "<div class=\"watermark\">DRAFT</div>\n";
  out += "<header><div><h1>" + Escape(reseller) + "</h1><div>Statement for <strong>" +
         Escape(s.customer_name) + "</strong> (" + Escape(s.customer) + ")</div></div>";
  out += "<div class=\"meta\"><div>Billing period <strong>" + Escape(s.period.ToString()) +
         "</strong></div><div>Currency " + Escape(s.currency) + "</div>";
  if (!s.invoice_number.empty()) {
    out += "<div>Invoice <strong>" + Escape(s.invoice_number) + "</strong></div>";
  }
  out += "<div><span class=\"badge" + std::string(draft ? "" : " final") + "\">" +
         Escape(status == "draft" ? "DRAFT" : status) + "</span></div></div></header>\n";

  out +=
      "<h2>Charges</h2>\n<table>\n<thead><tr><th>Service</th><th>Description</th>"
      "<th class=\"amount\">Amount (" +
      Escape(s.currency) + ")</th></tr></thead>\n<tbody>\n";
  if (s.lines.empty()) {
    out += "<tr><td colspan=\"3\">No charges in this period.</td></tr>\n";
  }
  for (const StatementLine& l : s.lines) {
    out += "<tr><td>" + Escape(l.service) + "</td><td>" + Escape(l.description) +
           "<div class=\"rule\">" + Escape(l.rule) +
           (l.reason.empty() ? "" : " — " + Escape(l.reason)) + "</div></td><td class=\"amount\">" +
           Escape(Readable(l.amount, digits)) + "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n<table class=\"totals\">\n";
  auto row = [&](const char* label, const Decimal& amount, const char* cls) {
    out += std::string("<tr") + (cls[0] ? std::string(" class=\"") + cls + "\"" : "") + "><td>" +
           label + "</td><td class=\"amount\">" + Escape(Readable(amount, digits)) + "</td></tr>\n";
  };
  row("Subtotal", s.subtotal, "");
  row("Fees", s.fees, "");
  row("Credits", -s.credits, "");
  row("Tax", s.tax, "");
  const bool corrected = std::any_of(s.lines.begin(), s.lines.end(), [](const StatementLine& l) {
    return l.kind == StatementLineKind::kAdjustment;
  });
  if (corrected) row("Corrections of earlier periods", s.adjustments, "");
  row(("Total " + Escape(s.currency)).c_str(), s.total, "total");
  if (s.account) {
    row("Balance brought forward", s.account->balance_brought_forward, "");
    row("Payments received", -s.account->payments_received, "");
    row(("Amount due " + Escape(s.currency)).c_str(), s.account->amount_due, "total");
  }
  out += "</table>\n";
  if (!s.issued.empty()) {
    out += "<p>Issued " + Escape(s.issued) +
           (s.due_date.empty() ? "" : ", due " + Escape(s.due_date)) + ".</p>\n";
  }
  std::string chart = Chart(s, digits);
  if (!chart.empty()) out += "<h2>Spend by service</h2>\n" + chart + "\n";
  if (!s.policy_note.empty()) out += "<p class=\"note\">" + Escape(s.policy_note) + "</p>\n";
  if (s.fx) {
    out += "<p class=\"note\">AWS charges were converted from " + Escape(s.fx->from) + " at 1 " +
           Escape(s.fx->from) + " = " + Escape(s.fx->rate.ToString()) + " " + Escape(s.fx->to) +
           " (" + Escape(s.fx->source) + ").</p>\n";
  }
  out +=
      "<p class=\"note\">Amounts are rounded to the currency's minor unit line by line; the "
      "total is the sum of the rounded lines.</p>\n";
  out += "</div>\n</body>\n</html>\n";
  return out;
}

}  // namespace rebill::report
