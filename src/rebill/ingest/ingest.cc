#include "rebill/ingest/ingest.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "rebill/ingest/csv_reader_internal.h"
#include "rebill/ingest/format_internal.h"
#include "rebill/ingest/line_aggregator.h"
#include "rebill/ingest/parquet_ingest_internal.h"
#include "rebill/ingest/row_parser_internal.h"

namespace rebill::ingest {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// What the first line is, for the message about a file that is not a known billing file.
std::string Excerpt(std::string_view line) {
  std::string out;
  for (char c : line.substr(0, 80)) out += c == '\x01' ? '|' : c;
  return line.size() > 80 ? out + "..." : out;
}

// A value of a manifest column typed BigDecimal: what the row parsers read as a number.
bool IsNumber(std::string_view v) { return Decimal::Parse(v).ok() || RoundToScale(v).has_value(); }

std::string BillingPeriodColumn(Format format) {
  if (IsFocus(format)) return "BillingPeriodStart";
  if (format == Format::kLegacyCsv) return "bill/BillingPeriodStartDate";
  return "bill_billing_period_start_date";
}

struct TypedColumn {
  size_t index;
  std::string name;
  std::string type;
  bool optional;
};

// The header's columns whose manifest type the values can be checked against, and a warning for
// the manifest's columns the file does not have.
std::vector<TypedColumn> ManifestTypes(const Manifest& manifest,
                                       const std::vector<std::string>& header,
                                       const std::string& path,
                                       std::vector<std::string>& warnings) {
  std::map<std::string_view, size_t> position;
  for (size_t i = 0; i < header.size(); ++i) position.emplace(header[i], i);
  std::vector<TypedColumn> typed;
  std::vector<std::string> missing;
  for (const ManifestColumn& c : manifest.columns) {
    auto it = position.find(c.name);
    if (it == position.end()) {
      missing.push_back(c.name);
      continue;
    }
    bool decimal = c.type == "BigDecimal" || c.type == "OptionalBigDecimal";
    if (decimal) typed.push_back({it->second, c.name, c.type, c.type.rfind("Optional", 0) == 0});
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 5) list += ", ...";
    warnings.push_back(path + ": " + std::to_string(missing.size()) +
                       " column(s) the manifest lists are not in the file (" + list +
                       "); the file's header is used");
  }
  return typed;
}

}  // namespace

Status CheckDeliveryPeriod(const IngestOptions& options, Format format, const std::string& path,
                           uint64_t row, const CurLine& line, RejectSink& rejects, bool* outside) {
  *outside = false;
  if (options.manifest == nullptr || !options.manifest->period ||
      line.period == *options.manifest->period) {
    return Status::Ok();
  }
  *outside = true;
  Reject reject;
  reject.stage = "ingest";
  reject.file = path;
  reject.row = row;
  reject.column = BillingPeriodColumn(format);
  reject.kind = "outside period";
  reject.reason = "the row is for " + line.period.ToString() +
                  ", outside the delivery's billing period " +
                  options.manifest->period->ToString() + " (" + options.manifest->path + ")";
  reject.raw_text = line.period.ToString();
  reject.hint = "each month is delivered on its own; ingest that month's delivery";
  return rejects.Add(std::move(reject));
}

std::string RoundedValuesWarning(const std::string& path, uint64_t rounded) {
  return path + ": " + std::to_string(rounded) +
         " value(s) have more than 18 fractional digits and were rounded half-even to 18 (a "
         "change below 10^-18 each)";
}

Result<IngestedFile> ReadBillingFile(const std::string& path, const IngestOptions& options,
                                     RejectSink& rejects) {
  if (IsParquetFile(path)) return ReadParquetBillingFile(path, options, rejects);
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, ByteSource::Open(path));
  CsvReader reader(std::move(source), path);
  REBILL_ASSIGN_OR_RETURN(std::string_view first_line, reader.PeekFirstLine());
  // Athena's text tables separate fields with \x01 and never quote; AWS's CSVs never contain
  // \x01. The first line tells, whether it is a header or already data.
  bool hive_text = first_line.find('\x01') != std::string_view::npos;
  if (hive_text) reader.SetDialect('\x01', /*quoting=*/false);
  std::string excerpt = Excerpt(first_line);

  std::vector<std::string_view> fields;
  REBILL_ASSIGN_OR_RETURN(bool any, reader.Next(fields));
  if (!any) {
    return InvalidInput(path + ": the file is empty; expected a CUR, CUR 2.0 or FOCUS file");
  }
  std::vector<std::string> header(fields.begin(), fields.end());
  if (!header.empty() && header[0].substr(0, kBom.size()) == kBom) header[0].erase(0, kBom.size());
  std::optional<Format> format = DetectFormat(header);
  // A file without a header starts with data; its rows are numbered from 1 all the same.
  bool headerless = !format.has_value();
  if (headerless) {
    if (options.columns.empty() && options.manifest != nullptr &&
        !options.manifest->columns.empty()) {
      header.clear();
      for (const ManifestColumn& c : options.manifest->columns) header.push_back(c.name);
    } else if (options.columns.empty()) {
      return InvalidInput(
          path + ": the first line is not the header of a Cost and Usage Report, CUR 2.0 or " +
          "FOCUS file (it starts '" + excerpt + "'); if the file has no header row (Athena " +
          "text exports have none), pass its column list in order, from the report's manifest " +
          "or the Athena table definition");
    }
    if (!options.columns.empty()) header = options.columns;
    format = DetectFormat(header);
    if (!format.has_value()) {
      return InvalidInput(path +
                          ": the column list given for this file names no column of a Cost and "
                          "Usage Report, CUR 2.0 or FOCUS file; pass the report's own column list");
    }
  }

  IngestedFile out;
  out.source.path = path;
  out.source.format = std::string(FormatName(*format));
  if (reader.compression() != "csv") out.source.format += reader.compression().substr(3);
  std::unique_ptr<RowParser> parser = RowParser::Make(*format, hive_text, path, rejects);
  size_t columns = header.size();
  std::vector<TypedColumn> typed;
  if (options.manifest != nullptr)
    typed = ManifestTypes(*options.manifest, header, path, out.warnings);
  REBILL_RETURN_IF_ERROR(parser->MapHeader(std::move(header), options));

  uint64_t row_offset = headerless ? 1 : 0;
  LineAggregator lines(options.time_cuts);
  CurLine line;            // reused: its strings keep their capacity from row to row
  bool more = headerless;  // the record in `fields` is the first data row
  for (;;) {
    if (!more) {
      REBILL_ASSIGN_OR_RETURN(more, reader.Next(fields));
      if (!more) break;
    }
    more = false;
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    ++out.source.rows;
    if (options.progress && (out.source.rows & 0xFFFF) == 0) {
      options.progress(reader.stored_bytes_read());
    }
    uint64_t row = reader.record_index() + row_offset;
    if (fields.size() != columns) {
      REBILL_RETURN_IF_ERROR(rejects.Add(FieldCountReject(
          path, row, columns, fields.size(), headerless ? "the column list" : "the header")));
      continue;
    }
    bool bad_type = false;
    for (const TypedColumn& t : typed) {
      std::string_view v = fields[t.index];
      if (hive_text && v == "\\N") v = {};  // Hive text's null
      if ((v.empty() && t.optional) || IsNumber(v)) continue;
      Reject reject;
      reject.stage = "ingest";
      reject.file = path;
      reject.row = row;
      reject.column = t.name;
      reject.reason = "'" + std::string(v.substr(0, 40)) +
                      "' is not a number, but the manifest types the column " + t.type;
      reject.raw_text = std::string(v.substr(0, 200));
      reject.kind = "manifest type";
      reject.hint = "the file does not match its manifest; copy the delivery again";
      REBILL_RETURN_IF_ERROR(rejects.Add(std::move(reject)));
      bad_type = true;
      break;
    }
    if (bad_type) continue;
    bool skip = false;
    REBILL_RETURN_IF_ERROR(parser->Parse(fields, row, &line, &skip));
    if (skip) continue;
    bool outside = false;
    REBILL_RETURN_IF_ERROR(
        CheckDeliveryPeriod(options, *format, path, row, line, rejects, &outside));
    if (outside) continue;
    lines.Add(line);
  }
  out.lines = lines.Take();
  // The reader hashed every byte on the way through, so the file is read from disk only once.
  out.source.sha256 = reader.Sha256Hex();
  out.display_scale = parser->display_scale();
  if (parser->rounded_values() > 0) {
    out.warnings.push_back(RoundedValuesWarning(path, parser->rounded_values()));
  }
  return out;
}

NormalizedMonth BuildMonth(BillingPeriod period, const std::vector<IngestedFile>& files) {
  std::vector<IngestedFile> copy = files;
  return BuildMonth(period, std::move(copy));
}

NormalizedMonth BuildMonth(BillingPeriod period, std::vector<IngestedFile>&& files) {
  NormalizedMonth month;
  month.period = period;
  size_t total = 0;
  for (const IngestedFile& file : files) total += file.lines.size();
  month.lines.reserve(total);
  for (IngestedFile& file : files) {
    bool used = false;
    auto index = static_cast<uint32_t>(month.sources.size());
    for (CurLine& line : file.lines) {
      if (line.period != period) continue;
      month.lines.push_back(std::move(line));
      month.lines.back().source_file = index;
      used = true;
    }
    // Each line is in memory once: the file's copy goes as soon as the month has it.
    std::vector<CurLine>().swap(file.lines);
    if (used) {
      month.sources.push_back(file.source);
      month.display_scale = std::max(month.display_scale, file.display_scale);
    }
  }
  return month;
}

}  // namespace rebill::ingest
