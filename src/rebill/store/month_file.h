// Month files: a normalized month on disk, so that `rebill run` never re-parses a billing file.
// Versioned, checksummed (SHA-256 of the body in the footer) and written to a temporary name,
// flushed and renamed (and the directory flushed), so a crash leaves either the old file or the
// new one, never half of one. The body is columnar: every distinct string of the month is stored
// once in a dictionary and each string column of the lines is an array of dictionary ids, which
// keeps a month of millions of repetitive lines small and quick to read (docs/cur_format.md).
//
//   REBILL_RETURN_IF_ERROR(WriteMonthFile(path, month));
//   REBILL_ASSIGN_OR_RETURN(NormalizedMonth month, ReadMonthFile(path));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rebill/core/result.h"
#include "rebill/model/normalized_month.h"

namespace rebill::store {

/// The format version WriteMonthFile writes and the only one ReadMonthFile reads.
inline constexpr uint32_t kMonthFileVersion = 2;

/// Write `month` to `path` atomically. Returns the SHA-256 (hex) of the file's body. With
/// `content_sha256`, also sets it to MonthContentSha256(month), computed alongside the file
/// from the same numbering of the month's strings.
Result<std::string> WriteMonthFile(const std::string& path, const NormalizedMonth& month,
                                   std::string* content_sha256 = nullptr);

/// Read a month file, verifying its version and checksum; kInvalidInput names the file and what
/// is wrong (and says to re-ingest). A file of another format version, a damaged or a hostile
/// file is refused this way, never read past its end.
Result<NormalizedMonth> ReadMonthFile(const std::string& path);

/// SHA-256 (hex) of what the month says about the bill: its period, display scale, tag keys,
/// time cuts and lines (in order, with every field but `source_file` and `source_row`). The
/// sources and each line's place in them are left out, so the same rows ingested from a CSV and
/// from a Parquet copy of it hash the same, while any changed amount, string, tag or row count
/// changes the hash. It is not the checksum WriteMonthFile returns (that one covers the file's
/// body, sources included), and it changes with the month file format version.
std::string MonthContentSha256(const NormalizedMonth& month);

}  // namespace rebill::store
