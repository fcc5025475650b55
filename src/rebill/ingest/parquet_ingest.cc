#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include "rebill/core/hex.h"
#include "rebill/ingest/format_internal.h"
#include "rebill/ingest/line_aggregator.h"
#include "rebill/ingest/parquet/reader.h"
#include "rebill/ingest/parquet_ingest_internal.h"
#include "rebill/ingest/row_parser_internal.h"

namespace rebill::ingest {
namespace {

// Decoding splits a row group's columns over this many threads.
int DecodeThreads() {
  unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 1u, 2u));
}

std::string ParquetFormatName(Format format) {
  switch (format) {
    case Format::kLegacyCsv:
    case Format::kLegacyAthena:
      return "legacy-cur-parquet";
    case Format::kCur2:
      return "cur2-parquet";
    default:
      return std::string(FormatName(format)) + "-parquet";
  }
}

std::string FirstNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
  return names.size() > 5 ? out + ", ..." : out;
}

}  // namespace

Result<std::string> FileSha256Hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open: " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return IoError(path + ": cannot start SHA-256");
  }
  std::vector<char> piece(size_t{1} << 20);
  while (in) {
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    auto got = static_cast<size_t>(in.gcount());
    if (got > 0 && EVP_DigestUpdate(ctx.get(), piece.data(), got) != 1) {
      return IoError(path + ": SHA-256 failed");
    }
  }
  if (in.bad()) return IoError(path + ": read error while hashing");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
    return IoError(path + ": SHA-256 failed");
  }
  return LowerHex(digest, length);
}

bool IsParquetFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[4] = {};
  if (!in.read(head, 4)) return false;
  return parquet::HasParquetMagic(std::string_view(head, 4));
}

Result<IngestedFile> ReadParquetBillingFile(const std::string& path, const IngestOptions& options,
                                            RejectSink& rejects) {
  REBILL_ASSIGN_OR_RETURN(parquet::ParquetFile file, parquet::ParquetFile::Open(path));
  std::vector<std::string> header = file.column_names();
  std::optional<Format> format = DetectFormat(header);
  // Parquet exports carry Athena names; a file with CSV-style names is read by those.
  if (!format.has_value()) {
    return InvalidInput(path + ": the Parquet file's columns (" + FirstNames(header) +
                        ") are not those of a Cost and Usage Report, CUR 2.0 or FOCUS export");
  }
  IngestedFile out;
  out.source.path = path;
  out.source.format = ParquetFormatName(*format);
  // The file is hashed by a sequential read of its own while the row groups decode.
  std::future<Result<std::string>> sha256 = std::async(std::launch::async, FileSha256Hex, path);
  std::unique_ptr<RowParser> parser = RowParser::Make(*format, /*hive_text=*/false, path, rejects);
  size_t columns = header.size();
  REBILL_RETURN_IF_ERROR(parser->MapHeader(std::move(header), options));
  std::vector<int> used = parser->UsedColumns();

  std::vector<std::string_view> fields(columns);
  uint64_t row = 0;
  LineAggregator lines(options.time_cuts);
  CurLine line;  // reused: its strings keep their capacity from row to row
  // The next row group decodes while this one's rows are parsed.
  auto decode = [&file, &used](size_t group) {
    return file.ReadRowGroup(group, used, DecodeThreads());
  };
  size_t groups = file.row_group_count();
  std::future<Result<std::vector<parquet::TextColumn>>> next;
  if (groups > 0) next = std::async(std::launch::async, decode, 0);
  for (size_t group = 0; group < groups; ++group) {
    Result<std::vector<parquet::TextColumn>> decoded = next.get();
    if (group + 1 < groups) next = std::async(std::launch::async, decode, group + 1);
    REBILL_ASSIGN_OR_RETURN(std::vector<parquet::TextColumn> cells, std::move(decoded));
    auto rows = static_cast<size_t>(file.row_count(group));
    for (size_t r = 0; r < rows; ++r) {
      for (size_t k = 0; k < used.size(); ++k) {
        fields[static_cast<size_t>(used[k])] = cells[k].cell(r);
      }
      ++row;
      bool skip = false;
      REBILL_RETURN_IF_ERROR(parser->Parse(fields, row, &line, &skip));
      if (skip) continue;
      bool outside = false;
      REBILL_RETURN_IF_ERROR(
          CheckDeliveryPeriod(options, *format, path, row, line, rejects, &outside));
      if (!outside) lines.Add(line);
    }
  }
  out.lines = lines.Take();
  REBILL_ASSIGN_OR_RETURN(out.source.sha256, sha256.get());
  out.source.rows = row;
  out.display_scale = parser->display_scale();
  if (parser->rounded_values() > 0) {
    out.warnings.push_back(RoundedValuesWarning(path, parser->rounded_values()));
  }
  return out;
}

}  // namespace rebill::ingest
