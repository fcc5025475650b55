// Store: the workspace's record of what was ingested, every run and the draft statements it
// produced. One SQLite file in the workspace (WAL) by default, or a PostgreSQL database shared by
// a team; both behind the same queries (connection.h). Amounts are stored as exact decimal
// text; no money arithmetic happens in SQL. Every write is one transaction and writers are
// serialized: a failed or killed command leaves the store as it was.
//
//   REBILL_ASSIGN_OR_RETURN(auto store, Store::Open(workspace + "/rebill.db"));
//   REBILL_ASSIGN_OR_RETURN(auto store, Store::Open("postgresql://billing@db.internal/rebill"));
#pragma once

#include <functional>
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

/// A difference between a closed period's final statement and a later delivery of its data.
struct Adjustment {
  int64_t id = 0;
  std::string period;  // the closed period it corrects
  std::string customer;
  std::string kind;  // the statement line kind it corrects
  std::string service;
  std::string description;
  Decimal amount;  // in the statement's currency: restated - final
  std::string currency;
  std::string original_invoice;
  std::string reason;
  int64_t run_id = 0;
  std::string created_at;
  std::string applied_period;  // the open statement carrying it; empty while pending
  std::string note_number;     // the credit or debit note issued for it, by config
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
  /// A run of a closed period records its statements as "restated" and leaves the final ones,
  /// the draft and the credit ledger alone; its differences become `new_adjustments`.
  bool restated = false;
  std::vector<Adjustment> new_adjustments;
  /// Pending adjustments this run's statements carry (their ids).
  std::vector<int64_t> applied_adjustments;
};

struct AuditEntry {
  std::string at;
  std::string actor;
  std::string action;  // "ingest", "run", "close", "void", "adjustment", "payment", ...
  std::string period;
  std::string detail;
  std::string config_sha256;  // the configuration in force
  std::string input_sha256;   // the inputs acted on (month files, documents), comma-separated
};

/// A numbered document: an invoice (a final statement), or a credit or debit note.
struct InvoiceRecord {
  std::string number;
  std::string entity;  // the legal entity whose sequence numbered it
  int64_t seq = 0;
  std::string kind;  // "invoice", "credit_note", "debit_note"
  std::string period;
  std::string customer;
  std::string currency;
  Decimal total;
  std::string status;  // "final" or "void"
  std::string issued;  // YYYY-MM-DD
  std::string due_date;
  std::string related;  // notes: the invoice they credit or correct
  std::string reason;
  std::string content_json;  // notes: their frozen JSON (invoices are frozen with their period)
};

/// A closed period: the exact JSON its final statements were frozen as.
struct ClosedPeriod {
  std::string period;
  std::string closed_at;
  std::string actor;
  int64_t run_id = 0;
  std::string config_sha256;
  std::string statements_json;
};

struct Payment {
  int64_t id = 0;
  std::string invoice;
  Decimal amount;
  std::string paid_on;  // YYYY-MM-DD
  std::string reference;
  std::string recorded_at;
  std::string actor;
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
  /// rejects, in one transaction, with an audit entry. The month files they replace are left
  /// on disk; the caller removes what no month names after the commit.
  Status ReplaceMonths(const std::vector<MonthRecord>& months, const AuditEntry& audit,
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
  // The statement lifecycle. Numbered documents are written by `Finalize`, whose body runs in
  // one write transaction (BEGIN IMMEDIATE): numbers it takes with `TakeInvoiceSeq` are
  // committed together with the documents that carry them, or not at all, so the sequence has
  // no gaps and no number is used twice. Reads inside the body see the transaction's state.

  /// Run `body` in one write transaction; commit if it returns Ok, roll back otherwise.
  Status Finalize(const std::function<Status()>& body);
  /// The next number of `entity`'s gapless sequence (1, 2, ...). Only inside Finalize.
  Result<int64_t> TakeInvoiceSeq(const std::string& entity);
  /// RecordRun's writes, inside Finalize (a run that issues correction notes with it).
  Result<int64_t> InsertRun(const RunRecord& run, const AuditEntry& audit);
  /// Inside Finalize: write documents, a closed period, locked rates, audit entries.
  Status InsertInvoice(const InvoiceRecord& invoice);
  Status InsertClosedPeriod(const ClosedPeriod& closed, const std::vector<FxRate>& locked_fx);
  Status SetInvoiceStatus(const std::string& number, const std::string& status);
  /// The files a closed period's statements were rendered to when it closed ("csv" for the
  /// period with customer "", "html" per customer), so that what was sent can be sent again
  /// byte for byte even after the renderers change.
  Status InsertFrozenRender(const std::string& period, const std::string& customer,
                            const std::string& format, const std::string& content);
  Status SetAdjustmentNote(int64_t id, const std::string& note_number);
  Status InsertPayment(const Payment& payment);
  Status Audit(const AuditEntry& audit);

  Result<std::optional<ClosedPeriod>> FindClosedPeriod(const std::string& period);
  Result<std::vector<std::string>> ClosedPeriods();
  /// The exchange rate frozen on the period's statements when it closed, if any.
  Result<std::optional<FxRate>> FindLockedFxRate(const std::string& period, const std::string& from,
                                                 const std::string& to);
  Result<std::optional<std::string>> FindFrozenRender(const std::string& period,
                                                      const std::string& customer,
                                                      const std::string& format);
  Result<std::optional<InvoiceRecord>> FindInvoice(const std::string& number);
  /// Every numbered document, by entity and sequence number.
  Result<std::vector<InvoiceRecord>> Invoices();
  /// The statements of the latest run of a closed period ("restated"), if it was run again.
  Result<std::optional<std::string>> RestatedStatements(const std::string& period);
  /// The statements of the run before the latest one of `period`, if any.
  Result<std::optional<std::string>> PreviousStatements(const std::string& period);
  /// Every adjustment recorded for corrections of `period`.
  Result<std::vector<Adjustment>> AdjustmentsOf(const std::string& period);
  /// Adjustments an open statement of `period` carries: those of earlier periods that are
  /// pending or already on `period`, without a note.
  Result<std::vector<Adjustment>> AdjustmentsFor(const std::string& period);
  Result<std::vector<Payment>> Payments();

 private:
  explicit Store(std::unique_ptr<Connection> conn);
  Status Exec(const std::string& sql);
  std::unique_ptr<Connection> conn_;
  Connection* db_;  // conn_.get()
};

}  // namespace rebill::store
