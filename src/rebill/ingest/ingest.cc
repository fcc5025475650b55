#include "rebill/ingest/ingest.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "rebill/ingest/csv_reader_internal.h"
#include "rebill/ingest/format_internal.h"
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

}  // namespace

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
    if (options.columns.empty()) {
      return InvalidInput(
          path + ": the first line is not the header of a Cost and Usage Report, CUR 2.0 or " +
          "FOCUS file (it starts '" + excerpt + "'); if the file has no header row (Athena " +
          "text exports have none), pass its column list in order, from the report's manifest " +
          "or the Athena table definition");
    }
    header = options.columns;
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
  if (reader.compression() == "csv.gz") out.source.format += ".gz";
  std::unique_ptr<RowParser> parser = RowParser::Make(*format, hive_text, path, rejects);
  size_t columns = header.size();
  REBILL_RETURN_IF_ERROR(parser->MapHeader(std::move(header), options));

  uint64_t row_offset = headerless ? 1 : 0;
  bool more = headerless;  // the record in `fields` is the first data row
  for (;;) {
    if (!more) {
      REBILL_ASSIGN_OR_RETURN(more, reader.Next(fields));
      if (!more) break;
    }
    more = false;
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    ++out.source.rows;
    uint64_t row = reader.record_index() + row_offset;
    if (fields.size() != columns) {
      REBILL_RETURN_IF_ERROR(rejects.Add(FieldCountReject(
          path, row, columns, fields.size(), headerless ? "the column list" : "the header")));
      continue;
    }
    CurLine line;
    bool skip = false;
    REBILL_RETURN_IF_ERROR(parser->Parse(fields, row, &line, &skip));
    if (!skip) out.lines.push_back(std::move(line));
  }
  // The reader hashed every byte on the way through, so the file is read from disk only once.
  out.source.sha256 = reader.Sha256Hex();
  out.display_scale = parser->display_scale();
  return out;
}

NormalizedMonth BuildMonth(BillingPeriod period, const std::vector<IngestedFile>& files) {
  NormalizedMonth month;
  month.period = period;
  for (const IngestedFile& file : files) {
    bool used = false;
    auto index = static_cast<uint32_t>(month.sources.size());
    for (const CurLine& line : file.lines) {
      if (line.period != period) continue;
      month.lines.push_back(line);
      month.lines.back().source_file = index;
      used = true;
    }
    if (used) {
      month.sources.push_back(file.source);
      month.display_scale = std::max(month.display_scale, file.display_scale);
    }
  }
  return month;
}

}  // namespace rebill::ingest
