// The pipeline runner: the only place that sees every stage and the store. It loads inputs
// (configuration, normalized months), calls the pure stages in order — map, allocate, price,
// report, attribute — checks the invariants of DESIGN.md §2 on every run, and records the run
// and its draft statements in one transaction.
//
//   REBILL_ASSIGN_OR_RETURN(IngestSummary s, IngestFiles(workspace, {"cur.csv.gz"}, now, actor));
//   REBILL_ASSIGN_OR_RETURN(RunOutcome run, RunPeriod(workspace, period, now, actor));
#pragma once

#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rebill/allocate/allocate.h"
#include "rebill/core/period.h"
#include "rebill/core/result.h"
#include "rebill/model/margin.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/statement.h"
#include "rebill/store/store.h"

namespace rebill::pipeline {

struct WorkspacePaths {
  explicit WorkspacePaths(std::string dir);
  std::string dir;
  std::string config;  // rebill.toml
  std::string store;   // rebill.db
  std::string months;  // normalized months
};

/// Create a workspace in `dir`: a commented rebill.toml and an empty store. Fails with
/// kAlreadyExists if `dir` already holds a rebill.toml.
Status InitWorkspace(const std::string& dir);

/// What one ingest did to one (period, payer).
struct IngestedMonth {
  std::string period;
  std::string payer;
  uint64_t rows = 0;
  std::array<Decimal, kCostViewCount> totals{};      // per CostView
  std::map<std::string, Decimal> unblended_by_type;  // per line item type
  std::vector<std::string> unknown_types;            // quarantined line item types
  bool final = false;                                // bill/InvoiceId present
  std::string action;                                // "new", "replaced" or "unchanged"
  int display_scale = 2;
};

struct IngestSummary {
  std::vector<SourceFile> files;
  std::vector<IngestedMonth> months;
};

/// Ingest billing files into the workspace. All files are read and validated before anything
/// is written; each (period, payer) they contain becomes that month's active data, replacing an
/// earlier delivery atomically. Ingesting the same files again changes nothing.
Result<IngestSummary> IngestFiles(const std::string& workspace,
                                  const std::vector<std::string>& paths, Timestamp now,
                                  const std::string& actor);

struct RunOutcome {
  int64_t run_id = 0;
  StatementSet statements;
  Reconciliation reconciliation;
  MarginReport margin;
  std::vector<std::pair<std::string, std::string>> invariants;  // name -> "ok"
};

/// Run map -> allocate -> price -> report -> attribute for `period` and record the run with
/// its draft statements. A failed invariant stops the run (kInternal) and records nothing.
Result<RunOutcome> RunPeriod(const std::string& workspace, BillingPeriod period, Timestamp now,
                             const std::string& actor);

struct PolicyComparison {
  BillingPeriod period;
  allocate::Policy policy;  // the policy in force (overrides are ignored in the comparison)
  int display_scale = 2;
  std::vector<allocate::PolicyOutcome> outcomes;  // one per commitment policy
};

/// Allocate `period` under every commitment policy side by side; records nothing.
Result<PolicyComparison> ComparePolicies(const std::string& workspace, BillingPeriod period);

/// The latest recorded run of `period`, or kFailedPrecondition saying to run it first.
Result<store::RunRecord> LatestRun(const std::string& workspace, BillingPeriod period);

}  // namespace rebill::pipeline
