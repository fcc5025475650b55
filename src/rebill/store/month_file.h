// Month files: a normalized month on disk, so that `rebill run` never re-parses a billing file.
// Versioned, checksummed (SHA-256 of the body in the footer) and written to a temporary name,
// flushed and renamed, so a crash leaves either the old file or the new one, never half of one.
//
//   REBILL_RETURN_IF_ERROR(WriteMonthFile(path, month));
//   REBILL_ASSIGN_OR_RETURN(NormalizedMonth month, ReadMonthFile(path));
#pragma once

#include <string>

#include "rebill/core/result.h"
#include "rebill/model/normalized_month.h"

namespace rebill::store {

/// Write `month` to `path` atomically. Returns the SHA-256 (hex) of the file's body.
Result<std::string> WriteMonthFile(const std::string& path, const NormalizedMonth& month);

/// Read a month file, verifying its version and checksum; kInvalidInput names the file and what
/// is wrong (and says to re-ingest).
Result<NormalizedMonth> ReadMonthFile(const std::string& path);

/// SHA-256 of `bytes`, lower-case hex.
std::string Sha256Hex(std::string_view bytes);

}  // namespace rebill::store
