// How `rebill run` takes part in the statement lifecycle (pipeline/lifecycle.cc).
#pragma once

#include <string>
#include <vector>

#include "rebill/core/result.h"
#include "rebill/model/statement.h"
#include "rebill/pipeline/config.h"
#include "rebill/store/store.h"

namespace rebill::pipeline::internal {

/// Before a run of `period` is recorded. A closed period's run is a restatement: its statements
/// carry what the final ones carried from other periods, and their differences from the final
/// statements become adjustments. An open period's statements get the pending adjustments of
/// closed periods as adjustment lines, and the customer's account summary.
/// Corrections that found no statement to go on are added to `warnings`.
Status PrepareRun(store::Store& store, BillingPeriod period, Timestamp now,
                  StatementSet& statements, store::RunRecord& run,
                  std::vector<std::string>& warnings);

/// Record the run; with [invoice] corrections = "note", the new adjustments are issued as credit
/// or debit notes in the same transaction.
Result<int64_t> RecordRun(store::Store& store, const WorkspaceConfig& config, store::RunRecord& run,
                          const store::AuditEntry& audit, Timestamp now);

}  // namespace rebill::pipeline::internal
