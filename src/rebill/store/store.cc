#include "rebill/store/store.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "rebill/store/connection.h"
#include "rebill/store/month_file.h"
#include "rebill/store/store_internal.h"

namespace rebill::store {
namespace {

// Forward-only schema migrations; index i upgrades version i to i + 1. Portable SQL: {id} is the
// only dialect token (an auto-increment primary key). BIGINT is INTEGER to SQLite.
constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE months (
      period TEXT NOT NULL,
      payer TEXT NOT NULL,
      month_file TEXT NOT NULL,
      month_sha256 TEXT NOT NULL,
      sources_json TEXT NOT NULL,
      rows BIGINT NOT NULL,
      ingested_at TEXT NOT NULL,
      PRIMARY KEY (period, payer)
    );
    CREATE TABLE runs (
      id {id},
      period TEXT NOT NULL,
      started_at TEXT NOT NULL,
      config_sha256 TEXT NOT NULL,
      month_sha256_json TEXT NOT NULL,
      input_lines BIGINT NOT NULL,
      totals_json TEXT NOT NULL,
      invariants_json TEXT NOT NULL,
      reconcile_json TEXT NOT NULL,
      margin_json TEXT NOT NULL
    );
    CREATE TABLE statements (
      period TEXT NOT NULL,
      status TEXT NOT NULL,
      run_id BIGINT NOT NULL REFERENCES runs(id),
      content_json TEXT NOT NULL,
      PRIMARY KEY (period, status)
    );
    CREATE TABLE audit_log (
      id {id},
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      period TEXT NOT NULL,
      detail TEXT NOT NULL
    );
    )sql",
    R"sql(
    ALTER TABLE runs ADD COLUMN accounts_json TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE org_accounts (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      email TEXT NOT NULL,
      state TEXT NOT NULL,
      joined_method TEXT NOT NULL,
      joined BIGINT NOT NULL,
      paths_json TEXT NOT NULL,
      tags_json TEXT NOT NULL
    );
    CREATE TABLE handshakes (
      id TEXT PRIMARY KEY,
      action TEXT NOT NULL,
      state TEXT NOT NULL,
      account TEXT NOT NULL,
      email TEXT NOT NULL,
      requested BIGINT NOT NULL,
      expires BIGINT NOT NULL
    );
    )sql",
    R"sql(
    CREATE TABLE fx_rates (
      period TEXT NOT NULL,
      from_currency TEXT NOT NULL,
      to_currency TEXT NOT NULL,
      rate TEXT NOT NULL,
      source TEXT NOT NULL,
      PRIMARY KEY (period, from_currency, to_currency)
    );
    )sql",
    R"sql(
    CREATE TABLE credit_ledger (
      period TEXT NOT NULL,
      customer TEXT NOT NULL,
      credit TEXT NOT NULL,
      used TEXT NOT NULL,
      run_id BIGINT NOT NULL REFERENCES runs(id),
      PRIMARY KEY (period, customer, credit)
    );
    )sql",
    R"sql(
    ALTER TABLE months ADD COLUMN delivery_json TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE months ADD COLUMN summary_json TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE ingests (
      id {id},
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      summary_json TEXT NOT NULL
    );
    CREATE TABLE rejects (
      ingest_id BIGINT NOT NULL REFERENCES ingests(id),
      seq BIGINT NOT NULL,
      file TEXT NOT NULL,
      file_row BIGINT NOT NULL,
      column_name TEXT NOT NULL,
      kind TEXT NOT NULL,
      reason TEXT NOT NULL,
      raw_text TEXT NOT NULL,
      PRIMARY KEY (ingest_id, seq)
    );
    )sql",
    // The statement lifecycle: numbered documents, closed periods, corrections, payments.
    // Amounts are decimal text. Invoice sequences are rows updated in the finalizing
    // transaction, not database sequences, which may skip numbers on rollback.
    R"sql(
    CREATE TABLE invoice_sequences (
      entity TEXT PRIMARY KEY,
      last_seq BIGINT NOT NULL
    );
    CREATE TABLE invoices (
      number TEXT PRIMARY KEY,
      entity TEXT NOT NULL,
      seq BIGINT NOT NULL,
      kind TEXT NOT NULL,
      period TEXT NOT NULL,
      customer TEXT NOT NULL,
      currency TEXT NOT NULL,
      total TEXT NOT NULL,
      status TEXT NOT NULL,
      issued TEXT NOT NULL,
      due_date TEXT NOT NULL,
      related TEXT NOT NULL,
      reason TEXT NOT NULL,
      content_json TEXT NOT NULL,
      UNIQUE (entity, seq)
    );
    CREATE TABLE closed_periods (
      period TEXT PRIMARY KEY,
      closed_at TEXT NOT NULL,
      actor TEXT NOT NULL,
      run_id BIGINT NOT NULL REFERENCES runs(id),
      config_sha256 TEXT NOT NULL,
      statements_json TEXT NOT NULL
    );
    CREATE TABLE locked_fx_rates (
      period TEXT NOT NULL,
      from_currency TEXT NOT NULL,
      to_currency TEXT NOT NULL,
      rate TEXT NOT NULL,
      source TEXT NOT NULL,
      PRIMARY KEY (period, from_currency, to_currency)
    );
    CREATE TABLE adjustments (
      id {id},
      period TEXT NOT NULL,
      customer TEXT NOT NULL,
      kind TEXT NOT NULL,
      service TEXT NOT NULL,
      description TEXT NOT NULL,
      amount TEXT NOT NULL,
      currency TEXT NOT NULL,
      original_invoice TEXT NOT NULL,
      reason TEXT NOT NULL,
      run_id BIGINT NOT NULL REFERENCES runs(id),
      created_at TEXT NOT NULL,
      applied_period TEXT NOT NULL,
      note_number TEXT NOT NULL
    );
    CREATE TABLE payments (
      id {id},
      invoice TEXT NOT NULL REFERENCES invoices(number),
      amount TEXT NOT NULL,
      paid_on TEXT NOT NULL,
      reference TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      actor TEXT NOT NULL
    );
    CREATE TABLE frozen_renders (
      period TEXT NOT NULL,
      customer TEXT NOT NULL,
      format TEXT NOT NULL,
      content TEXT NOT NULL,
      PRIMARY KEY (period, customer, format)
    );
    ALTER TABLE audit_log ADD COLUMN config_sha256 TEXT NOT NULL DEFAULT '';
    ALTER TABLE audit_log ADD COLUMN input_sha256 TEXT NOT NULL DEFAULT '';
    )sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

std::string SourcesJson(const std::vector<SourceFile>& sources) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const SourceFile& s : sources) {
    array.push_back(
        {{"path", s.path}, {"sha256", s.sha256}, {"format", s.format}, {"rows", s.rows}});
  }
  return array.dump();
}

std::vector<SourceFile> ParseSources(const std::string& text) {
  std::vector<SourceFile> out;
  auto array = nlohmann::json::parse(text, nullptr, false);
  if (!array.is_array()) return out;
  for (const auto& s : array) {
    out.push_back({s.value("path", ""), s.value("sha256", ""), s.value("format", ""),
                   s.value("rows", uint64_t{0})});
  }
  return out;
}

MonthRecord ReadMonth(Statement& s) {
  MonthRecord m;
  m.period = s.Text(0);
  m.payer = s.Text(1);
  m.month_file = s.Text(2);
  m.month_sha256 = s.Text(3);
  m.sources = ParseSources(s.Text(4));
  m.rows = static_cast<uint64_t>(s.Int(5));
  m.ingested_at = s.Text(6);
  m.delivery_json = s.Text(7);
  m.summary_json = s.Text(8);
  return m;
}

constexpr const char* kMonthColumns =
    "SELECT period, payer, month_file, month_sha256, sources_json, rows, ingested_at, "
    "delivery_json, summary_json FROM months";

Status InsertAudit(Connection* db, const AuditEntry& a) {
  Statement s(db,
              "INSERT INTO audit_log (at, actor, action, period, detail, config_sha256, "
              "input_sha256) VALUES (?,?,?,?,?,?,?)");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, a.at);
  s.Bind(2, a.actor);
  s.Bind(3, a.action);
  s.Bind(4, a.period);
  s.Bind(5, a.detail);
  s.Bind(6, a.config_sha256);
  s.Bind(7, a.input_sha256);
  return StepDone(db, s);
}

// The schema version of an open store; 0 for an empty one. Stores written before the version
// table existed kept it in SQLite's user_version.
Result<int> ReadVersion(Connection* db) {
  REBILL_RETURN_IF_ERROR(
      db->Exec("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"));
  {
    Statement s(db, "SELECT version FROM schema_version");
    REBILL_RETURN_IF_ERROR(s.status());
    int rc = s.Step();
    if (rc == kRow) return static_cast<int>(s.Int(0));
    if (rc != kDone) return IoError("store: " + db->Error());
  }
  int version = 0;
  if (db->dialect() == Dialect::kSqlite) {
    Statement s(db, "PRAGMA user_version");
    REBILL_RETURN_IF_ERROR(s.status());
    if (s.Step() == kRow) version = static_cast<int>(s.Int(0));
  }
  Statement insert(db, "INSERT INTO schema_version (version) VALUES (?)");
  REBILL_RETURN_IF_ERROR(insert.status());
  insert.Bind(1, static_cast<int64_t>(version));
  REBILL_RETURN_IF_ERROR(StepDone(db, insert));
  return version;
}

Result<Decimal> ParseAmount(const std::string& text, const char* what) {
  Result<Decimal> d = Decimal::Parse(text);
  if (!d.ok()) return Internal(std::string("store: ") + what + " is not a decimal: " + text);
  return d;
}

// Store the period's statements in `slot` ("draft", "previous", "restated").
Status PutStatements(Connection* db, const std::string& period, const std::string& slot,
                     int64_t run_id, const std::string& json) {
  Statement s(db,
              "INSERT INTO statements (period, status, run_id, content_json) VALUES (?,?,?,?) "
              "ON CONFLICT (period, status) DO UPDATE SET run_id = excluded.run_id, "
              "content_json = excluded.content_json");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  s.Bind(2, slot);
  s.Bind(3, run_id);
  s.Bind(4, json);
  return StepDone(db, s);
}

constexpr const char* kInvoiceColumns =
    "SELECT number, entity, seq, kind, period, customer, currency, total, status, issued, "
    "due_date, related, reason, content_json FROM invoices";

Result<InvoiceRecord> ReadInvoice(Statement& s) {
  InvoiceRecord r;
  r.number = s.Text(0);
  r.entity = s.Text(1);
  r.seq = s.Int(2);
  r.kind = s.Text(3);
  r.period = s.Text(4);
  r.customer = s.Text(5);
  r.currency = s.Text(6);
  REBILL_ASSIGN_OR_RETURN(r.total, ParseAmount(s.Text(7), "invoice total"));
  r.status = s.Text(8);
  r.issued = s.Text(9);
  r.due_date = s.Text(10);
  r.related = s.Text(11);
  r.reason = s.Text(12);
  r.content_json = s.Text(13);
  return r;
}

constexpr const char* kAdjustmentColumns =
    "SELECT id, period, customer, kind, service, description, amount, currency, "
    "original_invoice, reason, run_id, created_at, applied_period, note_number FROM adjustments";

Result<Adjustment> ReadAdjustment(Statement& s) {
  Adjustment a;
  a.id = s.Int(0);
  a.period = s.Text(1);
  a.customer = s.Text(2);
  a.kind = s.Text(3);
  a.service = s.Text(4);
  a.description = s.Text(5);
  REBILL_ASSIGN_OR_RETURN(a.amount, ParseAmount(s.Text(6), "adjustment amount"));
  a.currency = s.Text(7);
  a.original_invoice = s.Text(8);
  a.reason = s.Text(9);
  a.run_id = s.Int(10);
  a.created_at = s.Text(11);
  a.applied_period = s.Text(12);
  a.note_number = s.Text(13);
  return a;
}

}  // namespace

int LatestSchemaVersion() { return kSchemaVersion; }

Status MigrateTo(Connection* db, int target) {
  // Most opens find the store current: no need to wait for the writer lock then.
  {
    Statement s(db, "SELECT version FROM schema_version");
    if (s.status().ok() && s.Step() == kRow && s.Int(0) == target) return Status::Ok();
  }
  // Each migration is one transaction; a crash between two leaves a store at a known version.
  for (;;) {
    Transaction tx(db);
    REBILL_RETURN_IF_ERROR(tx.Begin());
    REBILL_ASSIGN_OR_RETURN(int version, ReadVersion(db));
    if (version > kSchemaVersion) {
      return FailedPrecondition("the store has schema version " + std::to_string(version) +
                                ", newer than this rebill (" + std::to_string(kSchemaVersion) +
                                "); upgrade rebill");
    }
    if (version >= target) return tx.Commit();
    REBILL_RETURN_IF_ERROR(
        db->Exec(db->Dialectize(kMigrations[version]))
            .WithContext("migrating the store to schema version " + std::to_string(version + 1)));
    Statement s(db, "UPDATE schema_version SET version = ?");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, static_cast<int64_t>(version + 1));
    REBILL_RETURN_IF_ERROR(StepDone(db, s));
    REBILL_RETURN_IF_ERROR(tx.Commit());
  }
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& uri) {
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, OpenConnection(uri));
  REBILL_RETURN_IF_ERROR(MigrateTo(conn.get(), kSchemaVersion).WithContext(conn->where()));
  return std::unique_ptr<Store>(new Store(std::move(conn)));
}

Store::Store(std::unique_ptr<Connection> conn) : conn_(std::move(conn)), db_(conn_.get()) {}

Store::~Store() = default;

Status Store::Exec(const std::string& sql) { return db_->Exec(sql); }

const std::string& Store::where() const { return db_->where(); }

bool Store::IsPostgres() const { return db_->dialect() == Dialect::kPostgres; }

Status Store::LockPeriod(const std::string& period) {
  Status s = db_->TryLock("period-" + period);
  if (s.code() == StatusCode::kConflict) {
    return Conflict("another rebill command is working on " + period + " in the store " +
                    db_->where() + "; wait for it to finish and try again");
  }
  return s;
}

Result<int> Store::SchemaVersion() {
  Statement s(db_, "SELECT version FROM schema_version");
  REBILL_RETURN_IF_ERROR(s.status());
  if (s.Step() != kRow) return IoError("store: " + db_->Error());
  return static_cast<int>(s.Int(0));
}

Result<std::optional<MonthRecord>> Store::FindMonth(const std::string& period,
                                                    const std::string& payer) {
  std::string sql = std::string(kMonthColumns) + " WHERE period = ? AND payer = ?";
  Statement s(db_, sql);
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  s.Bind(2, payer);
  if (s.Step() == kRow) return std::optional<MonthRecord>(ReadMonth(s));
  return std::optional<MonthRecord>();
}

Result<std::vector<MonthRecord>> Store::MonthsOf(const std::string& period) {
  std::string sql = std::string(kMonthColumns) + " WHERE period = ? ORDER BY payer";
  Statement s(db_, sql);
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  std::vector<MonthRecord> out;
  while (s.Step() == kRow) out.push_back(ReadMonth(s));
  return out;
}

Result<std::vector<MonthRecord>> Store::AllMonths() {
  std::string sql = std::string(kMonthColumns) + " ORDER BY period, payer";
  Statement s(db_, sql);
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<MonthRecord> out;
  while (s.Step() == kRow) out.push_back(ReadMonth(s));
  return out;
}

Status Store::ReplaceMonths(const std::vector<MonthRecord>& months, const AuditEntry& audit,
                            const IngestRecord& ingest) {
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  int64_t ingest_id = 0;
  {
    Statement s(db_, "INSERT INTO ingests (at, actor, summary_json) VALUES (?,?,?) RETURNING id");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, ingest.at);
    s.Bind(2, ingest.actor);
    s.Bind(3, ingest.summary_json);
    if (s.Step() != kRow) return StepDone(db_, s);
    ingest_id = s.Int(0);
  }
  int64_t seq = 0;
  for (const Reject& r : ingest.rejects) {
    Statement s(db_,
                "INSERT INTO rejects (ingest_id, seq, file, file_row, column_name, kind, reason, "
                "raw_text) VALUES (?,?,?,?,?,?,?,?)");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, ingest_id);
    s.Bind(2, ++seq);
    s.Bind(3, r.file);
    s.Bind(4, static_cast<int64_t>(r.row));
    s.Bind(5, r.column);
    s.Bind(6, r.kind);
    s.Bind(7, r.reason);
    s.Bind(8, r.raw_text);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  for (const MonthRecord& m : months) {
    Statement s(db_,
                "INSERT INTO months (period, payer, month_file, month_sha256, sources_json, rows, "
                "ingested_at, delivery_json, summary_json) VALUES (?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (period, payer) DO UPDATE SET month_file = excluded.month_file, "
                "month_sha256 = excluded.month_sha256, sources_json = excluded.sources_json, "
                "rows = excluded.rows, ingested_at = excluded.ingested_at, "
                "delivery_json = excluded.delivery_json, summary_json = excluded.summary_json");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, m.period);
    s.Bind(2, m.payer);
    s.Bind(3, m.month_file);
    s.Bind(4, m.month_sha256);
    s.Bind(5, SourcesJson(m.sources));
    s.Bind(6, static_cast<int64_t>(m.rows));
    s.Bind(7, m.ingested_at);
    s.Bind(8, m.delivery_json);
    s.Bind(9, m.summary_json);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  REBILL_RETURN_IF_ERROR(InsertAudit(db_, audit));
  return tx.Commit();
}

Result<std::vector<Reject>> Store::RejectsOfLatestIngest() {
  Statement s(db_,
              "SELECT file, file_row, column_name, kind, reason, raw_text FROM rejects "
              "WHERE ingest_id = (SELECT MAX(id) FROM ingests) ORDER BY seq");
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<Reject> out;
  while (s.Step() == kRow) {
    Reject r;
    r.stage = "ingest";
    r.file = s.Text(0);
    r.row = static_cast<uint64_t>(s.Int(1));
    r.column = s.Text(2);
    r.kind = s.Text(3);
    r.reason = s.Text(4);
    r.raw_text = s.Text(5);
    out.push_back(std::move(r));
  }
  return out;
}

Result<int64_t> Store::RecordRun(const RunRecord& run, const AuditEntry& audit) {
  int64_t id = 0;
  Status recorded = Finalize([&]() -> Status {
    REBILL_ASSIGN_OR_RETURN(id, InsertRun(run, audit));
    return Status::Ok();
  });
  if (!recorded.ok()) return recorded;
  return id;
}

Result<int64_t> Store::InsertRun(const RunRecord& run, const AuditEntry& audit) {
  int64_t id = 0;
  {
    Statement s(db_,
                "INSERT INTO runs (period, started_at, config_sha256, month_sha256_json, "
                "input_lines, totals_json, invariants_json, reconcile_json, margin_json, "
                "accounts_json) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, run.period);
    s.Bind(2, run.started_at);
    s.Bind(3, run.config_sha256);
    s.Bind(4, nlohmann::json(run.month_sha256).dump());
    s.Bind(5, static_cast<int64_t>(run.input_lines));
    s.Bind(6, run.totals_json);
    s.Bind(7, run.invariants_json);
    s.Bind(8, run.reconcile_json);
    s.Bind(9, run.margin_json);
    s.Bind(10, run.accounts_json);
    if (s.Step() != kRow) return StepDone(db_, s);
    id = s.Int(0);
  }
  for (const Adjustment& a : run.new_adjustments) {
    Statement s(db_,
                "INSERT INTO adjustments (period, customer, kind, service, description, amount, "
                "currency, original_invoice, reason, run_id, created_at, applied_period, "
                "note_number) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, a.period);
    s.Bind(2, a.customer);
    s.Bind(3, a.kind);
    s.Bind(4, a.service);
    s.Bind(5, a.description);
    s.Bind(6, a.amount.ToString());
    s.Bind(7, a.currency);
    s.Bind(8, a.original_invoice);
    s.Bind(9, a.reason);
    s.Bind(10, id);
    s.Bind(11, a.created_at);
    s.Bind(12, a.applied_period);
    s.Bind(13, a.note_number);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
    AuditEntry entry = audit;
    entry.action = "adjustment";
    entry.period = a.period;
    entry.detail = a.customer + " " + a.kind + " " + a.service + " " + a.amount.ToString() + " " +
                   a.currency + " correcting " + a.original_invoice +
                   (a.note_number.empty() ? "" : ", issued as " + a.note_number);
    REBILL_RETURN_IF_ERROR(InsertAudit(db_, entry));
  }
  if (run.restated) {
    // A closed period keeps its final statements, draft and credit ledger.
    REBILL_RETURN_IF_ERROR(PutStatements(db_, run.period, "restated", id, run.statements_json));
    REBILL_RETURN_IF_ERROR(InsertAudit(db_, audit));
    return id;
  }
  // The period's statements carry exactly these adjustments now; any it carried before and
  // no longer does (its customer is gone) is pending again.
  {
    Statement s(db_, "UPDATE adjustments SET applied_period = '' WHERE applied_period = ?");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, run.period);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  for (int64_t adjustment : run.applied_adjustments) {
    Statement s(db_, "UPDATE adjustments SET applied_period = ? WHERE id = ?");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, run.period);
    s.Bind(2, adjustment);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  // Keep the draft this run replaces as "previous", for `rebill diff`.
  {
    Statement s(db_,
                "SELECT run_id, content_json FROM statements WHERE period = ? AND status = "
                "'draft'");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, run.period);
    if (s.Step() == kRow) {
      int64_t previous_run = s.Int(0);
      std::string previous = s.Text(1);
      REBILL_RETURN_IF_ERROR(PutStatements(db_, run.period, "previous", previous_run, previous));
    }
  }
  REBILL_RETURN_IF_ERROR(PutStatements(db_, run.period, "draft", id, run.statements_json));
  // The period's credit ledger is the latest run's: replace it.
  {
    Statement del(db_, "DELETE FROM credit_ledger WHERE period = ?");
    REBILL_RETURN_IF_ERROR(del.status());
    del.Bind(1, run.period);
    REBILL_RETURN_IF_ERROR(StepDone(db_, del));
  }
  for (const auto& [customer, credit, used] : run.credits_used) {
    Statement s(db_,
                "INSERT INTO credit_ledger (period, customer, credit, used, run_id) VALUES "
                "(?,?,?,?,?)");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, run.period);
    s.Bind(2, customer);
    s.Bind(3, credit);
    s.Bind(4, used.ToString());
    s.Bind(5, id);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  REBILL_RETURN_IF_ERROR(InsertAudit(db_, audit));
  return id;
}

Result<std::optional<RunRecord>> Store::LatestRun(const std::string& period) {
  Statement s(db_,
              "SELECT r.id, r.period, r.started_at, r.config_sha256, r.month_sha256_json, "
              "r.input_lines, r.totals_json, r.invariants_json, r.reconcile_json, r.margin_json, "
              "st.content_json, r.accounts_json FROM runs r JOIN statements st ON st.run_id = r.id "
              "WHERE r.period = ? AND st.status = 'draft' ORDER BY r.id DESC LIMIT 1");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  if (s.Step() != kRow) return std::optional<RunRecord>();
  RunRecord r;
  r.id = s.Int(0);
  r.period = s.Text(1);
  r.started_at = s.Text(2);
  r.config_sha256 = s.Text(3);
  auto shas = nlohmann::json::parse(s.Text(4), nullptr, false);
  if (shas.is_array()) {
    for (const auto& sha : shas) r.month_sha256.push_back(sha.get<std::string>());
  }
  r.input_lines = static_cast<uint64_t>(s.Int(5));
  r.totals_json = s.Text(6);
  r.invariants_json = s.Text(7);
  r.reconcile_json = s.Text(8);
  r.margin_json = s.Text(9);
  r.statements_json = s.Text(10);
  r.accounts_json = s.Text(11);
  return std::optional<RunRecord>(std::move(r));
}

Result<int64_t> Store::CountRuns() {
  Statement s(db_, "SELECT COUNT(*) FROM runs");
  REBILL_RETURN_IF_ERROR(s.status());
  if (s.Step() != kRow) return IoError("store: " + db_->Error());
  return s.Int(0);
}

Status Store::ReplaceOrgAccounts(const std::vector<OrgAccount>& accounts, const AuditEntry& audit) {
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  REBILL_RETURN_IF_ERROR(Exec("DELETE FROM org_accounts"));
  for (const OrgAccount& a : accounts) {
    Statement s(db_,
                "INSERT INTO org_accounts (id, name, email, state, joined_method, joined, "
                "paths_json, tags_json) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET "
                "name = excluded.name, email = excluded.email, state = excluded.state, "
                "joined_method = excluded.joined_method, joined = excluded.joined, "
                "paths_json = excluded.paths_json, tags_json = excluded.tags_json");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, a.id);
    s.Bind(2, a.name);
    s.Bind(3, a.email);
    s.Bind(4, a.state);
    s.Bind(5, a.joined_method);
    s.Bind(6, static_cast<int64_t>(a.joined));
    s.Bind(7, nlohmann::json(a.paths).dump());
    nlohmann::json tags = nlohmann::json::array();
    for (const auto& [k, v] : a.tags) tags.push_back({k, v});
    s.Bind(8, tags.dump());
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  REBILL_RETURN_IF_ERROR(InsertAudit(db_, audit));
  return tx.Commit();
}

Status Store::UpsertHandshakes(const std::vector<Handshake>& handshakes, const AuditEntry& audit) {
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  for (const Handshake& h : handshakes) {
    Statement s(db_,
                "INSERT INTO handshakes (id, action, state, account, email, requested, expires) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET action = excluded.action, "
                "state = excluded.state, account = excluded.account, email = excluded.email, "
                "requested = excluded.requested, expires = excluded.expires");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, h.id);
    s.Bind(2, h.action);
    s.Bind(3, h.state);
    s.Bind(4, h.account);
    s.Bind(5, h.email);
    s.Bind(6, static_cast<int64_t>(h.requested));
    s.Bind(7, static_cast<int64_t>(h.expires));
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  REBILL_RETURN_IF_ERROR(InsertAudit(db_, audit));
  return tx.Commit();
}

Result<Organization> Store::LoadOrganization() {
  Organization org;
  {
    Statement s(db_,
                "SELECT id, name, email, state, joined_method, joined, paths_json, tags_json "
                "FROM org_accounts ORDER BY id");
    REBILL_RETURN_IF_ERROR(s.status());
    while (s.Step() == kRow) {
      OrgAccount a;
      a.id = s.Text(0);
      a.name = s.Text(1);
      a.email = s.Text(2);
      a.state = s.Text(3);
      a.joined_method = s.Text(4);
      a.joined = s.Int(5);
      auto paths = nlohmann::json::parse(s.Text(6), nullptr, false);
      if (paths.is_array()) {
        for (const auto& p : paths) a.paths.push_back(p.get<std::string>());
      }
      auto tags = nlohmann::json::parse(s.Text(7), nullptr, false);
      if (tags.is_array()) {
        for (const auto& t : tags)
          a.tags.emplace_back(t[0].get<std::string>(), t[1].get<std::string>());
      }
      org.accounts.push_back(std::move(a));
    }
  }
  Statement s(db_,
              "SELECT id, action, state, account, email, requested, expires FROM handshakes "
              "ORDER BY requested, id");
  REBILL_RETURN_IF_ERROR(s.status());
  while (s.Step() == kRow) {
    org.handshakes.push_back(
        {s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6)});
  }
  return org;
}

Result<Decimal> Store::CreditUsedBefore(const std::string& customer, const std::string& name,
                                        const std::string& period) {
  Statement s(db_,
              "SELECT used FROM credit_ledger WHERE customer = ? AND credit = ? AND period < ?");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, customer);
  s.Bind(2, name);
  s.Bind(3, period);
  Decimal sum;
  while (s.Step() == kRow) {
    REBILL_ASSIGN_OR_RETURN(Decimal used, ParseAmount(s.Text(0), "credit ledger amount"));
    sum += used;
  }
  return sum;
}

Status Store::ReplaceFxRates(const std::string& period, const std::vector<FxRate>& rates,
                             const AuditEntry& audit) {
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  for (const FxRate& r : rates) {
    Statement s(db_,
                "INSERT INTO fx_rates (period, from_currency, to_currency, rate, source) VALUES "
                "(?,?,?,?,?) ON CONFLICT (period, from_currency, to_currency) DO UPDATE SET "
                "rate = excluded.rate, source = excluded.source");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, period);
    s.Bind(2, r.from);
    s.Bind(3, r.to);
    s.Bind(4, r.rate.ToString());
    s.Bind(5, r.source);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  REBILL_RETURN_IF_ERROR(InsertAudit(db_, audit));
  return tx.Commit();
}

Result<std::optional<FxRate>> Store::FindFxRate(const std::string& period, const std::string& from,
                                                const std::string& to) {
  Statement s(db_,
              "SELECT rate, source FROM fx_rates WHERE period = ? AND from_currency = ? AND "
              "to_currency = ?");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  s.Bind(2, from);
  s.Bind(3, to);
  if (s.Step() != kRow) return std::optional<FxRate>();
  REBILL_ASSIGN_OR_RETURN(Decimal rate, ParseAmount(s.Text(0), "exchange rate"));
  return std::optional<FxRate>(FxRate{from, to, rate, s.Text(1)});
}

Result<std::vector<AuditEntry>> Store::AuditLog() {
  Statement s(db_,
              "SELECT at, actor, action, period, detail, config_sha256, input_sha256 FROM "
              "audit_log ORDER BY id");
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<AuditEntry> out;
  while (s.Step() == kRow) {
    out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)});
  }
  return out;
}

Status Store::Finalize(const std::function<Status()>& body) {
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  REBILL_RETURN_IF_ERROR(body());
  return tx.Commit();
}

Result<int64_t> Store::TakeInvoiceSeq(const std::string& entity) {
  {
    Statement s(db_,
                "INSERT INTO invoice_sequences (entity, last_seq) VALUES (?, 1) ON CONFLICT "
                "(entity) DO UPDATE SET last_seq = invoice_sequences.last_seq + 1");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, entity);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  Statement s(db_, "SELECT last_seq FROM invoice_sequences WHERE entity = ?");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, entity);
  if (s.Step() != kRow) return IoError("store: " + db_->Error());
  return s.Int(0);
}

Status Store::InsertInvoice(const InvoiceRecord& r) {
  {
    Statement taken(db_, "SELECT 1 FROM invoices WHERE number = ?");
    REBILL_RETURN_IF_ERROR(taken.status());
    taken.Bind(1, r.number);
    if (taken.Step() == kRow) {
      return Conflict("invoice number " + r.number +
                      " is already taken; check [invoice] number_format (it must contain {seq})");
    }
  }
  Statement s(db_,
              "INSERT INTO invoices (number, entity, seq, kind, period, customer, currency, total, "
              "status, issued, due_date, related, reason, content_json) VALUES "
              "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, r.number);
  s.Bind(2, r.entity);
  s.Bind(3, r.seq);
  s.Bind(4, r.kind);
  s.Bind(5, r.period);
  s.Bind(6, r.customer);
  s.Bind(7, r.currency);
  s.Bind(8, r.total.ToString());
  s.Bind(9, r.status);
  s.Bind(10, r.issued);
  s.Bind(11, r.due_date);
  s.Bind(12, r.related);
  s.Bind(13, r.reason);
  s.Bind(14, r.content_json);
  return StepDone(db_, s);
}

Status Store::InsertClosedPeriod(const ClosedPeriod& c, const std::vector<FxRate>& locked_fx) {
  {
    Statement s(db_,
                "INSERT INTO closed_periods (period, closed_at, actor, run_id, config_sha256, "
                "statements_json) VALUES (?,?,?,?,?,?)");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, c.period);
    s.Bind(2, c.closed_at);
    s.Bind(3, c.actor);
    s.Bind(4, c.run_id);
    s.Bind(5, c.config_sha256);
    s.Bind(6, c.statements_json);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  for (const FxRate& r : locked_fx) {
    Statement s(db_,
                "INSERT INTO locked_fx_rates (period, from_currency, to_currency, rate, source) "
                "VALUES (?,?,?,?,?) ON CONFLICT (period, from_currency, to_currency) DO NOTHING");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, c.period);
    s.Bind(2, r.from);
    s.Bind(3, r.to);
    s.Bind(4, r.rate.ToString());
    s.Bind(5, r.source);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  return Status::Ok();
}

Status Store::InsertFrozenRender(const std::string& period, const std::string& customer,
                                 const std::string& format, const std::string& content) {
  Statement s(db_,
              "INSERT INTO frozen_renders (period, customer, format, content) VALUES (?,?,?,?)");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  s.Bind(2, customer);
  s.Bind(3, format);
  s.Bind(4, content);
  return StepDone(db_, s);
}

Result<std::optional<std::string>> Store::FindFrozenRender(const std::string& period,
                                                           const std::string& customer,
                                                           const std::string& format) {
  Statement s(
      db_, "SELECT content FROM frozen_renders WHERE period = ? AND customer = ? AND format = ?");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  s.Bind(2, customer);
  s.Bind(3, format);
  if (s.Step() != kRow) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}

Status Store::SetInvoiceStatus(const std::string& number, const std::string& status) {
  Statement s(db_, "UPDATE invoices SET status = ? WHERE number = ?");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, status);
  s.Bind(2, number);
  return StepDone(db_, s);
}

Status Store::SetAdjustmentNote(int64_t id, const std::string& note_number) {
  Statement s(db_, "UPDATE adjustments SET note_number = ? WHERE id = ?");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, note_number);
  s.Bind(2, id);
  return StepDone(db_, s);
}

Status Store::InsertPayment(const Payment& p) {
  Statement s(db_,
              "INSERT INTO payments (invoice, amount, paid_on, reference, recorded_at, actor) "
              "VALUES (?,?,?,?,?,?)");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, p.invoice);
  s.Bind(2, p.amount.ToString());
  s.Bind(3, p.paid_on);
  s.Bind(4, p.reference);
  s.Bind(5, p.recorded_at);
  s.Bind(6, p.actor);
  return StepDone(db_, s);
}

Status Store::Audit(const AuditEntry& audit) { return InsertAudit(db_, audit); }

Result<std::optional<ClosedPeriod>> Store::FindClosedPeriod(const std::string& period) {
  Statement s(db_,
              "SELECT period, closed_at, actor, run_id, config_sha256, statements_json FROM "
              "closed_periods WHERE period = ?");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  if (s.Step() != kRow) return std::optional<ClosedPeriod>();
  return std::optional<ClosedPeriod>(
      ClosedPeriod{s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Text(4), s.Text(5)});
}

Result<std::vector<std::string>> Store::ClosedPeriods() {
  Statement s(db_, "SELECT period FROM closed_periods ORDER BY period");
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<std::string> out;
  while (s.Step() == kRow) out.push_back(s.Text(0));
  return out;
}

Result<std::optional<FxRate>> Store::FindLockedFxRate(const std::string& period,
                                                      const std::string& from,
                                                      const std::string& to) {
  Statement s(db_,
              "SELECT rate, source FROM locked_fx_rates WHERE period = ? AND from_currency = ? "
              "AND to_currency = ?");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  s.Bind(2, from);
  s.Bind(3, to);
  if (s.Step() != kRow) return std::optional<FxRate>();
  REBILL_ASSIGN_OR_RETURN(Decimal rate, ParseAmount(s.Text(0), "locked exchange rate"));
  return std::optional<FxRate>(FxRate{from, to, rate, s.Text(1)});
}

Result<std::optional<InvoiceRecord>> Store::FindInvoice(const std::string& number) {
  std::string sql = std::string(kInvoiceColumns) + " WHERE number = ?";
  Statement s(db_, sql.c_str());
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, number);
  if (s.Step() != kRow) return std::optional<InvoiceRecord>();
  REBILL_ASSIGN_OR_RETURN(InvoiceRecord r, ReadInvoice(s));
  return std::optional<InvoiceRecord>(std::move(r));
}

Result<std::vector<InvoiceRecord>> Store::Invoices() {
  std::string sql = std::string(kInvoiceColumns) + " ORDER BY entity, seq";
  Statement s(db_, sql.c_str());
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<InvoiceRecord> out;
  while (s.Step() == kRow) {
    REBILL_ASSIGN_OR_RETURN(InvoiceRecord r, ReadInvoice(s));
    out.push_back(std::move(r));
  }
  return out;
}

namespace {
Result<std::optional<std::string>> SlotStatements(Connection* db, const std::string& period,
                                                  const char* slot) {
  Statement s(db, "SELECT content_json FROM statements WHERE period = ? AND status = ?");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  s.Bind(2, std::string(slot));
  if (s.Step() != kRow) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}
}  // namespace

Result<std::optional<std::string>> Store::RestatedStatements(const std::string& period) {
  return SlotStatements(db_, period, "restated");
}

Result<std::optional<std::string>> Store::PreviousStatements(const std::string& period) {
  return SlotStatements(db_, period, "previous");
}

Result<std::vector<Adjustment>> Store::AdjustmentsOf(const std::string& period) {
  std::string sql = std::string(kAdjustmentColumns) + " WHERE period = ? ORDER BY id";
  Statement s(db_, sql.c_str());
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  std::vector<Adjustment> out;
  while (s.Step() == kRow) {
    REBILL_ASSIGN_OR_RETURN(Adjustment a, ReadAdjustment(s));
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<Adjustment>> Store::AdjustmentsFor(const std::string& period) {
  std::string sql = std::string(kAdjustmentColumns) +
                    " WHERE period < ? AND note_number = '' AND (applied_period = '' OR "
                    "applied_period = ?) ORDER BY id";
  Statement s(db_, sql.c_str());
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  s.Bind(2, period);
  std::vector<Adjustment> out;
  while (s.Step() == kRow) {
    REBILL_ASSIGN_OR_RETURN(Adjustment a, ReadAdjustment(s));
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<Payment>> Store::Payments() {
  Statement s(db_,
              "SELECT id, invoice, amount, paid_on, reference, recorded_at, actor FROM payments "
              "ORDER BY paid_on, id");
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<Payment> out;
  while (s.Step() == kRow) {
    Payment p;
    p.id = s.Int(0);
    p.invoice = s.Text(1);
    REBILL_ASSIGN_OR_RETURN(p.amount, ParseAmount(s.Text(2), "payment amount"));
    p.paid_on = s.Text(3);
    p.reference = s.Text(4);
    p.recorded_at = s.Text(5);
    p.actor = s.Text(6);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<std::string>> Store::Check(const std::string& workspace) {
  std::vector<std::string> problems;
  if (db_->dialect() == Dialect::kSqlite) {
    Statement s(db_, "PRAGMA integrity_check");
    REBILL_RETURN_IF_ERROR(s.status());
    while (s.Step() == kRow) {
      if (s.Text(0) != "ok") problems.push_back("database integrity: " + s.Text(0));
    }
  }
  // A run and its draft statements and credit ledger are written together: the draft of each
  // period is its latest run's.
  {
    Statement s(db_,
                "SELECT r.period, MAX(r.id), (SELECT st.run_id FROM statements st WHERE "
                "st.period = r.period AND st.status = 'draft') FROM runs r GROUP BY r.period "
                "ORDER BY r.period");
    REBILL_RETURN_IF_ERROR(s.status());
    while (s.Step() == kRow) {
      if (s.Text(2) != s.Text(1)) {
        problems.push_back("period " + s.Text(0) + ": the latest run is " + s.Text(1) +
                           " but the draft statements are of run '" + s.Text(2) + "'");
      }
    }
  }
  {
    Statement s(db_,
                "SELECT c.period, c.run_id FROM credit_ledger c WHERE c.run_id <> (SELECT "
                "MAX(r.id) FROM runs r WHERE r.period = c.period)");
    REBILL_RETURN_IF_ERROR(s.status());
    while (s.Step() == kRow) {
      problems.push_back("period " + s.Text(0) + ": the credit ledger is of run " + s.Text(1) +
                         ", not the latest");
    }
  }
  REBILL_ASSIGN_OR_RETURN(std::vector<MonthRecord> months, AllMonths());
  for (const MonthRecord& m : months) {
    std::string path = workspace + "/" + m.month_file;
    Result<NormalizedMonth> month = ReadMonthFile(path);
    if (!month.ok()) {
      problems.push_back(m.period + " " + m.payer + ": " + month.status().message());
      continue;
    }
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::string sha(64, '\0');
    in.seekg(-64, std::ios::end);
    in.read(sha.data(), 64);
    if (!in || sha != m.month_sha256) {
      problems.push_back(m.period + " " + m.payer + ": " + path +
                         " is not the month the store recorded (checksum differs)");
    }
  }
  return problems;
}

namespace {

// Tables in an order that inserts every referenced row before the rows referring to it. Tables
// not listed here are exported after these, by name.
constexpr const char* kTableOrder[] = {"months",
                                       "runs",
                                       "statements",
                                       "credit_ledger",
                                       "fx_rates",
                                       "org_accounts",
                                       "handshakes",
                                       "audit_log",
                                       "ingests",
                                       "rejects",
                                       "invoice_sequences",
                                       "invoices",
                                       "closed_periods",
                                       "locked_fx_rates",
                                       "adjustments",
                                       "payments",
                                       "frozen_renders"};
constexpr int kExportFormat = 1;

Result<std::vector<std::string>> ExportTables(Connection* db) {
  REBILL_ASSIGN_OR_RETURN(std::vector<std::string> found, db->Tables());
  std::vector<std::string> out;
  for (const char* t : kTableOrder) {
    if (std::find(found.begin(), found.end(), t) != found.end()) out.emplace_back(t);
  }
  for (const std::string& t : found) {
    if (t == "schema_version") continue;
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

bool IsIdentifier(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

Status Store::Export(std::ostream& out) {
  REBILL_ASSIGN_OR_RETURN(int version, SchemaVersion());
  nlohmann::ordered_json header = {{"rebill_export", kExportFormat}, {"schema_version", version}};
  out << header.dump() << "\n";
  REBILL_ASSIGN_OR_RETURN(std::vector<std::string> tables, ExportTables(db_));
  for (const std::string& table : tables) {
    Statement s(db_, "SELECT * FROM " + table);
    REBILL_RETURN_IF_ERROR(s.status());
    std::vector<std::string> lines;
    int rc;
    while ((rc = s.Step()) == kRow) {
      nlohmann::ordered_json row = nlohmann::ordered_json::object();
      for (int c = 0; c < s.ColumnCount(); ++c) {
        if (s.IsNull(c)) {
          row[s.ColumnName(c)] = nullptr;
        } else {
          row[s.ColumnName(c)] = s.Text(c);
        }
      }
      lines.push_back(nlohmann::ordered_json{{"table", table}, {"row", row}}.dump());
    }
    if (rc != kDone) return IoError("store: exporting " + table + ": " + db_->Error());
    // Row order is the database's business; sorted lines make equal stores export equal text.
    std::sort(lines.begin(), lines.end());
    for (const std::string& line : lines) out << line << "\n";
  }
  out.flush();
  if (!out) return IoError("cannot write the export");
  return Status::Ok();
}

Result<size_t> Store::Import(std::istream& in, const std::string& what, const AuditEntry& audit) {
  std::string line;
  if (!std::getline(in, line)) return InvalidInput(what + ": empty; not a rebill export");
  auto header = nlohmann::json::parse(line, nullptr, false);
  if (!header.is_object() || !header.contains("rebill_export")) {
    return InvalidInput(what + ":1: not a rebill export (no rebill_export header)");
  }
  if (header.value("rebill_export", 0) != kExportFormat) {
    return InvalidInput(what + ":1: export format " + header["rebill_export"].dump() +
                        " is not one this rebill reads (" + std::to_string(kExportFormat) + ")");
  }
  int version = header.value("schema_version", -1);
  if (version != kSchemaVersion) {
    return FailedPrecondition(what + ": exported at schema version " + std::to_string(version) +
                              ", this rebill writes version " + std::to_string(kSchemaVersion) +
                              "; export and import with the same rebill release");
  }
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  REBILL_ASSIGN_OR_RETURN(std::vector<std::string> tables, ExportTables(db_));
  for (const std::string& table : tables) {
    Statement s(db_, "SELECT COUNT(*) FROM " + table);
    REBILL_RETURN_IF_ERROR(s.status());
    if (s.Step() != kRow) return IoError("store: " + db_->Error());
    if (s.Int(0) != 0) {
      return FailedPrecondition("the store " + db_->where() + " is not empty (table " + table +
                                " has rows); import into a new store");
    }
  }
  std::set<std::string> with_ids;
  size_t rows = 0;
  for (size_t number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    std::string where = what + ":" + std::to_string(number);
    auto entry = nlohmann::json::parse(line, nullptr, false);
    if (!entry.is_object() || !entry.contains("table") || !entry["table"].is_string() ||
        !entry.contains("row") || !entry["row"].is_object()) {
      return InvalidInput(where + ": expected {\"table\": ..., \"row\": {...}}");
    }
    std::string table = entry["table"].get<std::string>();
    if (!IsIdentifier(table) || std::find(tables.begin(), tables.end(), table) == tables.end()) {
      return InvalidInput(where + ": unknown table '" + table + "'");
    }
    std::string columns;
    std::string marks;
    std::vector<std::optional<std::string>> values;
    for (const auto& [column, value] : entry["row"].items()) {
      if (!IsIdentifier(column) || !(value.is_string() || value.is_null())) {
        return InvalidInput(where + ": column '" + column +
                            "' must be a name with a text value or null");
      }
      columns += (columns.empty() ? "" : ", ") + column;
      marks += marks.empty() ? "?" : ", ?";
      values.push_back(value.is_null() ? std::nullopt
                                       : std::optional<std::string>(value.get<std::string>()));
      if (column == "id") with_ids.insert(table);
    }
    Statement s(db_, "INSERT INTO " + table + " (" + columns + ") VALUES (" + marks + ")");
    REBILL_RETURN_IF_ERROR(s.status().WithContext(where));
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i]) {
        s.Bind(static_cast<int>(i + 1), *values[i]);
      } else {
        s.BindNull(static_cast<int>(i + 1));
      }
    }
    REBILL_RETURN_IF_ERROR(StepDone(db_, s).WithContext(where));
    ++rows;
  }
  for (const std::string& table : with_ids) REBILL_RETURN_IF_ERROR(db_->SyncIdSequence(table));
  REBILL_RETURN_IF_ERROR(InsertAudit(db_, audit));
  REBILL_RETURN_IF_ERROR(tx.Commit());
  return rows;
}

}  // namespace rebill::store
