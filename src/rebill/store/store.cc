#include "rebill/store/store.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

namespace rebill::store {
namespace {

// Forward-only schema migrations; index i upgrades version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE months (
      period TEXT NOT NULL,
      payer TEXT NOT NULL,
      month_file TEXT NOT NULL,
      month_sha256 TEXT NOT NULL,
      sources_json TEXT NOT NULL,
      rows INTEGER NOT NULL,
      ingested_at TEXT NOT NULL,
      PRIMARY KEY (period, payer)
    );
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      period TEXT NOT NULL,
      started_at TEXT NOT NULL,
      config_sha256 TEXT NOT NULL,
      month_sha256_json TEXT NOT NULL,
      input_lines INTEGER NOT NULL,
      totals_json TEXT NOT NULL,
      invariants_json TEXT NOT NULL,
      reconcile_json TEXT NOT NULL,
      margin_json TEXT NOT NULL
    );
    CREATE TABLE statements (
      period TEXT NOT NULL,
      status TEXT NOT NULL,
      run_id INTEGER NOT NULL REFERENCES runs(id),
      content_json TEXT NOT NULL,
      PRIMARY KEY (period, status)
    );
    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
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
      joined INTEGER NOT NULL,
      paths_json TEXT NOT NULL,
      tags_json TEXT NOT NULL
    );
    CREATE TABLE handshakes (
      id TEXT PRIMARY KEY,
      action TEXT NOT NULL,
      state TEXT NOT NULL,
      account TEXT NOT NULL,
      email TEXT NOT NULL,
      requested INTEGER NOT NULL,
      expires INTEGER NOT NULL
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
      run_id INTEGER NOT NULL REFERENCES runs(id),
      PRIMARY KEY (period, customer, credit)
    );
    )sql",
    // The statement lifecycle: numbered documents, closed periods, corrections, payments.
    // Amounts are decimal text. The ids of adjustments and payments are SQLite rowids
    // (INTEGER PRIMARY KEY); a PostgreSQL schema gives them an identity column. Invoice
    // sequences are rows updated in the finalizing transaction, not database sequences, which
    // may skip numbers on rollback.
    R"sql(
    CREATE TABLE invoice_sequences (
      entity TEXT PRIMARY KEY,
      last_seq INTEGER NOT NULL
    );
    CREATE TABLE invoices (
      number TEXT PRIMARY KEY,
      entity TEXT NOT NULL,
      seq INTEGER NOT NULL,
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
      run_id INTEGER NOT NULL REFERENCES runs(id),
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
      id INTEGER PRIMARY KEY,
      period TEXT NOT NULL,
      customer TEXT NOT NULL,
      kind TEXT NOT NULL,
      service TEXT NOT NULL,
      description TEXT NOT NULL,
      amount TEXT NOT NULL,
      currency TEXT NOT NULL,
      original_invoice TEXT NOT NULL,
      reason TEXT NOT NULL,
      run_id INTEGER NOT NULL REFERENCES runs(id),
      created_at TEXT NOT NULL,
      applied_period TEXT NOT NULL,
      note_number TEXT NOT NULL
    );
    CREATE TABLE payments (
      id INTEGER PRIMARY KEY,
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

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status status() const {
    if (rc_ == SQLITE_OK) return Status::Ok();
    return Internal(std::string("store: cannot prepare statement: ") + sqlite3_errmsg(db_));
  }
  void Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  /// SQLITE_ROW, SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

Status StepDone(sqlite3* db, Statement& s) {
  int rc = s.Step();
  if (rc == SQLITE_DONE) return Status::Ok();
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    return Conflict("the store is locked by another rebill process; try again when it finishes");
  }
  return IoError(std::string("store: ") + sqlite3_errmsg(db));
}

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
  return m;
}

constexpr const char* kMonthColumns =
    "SELECT period, payer, month_file, month_sha256, sources_json, rows, ingested_at FROM months";

// A transaction that rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Status Begin() {
    // IMMEDIATE takes the write lock now, so two writers never interleave.
    int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc == SQLITE_BUSY) {
      return Conflict("the store is locked by another rebill process; try again when it finishes");
    }
    if (rc != SQLITE_OK) return IoError(std::string("store: ") + sqlite3_errmsg(db_));
    open_ = true;
    return Status::Ok();
  }
  Status Commit() {
    int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
      return IoError(std::string("store: commit failed: ") + sqlite3_errmsg(db_));
    open_ = false;
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

Status InsertAudit(sqlite3* db, const AuditEntry& a) {
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

Result<Decimal> ParseAmount(const std::string& text, const char* what) {
  Result<Decimal> d = Decimal::Parse(text);
  if (!d.ok()) return Internal(std::string("store: ") + what + " is not a decimal: " + text);
  return d;
}

// Store the period's statements in `slot` ("draft", "previous", "restated").
Status PutStatements(sqlite3* db, const std::string& period, const std::string& slot,
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

Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return IoError(path + ": cannot open the store: " + why);
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<Store> store(new Store(db));
  REBILL_RETURN_IF_ERROR(store
                             ->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                    "PRAGMA foreign_keys=ON;")
                             .WithContext(path));
  REBILL_RETURN_IF_ERROR(store->Migrate().WithContext(path));
  return store;
}

Store::~Store() { sqlite3_close(db_); }

Status Store::Exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string why = error != nullptr ? error : "unknown error";
  sqlite3_free(error);
  if (rc == SQLITE_BUSY) return Conflict("the store is locked by another rebill process");
  return IoError("store: " + why);
}

Status Store::Migrate() {
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  int version = 0;
  {
    Statement s(db_, "PRAGMA user_version");
    REBILL_RETURN_IF_ERROR(s.status());
    if (s.Step() == SQLITE_ROW) version = static_cast<int>(s.Int(0));
  }
  if (version > kSchemaVersion) {
    return FailedPrecondition("the store has schema version " + std::to_string(version) +
                              ", newer than this rebill (" + std::to_string(kSchemaVersion) +
                              "); upgrade rebill");
  }
  for (int v = version; v < kSchemaVersion; ++v) REBILL_RETURN_IF_ERROR(Exec(kMigrations[v]));
  REBILL_RETURN_IF_ERROR(Exec("PRAGMA user_version=" + std::to_string(kSchemaVersion)));
  return tx.Commit();
}

Result<std::optional<MonthRecord>> Store::FindMonth(const std::string& period,
                                                    const std::string& payer) {
  std::string sql = std::string(kMonthColumns) + " WHERE period = ? AND payer = ?";
  Statement s(db_, sql.c_str());
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  s.Bind(2, payer);
  if (s.Step() == SQLITE_ROW) return std::optional<MonthRecord>(ReadMonth(s));
  return std::optional<MonthRecord>();
}

Result<std::vector<MonthRecord>> Store::MonthsOf(const std::string& period) {
  std::string sql = std::string(kMonthColumns) + " WHERE period = ? ORDER BY payer";
  Statement s(db_, sql.c_str());
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  std::vector<MonthRecord> out;
  while (s.Step() == SQLITE_ROW) out.push_back(ReadMonth(s));
  return out;
}

Result<std::vector<MonthRecord>> Store::AllMonths() {
  std::string sql = std::string(kMonthColumns) + " ORDER BY period, payer";
  Statement s(db_, sql.c_str());
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<MonthRecord> out;
  while (s.Step() == SQLITE_ROW) out.push_back(ReadMonth(s));
  return out;
}

Result<std::vector<std::string>> Store::ReplaceMonths(const std::vector<MonthRecord>& months,
                                                      const AuditEntry& audit) {
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  std::vector<std::string> replaced;
  for (const MonthRecord& m : months) {
    REBILL_ASSIGN_OR_RETURN(std::optional<MonthRecord> old, FindMonth(m.period, m.payer));
    if (old && old->month_file != m.month_file) replaced.push_back(old->month_file);
    Statement s(db_,
                "INSERT OR REPLACE INTO months (period, payer, month_file, month_sha256, "
                "sources_json, rows, ingested_at) VALUES (?,?,?,?,?,?,?)");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, m.period);
    s.Bind(2, m.payer);
    s.Bind(3, m.month_file);
    s.Bind(4, m.month_sha256);
    s.Bind(5, SourcesJson(m.sources));
    s.Bind(6, static_cast<int64_t>(m.rows));
    s.Bind(7, m.ingested_at);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  REBILL_RETURN_IF_ERROR(InsertAudit(db_, audit));
  REBILL_RETURN_IF_ERROR(tx.Commit());
  return replaced;
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
  {
    Statement s(db_,
                "INSERT INTO runs (period, started_at, config_sha256, month_sha256_json, "
                "input_lines, totals_json, invariants_json, reconcile_json, margin_json, "
                "accounts_json) VALUES (?,?,?,?,?,?,?,?,?,?)");
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
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  int64_t id = sqlite3_last_insert_rowid(db_);
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
    if (s.Step() == SQLITE_ROW) {
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
  if (s.Step() != SQLITE_ROW) return std::optional<RunRecord>();
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
  if (s.Step() != SQLITE_ROW) return IoError(std::string("store: ") + sqlite3_errmsg(db_));
  return s.Int(0);
}

Status Store::ReplaceOrgAccounts(const std::vector<OrgAccount>& accounts, const AuditEntry& audit) {
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  REBILL_RETURN_IF_ERROR(Exec("DELETE FROM org_accounts"));
  for (const OrgAccount& a : accounts) {
    Statement s(db_,
                "INSERT OR REPLACE INTO org_accounts (id, name, email, state, joined_method, "
                "joined, paths_json, tags_json) VALUES (?,?,?,?,?,?,?,?)");
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
                "INSERT OR REPLACE INTO handshakes (id, action, state, account, email, requested, "
                "expires) VALUES (?,?,?,?,?,?,?)");
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
    while (s.Step() == SQLITE_ROW) {
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
  while (s.Step() == SQLITE_ROW) {
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
  while (s.Step() == SQLITE_ROW) {
    Result<Decimal> used = Decimal::Parse(s.Text(0));
    if (!used.ok()) return Internal("store: credit ledger amount is not a decimal: " + s.Text(0));
    sum += *used;
  }
  return sum;
}

Status Store::ReplaceFxRates(const std::string& period, const std::vector<FxRate>& rates,
                             const AuditEntry& audit) {
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  for (const FxRate& r : rates) {
    Statement s(
        db_,
        "INSERT OR REPLACE INTO fx_rates (period, from_currency, to_currency, rate, source) "
        "VALUES (?,?,?,?,?)");
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
  if (s.Step() != SQLITE_ROW) return std::optional<FxRate>();
  Result<Decimal> rate = Decimal::Parse(s.Text(0));
  if (!rate.ok()) return Internal("store: stored exchange rate is not a decimal: " + s.Text(0));
  return std::optional<FxRate>(FxRate{from, to, *rate, s.Text(1)});
}

Result<std::vector<AuditEntry>> Store::AuditLog() {
  Statement s(db_,
              "SELECT at, actor, action, period, detail, config_sha256, input_sha256 FROM "
              "audit_log ORDER BY id");
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<AuditEntry> out;
  while (s.Step() == SQLITE_ROW) {
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
  if (s.Step() != SQLITE_ROW) return IoError(std::string("store: ") + sqlite3_errmsg(db_));
  return s.Int(0);
}

Status Store::InsertInvoice(const InvoiceRecord& r) {
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
  int rc = s.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return Conflict("invoice number " + r.number +
                    " is already taken; check [invoice] number_format (it must contain {seq})");
  }
  if (rc != SQLITE_DONE) return IoError(std::string("store: ") + sqlite3_errmsg(db_));
  return Status::Ok();
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
  if (s.Step() != SQLITE_ROW) return std::optional<std::string>();
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
  if (s.Step() != SQLITE_ROW) return std::optional<ClosedPeriod>();
  return std::optional<ClosedPeriod>(
      ClosedPeriod{s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Text(4), s.Text(5)});
}

Result<std::vector<std::string>> Store::ClosedPeriods() {
  Statement s(db_, "SELECT period FROM closed_periods ORDER BY period");
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<std::string> out;
  while (s.Step() == SQLITE_ROW) out.push_back(s.Text(0));
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
  if (s.Step() != SQLITE_ROW) return std::optional<FxRate>();
  REBILL_ASSIGN_OR_RETURN(Decimal rate, ParseAmount(s.Text(0), "locked exchange rate"));
  return std::optional<FxRate>(FxRate{from, to, rate, s.Text(1)});
}

Result<std::optional<InvoiceRecord>> Store::FindInvoice(const std::string& number) {
  std::string sql = std::string(kInvoiceColumns) + " WHERE number = ?";
  Statement s(db_, sql.c_str());
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, number);
  if (s.Step() != SQLITE_ROW) return std::optional<InvoiceRecord>();
  REBILL_ASSIGN_OR_RETURN(InvoiceRecord r, ReadInvoice(s));
  return std::optional<InvoiceRecord>(std::move(r));
}

Result<std::vector<InvoiceRecord>> Store::Invoices() {
  std::string sql = std::string(kInvoiceColumns) + " ORDER BY entity, seq";
  Statement s(db_, sql.c_str());
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<InvoiceRecord> out;
  while (s.Step() == SQLITE_ROW) {
    REBILL_ASSIGN_OR_RETURN(InvoiceRecord r, ReadInvoice(s));
    out.push_back(std::move(r));
  }
  return out;
}

namespace {
Result<std::optional<std::string>> SlotStatements(sqlite3* db, const std::string& period,
                                                  const char* slot) {
  Statement s(db, "SELECT content_json FROM statements WHERE period = ? AND status = ?");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, period);
  s.Bind(2, std::string(slot));
  if (s.Step() != SQLITE_ROW) return std::optional<std::string>();
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
  while (s.Step() == SQLITE_ROW) {
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
  while (s.Step() == SQLITE_ROW) {
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
  while (s.Step() == SQLITE_ROW) {
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

}  // namespace rebill::store
