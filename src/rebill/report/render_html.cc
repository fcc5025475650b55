#include <string_view>

#include "rebill/core/escape.h"
#include "rebill/report/presentation.h"
#include "rebill/report/render.h"

namespace rebill::report {
namespace {

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                 static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) {
      n |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    }
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

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

// The style sheet, with the reseller's accent colour where the design uses its colour.
std::string Style(const std::string& accent) {
  std::string css = R"css(
  body { font-family: "DejaVu Sans", "Noto Sans CJK SC", Helvetica, Arial, sans-serif;
         color: #1d2330; margin: 0; background: #f4f5f7; }
  .page { max-width: 860px; margin: 24px auto; background: #fff; padding: 40px 48px;
          box-shadow: 0 1px 4px rgba(0,0,0,.12); position: relative; }
  header { display: flex; justify-content: space-between; border-bottom: 3px solid ACCENT;
           padding-bottom: 16px; gap: 24px; }
  header img { max-height: 56px; max-width: 200px; display: block; margin-bottom: 8px; }
  h1 { font-size: 22px; margin: 0 0 4px; color: ACCENT; }
  h2 { font-size: 15px; margin: 28px 0 8px; color: ACCENT; }
  .issuer, .meta, .billto { font-size: 13px; line-height: 1.5; }
  .meta { text-align: right; }
  .meta th { text-align: right; font-weight: normal; color: #5a6275; padding: 0 8px 0 0;
             border: none; }
  .meta td { border: none; padding: 0; text-align: right; }
  .billto { margin-top: 20px; }
  .billto .label { color: #5a6275; font-size: 12px; text-transform: uppercase; }
  .badge { display: inline-block; padding: 2px 10px; border-radius: 10px; font-size: 12px;
           font-weight: bold; letter-spacing: .08em; background: #fde7c2; color: #8a5300; }
  .badge.final { background: #d7f0dd; color: #1f6b35; }
  table.lines { width: 100%; border-collapse: collapse; font-size: 12px; margin-top: 20px; }
  table.lines th { text-align: left; border-bottom: 1px solid #c9ced8; padding: 6px 4px;
                   color: #5a6275; }
  table.lines td { padding: 5px 4px; border-bottom: 1px solid #eceef2; vertical-align: top; }
  tr.section td { font-weight: bold; color: ACCENT; border-bottom: 1px solid #c9ced8;
                  padding-top: 12px; }
  .amount { text-align: right !important; white-space: nowrap;
            font-variant-numeric: tabular-nums; }
  .rule { color: #7a8191; font-size: 10px; }
  table.totals { margin-top: 12px; margin-left: auto; width: 380px; font-size: 13px;
                 border-collapse: collapse; }
  table.totals td { padding: 3px 4px; }
  table.totals tr.total td { border-top: 2px solid #1d2330; font-weight: bold; font-size: 15px; }
  .note { font-size: 12px; color: #5a6275; margin-top: 16px; line-height: 1.5; }
  .watermark { position: absolute; top: 40%; left: 0; right: 0; text-align: center;
               font-size: 110px; color: rgba(200,120,0,.08); transform: rotate(-24deg);
               pointer-events: none; font-weight: bold; }
  @media print { body { background: #fff; } .page { box-shadow: none; margin: 0; } }
)css";
  for (size_t at = css.find("ACCENT"); at != std::string::npos; at = css.find("ACCENT", at)) {
    css.replace(at, 6, accent);
  }
  return css;
}

// A horizontal bar per service: label, bar, value. Pure SVG so that the file needs nothing
// from the network and prints as drawn.
std::string ServiceChart(const Presentation& p, const std::string& accent) {
  const int row = 24, label_width = 260, bar_width = 340;
  std::string svg = "<svg role=\"img\" aria-label=\"" + HtmlEscape(p.by_service_title) +
                    "\" width=\"100%\" viewBox=\"0 0 720 " +
                    std::to_string(row * static_cast<int>(p.by_service.size()) + 8) + "\">";
  int y = 4;
  for (const ChartBar& bar : p.by_service) {
    const int px = bar.permille * bar_width / 1000;
    svg += "<text x=\"0\" y=\"" + std::to_string(y + 15) + "\" font-size=\"12\" fill=\"#1d2330\">" +
           HtmlEscape(Truncate(bar.label, 40)) + "</text>";
    svg += "<rect x=\"" + std::to_string(label_width) + "\" y=\"" + std::to_string(y + 3) +
           "\" width=\"" + std::to_string(std::max(px, 1)) + "\" height=\"16\" rx=\"2\" fill=\"" +
           accent + "\"/>";
    svg += "<text x=\"" + std::to_string(label_width + px + 8) + "\" y=\"" +
           std::to_string(y + 15) + "\" font-size=\"11\" fill=\"#5a6275\">" +
           HtmlEscape(bar.value) + "</text>";
    y += row;
  }
  return svg + "</svg>";
}

// A column per day of the month, day numbers below every fifth column.
std::string DayChart(const Presentation& p, const std::string& accent) {
  const int height = 120, left = 4, step = 22, bar = 16;
  const int width = left + step * static_cast<int>(p.by_day.size());
  std::string svg = "<svg role=\"img\" aria-label=\"" + HtmlEscape(p.by_day_title) +
                    "\" width=\"100%\" viewBox=\"0 0 " + std::to_string(width) + " " +
                    std::to_string(height + 20) + "\">";
  svg += "<line x1=\"0\" y1=\"" + std::to_string(height) + "\" x2=\"" + std::to_string(width) +
         "\" y2=\"" + std::to_string(height) + "\" stroke=\"#c9ced8\"/>";
  int x = left;
  for (size_t i = 0; i < p.by_day.size(); ++i) {
    const ChartBar& day = p.by_day[i];
    const int h = day.permille * (height - 8) / 1000;
    if (day.permille > 0) {
      svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(height - h) +
             "\" width=\"" + std::to_string(bar) + "\" height=\"" + std::to_string(h) +
             "\" fill=\"" + accent + "\"><title>" + HtmlEscape(day.label) + ": " +
             HtmlEscape(day.value) + "</title></rect>";
    }
    if (i == 0 || (i + 1) % 5 == 0) {
      svg += "<text x=\"" + std::to_string(x + bar / 2) + "\" y=\"" + std::to_string(height + 14) +
             "\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5a6275\">" +
             HtmlEscape(day.label) + "</text>";
    }
    x += step;
  }
  return svg + "</svg>";
}

std::string Lines(const std::vector<std::string>& lines, bool bold_first) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += i == 0 && bold_first ? "<strong>" + HtmlEscape(lines[i]) + "</strong>"
                                : HtmlEscape(lines[i]);
    out += "<br>";
  }
  return out;
}

}  // namespace

std::string RenderHtml(const Statement& s, const RenderAssets& assets) {
  const Presentation p = Present(s);
  const std::string& accent = s.branding.accent;
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"" + HtmlEscape(p.locale->tag()) + "\">\n<head>\n";
  out += "<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + HtmlEscape(p.title) + " " + HtmlEscape(p.locale->Period(s.period)) + " — " +
         HtmlEscape(s.customer_name) + "</title>\n<style>" + Style(accent) +
         "</style>\n</head>\n<body>\n<div class=\"page\">\n";
  if (!p.watermark.empty())
    out += "<div class=\"watermark\">" + HtmlEscape(p.watermark) + "</div>\n";

  out += "<header><div class=\"issuer\">";
  if (!assets.logo_png.empty()) {
    out += "<img alt=\"" + HtmlEscape(s.issuer.name) + "\" src=\"data:image/png;base64," +
           Base64(assets.logo_png) + "\">";
  }
  out += "<h1>" + HtmlEscape(p.title) + "</h1>" + Lines(p.issuer_lines, true) + "</div>";
  out += "<div class=\"meta\"><table>";
  for (const auto& [label, value] : p.meta) {
    out += "<tr><th>" + HtmlEscape(label) + "</th><td>" + HtmlEscape(value) + "</td></tr>";
  }
  out += "</table><div><span class=\"badge" + std::string(p.final ? " final" : "") + "\">" +
         HtmlEscape(p.status) + "</span></div></div></header>\n";
  out += "<div class=\"billto\"><div class=\"label\">" + HtmlEscape(p.bill_to_label) + "</div>" +
         Lines(p.bill_to_lines, true) + "</div>\n";

  const std::vector<std::string> columns = LineColumns(p);
  out += "<table class=\"lines\">\n<thead><tr>";
  for (size_t i = 0; i < columns.size(); ++i) {
    bool amount = i + 3 >= columns.size();
    out +=
        std::string(amount ? "<th class=\"amount\">" : "<th>") + HtmlEscape(columns[i]) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  const std::string span = std::to_string(columns.size());
  if (p.lines.empty())
    out += "<tr><td colspan=\"" + span + "\">" + HtmlEscape(p.no_lines) + "</td></tr>\n";
  for (const PresentedLine& l : p.lines) {
    if (!l.section.empty()) {
      out += "<tr class=\"section\"><td colspan=\"" + span + "\">" + HtmlEscape(l.section) +
             "</td></tr>\n";
    }
    out += "<tr>";
    if (p.by_account) out += "<td>" + HtmlEscape(l.account) + "</td>";
    out += "<td>" + HtmlEscape(l.service) + "</td><td>" + HtmlEscape(l.description) +
           "<div class=\"rule\">" + HtmlEscape(l.rule) + "</div></td>";
    out += "<td class=\"amount\">" + HtmlEscape(l.list_price) + "</td><td class=\"amount\">" +
           HtmlEscape(l.discount) + "</td><td class=\"amount\">" + HtmlEscape(l.amount) +
           "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n<table class=\"totals\">\n";
  for (const PresentedTotal& t : p.totals) {
    out += std::string(t.grand ? "<tr class=\"total\">" : "<tr>") + "<td>" + HtmlEscape(t.label) +
           "</td><td class=\"amount\">" + HtmlEscape(t.amount) + "</td></tr>\n";
  }
  out += "</table>\n";
  if (!p.by_service.empty()) {
    out += "<h2>" + HtmlEscape(p.by_service_title) + "</h2>\n" + ServiceChart(p, accent) + "\n";
  }
  if (!p.by_day.empty()) {
    out += "<h2>" + HtmlEscape(p.by_day_title) + "</h2>\n" + DayChart(p, accent) + "\n";
  }
  for (const auto& [heading, text] : p.notes) {
    out += "<p class=\"note\">" +
           (heading.empty() ? "" : "<strong>" + HtmlEscape(heading) + ":</strong> ") +
           HtmlEscape(text) + "</p>\n";
  }
  out += "</div>\n</body>\n</html>\n";
  return out;
}

}  // namespace rebill::report
