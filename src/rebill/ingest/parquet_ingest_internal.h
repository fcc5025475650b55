// Billing files stored as Parquet (legacy CUR with Athena column names, CUR 2.0 and FOCUS
// exports): the same row parsers as the text formats, fed with the Parquet reader's text cells.
#pragma once

#include <string>

#include "rebill/core/result.h"
#include "rebill/ingest/ingest.h"
#include "rebill/model/reject.h"

namespace rebill::ingest {

/// True when the file at `path` starts with Parquet's magic bytes. False when it cannot be read
/// (the caller's own open then reports why).
bool IsParquetFile(const std::string& path);

/// Read a Parquet billing file: the format is told from its top-level column names, only the
/// columns the row parser uses are decoded, and rows are numbered from 1 across row groups.
Result<IngestedFile> ReadParquetBillingFile(const std::string& path, const IngestOptions& options,
                                            RejectSink& rejects);

}  // namespace rebill::ingest
