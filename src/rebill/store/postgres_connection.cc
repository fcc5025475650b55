// The team backend: a PostgreSQL database through libpq. Statements are sent with text
// parameters (the server infers their types from the columns); every write transaction first
// takes one store-wide advisory lock, so writers are serialized exactly as with SQLite's
// BEGIN IMMEDIATE, across processes and machines.
#include <libpq-fe.h>

#include <cstdlib>
#include <map>
#include <optional>

#include "rebill/core/shared_library.h"
#include "rebill/store/connection.h"

namespace rebill::store {
namespace {

// libpq, opened when a PostgreSQL store is first used (core/shared_library.h).
#define REBILL_PQ_FUNCTIONS(X) \
  X(PQclear)                   \
  X(PQconnectdb)               \
  X(PQerrorMessage)            \
  X(PQexec)                    \
  X(PQexecParams)              \
  X(PQfinish)                  \
  X(PQfname)                   \
  X(PQgetisnull)               \
  X(PQgetlength)               \
  X(PQgetvalue)                \
  X(PQnfields)                 \
  X(PQntuples)                 \
  X(PQresultErrorField)        \
  X(PQresultErrorMessage)      \
  X(PQresultStatus)            \
  X(PQsetNoticeProcessor)      \
  X(PQstatus)

REBILL_FUNCTION_TABLE(PqLibrary, REBILL_PQ_FUNCTIONS);

Result<const PqLibrary*> LoadPqLibrary() {
  return LoadFunctionsOnce<PqLibrary>("libpq.so.5", "libpq5", "PostgreSQL stores",
                                      &PqLibrary::FindAll);
}

// Only called once OpenPostgres has loaded the library.
const PqLibrary& Pq() { return **LoadPqLibrary(); }

// Advisory lock keys: the first int of pg_advisory_lock(int, int) names rebill, the second the
// lock. The store-wide writer lock is (kLockSpace, 0); named locks are (kLockSpace + 1, hash).
constexpr int kLockSpace = 0x72626c6c;  // "rbll"
// How long a writer waits for another one before giving up with kConflict.
constexpr const char* kLockTimeout = "5s";

// `?` placeholders become $1, $2, ...; question marks inside quotes are left alone.
std::string NumberPlaceholders(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  char quote = 0;
  int n = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

// Serialization failures, deadlocks and lock timeouts: another writer was in the way.
bool IsBusy(const PGresult* result) {
  const char* state = Pq().PQresultErrorField(result, PG_DIAG_SQLSTATE);
  if (state == nullptr) return false;
  std::string s = state;
  return s == "40001" || s == "40P01" || s == "55P03";
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class PostgresCursor : public Cursor {
 public:
  PostgresCursor(PGconn* conn, std::string* last_error, const std::string& sql)
      : conn_(conn), last_error_(last_error), sql_(NumberPlaceholders(sql)) {}
  ~PostgresCursor() override { Pq().PQclear(result_); }

  Status status() const override { return Status::Ok(); }
  void Bind(int i, const std::string& v) override {
    if (i < 1) return;
    if (params_.size() < static_cast<size_t>(i)) params_.resize(static_cast<size_t>(i));
    params_[static_cast<size_t>(i - 1)] = v;
  }
  void Bind(int i, int64_t v) override { Bind(i, std::to_string(v)); }
  void BindNull(int i) override {
    if (i < 1) return;
    if (params_.size() < static_cast<size_t>(i)) params_.resize(static_cast<size_t>(i));
    params_[static_cast<size_t>(i - 1)].reset();
  }
  int Step() override {
    if (result_ == nullptr) {
      std::vector<const char*> values;
      for (const std::optional<std::string>& p : params_) {
        values.push_back(p ? p->c_str() : nullptr);
      }
      result_ = Pq().PQexecParams(conn_, sql_.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0);
      ExecStatusType st = Pq().PQresultStatus(result_);
      if (st == PGRES_TUPLES_OK) {
        rows_ = Pq().PQntuples(result_);
      } else if (st == PGRES_COMMAND_OK) {
        rows_ = 0;
      } else {
        *last_error_ = Trim(Pq().PQresultErrorMessage(result_));
        failed_ = IsBusy(result_) ? kBusy : kError;
      }
      row_ = -1;
    }
    if (failed_ != 0) return failed_;
    ++row_;
    return row_ < rows_ ? kRow : kDone;
  }
  std::string Text(int col) override {
    if (result_ == nullptr || row_ < 0 || row_ >= rows_ || col >= Pq().PQnfields(result_))
      return "";
    return std::string(Pq().PQgetvalue(result_, row_, col),
                       static_cast<size_t>(Pq().PQgetlength(result_, row_, col)));
  }
  bool IsNull(int col) override {
    if (result_ == nullptr || row_ < 0 || row_ >= rows_ || col >= Pq().PQnfields(result_))
      return true;
    return Pq().PQgetisnull(result_, row_, col) == 1;
  }
  int64_t Int(int col) override {
    std::string t = Text(col);
    if (t == "t") return 1;  // booleans
    if (t == "f") return 0;
    return std::strtoll(t.c_str(), nullptr, 10);
  }
  int ColumnCount() override { return result_ == nullptr ? 0 : Pq().PQnfields(result_); }
  std::string ColumnName(int col) override {
    if (result_ == nullptr) return "";
    const char* name = Pq().PQfname(result_, col);
    return name == nullptr ? std::string() : std::string(name);
  }

 private:
  PGconn* conn_;
  std::string* last_error_;
  std::string sql_;
  std::vector<std::optional<std::string>> params_;  // nullopt: NULL
  PGresult* result_ = nullptr;
  int rows_ = 0;
  int row_ = -1;
  int failed_ = 0;
};

class PostgresConnection : public Connection {
 public:
  PostgresConnection(PGconn* conn, std::string where) : conn_(conn), where_(std::move(where)) {}
  ~PostgresConnection() override { Pq().PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }
  const std::string& where() const override { return where_; }
  std::unique_ptr<Cursor> Prepare(const std::string& sql) override {
    return std::make_unique<PostgresCursor>(conn_, &last_error_, sql);
  }
  Status Exec(const std::string& sql) override {
    PGresult* r = Pq().PQexec(conn_, sql.c_str());
    ExecStatusType st = Pq().PQresultStatus(r);
    Status out = Status::Ok();
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      last_error_ = Trim(Pq().PQresultErrorMessage(r));
      out = IsBusy(r) ? Conflict("the store is locked by another rebill process (" + last_error_ +
                                 "); try again when it finishes")
                      : IoError("store: " + last_error_);
    }
    Pq().PQclear(r);
    return out;
  }
  Status Begin() override {
    REBILL_RETURN_IF_ERROR(Exec("BEGIN"));
    Status locked = Exec("SELECT pg_advisory_xact_lock(" + std::to_string(kLockSpace) + ", 0)");
    if (!locked.ok()) Rollback();
    return locked;
  }
  Status Commit() override {
    Status s = Exec("COMMIT");
    if (!s.ok()) {
      Rollback();
      return IoError("store: commit failed: " + s.message());
    }
    return s;
  }
  void Rollback() override { Pq().PQclear(Pq().PQexec(conn_, "ROLLBACK")); }
  std::string Error() const override { return last_error_; }

  // A session advisory lock: the server drops it when the connection ends, also when the
  // process holding it is killed.
  Status TryLock(const std::string& name) override {
    Statement s(this,
                "SELECT pg_try_advisory_lock(" + std::to_string(kLockSpace + 1) + ", hashtext(?))");
    s.Bind(1, name);
    if (s.Step() != kRow) return IoError("store: " + last_error_);
    if (s.Int(0) != 1) {
      return Conflict(name + " is locked by another rebill command on " + where_);
    }
    return Status::Ok();
  }
  Result<std::vector<std::string>> Tables() override {
    Statement s(this,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name");
    std::vector<std::string> out;
    int rc;
    while ((rc = s.Step()) == kRow) out.push_back(s.Text(0));
    if (rc != kDone) return IoError("store: " + last_error_);
    return out;
  }
  Status SyncIdSequence(const std::string& table) override {
    std::string sequence;
    {
      Statement s(this, "SELECT pg_get_serial_sequence(?, 'id')");
      s.Bind(1, table);
      if (s.Step() != kRow) return IoError("store: " + last_error_);
      sequence = s.Text(0);
    }
    if (sequence.empty()) return Status::Ok();  // ids that are not generated, e.g. account ids
    Statement s(this, "SELECT setval(?::regclass, (SELECT COALESCE(MAX(id), 0) + 1 FROM " + table +
                          "), false)");
    s.Bind(1, sequence);
    if (s.Step() != kRow) return IoError("store: " + last_error_);
    return Status::Ok();
  }
  std::string Dialectize(const std::string& sql) const override {
    std::string out = sql;
    const std::string token = "{id}";
    for (size_t at = out.find(token); at != std::string::npos; at = out.find(token, at)) {
      out.replace(at, token.size(), "BIGSERIAL PRIMARY KEY");
    }
    return out;
  }

 private:
  PGconn* conn_;
  std::string where_;
  std::string last_error_;
};

// The URL without a password, for messages.
std::string Redact(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  size_t slash = url.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& url) {
  std::string where = Redact(url);
  REBILL_RETURN_IF_ERROR(LoadPqLibrary().status());
  PGconn* conn = Pq().PQconnectdb(url.c_str());
  if (conn == nullptr) return IoError(where + ": cannot connect: out of memory");
  if (Pq().PQstatus(conn) != CONNECTION_OK) {
    std::string why = Trim(Pq().PQerrorMessage(conn));
    Pq().PQfinish(conn);
    return IoError(where + ": cannot connect to the PostgreSQL store: " + why);
  }
  Pq().PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  auto c = std::make_unique<PostgresConnection>(conn, where);
  REBILL_RETURN_IF_ERROR(c->Exec(std::string("SET lock_timeout = '") + kLockTimeout +
                                 "'; SET client_encoding = 'UTF8'")
                             .WithContext(where));
  return std::unique_ptr<Connection>(std::move(c));
}

bool IsPostgresUrl(const std::string& uri) {
  return uri.rfind("postgresql://", 0) == 0 || uri.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Connection>> OpenConnection(const std::string& uri) {
  if (IsPostgresUrl(uri)) return OpenPostgres(uri);
  return OpenSqlite(uri);
}

Status StepDone(Connection* db, Statement& s) {
  int rc = s.Step();
  if (rc == kDone || rc == kRow) return Status::Ok();
  if (rc == kBusy) {
    return Conflict("the store is locked by another rebill process; try again when it finishes");
  }
  return IoError("store: " + db->Error());
}

}  // namespace rebill::store
