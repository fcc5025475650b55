// libFuzzer entry point for what ingest reads from outside: billing files (CSV, gzip, zip, Hive
// text, Parquet) and delivery manifests. The first byte picks which (even: a billing file, odd: a
// manifest); the rest is the file. Any bytes must give lines, rejects or a Status naming the
// file, never a crash or a hang. Built as a libFuzzer binary with -DREBILL_BUILD_FUZZERS=ON
// (clang), and linked into rebill_ingest_fuzz_smoke_test, which runs it over the CSV fixtures
// and mutations of them in every build.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "rebill/ingest/delivery.h"
#include "rebill/ingest/ingest.h"

namespace {

// The readers take paths: each input goes to one scratch file of this process.
const std::string& ScratchPath() {
  static const std::string path = "/tmp/rebill-ingest-fuzz-" + std::to_string(getpid());
  return path;
}

bool WriteScratch(const uint8_t* data, size_t size) {
  std::FILE* f = std::fopen(ScratchPath().c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool manifest = (data[0] & 1) != 0;
  if (!WriteScratch(data + 1, size - 1)) return 0;
  if (manifest) {
    rebill::Result<rebill::ingest::Manifest> m = rebill::ingest::ReadManifest(ScratchPath());
    if (m.ok() && m->columns.size() > size) __builtin_trap();  // each column takes bytes
    return 0;
  }
  rebill::ingest::IngestOptions options;
  options.tag_keys = {"user:CostCenter", "costCategory/Team"};
  // Every row is read: malformed ones become rejects instead of stopping at the first.
  rebill::RejectSink rejects(rebill::RejectPolicy::SkipUpTo(UINT64_MAX));
  rebill::Result<rebill::ingest::IngestedFile> file =
      rebill::ingest::ReadBillingFile(ScratchPath(), options, rejects);
  if (file.ok()) {
    uint64_t rows = 0;
    for (const rebill::CurLine& line : file->lines) rows += line.rows;
    // Every row is in a line or is a reject, never both.
    if (rows + rejects.rejects().size() != file->source.rows) __builtin_trap();
  }
  // Cut into pieces of 1 to 128 bytes, read in parallel, the file must read the same.
  options.piece_bytes = 1 + (data[0] >> 1);
  rebill::RejectSink piece_rejects(rebill::RejectPolicy::SkipUpTo(UINT64_MAX));
  rebill::Result<rebill::ingest::IngestedFile> pieces =
      rebill::ingest::ReadBillingFile(ScratchPath(), options, piece_rejects);
  if (pieces.ok() != file.ok()) __builtin_trap();
  // With records held to 256 bytes, the file reads the same, fails as it did, or fails for a
  // record that runs on past the limit.
  options.max_record_bytes = 256;
  rebill::RejectSink limited_rejects(rebill::RejectPolicy::SkipUpTo(UINT64_MAX));
  rebill::Result<rebill::ingest::IngestedFile> limited =
      rebill::ingest::ReadBillingFile(ScratchPath(), options, limited_rejects);
  if (limited.ok()) {
    if (!file.ok() || limited->lines != file->lines) __builtin_trap();
  } else if (limited.status().message().find("runs on for more than 256 bytes") ==
                 std::string::npos &&
             (file.ok() || limited.status().message() != file.status().message())) {
    __builtin_trap();
  }
  if (!file.ok()) {
    if (pieces.status().message() != file.status().message()) __builtin_trap();
    return 0;
  }
  if (pieces->lines != file->lines || !(pieces->source == file->source)) __builtin_trap();
  if (piece_rejects.rejects().size() != rejects.rejects().size()) __builtin_trap();
  for (size_t i = 0; i < rejects.rejects().size(); ++i) {
    if (piece_rejects.rejects()[i].row != rejects.rejects()[i].row) __builtin_trap();
  }
  return 0;
}
