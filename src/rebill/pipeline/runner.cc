#include "rebill/pipeline/runner.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <set>

#include "rebill/allocate/allocate.h"
#include "rebill/attribute/attribute.h"
#include "rebill/core/currency.h"
#include "rebill/core/escape.h"
#include "rebill/core/sha256.h"
#include "rebill/ingest/csv_reader_internal.h"
#include "rebill/ingest/ingest.h"
#include "rebill/map/map.h"
#include "rebill/map/organization_import.h"
#include "rebill/pipeline/config.h"
#include "rebill/pipeline/lifecycle_internal.h"
#include "rebill/price/price.h"
#include "rebill/report/render.h"
#include "rebill/report/statement_builder.h"
#include "rebill/store/connection.h"
#include "rebill/store/month_file.h"
#include "rebill/store/workspace_lock.h"

namespace rebill::pipeline {
namespace fs = std::filesystem;

WorkspacePaths::WorkspacePaths(std::string d)
    : dir(std::move(d)),
      config(dir + "/rebill.toml"),
      store(dir + "/rebill.db"),
      months(dir + "/months") {}

namespace {

// The --store option of this process, if given.
std::string& StoreOverride() {
  static std::string uri;
  return uri;
}

}  // namespace

Status UseStore(std::string uri) {
  if (uri.find("://") != std::string::npos && !store::IsPostgresUrl(uri)) {
    return InvalidInput("'" + uri + "' is neither a postgresql:// URL nor a SQLite file path");
  }
  StoreOverride() = std::move(uri);
  return Status::Ok();
}

Result<std::string> StoreUri(const WorkspacePaths& ws) {
  if (!StoreOverride().empty()) return StoreOverride();
  REBILL_ASSIGN_OR_RETURN(std::string url, LoadStoreUrl(ws.config));
  return url.empty() ? ws.store : url;
}

Result<std::unique_ptr<store::Store>> OpenStore(const WorkspacePaths& ws) {
  REBILL_ASSIGN_OR_RETURN(std::string uri, StoreUri(ws));
  return store::Store::Open(uri);
}

namespace {

constexpr CostView kViews[] = {CostView::kUnblended, CostView::kNetUnblended, CostView::kAmortized,
                               CostView::kPublicOnDemand};

Status RequireWorkspace(const WorkspacePaths& paths) {
  if (!fs::exists(paths.config)) {
    return NotFound(paths.dir +
                    " is not a rebill workspace (no rebill.toml); create one with "
                    "`rebill init " +
                    paths.dir + "`");
  }
  return Status::Ok();
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

}  // namespace

Status InitWorkspace(const std::string& dir) {
  WorkspacePaths paths(dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IoError(dir + ": cannot create the workspace folder: " + ec.message());
  if (fs::exists(paths.config)) {
    return AlreadyExists(paths.config + " already exists; this folder is a workspace already");
  }
  {
    std::string tmp = paths.config + ".tmp";
    std::ofstream out(tmp, std::ios::binary);
    out << DefaultConfigText();
    out.close();
    if (!out) return IoError(tmp + ": cannot write");
    fs::rename(tmp, paths.config, ec);
    if (ec) return IoError(paths.config + ": " + ec.message());
  }
  fs::create_directories(paths.months, ec);
  if (ec) return IoError(paths.months + ": " + ec.message());
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(paths));
  return Status::Ok();
}

nlohmann::ordered_json IngestedMonthJson(const IngestedMonth& m) {
  nlohmann::ordered_json totals = nlohmann::ordered_json::object();
  for (size_t v = 0; v < kCostViewCount; ++v) {
    totals[std::string(CostViewName(kViews[v]))] = m.totals[v].ToString(m.display_scale);
  }
  nlohmann::ordered_json by_type = nlohmann::ordered_json::object();
  for (const auto& [type, total] : m.unblended_by_type)
    by_type[type] = total.ToString(m.display_scale);
  return {{"period", m.period},
          {"payer", m.payer},
          {"rows", m.rows},
          {"content_sha256", m.content_sha256},
          {"action", m.action},
          {"status", m.final ? "final" : "estimated"},
          {"final", m.final},
          {"delivery", m.delivery},
          {"totals", totals},
          {"unblended_by_line_item_type", by_type},
          {"quarantined_line_item_types", m.unknown_types},
          {"usage_outside_period", m.usage_outside_period}};
}

namespace {

nlohmann::ordered_json DeliveryJson(const ingest::Delivery& d) {
  nlohmann::ordered_json out = {{"layout", d.layout}};
  if (d.manifest) {
    out["report"] = d.manifest->report_name;
    out["id"] = d.manifest->delivery_id;
    out["manifest"] = d.manifest->path;
  }
  if (!d.superseded.empty()) out["superseded"] = d.superseded;
  return out;
}

// The reject limits of [ingest]: none set, the first malformed row fails the ingest.
RejectPolicy PolicyOf(const WorkspaceConfig& config) {
  if (!config.max_rejected_rows && !config.max_rejected_percent) return RejectPolicy::Fail();
  return RejectPolicy::SkipUpTo(config.max_rejected_rows.value_or(UINT64_MAX));
}

Status CheckRejectedShare(const WorkspaceConfig& config, const std::vector<Reject>& rejects,
                          uint64_t rows_read) {
  if (!config.max_rejected_percent || rejects.empty()) return Status::Ok();
  // rejected / read <= percent / 100, compared exactly as rejected * 100 <= percent * read.
  REBILL_ASSIGN_OR_RETURN(Decimal limit,
                          Decimal::Mul(*config.max_rejected_percent,
                                       Decimal::FromInt(static_cast<int64_t>(rows_read))));
  Decimal rejected = Decimal::FromInt(static_cast<int64_t>(rejects.size()) * 100);
  if (rejected <= limit) return Status::Ok();
  return InvalidInput(std::to_string(rejects.size()) + " of " + std::to_string(rows_read) +
                      " rows were rejected, more than ingest.max_rejected_percent = " +
                      config.max_rejected_percent->ToString() +
                      "%; the first: " + rejects.front().ToString());
}

// The times inside a day at which the configuration changes how a line is billed: when an
// account changes customer, a split starts or ends, or a customer changes price plan. Ingest
// never lets an aggregated line straddle one. Midnights need no cut (days are buckets anyway).
std::vector<Timestamp> ConfigTimeCuts(const WorkspaceConfig& config) {
  std::vector<Timestamp> cuts;
  auto add = [&](Timestamp t) {
    if (t != map::kBeginning && t != map::kForever && t % 86400 != 0) cuts.push_back(t);
  };
  for (const map::Assignment& a : config.accounts.assignments) {
    add(a.from);
    add(a.to);
  }
  for (const map::Split& s : config.accounts.splits) {
    add(s.from);
    add(s.to);
  }
  for (const price::CustomerPricing& c : config.prices.customers) {
    for (const price::PlanAssignment& p : c.plans) {
      add(p.from);
      add(p.to);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

uint64_t RowsOf(const NormalizedMonth& month) {
  uint64_t rows = 0;
  for (const CurLine& line : month.lines) rows += line.rows;
  return rows;
}

/// The warnings of the files read, each "<path>: <what>", with those that say the same of
/// several files said once: a delivery of 20 parts with a misspelt tag key gives one warning
/// naming the parts, not 20. In the order each was first said.
std::vector<std::string> MergeFileWarnings(
    const std::vector<std::pair<std::string, std::string>>& warnings) {
  std::vector<std::string> order;                       // what is said, without the path
  std::map<std::string, std::vector<std::string>> who;  // what -> the files it is said of
  std::vector<std::string> out;
  for (const auto& [path, warning] : warnings) {
    const std::string prefix = path + ": ";
    if (!warning.starts_with(prefix)) {
      order.push_back(warning);
      who[warning];
      continue;
    }
    std::string what = warning.substr(prefix.size());
    auto [it, fresh] = who.try_emplace(what);
    if (fresh) order.push_back(what);
    it->second.push_back(path);
  }
  for (const std::string& what : order) {
    const std::vector<std::string>& paths = who[what];
    if (paths.empty()) {
      out.push_back(what);
      continue;
    }
    std::string merged = paths[0] + ": " + what;
    if (paths.size() > 1) {
      constexpr size_t kNamed = 3;
      merged += "; the same holds for " + std::to_string(paths.size() - 1) + " more file" +
                (paths.size() > 2 ? "s" : "") + ": ";
      for (size_t i = 1; i < paths.size() && i <= kNamed; ++i) {
        merged += (i > 1 ? ", " : "") + paths[i];
      }
      if (paths.size() - 1 > kNamed) {
        merged += " and " + std::to_string(paths.size() - 1 - kNamed) + " more";
      }
    }
    out.push_back(std::move(merged));
  }
  return out;
}

/// Removes the month files of `period` that no month of the store names: those an ingest has
/// just replaced, and those a command killed after writing a month file and before recording
/// it left behind, or after recording a month and before removing the file it replaced, or (a
/// `.tmp`) while writing. Only for a caller that holds the period's lock: every command that writes
/// the period's folder holds it, so what no month names there is nobody's work in progress.
/// Files rebill did not name are left alone. Best effort, after the ingest is recorded: what
/// cannot be listed or removed now is tried again by the period's next ingest.
void RemoveUnrecordedMonthFiles(const WorkspacePaths& ws, store::Store& store,
                                const std::string& period) {
  Result<std::vector<store::MonthRecord>> months = store.MonthsOf(period);
  if (!months.ok()) return;
  std::set<std::string> recorded;
  for (const store::MonthRecord& m : *months) {
    recorded.insert(fs::path(m.month_file).filename().string());
  }
  std::vector<fs::path> unrecorded;
  std::error_code ec;
  for (fs::directory_iterator it(ws.months + "/" + period, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const bool month_file = name.ends_with(".month") || name.ends_with(".month.tmp");
    std::error_code type_ec;
    if (month_file && it->is_regular_file(type_ec) && recorded.count(name) == 0) {
      unrecorded.push_back(it->path());
    }
  }
  for (const fs::path& path : unrecorded) fs::remove(path, ec);
}

}  // namespace

Result<IngestSummary> IngestFiles(const std::string& workspace,
                                  const std::vector<std::string>& paths, Timestamp now,
                                  const std::string& actor, const std::vector<std::string>& columns,
                                  const IngestProgressFn& progress) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  REBILL_ASSIGN_OR_RETURN(WorkspaceConfig config, LoadConfig(ws.config));
  REBILL_ASSIGN_OR_RETURN(auto lock, store::WorkspaceLock::Acquire(workspace));

  IngestSummary summary;
  for (const std::string& path : paths) {
    REBILL_ASSIGN_OR_RETURN(std::vector<ingest::Delivery> found, ingest::FindDeliveries(path));
    for (ingest::Delivery& d : found) summary.deliveries.push_back(std::move(d));
  }

  // Read and validate everything first: a bad file must leave the workspace untouched.
  ingest::IngestOptions options;
  options.tag_keys = config.tag_keys;
  options.time_cuts = ConfigTimeCuts(config);
  options.columns = columns;
  RejectSink rejects(PolicyOf(config));
  std::vector<ingest::IngestedFile> files;
  std::vector<size_t> delivery_of;  // per file
  IngestProgress where;
  std::vector<uint64_t> sizes;  // per file, in reading order
  // A file read twice would count its rows twice: the same path given twice (or a folder and
  // a file in it) is refused before anything is read, the same bytes under two names after.
  std::map<std::string, std::string> given;  // canonical path -> as given
  for (const ingest::Delivery& d : summary.deliveries) {
    for (const std::string& path : d.files) {
      std::error_code ec;
      fs::path canonical = fs::weakly_canonical(path, ec);
      auto [first, fresh] = given.emplace(ec ? path : canonical.string(), path);
      if (!fresh) {
        return InvalidInput(path + ": is given twice (" + first->second +
                            "); each file of a month is ingested once, so name it once");
      }
      uint64_t size = fs::file_size(path, ec);
      sizes.push_back(ec ? 0 : size);
      where.bytes_total += sizes.back();
      ++where.files;
    }
  }
  std::map<std::string, std::string> content;  // SHA-256 -> the file read with it
  std::vector<std::pair<std::string, std::string>> file_warnings;  // path, warning
  for (size_t d = 0; d < summary.deliveries.size(); ++d) {
    const ingest::Delivery& delivery = summary.deliveries[d];
    options.manifest = delivery.manifest ? &*delivery.manifest : nullptr;
    for (const std::string& path : delivery.files) {
      uint64_t before = where.bytes_done;
      where.file = path;
      if (progress) {
        progress(where);
        options.progress = [&](uint64_t bytes) {
          where.bytes_done = before + bytes;
          progress(where);
        };
      }
      REBILL_ASSIGN_OR_RETURN(ingest::IngestedFile file,
                              ingest::ReadBillingFile(path, options, rejects));
      // Two copies of a file with rows (say, downloaded twice under two names) are one file;
      // files without rows (a month with no charges) may well be alike.
      if (file.source.rows > 0) {
        auto [first, fresh] = content.emplace(file.source.sha256, path);
        if (!fresh) {
          return InvalidInput(path + ": holds the same bytes as " + first->second + " (SHA-256 " +
                              file.source.sha256.substr(0, 16) +
                              "...); each file of a month is ingested once, so pass only one");
        }
      }
      where.bytes_done = before + sizes[where.file_index];
      ++where.file_index;
      summary.rows_read += file.source.rows;
      for (std::string& w : file.warnings) file_warnings.emplace_back(path, std::move(w));
      files.push_back(std::move(file));
      delivery_of.push_back(d);
    }
  }
  summary.warnings = MergeFileWarnings(file_warnings);
  summary.rejects = rejects.rejects();
  REBILL_RETURN_IF_ERROR(CheckRejectedShare(config, summary.rejects, summary.rows_read));

  // Group by (period, payer): each is one month of one payer, replaced as a whole.
  struct Group {
    std::vector<ingest::IngestedFile> parts;
    std::set<size_t> deliveries;
  };
  std::map<std::pair<BillingPeriod, std::string>, Group> groups;
  for (size_t f = 0; f < files.size(); ++f) {
    std::vector<CurLine>& lines = files[f].lines;
    // Usually a file is one payer's month: it moves into its group whole.
    if (!lines.empty() && std::all_of(lines.begin(), lines.end(), [&](const CurLine& l) {
          return l.period == lines[0].period && l.payer_account == lines[0].payer_account;
        })) {
      std::pair<BillingPeriod, std::string> key{lines[0].period, lines[0].payer_account};
      ingest::IngestedFile part;
      part.source = files[f].source;
      part.display_scale = files[f].display_scale;
      part.lines = std::move(lines);
      lines.clear();
      groups[key].parts.push_back(std::move(part));
      groups[key].deliveries.insert(delivery_of[f]);
      continue;
    }
    std::map<std::pair<BillingPeriod, std::string>, ingest::IngestedFile> split;
    for (CurLine& line : files[f].lines) {
      ingest::IngestedFile& part = split[{line.period, line.payer_account}];
      if (part.lines.empty()) {
        part.source = files[f].source;
        part.display_scale = files[f].display_scale;
      }
      part.lines.push_back(std::move(line));
    }
    // The lines now live in their groups only.
    std::vector<CurLine>().swap(files[f].lines);
    for (auto& [key, part] : split) {
      groups[key].parts.push_back(std::move(part));
      groups[key].deliveries.insert(delivery_of[f]);
    }
  }

  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  for (const auto& [key, group] : groups) {
    REBILL_RETURN_IF_ERROR(store->LockPeriod(key.first.ToString()));
  }
  for (const ingest::IngestedFile& f : files) summary.files.push_back(f.source);
  std::vector<store::MonthRecord> records;
  std::vector<std::string> written;
  for (auto& [key, group] : groups) {
    const auto& [period, payer] = key;
    NormalizedMonth month = ingest::BuildMonth(period, std::move(group.parts));
    IngestedMonth info;
    info.period = period.ToString();
    info.payer = payer;
    info.rows = RowsOf(month);
    info.final = month.IsFinal();
    info.display_scale = month.display_scale;
    info.delivery = nlohmann::ordered_json::array();
    for (size_t d : group.deliveries) info.delivery.push_back(DeliveryJson(summary.deliveries[d]));
    std::set<std::string> unknown;
    for (const CurLine& line : month.lines) {
      for (size_t v = 0; v < kCostViewCount; ++v) info.totals[v] += line.cost.Get(kViews[v]);
      info.unblended_by_type[line.type_text] += line.cost.unblended;
      if (line.type == LineItemType::kUnknown) unknown.insert(line.type_text);
      if (line.usage_start != 0 && !period.Contains(line.usage_start)) {
        info.usage_outside_period += line.rows;
      }
    }
    info.unknown_types.assign(unknown.begin(), unknown.end());

    month.tag_keys = options.tag_keys;
    month.time_cuts = options.time_cuts;
    std::vector<std::string> shas;
    for (const SourceFile& s : month.sources) shas.push_back(s.sha256);
    std::sort(shas.begin(), shas.end());
    std::vector<std::string> cuts;
    for (Timestamp t : month.time_cuts) cuts.push_back(std::to_string(t));
    // The month file's name says what it holds: the files it came from, the tags it kept, the
    // time buckets it was aggregated to and the file format, so that ingesting the same files
    // again rewrites a month file of an older format instead of keeping it as unchanged.
    std::string identity = Join(shas) + "|" + Join(month.tag_keys) + "|" + Join(cuts) + "|" +
                           std::to_string(store::kMonthFileVersion);
    std::string relative = "months/" + info.period + "/" + FileNamePart(payer) + "-" +
                           Sha256Hex(identity).substr(0, 16) + ".month";
    REBILL_ASSIGN_OR_RETURN(std::optional<store::MonthRecord> existing,
                            store->FindMonth(info.period, payer));
    if (existing && existing->month_file == relative) {
      info.action = "unchanged";
      info.content_sha256 = store::MonthContentSha256(month);
      summary.months.push_back(std::move(info));
      continue;
    }
    info.action = existing ? "replaced" : "new";
    // Loose files restate the month as much as a delivery does; one part of a month given on
    // its own replaces the parts ingested before it. That may be meant (a corrected file), so
    // it is said rather than refused.
    bool loose = std::none_of(group.deliveries.begin(), group.deliveries.end(),
                              [&](size_t d) { return summary.deliveries[d].manifest.has_value(); });
    if (existing && loose) {
      // A file read now, or a newer version of it at the same path, is not left out.
      std::set<std::string> shas_read, paths_read;
      for (const SourceFile& s : month.sources) {
        shas_read.insert(s.sha256);
        paths_read.insert(s.path);
      }
      std::string left_out;
      for (const SourceFile& s : existing->sources) {
        if (shas_read.count(s.sha256) == 0 && paths_read.count(s.path) == 0) {
          left_out += (left_out.empty() ? "" : ", ") + s.path;
        }
      }
      if (!left_out.empty()) {
        summary.warnings.push_back(
            info.period + " payer " + payer + ": replaces the month ingested before from " +
            left_out +
            ", which this ingest does not read; every ingest restates the whole month, so if "
            "these files are only part of it, ingest all of its files together");
      }
    }

    std::string dir = ws.months + "/" + info.period;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return IoError(dir + ": " + ec.message());
    REBILL_ASSIGN_OR_RETURN(
        std::string month_sha,
        store::WriteMonthFile(ws.dir + "/" + relative, month, &info.content_sha256));
    written.push_back(relative);
    store::MonthRecord record;
    record.period = info.period;
    record.payer = payer;
    record.month_file = relative;
    record.month_sha256 = month_sha;
    record.sources = month.sources;
    record.rows = info.rows;
    record.ingested_at = FormatTimestamp(now);
    record.delivery_json = info.delivery.dump();
    record.summary_json = IngestedMonthJson(info).dump();
    records.push_back(std::move(record));
    summary.months.push_back(std::move(info));
  }
  if (!records.empty()) {
    std::vector<std::string> names;
    for (const SourceFile& s : summary.files) names.push_back(s.path);
    std::vector<std::string> month_shas;
    for (const store::MonthRecord& r : records) month_shas.push_back(r.month_sha256);
    store::AuditEntry audit{
        FormatTimestamp(now),    actor,         "ingest",        records.front().period,
        "files: " + Join(names), config.sha256, Join(month_shas)};
    store::IngestRecord ingest_record{FormatTimestamp(now), actor, "", summary.rejects};
    nlohmann::ordered_json recorded = {{"rows_read", summary.rows_read},
                                       {"rows_rejected", summary.rejects.size()},
                                       {"files", names},
                                       {"warnings", summary.warnings}};
    ingest_record.summary_json = recorded.dump();
    Status recorded_months = store->ReplaceMonths(records, audit, ingest_record);
    if (!recorded_months.ok()) {
      for (const std::string& f : written) fs::remove(ws.dir + "/" + f);
      return recorded_months;
    }
  }
  // The month files replaced now, and any that a killed ingest left behind.
  for (const auto& [key, group] : groups) {
    RemoveUnrecordedMonthFiles(ws, *store, key.first.ToString());
  }
  return summary;
}

Result<report::RenderAssets> StatementAssets(const std::string& workspace, const Statement& s) {
  report::RenderAssets assets;
  if (s.branding.logo.empty()) return assets;
  fs::path path(s.branding.logo);
  if (path.is_relative()) path = fs::path(workspace) / path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return InvalidInput("rebill.toml: reseller.logo: cannot read '" + path.string() +
                        "'; restore the file or change the key and run the period again");
  }
  assets.logo_png.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return assets;
}

Result<std::vector<store::MonthRecord>> ListMonths(const std::string& workspace) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  return store->AllMonths();
}

namespace {

// Invariant 2: each line lands once — its mapped parts, and nothing else, sum to the line.
Status CheckEveryLineLandsOnce(const NormalizedMonth& month, const MappedLines& mapped) {
  const std::vector<MappedLine>& parts = mapped.lines;
  // The parts are met line by line: the mapper writes them in line order, except for the
  // untagged parts of split lines it spreads at the end, which this order puts back in place.
  std::vector<uint32_t> order;
  bool in_line_order = std::is_sorted(parts.begin(), parts.end(),
                                      [](const auto& a, const auto& b) { return a.line < b.line; });
  if (!in_line_order) {
    order.resize(parts.size());
    for (size_t k = 0; k < parts.size(); ++k) order[k] = static_cast<uint32_t>(k);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return parts[a].line < parts[b].line; });
  }
  auto part = [&](size_t k) -> const MappedLine& {
    return in_line_order ? parts[k] : parts[order[k]];
  };
  size_t k = 0;
  for (size_t i = 0; i < month.lines.size(); ++i) {
    CostViews sum;
    uint32_t count = 0;
    for (; k < parts.size() && part(k).line == i; ++k, ++count) {
      const CostViews& cost = part(k).cost;
      sum.unblended += cost.unblended;
      sum.net_unblended += cost.net_unblended;
      sum.amortized += cost.amortized;
      sum.public_on_demand += cost.public_on_demand;
    }
    if (count == 0 || sum != month.lines[i].cost) {
      const CurLine& line = month.lines[i];
      return Internal("invariant 'every line lands once' failed: line from " +
                      month.sources[line.source_file].path + " row " +
                      std::to_string(line.source_row) + " was mapped " + std::to_string(count) +
                      " time(s) with parts not summing to the line");
    }
  }
  if (k != parts.size()) return Internal("mapped line out of range");
  return Status::Ok();
}

std::string TotalsJson(const NormalizedMonth& month) {
  std::map<std::string, std::array<Decimal, kCostViewCount>> per_payer;
  for (const CurLine& line : month.lines) {
    auto& totals = per_payer[line.payer_account];
    for (size_t v = 0; v < kCostViewCount; ++v) totals[v] += line.cost.Get(kViews[v]);
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["lines"] = month.lines.size();
  out["rows"] = RowsOf(month);
  nlohmann::ordered_json payers = nlohmann::ordered_json::object();
  for (const auto& [payer, totals] : per_payer) {
    nlohmann::ordered_json views = nlohmann::ordered_json::object();
    for (size_t v = 0; v < kCostViewCount; ++v) {
      views[std::string(CostViewName(kViews[v]))] = totals[v].ToString(month.display_scale);
    }
    payers[payer] = views;
  }
  out["payers"] = payers;
  nlohmann::ordered_json sources = nlohmann::ordered_json::array();
  for (const SourceFile& source : month.sources) {
    sources.push_back({{"path", source.path}, {"sha256", source.sha256}, {"rows", source.rows}});
  }
  out["sources"] = sources;
  return out.dump();
}

struct LoadedMonth {
  NormalizedMonth month;
  std::vector<std::string> shas;
};

// Every payer's normalized month of `period`, merged into one.
Result<LoadedMonth> LoadMonth(const WorkspacePaths& ws,
                              const std::vector<store::MonthRecord>& records,
                              BillingPeriod period) {
  LoadedMonth loaded;
  NormalizedMonth& month = loaded.month;
  month.period = period;
  for (const store::MonthRecord& record : records) {
    REBILL_ASSIGN_OR_RETURN(NormalizedMonth part,
                            store::ReadMonthFile(ws.dir + "/" + record.month_file));
    auto offset = static_cast<uint32_t>(month.sources.size());
    month.sources.insert(month.sources.end(), part.sources.begin(), part.sources.end());
    for (CurLine& line : part.lines) line.source_file += offset;
    if (month.lines.empty()) {
      month.lines = std::move(part.lines);  // one payer: no line needs to move
    } else {
      month.lines.reserve(month.lines.size() + part.lines.size());
      std::move(part.lines.begin(), part.lines.end(), std::back_inserter(month.lines));
    }
    month.display_scale = std::max(month.display_scale, part.display_scale);
    if (loaded.shas.empty()) {
      month.tag_keys = part.tag_keys;
      month.time_cuts = part.time_cuts;
    }
    std::erase_if(month.time_cuts, [&](Timestamp t) {
      return !std::binary_search(part.time_cuts.begin(), part.time_cuts.end(), t);
    });
    // Keep only the keys every payer's month kept.
    std::erase_if(month.tag_keys, [&](const std::string& key) {
      return std::find(part.tag_keys.begin(), part.tag_keys.end(), key) == part.tag_keys.end();
    });
    loaded.shas.push_back(record.month_sha256);
  }
  return loaded;
}

// Customers billed in another currency than the CUR's need the period's rate; the price stage
// converts with it and the statement shows it.
Status ApplyFxRates(const WorkspacePaths& ws, store::Store& store, const NormalizedMonth& month,
                    BillingPeriod period, WorkspaceConfig& config) {
  std::string cur_currency = "USD";
  for (const CurLine& line : month.lines) {
    if (!line.currency.empty()) {
      cur_currency = line.currency;
      break;
    }
  }
  for (size_t i = 0; i < config.prices.customers.size(); ++i) {
    price::CustomerPricing& c = config.prices.customers[i];
    if (c.currency == cur_currency) continue;
    // A closed period keeps the rate its statements were finalized with, whatever was
    // imported since.
    REBILL_ASSIGN_OR_RETURN(std::optional<FxRate> rate,
                            store.FindLockedFxRate(period.ToString(), cur_currency, c.currency));
    if (!rate) {
      REBILL_ASSIGN_OR_RETURN(rate, store.FindFxRate(period.ToString(), cur_currency, c.currency));
    }
    if (!rate) {
      return FailedPrecondition(
          ws.config + ": customer[" + std::to_string(i) + "].currency: customer '" + c.customer +
          "' is billed in " + c.currency + " but the CUR for " + period.ToString() + " is in " +
          cur_currency + " and no " + cur_currency + "->" + c.currency + " rate is imported for " +
          period.ToString() + "; import one with `rebill fx import RATES.csv`");
    }
    c.fx = *rate;
    config.statements.fx[c.customer] = *rate;
  }
  return Status::Ok();
}

// Each credit's balance at the start of `period`: its amount less what the latest runs of
// earlier periods used. Expired and not-yet-granted credits are left out.
Status ApplyCreditLedger(store::Store& store, BillingPeriod period, WorkspaceConfig& config) {
  for (price::CustomerPricing& c : config.prices.customers) {
    c.credits.clear();
    for (const price::CreditGrant& grant : c.credit_grants) {
      if (period < grant.granted || grant.expires < period) continue;
      REBILL_ASSIGN_OR_RETURN(Decimal used,
                              store.CreditUsedBefore(c.customer, grant.name, period.ToString()));
      c.credits.push_back({c.customer, grant.name, grant.amount - used, grant.expires});
    }
  }
  return Status::Ok();
}

Result<std::vector<store::MonthRecord>> ActiveMonths(store::Store& store, BillingPeriod period) {
  REBILL_ASSIGN_OR_RETURN(std::vector<store::MonthRecord> records,
                          store.MonthsOf(period.ToString()));
  if (records.empty()) {
    return FailedPrecondition("nothing is ingested for " + period.ToString() +
                              "; ingest the month's CUR first with `rebill ingest`");
  }
  return records;
}

// Everything a period's stages read: the configuration with the period's exchange rates and
// credit balances applied, every payer's month merged into one, and the organization.
struct PeriodInputs {
  WorkspaceConfig config;
  std::unique_ptr<store::Store> store;
  LoadedMonth loaded;
  Organization org;
};

// `hold` keeps the period from other commands (on other machines too, with PostgreSQL) until
// the store is closed: a command that records something for the period holds it.
Result<PeriodInputs> LoadPeriod(const WorkspacePaths& ws, BillingPeriod period, bool hold = false) {
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  PeriodInputs in;
  REBILL_ASSIGN_OR_RETURN(in.config, LoadConfig(ws.config));
  REBILL_ASSIGN_OR_RETURN(in.store, OpenStore(ws));
  if (hold) REBILL_RETURN_IF_ERROR(in.store->LockPeriod(period.ToString()));
  REBILL_ASSIGN_OR_RETURN(std::vector<store::MonthRecord> records, ActiveMonths(*in.store, period));
  REBILL_ASSIGN_OR_RETURN(in.loaded, LoadMonth(ws, records, period));
  const NormalizedMonth& month = in.loaded.month;
  // A split on a tag the month was ingested without would silently find no tags.
  for (const std::string& key : in.config.tag_keys) {
    if (std::find(month.tag_keys.begin(), month.tag_keys.end(), key) == month.tag_keys.end()) {
      return FailedPrecondition("rebill.toml splits accounts by '" + key + "', which the " +
                                period.ToString() +
                                " data was ingested without; ingest the month's files again");
    }
  }
  // An aggregated line that spans a time the configuration now changes something at cannot be
  // told apart into its two sides.
  for (Timestamp cut : ConfigTimeCuts(in.config)) {
    if (std::binary_search(month.time_cuts.begin(), month.time_cuts.end(), cut)) continue;
    for (const CurLine& line : month.lines) {
      if (line.rows > 1 && line.usage_start < cut && cut < line.usage_end) {
        return FailedPrecondition("rebill.toml changes an assignment, split or price plan at " +
                                  FormatTimestamp(cut) + ", inside a time bucket the " +
                                  period.ToString() +
                                  " data was aggregated to; ingest the month's files again");
      }
    }
  }
  REBILL_RETURN_IF_ERROR(ApplyFxRates(ws, *in.store, month, period, in.config));
  REBILL_RETURN_IF_ERROR(ApplyCreditLedger(*in.store, period, in.config));
  REBILL_ASSIGN_OR_RETURN(in.org, in.store->LoadOrganization());
  return in;
}

// The stages from map to report, as `rebill run` and `rebill explain` both need them.
struct PricedPeriod {
  MappedLines mapped;
  AllocatedLines allocated;
  PricedLines priced;
  StatementSet statements;
};

Result<PricedPeriod> PricePeriod(PeriodInputs& in, RunContext& ctx) {
  const NormalizedMonth& month = in.loaded.month;
  PricedPeriod out;
  REBILL_ASSIGN_OR_RETURN(out.mapped, map::MapAccounts(month, in.config.accounts, in.org, ctx));
  REBILL_RETURN_IF_ERROR(CheckEveryLineLandsOnce(month, out.mapped));
  const allocate::Policy policy = PolicyFor(in.config, ctx.period);
  REBILL_ASSIGN_OR_RETURN(out.allocated,
                          allocate::AllocateBenefits(month, out.mapped, policy, ctx));
  in.config.statements.policy_note = allocate::DescribeCommitmentPolicy(policy);
  REBILL_ASSIGN_OR_RETURN(out.priced, price::Price(month, out.allocated, in.config.prices, ctx));
  REBILL_ASSIGN_OR_RETURN(out.statements,
                          report::BuildStatements(out.priced, in.config.statements, ctx));
  return out;
}

}  // namespace

Result<RunOutcome> RunPeriod(const std::string& workspace, BillingPeriod period, Timestamp now,
                             const std::string& actor) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  REBILL_ASSIGN_OR_RETURN(auto lock, store::WorkspaceLock::Acquire(workspace));
  REBILL_ASSIGN_OR_RETURN(PeriodInputs in, LoadPeriod(ws, period, /*hold=*/true));
  const WorkspaceConfig& config = in.config;
  const NormalizedMonth& month = in.loaded.month;

  RejectSink rejects;
  RunContext ctx{period, now, &rejects};
  RunOutcome outcome;
  outcome.warnings = config.warnings;
  // The month's totals only read its lines: added up on a second thread while map runs on one.
  std::future<std::string> totals_json =
      std::async(std::launch::async, [&month] { return TotalsJson(month); });
  REBILL_ASSIGN_OR_RETURN(PricedPeriod priced_period, PricePeriod(in, ctx));
  const AllocatedLines& allocated = priced_period.allocated;
  const PricedLines& priced = priced_period.priced;
  outcome.statements = std::move(priced_period.statements);
  outcome.invariants.emplace_back("every_line_lands_once", "ok");
  outcome.invariants.emplace_back("statements_add_up", "ok");
  // The account check and the reconciliation only read what the stages produced: they run on a
  // second thread while margin is attributed.
  auto checks = std::async(std::launch::async, [&] {
    return std::make_pair(
        map::CheckAccounts(month, priced_period.mapped, config.accounts, in.org, period),
        attribute::Reconcile(month, allocated));
  });
  // The reseller's true cost may be wanted in another view than customers are priced on.
  AllocatedLines at_cost_view;
  const AllocatedLines* at_cost = &allocated;
  if (config.margin_cost_view && *config.margin_cost_view != allocated.cost_view) {
    allocate::Policy cost_policy = PolicyFor(config, period);
    cost_policy.cost_view = *config.margin_cost_view;
    REBILL_ASSIGN_OR_RETURN(
        at_cost_view, allocate::AllocateBenefits(month, priced_period.mapped, cost_policy, ctx));
    at_cost = &at_cost_view;
  }
  Result<MarginReport> attributed =
      attribute::AttributeMargin(allocated, *at_cost, priced, outcome.statements, ctx);
  auto [accounts, reconciliation] = checks.get();
  REBILL_ASSIGN_OR_RETURN(outcome.accounts, std::move(accounts));
  REBILL_ASSIGN_OR_RETURN(outcome.margin, std::move(attributed));
  outcome.invariants.emplace_back("margin_identity", "ok");
  outcome.invariants.emplace_back("waterfall_adds_up", "ok");
  outcome.reconciliation = std::move(reconciliation);
  outcome.margin.alerts = attribute::RaiseAlerts(outcome.margin, outcome.reconciliation, month,
                                                 {config.margin_alert_below_percent});
  if (!outcome.reconciliation.balanced) {
    return Internal("invariant 'conservation' failed for " + period.ToString() + ":\n" +
                    attribute::RenderReconcileText(outcome.reconciliation));
  }
  outcome.invariants.emplace_back("conservation", "ok");

  store::RunRecord run;
  run.period = period.ToString();
  run.started_at = FormatTimestamp(now);
  run.config_sha256 = config.sha256;
  run.month_sha256 = in.loaded.shas;
  run.input_lines = month.lines.size();
  run.totals_json = totals_json.get();
  // Corrections of closed periods, balances, or a restatement of this closed period.
  REBILL_RETURN_IF_ERROR(
      internal::PrepareRun(*in.store, period, now, outcome.statements, run, outcome.warnings));
  outcome.restated = run.restated;
  nlohmann::ordered_json invariants = nlohmann::ordered_json::object();
  for (const auto& [name, result] : outcome.invariants) invariants[name] = result;
  run.invariants_json = invariants.dump();
  run.statements_json = report::RenderJson(outcome.statements);
  run.reconcile_json = attribute::RenderReconcileJson(outcome.reconciliation);
  nlohmann::ordered_json margin = nlohmann::ordered_json::object();
  margin["report"] = attribute::MarginReportToJson(outcome.margin);
  for (const char* by : {"customer", "service", "account", "customer-service"}) {
    margin[by] = {{"json", attribute::RenderMarginJson(outcome.margin, by)},
                  {"csv", attribute::RenderMarginCsv(outcome.margin, by)}};
  }
  run.margin_json = margin.dump();
  run.accounts_json = map::RenderAccountCheckJson(outcome.accounts, period, month.display_scale);
  for (const Statement& s : outcome.statements.statements) {
    for (const CreditUsage& c : s.customer_credits) {
      if (!c.used.IsZero()) run.credits_used.emplace_back(s.customer, c.name, c.used);
    }
  }
  store::AuditEntry audit{FormatTimestamp(now),
                          actor,
                          "run",
                          run.period,
                          "config " + config.sha256.substr(0, 12) + ", " +
                              std::to_string(run.input_lines) + " lines" +
                              (run.restated ? ", closed period restated" : ""),
                          config.sha256,
                          Join(in.loaded.shas)};
  REBILL_ASSIGN_OR_RETURN(outcome.run_id, internal::RecordRun(*in.store, config, run, audit, now));
  outcome.new_adjustments = run.new_adjustments;
  return outcome;
}

Result<store::RunRecord> LatestRun(const std::string& workspace, BillingPeriod period) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  REBILL_ASSIGN_OR_RETURN(std::optional<store::RunRecord> run, store->LatestRun(period.ToString()));
  if (!run) {
    return FailedPrecondition("there is no run for " + period.ToString() +
                              "; run `rebill run --period " + period.ToString() + "` first");
  }
  return std::move(*run);
}

Result<MarginReport> RecordedMargin(const std::string& workspace, BillingPeriod from,
                                    BillingPeriod through) {
  if (through < from) {
    return InvalidInput("--to " + through.ToString() + " is before --from " + from.ToString());
  }
  std::vector<MarginReport> reports;
  for (BillingPeriod p = from; p <= through; p = p.Next()) {
    REBILL_ASSIGN_OR_RETURN(store::RunRecord run, LatestRun(workspace, p));
    nlohmann::json stored = nlohmann::json::parse(run.margin_json, nullptr, false);
    if (stored.is_discarded() || !stored.contains("report") || !stored["report"].is_string()) {
      return FailedPrecondition("the run of " + p.ToString() +
                                " was recorded without a full margin report; run `rebill run "
                                "--period " +
                                p.ToString() + "` again");
    }
    REBILL_ASSIGN_OR_RETURN(MarginReport report,
                            attribute::ParseMarginReportJson(stored["report"].get<std::string>()));
    reports.push_back(std::move(report));
  }
  return attribute::CombineMargins(reports);
}

Result<PolicyComparison> ComparePolicies(const std::string& workspace, BillingPeriod period) {
  WorkspacePaths ws(workspace);
  REBILL_ASSIGN_OR_RETURN(PeriodInputs in, LoadPeriod(ws, period));
  const WorkspaceConfig& config = in.config;
  const LoadedMonth& loaded = in.loaded;
  RejectSink rejects;
  RunContext ctx{period, 0, &rejects};
  REBILL_ASSIGN_OR_RETURN(MappedLines mapped,
                          map::MapAccounts(loaded.month, config.accounts, in.org, ctx));
  PolicyComparison out;
  out.period = period;
  out.policy = PolicyFor(config, period);
  out.display_scale = loaded.month.display_scale;
  REBILL_ASSIGN_OR_RETURN(out.outcomes,
                          allocate::ComparePolicies(loaded.month, mapped, out.policy, ctx));
  return out;
}

Result<AccountsCheckOutcome> CheckAccounts(const std::string& workspace, BillingPeriod period) {
  WorkspacePaths ws(workspace);
  REBILL_ASSIGN_OR_RETURN(PeriodInputs in, LoadPeriod(ws, period));
  const WorkspaceConfig& config = in.config;
  const LoadedMonth& loaded = in.loaded;
  const Organization& org = in.org;
  RejectSink rejects;
  RunContext ctx{period, 0, &rejects};
  REBILL_ASSIGN_OR_RETURN(MappedLines mapped,
                          map::MapAccounts(loaded.month, config.accounts, org, ctx));
  AccountsCheckOutcome out;
  out.display_scale = loaded.month.display_scale;
  REBILL_ASSIGN_OR_RETURN(out.check,
                          map::CheckAccounts(loaded.month, mapped, config.accounts, org, period));
  return out;
}

Result<OrganizationImport> ImportOrganization(const std::string& workspace,
                                              const std::vector<std::string>& paths, Timestamp now,
                                              const std::string& actor) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  REBILL_ASSIGN_OR_RETURN(auto lock, store::WorkspaceLock::Acquire(workspace));
  // Parse everything first; a bad file changes nothing.
  Organization merged;
  bool has_accounts = false;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return NotFound(path + ": no such file");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REBILL_ASSIGN_OR_RETURN(Organization part, map::ParseOrganizationJson(text, path));
    has_accounts =
        has_accounts || !part.accounts.empty() || text.find("\"Accounts\"") != std::string::npos;
    merged.accounts.insert(merged.accounts.end(), part.accounts.begin(), part.accounts.end());
    merged.handshakes.insert(merged.handshakes.end(), part.handshakes.begin(),
                             part.handshakes.end());
  }
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  std::string files;
  for (const std::string& p : paths) files += (files.empty() ? "" : ",") + p;
  store::AuditEntry audit{
      FormatTimestamp(now), actor, "accounts import", "", "files: " + files, "", ""};
  if (has_accounts) REBILL_RETURN_IF_ERROR(store->ReplaceOrgAccounts(merged.accounts, audit));
  if (!merged.handshakes.empty()) {
    REBILL_RETURN_IF_ERROR(store->UpsertHandshakes(merged.handshakes, audit));
  }
  return OrganizationImport{merged.accounts.size(), merged.handshakes.size()};
}

Result<std::vector<AccountListing>> ListAccounts(const std::string& workspace) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  REBILL_ASSIGN_OR_RETURN(WorkspaceConfig config, LoadConfig(ws.config));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  REBILL_ASSIGN_OR_RETURN(Organization org, store->LoadOrganization());
  REBILL_ASSIGN_OR_RETURN(std::vector<map::Assignment> ruled,
                          map::ApplyRules(config.accounts, org));
  std::map<std::string, AccountListing> rows;
  for (const OrgAccount& a : org.accounts) {
    AccountListing& row = rows[a.id];
    row.account = a.id;
    row.name = a.name;
    row.email = a.email;
    row.state = a.state;
    row.joined_method = a.joined_method;
    row.joined = a.joined;
    row.in_organization = true;
  }
  // The latest invitation per account (by id, or by e-mail for invitations sent to an address).
  for (const Handshake& h : org.handshakes) {
    bool matched = false;
    for (auto& [id, row] : rows) {
      if ((!h.account.empty() && h.account == id) ||
          (h.account.empty() && !h.email.empty() && h.email == row.email)) {
        row.invitation = h.state;
        matched = true;
      }
    }
    if (matched) continue;
    // An invitation to an account or address not (yet) in the organization.
    std::string key = h.account.empty() ? h.email : h.account;
    if (key.empty()) continue;
    AccountListing& row = rows[key];
    row.account = h.account;
    row.email = h.email;
    row.invitation = h.state;
  }
  auto add = [&](const std::string& account, const std::string& customer, Timestamp from,
                 Timestamp to, const std::string& how) {
    AccountListing& row = rows[account];
    row.account = account;
    row.owners.push_back({customer, from, to, how});
  };
  for (const map::Assignment& a : config.accounts.assignments) {
    add(a.account, a.customer, a.from, a.to, a.config_key);
  }
  for (const map::Assignment& a : ruled) add(a.account, a.customer, a.from, a.to, a.config_key);
  for (const map::Split& s : config.accounts.splits) {
    add(s.account, "(shared)", s.from, s.to, s.config_key);
  }
  std::vector<AccountListing> out;
  for (auto& [id, row] : rows) {
    std::sort(row.owners.begin(), row.owners.end(),
              [](const AccountOwner& x, const AccountOwner& y) { return x.from < y.from; });
    if (row.invitation.empty()) row.invitation = row.in_organization ? "ACCEPTED" : "";
    out.push_back(std::move(row));
  }
  return out;
}

Result<Explanation> Explain(const std::string& workspace, BillingPeriod period,
                            const std::string& customer, const std::string& service) {
  WorkspacePaths ws(workspace);
  REBILL_ASSIGN_OR_RETURN(PeriodInputs in, LoadPeriod(ws, period));
  const NormalizedMonth& month = in.loaded.month;
  RejectSink rejects;
  RunContext ctx{period, 0, &rejects};
  REBILL_ASSIGN_OR_RETURN(PricedPeriod priced_period, PricePeriod(in, ctx));
  const AllocatedLines& allocated = priced_period.allocated;
  const PricedLines& priced = priced_period.priced;
  const StatementSet& set = priced_period.statements;

  const Statement* statement = nullptr;
  for (const Statement& s : set.statements) {
    if (s.customer == customer) statement = &s;
  }
  if (statement == nullptr) {
    return NotFound("customer '" + customer + "' is not in rebill.toml; check the id");
  }
  Explanation out;
  out.period = period;
  out.customer = customer;
  out.currency = statement->currency;
  out.cost_view = allocated.cost_view;
  out.policy_note = statement->policy_note;
  Result<store::RunRecord> latest = LatestRun(workspace, period);
  if (latest.ok()) {
    Result<StatementSet> recorded = report::ParseStatementsJson(latest->statements_json);
    if (recorded.ok()) {
      for (const Statement& s : recorded->statements) {
        if (s.customer != customer) continue;
        // Corrections of closed periods are added after pricing; explain walks priced lines.
        std::vector<StatementLine> priced_lines = s.lines;
        std::erase_if(priced_lines, [](const StatementLine& l) {
          return l.kind == StatementLineKind::kAdjustment;
        });
        out.matches_latest_run = priced_lines == statement->lines;
      }
    }
  }
  for (const StatementLine& line : statement->lines) {
    if (!service.empty() && line.service != service) continue;
    LineExplanation explained;
    explained.line = line;
    std::map<std::tuple<std::string, std::string, std::string, std::string>, size_t> index;
    for (const PricedLine& p : priced.lines) {
      if (p.customer != customer || p.kind != line.kind || p.service != line.service) continue;
      if (p.kind == StatementLineKind::kFee) {
        explained.sources.push_back({"", "fee", "", p.rule, 0, Decimal(), Decimal(), p.amount, {}});
        continue;
      }
      const AllocatedLine& a = allocated.lines[p.allocated];
      const CurLine& cur = month.lines[a.line];
      auto key = std::make_tuple(a.usage_account, cur.type_text, a.policy, p.rule);
      auto [it, inserted] = index.try_emplace(key, explained.sources.size());
      if (inserted) {
        explained.sources.push_back({a.usage_account,
                                     cur.type_text,
                                     a.policy,
                                     p.rule,
                                     0,
                                     Decimal(),
                                     Decimal(),
                                     Decimal(),
                                     {}});
      }
      LineExplanation::Source& source = explained.sources[it->second];
      source.rows += cur.rows;
      source.cost_basis += a.cost_basis;
      source.list_cost += a.list_cost;
      source.amount += p.amount;
      if (source.samples.size() < 3) {
        source.samples.push_back(month.sources[cur.source_file].path + ":" +
                                 std::to_string(cur.source_row));
      }
    }
    out.lines.push_back(std::move(explained));
  }
  if (!service.empty() && out.lines.empty()) {
    return NotFound("customer '" + customer + "' has no statement line for service '" + service +
                    "' in " + period.ToString());
  }
  return out;
}

Result<report::CustomerDetail> CustomerDetailOf(const std::string& workspace, BillingPeriod period,
                                                const std::string& customer) {
  WorkspacePaths ws(workspace);
  REBILL_ASSIGN_OR_RETURN(PeriodInputs in, LoadPeriod(ws, period));
  const NormalizedMonth& month = in.loaded.month;
  RejectSink rejects;
  RunContext ctx{period, 0, &rejects};
  REBILL_ASSIGN_OR_RETURN(PricedPeriod priced_period, PricePeriod(in, ctx));
  const Statement* statement = nullptr;
  for (const Statement& s : priced_period.statements.statements) {
    if (s.customer == customer) statement = &s;
  }
  if (statement == nullptr) {
    return NotFound("customer '" + customer + "' is not in rebill.toml; check the id");
  }
  report::CustomerDetail out;
  out.period = period;
  out.customer = customer;
  out.customer_name = statement->customer_name;
  out.currency = statement->currency;
  out.issuer = priced_period.statements.reseller;
  for (const PricedLine& p : priced_period.priced.lines) {
    if (p.customer != customer) continue;
    report::DetailLine line;
    line.kind = p.kind;
    line.category = p.category;
    line.service = p.service;
    line.amount = p.amount;
    line.rule = p.rule;
    if (p.kind == StatementLineKind::kFee) {
      line.description = p.service;
      out.lines.push_back(std::move(line));
      continue;
    }
    const AllocatedLine& a = priced_period.allocated.lines[p.allocated];
    const CurLine& cur = month.lines[a.line];
    line.payer_account = a.payer_account;
    line.usage_account = a.usage_account;
    line.billing_entity = cur.billing_entity;
    line.line_item_type = cur.type_text;
    line.usage_type = cur.usage_type;
    line.operation = cur.operation;
    line.region = cur.region;
    line.description = cur.description;
    line.usage_start = cur.usage_start;
    line.usage_end = cur.usage_end;
    line.pricing_unit = cur.pricing_unit;
    // A line split between customers carries its share of the usage, as of the list cost.
    line.usage_amount = cur.usage_amount;
    if (!cur.cost.public_on_demand.IsZero() && a.list_cost != cur.cost.public_on_demand) {
      REBILL_ASSIGN_OR_RETURN(line.usage_amount, Decimal::MulDiv(cur.usage_amount, a.list_cost,
                                                                 cur.cost.public_on_demand));
    }
    line.list_cost = a.list_cost;
    if (statement->fx) {
      REBILL_ASSIGN_OR_RETURN(line.list_cost, Decimal::Mul(a.list_cost, statement->fx->rate));
    }
    out.lines.push_back(std::move(line));
  }
  // What the report stage adds: customer credits and tax, as the statement has them.
  for (const StatementLine& l : statement->lines) {
    bool customer_credit =
        l.kind == StatementLineKind::kCredit && l.service.rfind("Credit: ", 0) == 0;
    if (!customer_credit && l.kind != StatementLineKind::kTax) continue;
    report::DetailLine line;
    line.kind = l.kind;
    line.category =
        l.kind == StatementLineKind::kTax ? ChargeCategory::kTax : ChargeCategory::kCredit;
    line.service = l.service;
    line.description = l.description;
    line.amount = l.precise;
    line.rule = l.rule;
    out.lines.push_back(std::move(line));
  }
  return out;
}

Result<size_t> ImportFxRates(const std::string& workspace, const std::string& path, Timestamp now,
                             const std::string& actor) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  REBILL_ASSIGN_OR_RETURN(auto lock, store::WorkspaceLock::Acquire(workspace));
  if (!fs::exists(path)) return NotFound(path + ": no such file");
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<ingest::ByteSource> source,
                          ingest::ByteSource::Open(path));
  ingest::CsvReader reader(std::move(source), path);
  std::vector<std::string_view> fields;
  REBILL_ASSIGN_OR_RETURN(bool has_header, reader.Next(fields));
  const std::vector<std::string_view> expected = {"period", "from", "to", "rate", "source"};
  if (!has_header || fields != expected) {
    return InvalidInput(path + ": the header must be period,from,to,rate,source");
  }
  std::map<std::string, std::vector<FxRate>> by_period;
  size_t count = 0;
  for (;;) {
    REBILL_ASSIGN_OR_RETURN(bool more, reader.Next(fields));
    if (!more) break;
    if (fields.size() == 1 && fields[0].empty()) continue;
    std::string where = path + ": row " + std::to_string(reader.record_index());
    if (fields.size() != expected.size()) {
      return InvalidInput(where + ": expected 5 fields (period,from,to,rate,source)");
    }
    Result<BillingPeriod> period = BillingPeriod::Parse(fields[0]);
    if (!period.ok() || fields[0].size() != 7) {
      return InvalidInput(where + ", column period: '" + std::string(fields[0]) +
                          "' is not a billing period (YYYY-MM)");
    }
    for (size_t c : {1u, 2u}) {
      if (Result<Currency> currency = Currency::Parse(fields[c]); !currency.ok()) {
        return InvalidInput(where + ", column " + std::string(expected[c]) + ": " +
                            currency.status().message());
      }
    }
    Result<Decimal> rate = Decimal::Parse(fields[3]);
    if (!rate.ok() || rate->Sign() <= 0) {
      return InvalidInput(where + ", column rate: '" + std::string(fields[3]) +
                          "' is not a positive decimal number");
    }
    if (fields[4].empty()) {
      return InvalidInput(where + ", column source: say where the rate comes from");
    }
    by_period[period->ToString()].push_back(
        {std::string(fields[1]), std::string(fields[2]), *rate, std::string(fields[4])});
    ++count;
  }
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  // A closed period's statements keep the rate they were finalized with: a different rate for
  // it is refused rather than silently ignored.
  for (const auto& [period, rates] : by_period) {
    for (const FxRate& r : rates) {
      REBILL_ASSIGN_OR_RETURN(std::optional<FxRate> locked,
                              store->FindLockedFxRate(period, r.from, r.to));
      if (locked && locked->rate != r.rate) {
        return FailedPrecondition(path + ": " + period + " is closed and its statements use 1 " +
                                  r.from + " = " + locked->rate.ToString() + " " + r.to + " (" +
                                  locked->source + "), locked at close; the file's rate " +
                                  r.rate.ToString() +
                                  " cannot apply to it. Corrections after close come from new "
                                  "billing data, not new rates");
      }
    }
  }
  for (const auto& [period, rates] : by_period) {
    store::AuditEntry audit{FormatTimestamp(now), actor, "fx import", period,
                            "file: " + path,      "",    ""};
    REBILL_RETURN_IF_ERROR(store->ReplaceFxRates(period, rates, audit));
  }
  return count;
}

Status ExportStore(const std::string& workspace, const std::string& path) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return IoError(tmp + ": cannot create");
    Status written = store->Export(out);
    out.close();
    if (!written.ok() || !out) {
      fs::remove(tmp);
      return written.ok() ? IoError(tmp + ": cannot write") : written;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return IoError(path + ": " + ec.message());
  return Status::Ok();
}

Result<StoreImport> ImportStore(const std::string& workspace, const std::string& path,
                                Timestamp now, const std::string& actor) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  REBILL_ASSIGN_OR_RETURN(auto lock, store::WorkspaceLock::Acquire(workspace));
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": no such file");
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  store::AuditEntry audit{FormatTimestamp(now), actor, "import", "", "from " + path, "", ""};
  StoreImport out;
  REBILL_ASSIGN_OR_RETURN(out.rows, store->Import(in, path, audit));
  REBILL_ASSIGN_OR_RETURN(out.problems, store->Check(ws.dir));
  return out;
}

Result<std::vector<std::string>> CheckStore(const std::string& workspace) {
  WorkspacePaths ws(workspace);
  REBILL_RETURN_IF_ERROR(RequireWorkspace(ws));
  REBILL_ASSIGN_OR_RETURN(auto store, OpenStore(ws));
  return store->Check(ws.dir);
}

}  // namespace rebill::pipeline
