// Store: the workspace's record of what was ingested, every run and the draft statements it
// produced. One SQLite file in the workspace (WAL) by default, or a PostgreSQL database shared by
// a team; both behind the same queries (connection.h). Amounts are stored as exact decimal
// text; no money arithmetic happens in SQL. Every write is one transaction and writers are
// serialized: a failed or killed command leaves the store as it was.
//
//   REBILL_ASSIGN_OR_RETURN(auto store, Store::Open(workspace + "/rebill.db"));
//   REBILL_ASSIGN_OR_RETURN(auto store, Store::Open("postgresql://billing@db.internal/rebill"));
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "rebill/core/period.h"
#include "rebill/core/result.h"
#include "rebill/model/normalized_month.h"
#include "rebill/model/organization.h"
#include "rebill/model/reject.h"
#include "rebill/model/statement.h"

namespace rebill::store {

class Connection;

/// The active normalized month of one payer and period.
struct MonthRecord {
  std::string period;  // "2023-11"
  std::string payer;
  std::string month_file;  // relative to the workspace
  std::string month_sha256;
  std::vector<SourceFile> sources;
  uint64_t rows = 0;
  std::string ingested_at;
  /// Which delivery the month came from: layout, report, assembly / execution id, manifest,
  /// superseded manifests (JSON object, "{}" for loose files ingested before deliveries).
  std::string delivery_json = "{}";
  /// What ingest saw: status (estimated / final), totals per cost view and line item type,
  /// rejects and warnings (JSON object).
  std::string summary_json = "{}";
};

/// One ingest that changed the workspace: its summary and the rows it rejected.
struct IngestRecord {
  std::string at;
  std::string actor;
  std::string summary_json;
  std::vector<Reject> rejects;
};

/// One `rebill run`: its inputs, totals, invariant results and outputs.
struct RunRecord {
  int64_t id = 0;
  std::string period;
  std::string started_at;
  std::string config_sha256;
  std::vector<std::string> month_sha256;
  uint64_t input_lines = 0;
  std::string totals_json;      // Σ per cost view, per payer
  std::string invariants_json;  // name -> "ok" / message
  std::string statements_json;  // report::RenderJson
  std::string reconcile_json;   // attribute::RenderReconcileJson
  std::string margin_json;      // full margin report (all groupings)
  std::string accounts_json;    // the hierarchy check (rebill accounts check)
  /// Customer credits used by this run's statements: (customer, credit name, amount used).
  std::vector<std::tuple<std::string, std::string, Decimal>> credits_used;
};

struct AuditEntry {
  std::string at;
  std::string actor;
  std::string action;  // "ingest", "run"
  std::string period;
  std::string detail;
};

class Store {
 public:
  /// Open (creating if needed) the store at `uri` and apply pending schema migrations: a
  /// postgresql:// (or postgres://) URL, otherwise the path of a SQLite file.
  static Result<std::unique_ptr<Store>> Open(const std::string& uri);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// The active month of (period, payer), if any.
  Result<std::optional<MonthRecord>> FindMonth(const std::string& period, const std::string& payer);
  /// Every active month of `period`, ordered by payer.
  Result<std::vector<MonthRecord>> MonthsOf(const std::string& period);
  /// Every active month, ordered by period and payer.
  Result<std::vector<MonthRecord>> AllMonths();
  /// Make `months` the active months of their (period, payer) and record the ingest and its
  /// rejects, in one transaction, with an audit entry. Returns the month files they replaced (to
  /// delete after the commit).
  Result<std::vector<std::string>> ReplaceMonths(const std::vector<MonthRecord>& months,
                                                 const AuditEntry& audit,
                                                 const IngestRecord& ingest);
  /// The rows the latest recorded ingest rejected, in the order they were found.
  Result<std::vector<Reject>> RejectsOfLatestIngest();

  /// Record a run and replace the period's draft statements, in one transaction.
  Result<int64_t> RecordRun(const RunRecord& run, const AuditEntry& audit);
  /// The latest run of `period`, if any.
  Result<std::optional<RunRecord>> LatestRun(const std::string& period);
  Result<int64_t> CountRuns();

  /// Replace the imported organization accounts (a list-accounts export is a full snapshot).
  Status ReplaceOrgAccounts(const std::vector<OrgAccount>& accounts, const AuditEntry& audit);
  /// Insert or update handshakes by id. Terminal ones are never deleted: AWS forgets them after
  /// 30 days, the reseller's record must not.
  Status UpsertHandshakes(const std::vector<Handshake>& handshakes, const AuditEntry& audit);
  Result<Organization> LoadOrganization();

  /// How much of `customer`'s credit `name` the latest runs of periods before `period` used.
  Result<Decimal> CreditUsedBefore(const std::string& customer, const std::string& name,
                                   const std::string& period);

  /// Record exchange rates for a period, replacing earlier rates of the same (period, from, to).
  Status ReplaceFxRates(const std::string& period, const std::vector<FxRate>& rates,
                        const AuditEntry& audit);
  /// The rate of (period, from -> to), if imported.
  Result<std::optional<FxRate>> FindFxRate(const std::string& period, const std::string& from,
                                           const std::string& to);
  Result<std::vector<AuditEntry>> AuditLog();

  /// Where the store is (a file path, or a URL without its password), for messages.
  const std::string& where() const;
  bool IsPostgres() const;
  Result<int> SchemaVersion();

  /// Hold `period` for this command until the store is closed (or the process dies), across
  /// processes and, with PostgreSQL, machines; kConflict at once if another command holds it.
  Status LockPeriod(const std::string& period);

  /// Problems that make the store inconsistent, in words; empty when it is sound. Checks the
  /// database's own integrity (SQLite), that every run has its statements and every recorded
  /// month's file in `workspace` exists with the recorded checksum.
  Result<std::vector<std::string>> Check(const std::string& workspace);

  /// Write every table as JSON lines: a header line, then one line per row
  /// ({"table": ..., "row": {column: text or null}}), rows sorted, so equal stores export equal
  /// text. Month files stay in the workspace; their rows name them with their checksums.
  Status Export(std::ostream& out);
  /// Load an export into this store, which must be empty, in one transaction. Returns the rows
  /// imported.
  Result<size_t> Import(std::istream& in, const std::string& what, const AuditEntry& audit);

 private:
  explicit Store(std::unique_ptr<Connection> conn);
  Status Exec(const std::string& sql);
  std::unique_ptr<Connection> conn_;
  Connection* db_;  // conn_.get()
};

}  // namespace rebill::store
