// libFuzzer entry point for the Parquet reader: any bytes, read as a Parquet file with every
// column of every row group decoded, must give a value or a Status, never a crash, a hang or an
// allocation out of proportion to the input. Built as a libFuzzer binary with
// -DREBILL_BUILD_FUZZERS=ON (clang), and linked into rebill_parquet_fuzz_smoke_test, which runs
// it over the fixtures and mutations of them in every build.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "rebill/ingest/parquet/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using rebill::parquet::ParquetFile;
  // Tighter than the defaults, so that no input can make one execution slow.
  rebill::parquet::ReadLimits limits;
  limits.values_per_file_byte = 64;
  limits.page_bytes_per_file_byte = 64;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  rebill::Result<ParquetFile> file = ParquetFile::FromBuffer(bytes, "fuzz.parquet", limits);
  if (!file.ok()) return 0;
  std::vector<int> columns;
  for (size_t c = 0; c < file->column_names().size(); ++c) columns.push_back(static_cast<int>(c));
  for (size_t g = 0; g < file->row_group_count() && g < 8; ++g) {
    // Every other row group with its DOUBLE columns as binary values.
    auto read = file->ReadRowGroup(g, columns, 1, g % 2 == 1 ? columns : std::vector<int>{});
    if (read.ok()) {
      for (const auto& column : *read) {
        if (!column.doubles.empty() && column.doubles.size() != column.size()) __builtin_trap();
        // Every cell lies within the column's text (cells of dictionary-encoded columns share
        // it, so their sizes may add up to more). Touching them shows a bad offset under the
        // sanitizers.
        size_t total = 0;
        for (size_t r = 0; r < column.size(); ++r) {
          const auto& span = column.spans[r];
          if (uint64_t{span.begin} + span.length > column.text.size()) __builtin_trap();
          std::string_view cell = column.cell(r);
          total += cell.empty() ? 0 : static_cast<unsigned char>(cell.back());
        }
        if (total == SIZE_MAX) __builtin_trap();
      }
    }
  }
  return 0;
}
