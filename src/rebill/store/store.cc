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
    R"sql(
    ALTER TABLE months ADD COLUMN delivery_json TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE months ADD COLUMN summary_json TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE ingests (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      summary_json TEXT NOT NULL
    );
    CREATE TABLE rejects (
      ingest_id INTEGER NOT NULL REFERENCES ingests(id),
      seq INTEGER NOT NULL,
      file TEXT NOT NULL,
      file_row INTEGER NOT NULL,
      column_name TEXT NOT NULL,
      kind TEXT NOT NULL,
      reason TEXT NOT NULL,
      raw_text TEXT NOT NULL,
      PRIMARY KEY (ingest_id, seq)
    );
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
  m.delivery_json = s.Text(7);
  m.summary_json = s.Text(8);
  return m;
}

constexpr const char* kMonthColumns =
    "SELECT period, payer, month_file, month_sha256, sources_json, rows, ingested_at, "
    "delivery_json, summary_json FROM months";

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
  Statement s(db, "INSERT INTO audit_log (at, actor, action, period, detail) VALUES (?,?,?,?,?)");
  REBILL_RETURN_IF_ERROR(s.status());
  s.Bind(1, a.at);
  s.Bind(2, a.actor);
  s.Bind(3, a.action);
  s.Bind(4, a.period);
  s.Bind(5, a.detail);
  return StepDone(db, s);
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
                                                      const AuditEntry& audit,
                                                      const IngestRecord& ingest) {
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
  {
    Statement s(db_, "INSERT INTO ingests (at, actor, summary_json) VALUES (?,?,?)");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, ingest.at);
    s.Bind(2, ingest.actor);
    s.Bind(3, ingest.summary_json);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
  int64_t ingest_id = sqlite3_last_insert_rowid(db_);
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
  std::vector<std::string> replaced;
  for (const MonthRecord& m : months) {
    REBILL_ASSIGN_OR_RETURN(std::optional<MonthRecord> old, FindMonth(m.period, m.payer));
    if (old && old->month_file != m.month_file) replaced.push_back(old->month_file);
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
  REBILL_RETURN_IF_ERROR(tx.Commit());
  return replaced;
}

Result<std::vector<Reject>> Store::RejectsOfLatestIngest() {
  Statement s(db_,
              "SELECT file, file_row, column_name, kind, reason, raw_text FROM rejects "
              "WHERE ingest_id = (SELECT MAX(id) FROM ingests) ORDER BY seq");
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<Reject> out;
  while (s.Step() == SQLITE_ROW) {
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
  Transaction tx(db_);
  REBILL_RETURN_IF_ERROR(tx.Begin());
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
  {
    Statement s(db_,
                "INSERT OR REPLACE INTO statements (period, status, run_id, content_json) "
                "VALUES (?, 'draft', ?, ?)");
    REBILL_RETURN_IF_ERROR(s.status());
    s.Bind(1, run.period);
    s.Bind(2, id);
    s.Bind(3, run.statements_json);
    REBILL_RETURN_IF_ERROR(StepDone(db_, s));
  }
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
  REBILL_RETURN_IF_ERROR(tx.Commit());
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
  Statement s(db_, "SELECT at, actor, action, period, detail FROM audit_log ORDER BY id");
  REBILL_RETURN_IF_ERROR(s.status());
  std::vector<AuditEntry> out;
  while (s.Step() == SQLITE_ROW) {
    out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
  }
  return out;
}

}  // namespace rebill::store
