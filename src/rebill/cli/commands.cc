#include "rebill/cli/commands.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "rebill/attribute/attribute.h"
#include "rebill/core/currency.h"
#include "rebill/pipeline/config.h"
#include "rebill/pipeline/demo.h"
#include "rebill/pipeline/lifecycle.h"
#include "rebill/pipeline/runner.h"
#include "rebill/report/render.h"

namespace rebill::cli {
namespace fs = std::filesystem;
namespace {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInvalid = 3;
constexpr int kExitPrecondition = 4;

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidInput:
    case StatusCode::kNotFound:
      return kExitInvalid;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kConflict:
    case StatusCode::kAlreadyExists:
      return kExitPrecondition;
    case StatusCode::kIo:
    case StatusCode::kUnavailable:
    case StatusCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

int Fail(const Status& status) {
  std::cerr << "rebill: " << status.message() << "\n";
  return ExitCodeFor(status);
}

// Why: golden tests and reproducible demos need a fixed clock; REBILL_NOW sets it.
Timestamp Now() {
  if (const char* fixed = std::getenv("REBILL_NOW"); fixed != nullptr && *fixed != '\0') {
    if (Result<Timestamp> t = ParseTimestamp(fixed); t.ok()) return *t;
  }
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string DefaultActor() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  if (passwd* pw = ::getpwuid(::getuid()); pw != nullptr) return pw->pw_name;
  return "unknown";
}

Status WriteFile(const std::string& path, const std::string& content) {
  fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << content;
    if (!out) return IoError(tmp + ": cannot write");
  }
  fs::rename(tmp, path, ec);
  if (ec) return IoError(path + ": " + ec.message());
  return Status::Ok();
}

std::string SafeFileName(const std::string& id) {
  std::string out;
  for (char c : id) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    out.push_back(ok ? c : '_');
  }
  return out;
}

// An amount with its currency's minor units ("220.00 USD").
std::string Money(const Decimal& amount, const std::string& currency) {
  Result<Currency> c = Currency::Parse(currency);
  return amount.ToString(c.ok() ? c->minor_units() : 2) + " " + currency;
}

struct Options {
  std::string workspace = ".";
  std::string actor;
  std::string period;
  std::string ingest_format = "text";
  bool ingest_list = false;
  std::string run_format = "text";
  std::string statements_format = "json";
  bool detail = false;
  std::string reconcile_format = "text";
  std::string allocate_format = "text";
  std::string margin_format = "json";
  std::string accounts_format = "text";
  std::string explain_format = "text";
  std::string fx_file;
  std::string columns_file;
  std::string service;
  std::string output;
  std::string customer;
  std::string by = "customer";
  std::string demo_dir = "rebill-demo";
  std::string init_dir;
  std::string store;
  std::string export_file;
  std::string import_file;
  std::vector<std::string> paths;
  bool acknowledge_unassigned = false;
  std::string invoice;
  std::string reason;
  std::string amount;
  std::string date;
  std::string reference;
  std::string as_of;
  std::string payments_file;
  std::string diff_format = "text";
  std::string receivables_format = "text";
  std::string audit_format = "text";
};

Result<BillingPeriod> PeriodOption(const Options& o) { return BillingPeriod::Parse(o.period); }

// The logo a statement names, read from the workspace (the config check made sure it was a
// readable PNG when the statement was built).
Result<std::string> RenderDocument(const std::string& workspace, const std::string& format,
                                   const Statement& s) {
  REBILL_ASSIGN_OR_RETURN(report::RenderAssets assets, pipeline::StatementAssets(workspace, s));
  if (format == "pdf") return report::RenderPdf(s, assets);
  return report::RenderHtml(s, assets);
}

// Render the stored statements of `period` in `format` to `output` (a file, or a folder for
// HTML and PDF of several customers) or stdout. Returns the paths written.
Result<std::vector<std::string>> RenderStatements(const std::string& workspace,
                                                  BillingPeriod period, const std::string& format,
                                                  const std::string& customer,
                                                  const std::string& output,
                                                  const std::string& invoice = "") {
  REBILL_ASSIGN_OR_RETURN(pipeline::PeriodStatements stored,
                          invoice.empty() ? pipeline::LoadStatements(workspace, period)
                                          : pipeline::LoadDocument(workspace, invoice));
  StatementSet& set = stored.set;
  if (!customer.empty()) {
    std::erase_if(set.statements, [&](const Statement& s) { return s.customer != customer; });
    if (set.statements.empty()) {
      return NotFound("there is no statement for customer '" + customer + "' in " +
                      period.ToString() + "; check the id in rebill.toml");
    }
  }
  // Statements stored before statements carried their issuer name it at the set level.
  for (Statement& s : set.statements) {
    if (s.issuer.name.empty()) s.issuer.name = set.reseller;
  }
  std::vector<std::string> written;
  // A closed period's HTML is the one rendered when it closed, while its statements are as they
  // were then.
  auto document_of = [&](const Statement& s) -> Result<std::string> {
    if (format == "html") {
      auto frozen = stored.frozen_html.find(s.customer);
      if (frozen != stored.frozen_html.end()) return frozen->second;
    }
    return RenderDocument(workspace, format, s);
  };
  if (format == "html" || format == "pdf") {
    // One document per customer: a file with --customer, else a folder of <customer>.<format>.
    const std::string extension = "." + format;
    bool one_file =
        set.statements.size() == 1 && !output.empty() && fs::path(output).extension() == extension;
    if (output.empty() && set.statements.size() == 1) {
      REBILL_ASSIGN_OR_RETURN(std::string document, document_of(set.statements[0]));
      std::cout << document;
      return written;
    }
    if (output.empty()) {
      return InvalidInput(
          "HTML and PDF render one file per customer; give -o FOLDER or "
          "--customer ID");
    }
    for (const Statement& s : set.statements) {
      std::string path = one_file ? output : output + "/" + SafeFileName(s.customer) + extension;
      REBILL_ASSIGN_OR_RETURN(std::string document, document_of(s));
      REBILL_RETURN_IF_ERROR(WriteFile(path, document));
      written.push_back(path);
    }
    return written;
  }
  std::string content = format == "csv" ? report::RenderCsv(set) : report::RenderJson(set);
  // A closed period's JSON is the frozen text itself (rendering it again gives the same bytes).
  if (format == "json" && stored.closed && customer.empty() &&
      report::RenderJson(set) == stored.json) {
    content = stored.json;
  }
  if (format == "csv" && customer.empty() && !stored.frozen_csv.empty()) {
    content = stored.frozen_csv;
  }
  if (output.empty()) {
    std::cout << content;
  } else {
    REBILL_RETURN_IF_ERROR(WriteFile(output, content));
    written.push_back(output);
  }
  return written;
}

void PrintIngestSummary(const pipeline::IngestSummary& summary, bool json) {
  constexpr CostView kViews[] = {CostView::kUnblended, CostView::kNetUnblended,
                                 CostView::kAmortized, CostView::kPublicOnDemand};
  std::map<std::string, uint64_t> rejected_by_kind;
  for (const Reject& r : summary.rejects) ++rejected_by_kind[r.kind];
  uint64_t rejected = summary.rejects.size();
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const SourceFile& f : summary.files) {
      files.push_back(
          {{"path", f.path}, {"sha256", f.sha256}, {"format", f.format}, {"rows", f.rows}});
    }
    out["files"] = files;
    out["rows_read"] = summary.rows_read;
    out["rows_accepted"] = summary.rows_read - rejected;
    out["rows_rejected"] = rejected;
    out["rejected_by_kind"] = rejected_by_kind;
    nlohmann::ordered_json rejects = nlohmann::ordered_json::array();
    for (const Reject& r : summary.rejects) {
      rejects.push_back({{"file", r.file},
                         {"row", r.row},
                         {"column", r.column},
                         {"kind", r.kind},
                         {"reason", r.reason},
                         {"raw_text", r.raw_text}});
    }
    out["rejects"] = rejects;
    out["warnings"] = summary.warnings;
    nlohmann::ordered_json months = nlohmann::ordered_json::array();
    for (const pipeline::IngestedMonth& m : summary.months) {
      months.push_back(pipeline::IngestedMonthJson(m));
    }
    out["months"] = months;
    std::cout << out.dump(2) << "\n";
    return;
  }
  for (const ingest::Delivery& d : summary.deliveries) {
    if (!d.manifest) continue;
    std::cout << "delivery " << d.manifest->report_name << " "
              << (d.manifest->period ? d.manifest->period->ToString() : "") << " (" << d.layout
              << ", " << d.manifest->delivery_id << "): " << d.files.size() << " file(s) listed by "
              << d.manifest->path << "\n";
    for (const std::string& old : d.superseded) {
      std::cout << "  superseded, not read: " << old << "\n";
    }
  }
  for (const SourceFile& f : summary.files) {
    std::cout << "read " << f.path << " (" << f.format << ", " << f.rows << " rows)\n";
  }
  std::cout << "rows read " << summary.rows_read << ", accepted " << summary.rows_read - rejected
            << ", rejected " << rejected << "\n";
  for (const auto& [kind, count] : rejected_by_kind) {
    std::cout << "  rejected (" << kind << "): " << count << "\n";
  }
  for (size_t i = 0; i < summary.rejects.size() && i < 5; ++i) {
    std::cout << "  " << summary.rejects[i].ToString() << "\n";
  }
  for (const std::string& w : summary.warnings) std::cerr << "rebill: warning: " << w << "\n";
  for (const pipeline::IngestedMonth& m : summary.months) {
    std::cout << m.period << " payer " << m.payer << ": " << m.rows << " lines, " << m.action
              << (m.final ? ", final" : ", estimated") << "\n";
    for (size_t v = 0; v < kCostViewCount; ++v) {
      std::cout << "  " << CostViewName(kViews[v]) << ": " << m.totals[v].ToString(m.display_scale)
                << "\n";
    }
    for (const auto& [type, total] : m.unblended_by_type) {
      std::cout << "  " << type << ": " << total.ToString(m.display_scale) << "\n";
    }
    if (m.usage_outside_period > 0) {
      std::cout << "  note: " << m.usage_outside_period
                << " line(s) start their usage outside the billing period\n";
    }
    for (const std::string& t : m.unknown_types) {
      std::cout << "  warning: unknown line item type '" << t
                << "' is quarantined; it will block closing the period\n";
    }
  }
}

// A one-line progress bar on stderr, only when it is a terminal; at most ten redraws a second.
class ProgressBar {
 public:
  ProgressBar() : enabled_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}
  ~ProgressBar() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
  }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(const pipeline::IngestProgress& p) {
    if (!enabled_ || p.bytes_total == 0) return;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    double seconds = std::chrono::duration<double>(now - start_).count();
    double done = static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total);
    double rate = seconds > 0 ? static_cast<double>(p.bytes_done) / seconds : 0;
    int width = 30;
    int filled = static_cast<int>(done * width);
    std::string bar = std::string(static_cast<size_t>(filled), '#') +
                      std::string(static_cast<size_t>(width - filled), ' ');
    std::string eta = "--";
    if (rate > 0 && done > 0.01) {
      auto left = static_cast<long>(static_cast<double>(p.bytes_total - p.bytes_done) / rate);
      eta = fmt::format("{}:{:02}", left / 60, left % 60);
    }
    std::cerr << fmt::format("\r\033[Kingest {:3.0f}% [{}] {:.0f} MB/s  ETA {}  file {}/{}",
                             done * 100, bar, rate / 1e6, eta, p.file_index + 1, p.files)
              << std::flush;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

// `rebill ingest --list`: what is ingested, per payer and month, from the stored summaries.
void PrintMonthList(const std::vector<store::MonthRecord>& months, bool json) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const store::MonthRecord& m : months) {
    auto summary = nlohmann::ordered_json::parse(m.summary_json, nullptr, false);
    auto delivery = nlohmann::ordered_json::parse(m.delivery_json, nullptr, false);
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const SourceFile& f : m.sources) files.push_back(f.path);
    nlohmann::ordered_json entry = {
        {"period", m.period},
        {"payer", m.payer},
        {"status", summary.value("status", "unknown")},
        {"rows", m.rows},
        {"ingested_at", m.ingested_at},
        {"delivery", delivery.is_discarded() ? nlohmann::ordered_json() : delivery},
        {"files", files}};
    if (summary.contains("totals")) entry["totals"] = summary["totals"];
    list.push_back(std::move(entry));
  }
  if (json) {
    std::cout << nlohmann::ordered_json({{"months", list}}).dump(2) << "\n";
    return;
  }
  if (months.empty()) {
    std::cout << "nothing is ingested yet; run `rebill ingest PATH`\n";
    return;
  }
  // As wide as the longest payer: other providers' billing accounts are long paths.
  size_t payer_width = 14;
  for (const store::MonthRecord& m : months) payer_width = std::max(payer_width, m.payer.size());
  std::cout << fmt::format("{:<8} {:<{}} {:<10} {:>9}  {:<20} {}\n", "period", "payer", payer_width,
                           "status", "rows", "ingested", "delivery");
  for (const nlohmann::ordered_json& e : list) {
    std::string delivery = "files";
    if (e["delivery"].is_array() && !e["delivery"].empty()) {
      const auto& d = e["delivery"][0];
      delivery = d.value("layout", "") + (d.contains("id") ? " " + d.value("id", "") : "");
      if (e["delivery"].size() > 1)
        delivery += " (+" + std::to_string(e["delivery"].size() - 1) + ")";
    }
    std::cout << fmt::format("{:<8} {:<{}} {:<10} {:>9}  {:<20} {}\n", e.value("period", ""),
                             e.value("payer", ""), payer_width, e.value("status", ""),
                             e.value("rows", uint64_t{0}), e.value("ingested_at", ""), delivery);
  }
}

void PrintRunSummary(const pipeline::RunOutcome& run, bool json) {
  for (const std::string& warning : run.warnings)
    std::cerr << "rebill: warning: " << warning << "\n";
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    out["run_id"] = run.run_id;
    out["period"] = run.statements.period.ToString();
    nlohmann::ordered_json invariants = nlohmann::ordered_json::object();
    for (const auto& [name, result] : run.invariants) invariants[name] = result;
    out["invariants"] = invariants;
    out["balanced"] = run.reconciliation.balanced;
    nlohmann::ordered_json statements = nlohmann::ordered_json::array();
    for (const Statement& s : run.statements.statements) {
      int digits =
          Currency::Parse(s.currency).ok() ? Currency::Parse(s.currency)->minor_units() : 2;
      statements.push_back(
          {{"customer", s.customer},
           {"currency", s.currency},
           {"status", run.restated ? std::string_view("restated") : StatementStatusName(s.status)},
           {"total", s.total.ToString(digits)}});
    }
    out["statements"] = statements;
    nlohmann::ordered_json alerts = nlohmann::ordered_json::array();
    for (const Alert& a : run.margin.alerts) {
      alerts.push_back({{"kind", AlertKindName(a.kind)},
                        {"subject", a.subject},
                        {"amount", a.amount.ToString(2)},
                        {"message", a.message}});
    }
    out["alerts"] = alerts;
    if (run.restated) {
      out["restated"] = true;
      nlohmann::ordered_json adjustments = nlohmann::ordered_json::array();
      for (const store::Adjustment& a : run.new_adjustments) {
        adjustments.push_back(
            {{"customer", a.customer},
             {"kind", a.kind},
             {"service", a.service},
             {"amount", a.amount.ToString(Currency::Parse(a.currency).ok()
                                              ? Currency::Parse(a.currency)->minor_units()
                                              : 2)},
             {"currency", a.currency},
             {"original_invoice", a.original_invoice},
             {"reason", a.reason},
             {"note", a.note_number}});
      }
      out["new_adjustments"] = adjustments;
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "run " << run.run_id << " for " << run.statements.period.ToString() << "\n";
  if (run.restated) {
    std::cout << "  " << run.statements.period.ToString()
              << " is closed: its final statements are unchanged; differences are recorded as "
                 "adjustments (rebill diff --period "
              << run.statements.period.ToString() << ")\n";
    for (const store::Adjustment& a : run.new_adjustments) {
      std::cout << "  adjustment " << a.customer << " " << a.service << ": "
                << Money(a.amount, a.currency) << " correcting "
                << (a.original_invoice.empty() ? "-" : a.original_invoice)
                << (a.note_number.empty() ? "" : ", issued as " + a.note_number) << "\n";
    }
  }
  for (const Statement& s : run.statements.statements) {
    int digits = Currency::Parse(s.currency).ok() ? Currency::Parse(s.currency)->minor_units() : 2;
    std::cout << "  " << s.customer << ": " << s.total.ToString(digits) << " " << s.currency
              << (run.restated ? " (restated)\n" : " (draft)\n");
  }
  const map::AccountCheck& accounts = run.accounts;
  Decimal unassigned;
  for (const auto& spend : accounts.unassigned_spend) unassigned += spend.amount;
  std::cout << "  accounts: " << accounts.unassigned_spend.size() << " with unassigned spend ("
            << unassigned.ToString(2) << "), " << accounts.owner_changes.size()
            << " changed owner, " << accounts.unmatched_tag_values.size()
            << " unmatched tag values (rebill accounts check)\n";
  std::cout << "  invariants: ";
  bool first = true;
  for (const auto& [name, result] : run.invariants) {
    std::cout << (first ? "" : ", ") << name << " " << result;
    first = false;
  }
  std::cout << "\n";
  if (run.margin.alerts.empty()) {
    std::cout << "  alerts: none\n";
  } else {
    std::cout << attribute::RenderAlertsText(run.margin.alerts);
  }
}

int PrintMargin(const Options& o, BillingPeriod from, BillingPeriod to) {
  Result<MarginReport> report = pipeline::RecordedMargin(o.workspace, from, to);
  if (!report.ok()) return Fail(report.status());
  std::string content;
  if (o.margin_format == "html") {
    Result<pipeline::WorkspaceConfig> config =
        pipeline::LoadConfig(pipeline::WorkspacePaths(o.workspace).config);
    content = attribute::RenderMarginHtml(*report, config.ok() ? config->legal_entity : "");
  } else if (o.margin_format == "csv") {
    content = attribute::RenderMarginCsv(*report, o.by);
    // CSV has no place for them: the alerts go to stderr.
    std::cerr << attribute::RenderAlertsText(report->alerts);
  } else {
    content = attribute::RenderMarginJson(*report, o.by);
  }
  if (o.output.empty()) {
    std::cout << content;
    return kExitOk;
  }
  if (Status s = WriteFile(o.output, content); !s.ok()) return Fail(s);
  std::cerr << "wrote " << o.output << "\n";
  return kExitOk;
}

std::string WindowText(Timestamp from, Timestamp to) {
  std::string f = from == map::kBeginning ? "" : FormatTimestamp(from);
  std::string t = to == map::kForever ? "" : FormatTimestamp(to);
  if (f.empty() && t.empty()) return "always";
  return (f.empty() ? "…" : f) + " – " + (t.empty() ? "…" : t);
}

void PrintAccounts(const std::vector<pipeline::AccountListing>& rows, bool json) {
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& r : rows) {
      nlohmann::ordered_json owners = nlohmann::ordered_json::array();
      for (const auto& owner : r.owners) {
        owners.push_back(
            {{"customer", owner.customer},
             {"from", owner.from == map::kBeginning
                          ? nlohmann::ordered_json(nullptr)
                          : nlohmann::ordered_json(FormatTimestamp(owner.from))},
             {"to", owner.to == map::kForever ? nlohmann::ordered_json(nullptr)
                                              : nlohmann::ordered_json(FormatTimestamp(owner.to))},
             {"configured_by", owner.config_key}});
      }
      out.push_back({{"account", r.account.empty() ? nlohmann::ordered_json(nullptr)
                                                   : nlohmann::ordered_json(r.account)},
                     {"name", r.name},
                     {"email", r.email},
                     {"state", r.state},
                     {"joined_method", r.joined_method},
                     {"joined", r.joined == 0 ? nlohmann::ordered_json(nullptr)
                                              : nlohmann::ordered_json(FormatTimestamp(r.joined))},
                     {"in_organization", r.in_organization},
                     {"invitation", r.invitation.empty() ? nlohmann::ordered_json(nullptr)
                                                         : nlohmann::ordered_json(r.invitation)},
                     {"owners", owners}});
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  for (const auto& r : rows) {
    std::cout << (r.account.empty() ? r.email : r.account) << "  "
              << (r.name.empty() ? "-" : r.name) << "  "
              << (r.in_organization ? r.state : std::string("not in organization"))
              << (r.invitation.empty() ? "" : ", invitation " + r.invitation) << "\n";
    if (r.owners.empty()) std::cout << "    no customer (Unassigned)\n";
    for (const auto& owner : r.owners) {
      std::cout << "    " << owner.customer << "  " << WindowText(owner.from, owner.to) << "  ("
                << owner.config_key << ")\n";
    }
  }
}

void PrintExplanation(const pipeline::Explanation& e, bool json) {
  const int digits =
      Currency::Parse(e.currency).ok() ? Currency::Parse(e.currency)->minor_units() : 2;
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    out["period"] = e.period.ToString();
    out["customer"] = e.customer;
    out["currency"] = e.currency;
    out["cost_view"] = std::string(CostViewName(e.cost_view));
    out["policy_note"] = e.policy_note;
    out["matches_latest_run"] = e.matches_latest_run;
    nlohmann::ordered_json lines = nlohmann::ordered_json::array();
    for (const auto& l : e.lines) {
      nlohmann::ordered_json sources = nlohmann::ordered_json::array();
      for (const auto& s : l.sources) {
        sources.push_back({{"usage_account", s.usage_account},
                           {"line_item_type", s.line_item_type},
                           {"allocation_policy", s.policy},
                           {"price_rule", s.rule},
                           {"rows", s.rows},
                           {"cost_basis", s.cost_basis.ToString(digits)},
                           {"list_cost", s.list_cost.ToString(digits)},
                           {"amount", s.amount.ToString(digits)},
                           {"samples", s.samples}});
      }
      lines.push_back({{"kind", StatementLineKindName(l.line.kind)},
                       {"service", l.line.service},
                       {"description", l.line.description},
                       {"precise", l.line.precise.ToString(digits)},
                       {"amount", l.line.amount.ToString(digits)},
                       {"rounding", (l.line.amount - l.line.precise).ToString(digits)},
                       {"sources", sources}});
    }
    out["lines"] = lines;
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "statement of " << e.customer << " for " << e.period.ToString() << " (" << e.currency
            << ", cost basis: " << CostViewName(e.cost_view) << ")\n";
  if (!e.matches_latest_run) {
    std::cout << "note: this differs from the recorded draft; the configuration or data changed "
                 "since the last `rebill run`\n";
  }
  for (const auto& l : e.lines) {
    std::cout << "\n"
              << StatementLineKindName(l.line.kind) << " " << l.line.description << ": "
              << l.line.amount.ToString(digits) << " (precise " << l.line.precise.ToString(digits)
              << ", rounding " << (l.line.amount - l.line.precise).ToString(digits) << ")\n";
    for (const auto& s : l.sources) {
      if (s.line_item_type == "fee") {
        std::cout << "  " << s.rule << " = " << s.amount.ToString(digits) << "\n";
        continue;
      }
      std::cout << "  " << s.rows << " " << s.line_item_type << " rows of account "
                << s.usage_account << ": cost " << s.cost_basis.ToString(digits) << " (list "
                << s.list_cost.ToString(digits) << ") by " << s.policy << "; priced "
                << s.amount.ToString(digits) << " by " << s.rule << "\n";
      std::string samples;
      for (const std::string& sample : s.samples) samples += (samples.empty() ? "" : ", ") + sample;
      std::cout << "    e.g. " << samples << "\n";
    }
  }
  if (!e.policy_note.empty()) std::cout << "\n" << e.policy_note << "\n";
}

std::string PolicyLabel(const allocate::CommitmentRule& rule) {
  std::string name(allocate::CommitmentPolicyName(rule.policy));
  if (rule.policy == allocate::CommitmentPolicy::kSplit) {
    name += " " + rule.passed_percent.ToString() + "%";
  }
  return name;
}

void PrintComparison(const pipeline::PolicyComparison& c, bool json) {
  const int scale = c.display_scale;
  std::set<std::string> customers;
  for (const auto& o : c.outcomes) {
    for (const auto& [customer, amount] : o.customers) customers.insert(customer);
  }
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    out["period"] = c.period.ToString();
    out["cost_view"] = std::string(CostViewName(c.policy.cost_view));
    out["current_policy"] = PolicyLabel(c.policy.commitments);
    nlohmann::ordered_json policies = nlohmann::ordered_json::array();
    for (const auto& o : c.outcomes) {
      nlohmann::ordered_json per_customer = nlohmann::ordered_json::object();
      for (const std::string& customer : customers) {
        auto it = o.customers.find(customer);
        per_customer[customer] = (it == o.customers.end() ? Decimal() : it->second).ToString(scale);
      }
      policies.push_back({{"policy", PolicyLabel(o.rule)},
                          {"customers", per_customer},
                          {"reseller_retained", o.reseller_retained.ToString(scale)},
                          {"unassigned", o.unassigned.ToString(scale)}});
    }
    out["policies"] = policies;
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "cost basis per customer under each commitment policy, " << c.period.ToString()
            << " (" << CostViewName(c.policy.cost_view)
            << "; in force: " << PolicyLabel(c.policy.commitments) << ")\n";
  std::vector<std::string> header = {""};
  for (const auto& o : c.outcomes) header.push_back(PolicyLabel(o.rule));
  std::vector<std::vector<std::string>> rows = {header};
  for (const std::string& customer : customers) {
    std::vector<std::string> row = {customer};
    for (const auto& o : c.outcomes) {
      auto it = o.customers.find(customer);
      row.push_back((it == o.customers.end() ? Decimal() : it->second).ToString(2));
    }
    rows.push_back(row);
  }
  std::vector<std::string> retained = {"reseller retained"}, unassigned = {"unassigned"};
  for (const auto& o : c.outcomes) {
    retained.push_back(o.reseller_retained.ToString(2));
    unassigned.push_back(o.unassigned.ToString(2));
  }
  rows.push_back(retained);
  rows.push_back(unassigned);
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      std::string cell = row[i];
      std::string pad(width[i] - cell.size(), ' ');
      std::cout << (i == 0 ? cell + pad : "  " + pad + cell);
    }
    std::cout << "\n";
  }
}

void PrintDiff(const pipeline::PeriodDiff& d, bool json) {
  auto digits_of = [](const std::string& currency) {
    Result<Currency> c = Currency::Parse(currency);
    return c.ok() ? c->minor_units() : 2;
  };
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    out["period"] = d.period.ToString();
    out["against"] = d.against;
    out["compared"] = d.compared;
    nlohmann::ordered_json customers = nlohmann::ordered_json::array();
    for (const report::StatementChange& c : d.changes) {
      const int digits = digits_of(c.currency);
      nlohmann::ordered_json lines = nlohmann::ordered_json::array();
      for (const report::LineChange& l : c.lines) {
        lines.push_back({{"kind", StatementLineKindName(l.kind)},
                         {"service", l.service},
                         {"description", l.description},
                         {"before", l.before.ToString(digits)},
                         {"after", l.after.ToString(digits)},
                         {"change", l.Delta().ToString(digits)}});
      }
      customers.push_back(
          {{"customer", c.customer},
           {"currency", c.currency},
           {"invoice_number", c.invoice_number.empty() ? nlohmann::ordered_json(nullptr)
                                                       : nlohmann::ordered_json(c.invoice_number)},
           {"added", c.added},
           {"removed", c.removed},
           {"total_before", c.total_before.ToString(digits)},
           {"total_after", c.total_after.ToString(digits)},
           {"change", (c.total_after - c.total_before).ToString(digits)},
           {"lines", lines}});
    }
    out["customers"] = customers;
    std::cout << out.dump(2) << "\n";
    return;
  }
  if (!d.compared) {
    std::cout << d.period.ToString() << ": nothing to compare against yet ("
              << (d.against == "close" ? "the period was not run again since it closed"
                                       : "there is only one run")
              << ")\n";
    return;
  }
  std::cout << d.period.ToString() << " since the " << d.against << ": "
            << (d.changes.empty() ? "no changes"
                                  : std::to_string(d.changes.size()) + " customer(s) changed")
            << "\n";
  for (const report::StatementChange& c : d.changes) {
    const int digits = digits_of(c.currency);
    std::cout << "  " << c.customer
              << (c.invoice_number.empty() ? "" : " (invoice " + c.invoice_number + ")") << ": "
              << c.total_before.ToString(digits) << " -> " << c.total_after.ToString(digits) << " "
              << c.currency << (c.added ? " (new)" : "") << (c.removed ? " (gone)" : "") << "\n";
    for (const report::LineChange& l : c.lines) {
      std::cout << "    " << StatementLineKindName(l.kind) << " " << l.service << ": "
                << l.before.ToString(digits) << " -> " << l.after.ToString(digits) << " ("
                << (l.Delta().Sign() > 0 ? "+" : "") << l.Delta().ToString(digits) << ")\n";
    }
  }
}

void PrintReceivables(const pipeline::Receivables& r, bool json) {
  auto digits_of = [](const std::string& currency) {
    Result<Currency> c = Currency::Parse(currency);
    return c.ok() ? c->minor_units() : 2;
  };
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    out["as_of"] = r.as_of;
    nlohmann::ordered_json documents = nlohmann::ordered_json::array();
    for (const pipeline::ReceivableDocument& d : r.documents) {
      const int digits = digits_of(d.document.currency);
      documents.push_back({{"number", d.document.number},
                           {"kind", d.document.kind},
                           {"period", d.document.period},
                           {"customer", d.document.customer},
                           {"currency", d.document.currency},
                           {"issued", d.document.issued},
                           {"due_date", d.document.due_date},
                           {"total", d.document.total.ToString(digits)},
                           {"paid", d.paid.ToString(digits)},
                           {"open", d.open.ToString(digits)},
                           {"status", report::InvoiceStateName(d.state)},
                           {"related", d.document.related}});
    }
    out["documents"] = documents;
    nlohmann::ordered_json customers = nlohmann::ordered_json::array();
    for (const pipeline::CustomerAging& c : r.customers) {
      const int digits = digits_of(c.currency);
      nlohmann::ordered_json aging = nlohmann::ordered_json::object();
      for (size_t i = 0; i < c.buckets.size(); ++i) {
        aging[report::kAgingBuckets[i]] = c.buckets[i].ToString(digits);
      }
      customers.push_back({{"customer", c.customer},
                           {"currency", c.currency},
                           {"aging", aging},
                           {"total", c.total.ToString(digits)}});
    }
    out["customers"] = customers;
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "receivables as of " << r.as_of << "\n";
  for (const pipeline::ReceivableDocument& d : r.documents) {
    const int digits = digits_of(d.document.currency);
    std::cout << "  " << d.document.number << "  " << d.document.customer << "  "
              << d.document.total.ToString(digits) << " " << d.document.currency << ", paid "
              << d.paid.ToString(digits) << ", due " << d.document.due_date << ": "
              << report::InvoiceStateName(d.state) << "\n";
  }
  std::cout << "aging (current, 1-30, 31-60, 61-90, 90+ days past due):\n";
  for (const pipeline::CustomerAging& c : r.customers) {
    const int digits = digits_of(c.currency);
    std::cout << "  " << c.customer << " (" << c.currency << "):";
    for (const Decimal& b : c.buckets) std::cout << " " << b.ToString(digits);
    std::cout << "  total " << c.total.ToString(digits) << "\n";
  }
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{
      "rebill: AWS reseller billing — from the Cost and Usage Report to customer statements"};
  app.require_subcommand(1);
  // -w and --actor may also follow the subcommand: `rebill close --period 2026-10 --actor ann`.
  app.fallthrough();
  Options o;
  app.add_option("-w,--workspace", o.workspace, "Workspace folder (default: current folder)");
  app.add_option("--actor", o.actor, "Who is acting, for the audit log (default: OS user)");
  app.add_option("--store", o.store,
                 "The store: a postgresql:// URL or a SQLite file (default: [store] url in "
                 "rebill.toml, else rebill.db in the workspace)");

  auto* demo =
      app.add_subcommand("demo", "Write an example reseller workspace and run it end to end");
  demo->add_option("DIR", o.demo_dir, "Folder for the example workspace")->capture_default_str();

  auto* init = app.add_subcommand("init", "Create an empty workspace (rebill.toml and the store)");
  init->add_option("DIR", o.init_dir, "Folder for the workspace (default: the -w folder)");

  auto* ingest = app.add_subcommand(
      "ingest",
      "Ingest billing files: legacy CUR, CUR 2.0 or FOCUS (CSV, CSV.gz, Athena text, Parquet)");
  ingest->add_option(
      "PATH", o.paths,
      "Billing files (CSV, CSV.gz, CSV.zip, Athena text, Parquet), manifests, or folders "
      "mirroring the S3 bucket (only the files the newest manifest lists are read)");
  ingest->add_flag("--list", o.ingest_list,
                   "List what is ingested per period and payer, with its delivery and status");
  ingest->add_option("--columns", o.columns_file,
                     "File listing the columns of headerless Athena exports (the DDL's or another "
                     "export's header; names separated by commas, tabs, \\x01 or new lines)");
  ingest->add_option("--format", o.ingest_format, "Summary format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* run = app.add_subcommand("run", "Map, allocate, price, report and attribute one period");
  run->add_option("--period", o.period, "Billing period, YYYY-MM")->required();
  run->add_option("--format", o.run_format, "Summary format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* statements = app.add_subcommand("statements", "Render the period's statements");
  statements->add_option("--period", o.period, "Billing period, YYYY-MM (or --invoice)");
  statements->add_option("--invoice", o.invoice,
                         "Only this invoice, credit note or debit note (instead of --period)");
  statements->add_option("--customer", o.customer, "Only this customer");
  statements->add_option("--format", o.statements_format, "Output format")
      ->check(CLI::IsMember({"json", "csv", "html", "pdf", "focus"}))
      ->capture_default_str();
  statements->add_flag("--detail", o.detail,
                       "A customer's lines at their prices (needs --customer; --format csv, or "
                       "focus for FOCUS 1.2 column names), recomputed from the ingested data");
  statements->add_option("-o,--output", o.output,
                         "Output file (HTML, PDF: folder of one file per customer, or a file "
                         "with --customer)");

  auto* reconcile =
      app.add_subcommand("reconcile", "Check every payer's CUR total is accounted for");
  reconcile->add_option("--period", o.period, "Billing period, YYYY-MM")->required();
  reconcile->add_option("--format", o.reconcile_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* allocate = app.add_subcommand(
      "allocate", "Compare commitment policies: each customer's cost basis under each policy");
  bool compare = false;
  allocate->add_flag("--compare", compare, "Show every commitment policy side by side")->required();
  allocate->add_option("--period", o.period, "Billing period, YYYY-MM")->required();
  allocate->add_option("--format", o.allocate_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* fx = app.add_subcommand("fx", "Exchange rates for customers billed in other currencies");
  fx->require_subcommand(1);
  auto* fx_import = fx->add_subcommand(
      "import", "Import rates from a CSV with the header period,from,to,rate,source");
  fx_import->add_option("FILE", o.fx_file, "CSV file")->required();

  auto* explain = app.add_subcommand(
      "explain",
      "Walk a customer's statement lines back to CUR rows, policies, rules and rounding");
  explain->add_option("--period", o.period, "Billing period, YYYY-MM")->required();
  explain->add_option("--customer", o.customer, "Customer id")->required();
  explain->add_option("--service", o.service, "Only this service's lines (product code)");
  explain->add_option("--format", o.explain_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* accounts = app.add_subcommand(
      "accounts", "AWS accounts: import the organization, list owners, check the hierarchy");
  accounts->require_subcommand(1);
  auto* accounts_import = accounts->add_subcommand(
      "import",
      "Import `aws organizations list-accounts` / `list-handshakes-for-organization` JSON");
  accounts_import->add_option("FILE", o.paths, "JSON exports")->required();
  auto* accounts_list = accounts->add_subcommand(
      "list", "Each account's onboarding state and its customer over time");
  accounts_list->add_option("--format", o.accounts_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  auto* accounts_check = accounts->add_subcommand(
      "check",
      "Unassigned spend, owner changes, unmatched tag values, accounts missing from the "
      "organization");
  accounts_check->add_option("--period", o.period, "Billing period, YYYY-MM")->required();
  accounts_check->add_option("--format", o.accounts_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* margin = app.add_subcommand(
      "margin",
      "Margin against the reseller's true cost per customer, service or account, the waterfall "
      "from list price to customer price to reseller cost, and the run's alerts");
  std::string margin_from, margin_to;
  auto* margin_period = margin->add_option("--period", o.period, "Billing period, YYYY-MM");
  auto* from_option =
      margin->add_option("--from", margin_from, "First period of a range, YYYY-MM (with --to)")
          ->excludes(margin_period);
  margin->add_option("--to", margin_to, "Last period of a range, YYYY-MM (with --from)")
      ->excludes(margin_period)
      ->needs(from_option);
  from_option->needs(margin->get_option("--to"));
  margin
      ->add_option("--by", o.by,
                   "Grouping; waterfall: one CSV row per customer with every waterfall step")
      ->check(CLI::IsMember({"customer", "service", "account", "customer-service", "waterfall"}))
      ->default_val("customer");
  margin->add_option("--format", o.margin_format, "Output format")
      ->check(CLI::IsMember({"json", "csv", "html"}))
      ->capture_default_str();
  margin->add_option("-o,--output", o.output, "Output file (required for html)");

  auto* export_cmd = app.add_subcommand(
      "export", "Write the whole store as JSON lines (to move it, e.g. from SQLite to PostgreSQL)");
  export_cmd->add_option("-o,--output", o.export_file, "File to write")->required();
  auto* import_cmd =
      app.add_subcommand("import", "Load a `rebill export` file into an empty store");
  import_cmd->add_option("FILE", o.import_file, "The export file")->required();
  auto* store_cmd = app.add_subcommand("store", "The store itself");
  store_cmd->require_subcommand(1);
  auto* store_check = store_cmd->add_subcommand(
      "check", "Check the store: database integrity, complete runs, month files and checksums");

  auto* close = app.add_subcommand(
      "close", "Close a period: number its statements as invoices, lock FX rates, freeze them");
  close->add_option("--period", o.period, "Billing period, YYYY-MM")->required();
  close->add_flag("--acknowledge-unassigned", o.acknowledge_unassigned,
                  "Close although some spend has no customer (it stays with the reseller)");

  auto* void_cmd =
      app.add_subcommand("void", "Void a final invoice and issue a credit note for it");
  void_cmd->add_option("--invoice", o.invoice, "Invoice number")->required();
  void_cmd->add_option("--reason", o.reason, "Why it is voided (kept with the credit note)")
      ->required();

  auto* diff = app.add_subcommand(
      "diff", "Per customer, what changed since the previous run, or since close");
  diff->add_option("--period", o.period, "Billing period, YYYY-MM")->required();
  diff->add_option("--format", o.diff_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* payments = app.add_subcommand("payments", "Payments received against invoices");
  payments->require_subcommand(1);
  auto* payments_record = payments->add_subcommand("record", "Record one payment");
  payments_record->add_option("--invoice", o.invoice, "Invoice (or debit note) number")->required();
  payments_record->add_option("--amount", o.amount, "Amount received, e.g. 1200.50")->required();
  payments_record->add_option("--date", o.date, "Date received, YYYY-MM-DD")->required();
  payments_record->add_option("--reference", o.reference, "Bank reference");
  auto* payments_import = payments->add_subcommand(
      "import", "Import payments from a CSV with the header invoice,amount,date,reference");
  payments_import->add_option("FILE", o.payments_file, "CSV file")->required();

  auto* receivables = app.add_subcommand(
      "receivables", "Invoice status (open, partially paid, paid, overdue) and aging per customer");
  receivables->add_option("--as-of", o.as_of, "Date to age at, YYYY-MM-DD (default: today)");
  receivables->add_option("--format", o.receivables_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* audit = app.add_subcommand("audit", "The audit log: every state change, who and when");
  audit->add_option("--format", o.audit_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (o.actor.empty()) o.actor = DefaultActor();
  const Timestamp now = Now();
  if (!o.store.empty()) {
    if (Status s = pipeline::UseStore(o.store); !s.ok()) {
      std::cerr << "rebill: --store: " << s.message() << "\n";
      return kExitUsage;
    }
  }

  if (*export_cmd) {
    if (Status s = pipeline::ExportStore(o.workspace, o.export_file); !s.ok()) return Fail(s);
    std::cerr << "wrote " << o.export_file << "\n";
    return kExitOk;
  }
  if (*import_cmd) {
    Result<pipeline::StoreImport> imported =
        pipeline::ImportStore(o.workspace, o.import_file, now, o.actor);
    if (!imported.ok()) return Fail(imported.status());
    std::cout << "imported " << imported->rows << " rows\n";
    for (const std::string& p : imported->problems) std::cerr << "rebill: warning: " << p << "\n";
    return kExitOk;
  }
  if (*store_check) {
    Result<std::vector<std::string>> problems = pipeline::CheckStore(o.workspace);
    if (!problems.ok()) return Fail(problems.status());
    for (const std::string& p : *problems) std::cout << "problem: " << p << "\n";
    if (!problems->empty()) {
      return Fail(
          FailedPrecondition(std::to_string(problems->size()) + " problem(s) in the store"));
    }
    std::cout << "store ok\n";
    return kExitOk;
  }

  if (*init) {
    std::string dir = o.init_dir.empty() ? o.workspace : o.init_dir;
    if (Status s = pipeline::InitWorkspace(dir); !s.ok()) return Fail(s);
    std::cout << "created workspace " << dir << " (edit " << dir << "/rebill.toml)\n";
    return kExitOk;
  }
  if (*demo) {
    Result<pipeline::DemoResult> result = pipeline::WriteDemoWorkspace(o.demo_dir);
    if (!result.ok()) return Fail(result.status());
    Result<pipeline::IngestSummary> ingested =
        pipeline::IngestFiles(o.demo_dir, {result->cur_path}, now, o.actor);
    if (!ingested.ok()) return Fail(ingested.status());
    Result<pipeline::RunOutcome> ran =
        pipeline::RunPeriod(o.demo_dir, result->period, now, o.actor);
    if (!ran.ok()) return Fail(ran.status());
    PrintRunSummary(*ran, false);
    std::string out = o.demo_dir + "/out/" + result->period.ToString();
    std::vector<std::string> paths;
    for (const auto& [format, file] :
         {std::pair<std::string, std::string>{"json", "/statements.json"},
          {"csv", "/statements.csv"},
          {"html", ""},
          {"pdf", ""}}) {
      Result<std::vector<std::string>> written =
          RenderStatements(o.demo_dir, result->period, format, "", out + file);
      if (!written.ok()) return Fail(written.status());
      paths.insert(paths.end(), written->begin(), written->end());
    }
    std::cout << "reconciliation: " << (ran->reconciliation.balanced ? "balanced" : "NOT balanced")
              << "\nstatements:\n";
    for (const std::string& p : paths) std::cout << "  " << p << "\n";
    return kExitOk;
  }
  if (*fx_import) {
    Result<size_t> imported = pipeline::ImportFxRates(o.workspace, o.fx_file, now, o.actor);
    if (!imported.ok()) return Fail(imported.status());
    std::cout << "imported " << *imported << " exchange rates\n";
    return kExitOk;
  }
  if (*accounts_import) {
    Result<pipeline::OrganizationImport> imported =
        pipeline::ImportOrganization(o.workspace, o.paths, now, o.actor);
    if (!imported.ok()) return Fail(imported.status());
    std::cout << "imported " << imported->accounts << " accounts and " << imported->handshakes
              << " invitations\n";
    return kExitOk;
  }
  if (*accounts_list) {
    Result<std::vector<pipeline::AccountListing>> listing = pipeline::ListAccounts(o.workspace);
    if (!listing.ok()) return Fail(listing.status());
    PrintAccounts(*listing, o.accounts_format == "json");
    return kExitOk;
  }
  if (*ingest && o.ingest_list) {
    Result<std::vector<store::MonthRecord>> months = pipeline::ListMonths(o.workspace);
    if (!months.ok()) return Fail(months.status());
    PrintMonthList(*months, o.ingest_format == "json");
    return kExitOk;
  }
  if (*ingest && o.paths.empty()) {
    std::cerr << "rebill ingest: give the files or folders to ingest (or --list)\n";
    return kExitUsage;
  }
  if (*ingest) {
    std::vector<std::string> columns;
    if (!o.columns_file.empty()) {
      std::ifstream in(o.columns_file, std::ios::binary);
      if (!in) return Fail(NotFound(o.columns_file + ": no such file"));
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::string name;
      for (char c : text + "\n") {
        if (c == ',' || c == '\t' || c == '\n' || c == '\r' || c == '\x01') {
          if (!name.empty()) columns.push_back(name);
          name.clear();
        } else if (c != ' ' && c != '"') {
          name.push_back(c);
        }
      }
      if (columns.empty()) return Fail(InvalidInput(o.columns_file + ": no column names in it"));
    }
    Result<pipeline::IngestSummary> summary = [&] {
      ProgressBar bar;
      return pipeline::IngestFiles(o.workspace, o.paths, now, o.actor, columns,
                                   [&](const pipeline::IngestProgress& p) { bar.Update(p); });
    }();
    if (!summary.ok()) return Fail(summary.status());
    PrintIngestSummary(*summary, o.ingest_format == "json");
    return kExitOk;
  }
  if (*void_cmd) {
    Result<pipeline::VoidOutcome> voided =
        pipeline::VoidInvoice(o.workspace, o.invoice, o.reason, now, o.actor);
    if (!voided.ok()) return Fail(voided.status());
    std::cout << "voided " << voided->voided.number << "; credit note "
              << voided->credit_note.number << " for "
              << Money(voided->credit_note.total, voided->credit_note.currency) << "\n";
    return kExitOk;
  }
  if (*payments_record) {
    Result<store::Payment> paid = pipeline::RecordPayment(o.workspace, o.invoice, o.amount, o.date,
                                                          o.reference, now, o.actor);
    if (!paid.ok()) return Fail(paid.status());
    std::cout << "recorded payment of " << paid->amount.ToString() << " against " << paid->invoice
              << " on " << paid->paid_on << "\n";
    return kExitOk;
  }
  if (*payments_import) {
    Result<size_t> imported = pipeline::ImportPayments(o.workspace, o.payments_file, now, o.actor);
    if (!imported.ok()) return Fail(imported.status());
    std::cout << "imported " << *imported << " payments\n";
    return kExitOk;
  }
  if (*receivables) {
    Result<pipeline::Receivables> r =
        pipeline::ListReceivables(o.workspace, o.as_of.empty() ? FormatDate(now) : o.as_of);
    if (!r.ok()) return Fail(r.status());
    PrintReceivables(*r, o.receivables_format == "json");
    return kExitOk;
  }
  if (*audit) {
    if (!fs::exists(o.workspace + "/rebill.toml")) {
      return Fail(NotFound(o.workspace + " is not a rebill workspace (no rebill.toml)"));
    }
    Result<std::unique_ptr<store::Store>> store =
        pipeline::OpenStore(pipeline::WorkspacePaths(o.workspace));
    if (!store.ok()) return Fail(store.status());
    Result<std::vector<store::AuditEntry>> log = (*store)->AuditLog();
    if (!log.ok()) return Fail(log.status());
    if (o.audit_format == "json") {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const store::AuditEntry& e : *log) {
        out.push_back({{"at", e.at},
                       {"actor", e.actor},
                       {"action", e.action},
                       {"period", e.period},
                       {"detail", e.detail},
                       {"config_sha256", e.config_sha256},
                       {"input_sha256", e.input_sha256}});
      }
      std::cout << out.dump(2) << "\n";
    } else {
      for (const store::AuditEntry& e : *log) {
        std::cout << e.at << "  " << e.actor << "  " << e.action
                  << (e.period.empty() ? "" : " " + e.period) << "  " << e.detail
                  << (e.config_sha256.empty() ? "" : "  config " + e.config_sha256.substr(0, 12))
                  << "\n";
      }
    }
    return kExitOk;
  }
  if (*statements && !o.invoice.empty()) {
    if (!o.period.empty() || !o.customer.empty()) {
      std::cerr << "rebill: statements: give --invoice alone, or --period [--customer]\n";
      return kExitUsage;
    }
    Result<std::vector<std::string>> written = RenderStatements(
        o.workspace, BillingPeriod(), o.statements_format, "", o.output, o.invoice);
    if (!written.ok()) return Fail(written.status());
    for (const std::string& p : *written) std::cerr << "wrote " << p << "\n";
    return kExitOk;
  }
  if (*margin) {
    if (o.period.empty() && margin_from.empty()) {
      std::cerr << "rebill margin: give --period YYYY-MM or --from YYYY-MM --to YYYY-MM\n";
      return kExitUsage;
    }
    Result<BillingPeriod> from = BillingPeriod::Parse(o.period.empty() ? margin_from : o.period);
    Result<BillingPeriod> to = BillingPeriod::Parse(o.period.empty() ? margin_to : o.period);
    if (!from.ok() || !to.ok()) {
      std::cerr << "rebill: "
                << (from.ok()          ? "--to"
                    : o.period.empty() ? "--from"
                                       : "--period")
                << ": " << (from.ok() ? to : from).status().message() << "\n";
      return kExitUsage;
    }
    if (o.margin_format == "html" && o.output.empty()) {
      std::cerr << "rebill margin: --format html writes a file; give -o FILE.html\n";
      return kExitUsage;
    }
    return PrintMargin(o, *from, *to);
  }
  Result<BillingPeriod> period = PeriodOption(o);
  if (!period.ok()) {
    std::cerr << "rebill: --period: " << period.status().message() << "\n";
    return kExitUsage;
  }
  if (*run) {
    Result<pipeline::RunOutcome> outcome = pipeline::RunPeriod(o.workspace, *period, now, o.actor);
    if (!outcome.ok()) return Fail(outcome.status());
    PrintRunSummary(*outcome, o.run_format == "json");
    return kExitOk;
  }
  if (*close) {
    pipeline::CloseOptions options;
    options.acknowledge_unassigned = o.acknowledge_unassigned;
    Result<pipeline::CloseOutcome> closed =
        pipeline::ClosePeriod(o.workspace, *period, options, now, o.actor);
    if (!closed.ok()) return Fail(closed.status());
    std::cout << "closed " << period->ToString() << ": " << closed->invoices.size()
              << " invoices\n";
    for (const store::InvoiceRecord& i : closed->invoices) {
      std::cout << "  " << i.number << "  " << i.customer << "  " << Money(i.total, i.currency)
                << ", due " << i.due_date << "\n";
    }
    return kExitOk;
  }
  if (*diff) {
    Result<pipeline::PeriodDiff> d = pipeline::DiffPeriod(o.workspace, *period);
    if (!d.ok()) return Fail(d.status());
    PrintDiff(*d, o.diff_format == "json");
    return kExitOk;
  }
  if (*accounts_check) {
    Result<pipeline::AccountsCheckOutcome> check = pipeline::CheckAccounts(o.workspace, *period);
    if (!check.ok()) return Fail(check.status());
    std::cout << (o.accounts_format == "json"
                      ? map::RenderAccountCheckJson(check->check, *period, check->display_scale)
                      : map::RenderAccountCheckText(check->check, *period, check->display_scale));
    return kExitOk;
  }
  if (*explain) {
    Result<pipeline::Explanation> explanation =
        pipeline::Explain(o.workspace, *period, o.customer, o.service);
    if (!explanation.ok()) return Fail(explanation.status());
    PrintExplanation(*explanation, o.explain_format == "json");
    return kExitOk;
  }
  if (*allocate) {
    Result<pipeline::PolicyComparison> comparison = pipeline::ComparePolicies(o.workspace, *period);
    if (!comparison.ok()) return Fail(comparison.status());
    PrintComparison(*comparison, o.allocate_format == "json");
    return kExitOk;
  }
  if (*statements && o.detail) {
    if (o.customer.empty() || (o.statements_format != "csv" && o.statements_format != "focus")) {
      std::cerr << "rebill: statements --detail needs --customer ID and --format csv or focus\n";
      return kExitUsage;
    }
    Result<report::CustomerDetail> detail =
        pipeline::CustomerDetailOf(o.workspace, *period, o.customer);
    if (!detail.ok()) return Fail(detail.status());
    std::string content = o.statements_format == "focus" ? report::RenderFocusCsv(*detail)
                                                         : report::RenderDetailCsv(*detail);
    if (o.output.empty()) {
      std::cout << content;
    } else {
      Status written = WriteFile(o.output, content);
      if (!written.ok()) return Fail(written);
      std::cerr << "wrote " << o.output << "\n";
    }
    return kExitOk;
  }
  if (*statements && o.statements_format == "focus") {
    std::cerr << "rebill: --format focus is the detail export; add --detail --customer ID\n";
    return kExitUsage;
  }
  if (*statements) {
    Result<std::vector<std::string>> written =
        RenderStatements(o.workspace, *period, o.statements_format, o.customer, o.output);
    if (!written.ok()) return Fail(written.status());
    for (const std::string& p : *written) std::cerr << "wrote " << p << "\n";
    return kExitOk;
  }
  Result<store::RunRecord> latest = pipeline::LatestRun(o.workspace, *period);
  if (!latest.ok()) return Fail(latest.status());
  if (*reconcile) {
    if (o.reconcile_format == "json") {
      std::cout << latest->reconcile_json;
    } else {
      auto j = nlohmann::json::parse(latest->reconcile_json);
      std::cout << "reconciliation " << j["period"].get<std::string>() << " ("
                << j["cost_view"].get<std::string>() << ", " << j["currency"].get<std::string>()
                << "): " << (j["balanced"].get<bool>() ? "balanced" : "NOT balanced") << "\n";
      for (const auto& p : j["payers"]) {
        std::cout << "  payer " << p["payer"].get<std::string>() << "\n"
                  << "    CUR total          " << p["cur_total"].get<std::string>() << "\n"
                  << "    customers          " << p["customers"].get<std::string>() << "\n"
                  << "    reseller retained  " << p["reseller_retained"].get<std::string>() << "\n"
                  << "    unassigned         " << p["unassigned"].get<std::string>() << "\n"
                  << "    difference         " << p["difference"].get<std::string>() << "\n";
        if (!p.contains("invoices")) continue;
        for (const auto& i : p["invoices"]) {
          std::cout << "    invoice " << i["invoice_id"].get<std::string>() << ": CUR "
                    << i["cur_total"].get<std::string>() << ", allocated "
                    << i["allocated"].get<std::string>() << ", difference "
                    << i["difference"].get<std::string>() << "\n";
        }
      }
    }
    return kExitOk;
  }
  return kExitUsage;
}

}  // namespace rebill::cli
