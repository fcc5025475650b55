// The pipeline runner: the only place that sees every stage and the store. It loads inputs
// (configuration, normalized months), calls the pure stages in order — map, allocate, price,
// report, attribute — checks the invariants of DESIGN.md §2 on every run, and records the run
// and its draft statements in one transaction.
//
//   REBILL_ASSIGN_OR_RETURN(IngestSummary s, IngestFiles(workspace, {"cur.csv.gz"}, now, actor));
//   REBILL_ASSIGN_OR_RETURN(RunOutcome run, RunPeriod(workspace, period, now, actor));
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "rebill/allocate/allocate.h"
#include "rebill/core/period.h"
#include "rebill/core/result.h"
#include "rebill/ingest/delivery.h"
#include "rebill/map/map.h"
#include "rebill/model/margin.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/statement.h"
#include "rebill/report/detail.h"
#include "rebill/report/render.h"
#include "rebill/store/store.h"

namespace rebill::pipeline {

struct WorkspacePaths {
  explicit WorkspacePaths(std::string dir);
  std::string dir;
  std::string config;  // rebill.toml
  std::string store;   // rebill.db
  std::string months;  // normalized months
};

/// Make every command of this process use the store at `uri` (a postgresql:// URL or a SQLite
/// file) instead of the workspace's: the --store option. kInvalidInput for another URL scheme.
Status UseStore(std::string uri);
/// The store a workspace's commands use: --store, else [store] url in rebill.toml, else
/// rebill.db in the workspace.
Result<std::string> StoreUri(const WorkspacePaths& ws);
Result<std::unique_ptr<store::Store>> OpenStore(const WorkspacePaths& ws);

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
  uint64_t usage_outside_period = 0;  // rows whose usage starts outside the period
  nlohmann::ordered_json delivery;    // which delivery (or loose files) it came from
  /// store::MonthContentSha256: equal for the same month read from CSV, CSV.gz or Parquet.
  std::string content_sha256;
};

/// The month as JSON, as `rebill ingest --format json` prints it and the store keeps it.
nlohmann::ordered_json IngestedMonthJson(const IngestedMonth& month);

struct IngestSummary {
  std::vector<SourceFile> files;
  std::vector<IngestedMonth> months;
  std::vector<ingest::Delivery> deliveries;
  uint64_t rows_read = 0;
  std::vector<Reject> rejects;  // rows skipped under the [ingest] reject limits
  std::vector<std::string> warnings;
};

/// What rendering `s` needs besides the statement: its logo, read from the workspace.
Result<report::RenderAssets> StatementAssets(const std::string& workspace, const Statement& s);

/// Every active month in the workspace (`rebill ingest --list`), ordered by period and payer.
Result<std::vector<store::MonthRecord>> ListMonths(const std::string& workspace);

/// Where a long ingest is, for a progress bar.
struct IngestProgress {
  std::string file;
  size_t file_index = 0;  // 0-based
  size_t files = 0;
  uint64_t bytes_done = 0;  // of all files, as stored
  uint64_t bytes_total = 0;
};
using IngestProgressFn = std::function<void(const IngestProgress&)>;

/// Ingest billing files into the workspace. All files are read and validated before anything
/// is written; each (period, payer) they contain becomes that month's active data, replacing an
/// earlier delivery atomically. Ingesting the same files again changes nothing.
/// `columns` names the columns of headerless files (Athena text exports); empty otherwise.
Result<IngestSummary> IngestFiles(const std::string& workspace,
                                  const std::vector<std::string>& paths, Timestamp now,
                                  const std::string& actor,
                                  const std::vector<std::string>& columns = {},
                                  const IngestProgressFn& progress = {});

struct RunOutcome {
  int64_t run_id = 0;
  std::vector<std::string> warnings;  // from the configuration, e.g. rules that never apply
  map::AccountCheck accounts;
  StatementSet statements;
  Reconciliation reconciliation;
  MarginReport margin;
  std::vector<std::pair<std::string, std::string>> invariants;  // name -> "ok"
  /// The period is closed: this run restated it without changing its statements, and its
  /// differences from the final statements became `new_adjustments`.
  bool restated = false;
  std::vector<store::Adjustment> new_adjustments;
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

struct AccountsCheckOutcome {
  map::AccountCheck check;
  int display_scale = 2;
};

/// The hierarchy check of `period` (also recorded with every run); records nothing.
Result<AccountsCheckOutcome> CheckAccounts(const std::string& workspace, BillingPeriod period);

struct OrganizationImport {
  size_t accounts = 0;
  size_t handshakes = 0;
};

/// Import `aws organizations list-accounts` / `list-handshakes-for-organization` exports. An
/// accounts export replaces the imported accounts; handshakes are kept and updated by id.
Result<OrganizationImport> ImportOrganization(const std::string& workspace,
                                              const std::vector<std::string>& paths, Timestamp now,
                                              const std::string& actor);

struct AccountOwner {
  std::string customer;
  Timestamp from = 0;
  Timestamp to = 0;
  std::string config_key;
};

/// One account as `rebill accounts list` shows it: from the organization, the invitations and
/// the configuration.
struct AccountListing {
  std::string account;
  std::string name;
  std::string email;
  std::string state;
  std::string joined_method;
  Timestamp joined = 0;
  bool in_organization = false;
  std::string invitation;  // the latest handshake state; ACCEPTED for members without one
  std::vector<AccountOwner> owners;
};

Result<std::vector<AccountListing>> ListAccounts(const std::string& workspace);

/// Import exchange rates from a CSV file with the header `period,from,to,rate,source`
/// (e.g. `2026-10,USD,EUR,0.9214,ECB reference rate 2026-10-31`): 1 `from` = `rate` `to`.
/// Rates replace earlier ones of the same period and pair. Returns how many were imported.
Result<size_t> ImportFxRates(const std::string& workspace, const std::string& path, Timestamp now,
                             const std::string& actor);

/// Where one statement line's amount comes from.
struct LineExplanation {
  StatementLine line;
  struct Source {
    std::string usage_account;
    std::string line_item_type;
    std::string policy;  // the allocation policy that set the cost basis
    std::string rule;    // the price rule(s)
    uint64_t rows = 0;
    Decimal cost_basis;
    Decimal list_cost;
    Decimal amount;                    // precise price
    std::vector<std::string> samples;  // "file:row" of the first few CUR rows
  };
  std::vector<Source> sources;
};

struct Explanation {
  BillingPeriod period;
  std::string customer;
  std::string currency;
  CostView cost_view = CostView::kAmortized;
  std::string policy_note;
  std::vector<LineExplanation> lines;
  bool matches_latest_run = false;  // the recorded draft has the same statement
};

/// Recompute `period` (recording nothing) and explain the statement lines of `customer`
/// (only those of `service` when it is not empty).
Result<Explanation> Explain(const std::string& workspace, BillingPeriod period,
                            const std::string& customer, const std::string& service);

/// The margin recorded by the latest run of every period from `from` through `through`,
/// combined; kFailedPrecondition naming the first period that has no run.
Result<MarginReport> RecordedMargin(const std::string& workspace, BillingPeriod from,
                                    BillingPeriod through);
/// Write the workspace's whole store to `path` (JSON lines, see store::Store::Export), through
/// a temporary file so a failed export leaves no half file. Month files stay in the workspace.
Status ExportStore(const std::string& workspace, const std::string& path);

struct StoreImport {
  size_t rows = 0;
  std::vector<std::string> problems;  // e.g. month files the export names that are not here
};

/// Load an export into the workspace's store, which must be empty, in one transaction.
Result<StoreImport> ImportStore(const std::string& workspace, const std::string& path,
                                Timestamp now, const std::string& actor);

/// What is inconsistent in the workspace's store (see store::Store::Check); empty when sound.
Result<std::vector<std::string>> CheckStore(const std::string& workspace);

/// Recompute `period` (recording nothing) and return `customer`'s bill line by line: each
/// priced line at the customer's price, then the statement's customer credits and tax.
Result<report::CustomerDetail> CustomerDetailOf(const std::string& workspace, BillingPeriod period,
                                                const std::string& customer);

/// The latest recorded run of `period`, or kFailedPrecondition saying to run it first.
Result<store::RunRecord> LatestRun(const std::string& workspace, BillingPeriod period);

}  // namespace rebill::pipeline
