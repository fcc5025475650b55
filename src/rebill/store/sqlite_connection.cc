// The embedded backend: one SQLite file in the workspace, in WAL mode with full sync, so a
// killed process leaves the last committed transaction and nothing of the one in flight.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "rebill/store/connection.h"

namespace rebill::store {
namespace {

// How long a writer waits for another one before giving up with kConflict.
constexpr int kBusyTimeoutMs = 5000;

class SqliteCursor : public Cursor {
 public:
  SqliteCursor(sqlite3* db, const std::string& sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr);
    if (rc_ != SQLITE_OK) error_ = sqlite3_errmsg(db);
  }
  ~SqliteCursor() override { sqlite3_finalize(stmt_); }

  Status status() const override {
    if (rc_ == SQLITE_OK) return Status::Ok();
    return Internal("store: cannot prepare statement: " + error_);
  }
  void Bind(int i, const std::string& v) override {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) override { sqlite3_bind_int64(stmt_, i, v); }
  void BindNull(int i) override { sqlite3_bind_null(stmt_, i); }
  int Step() override {
    if (stmt_ == nullptr) return kError;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return kRow;
    if (rc == SQLITE_DONE) return kDone;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return kBusy;
    return kError;
  }
  std::string Text(int col) override {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    if (t == nullptr) return std::string();
    return std::string(reinterpret_cast<const char*>(t),
                       static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  int64_t Int(int col) override { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int ColumnCount() override { return sqlite3_column_count(stmt_); }
  std::string ColumnName(int col) override {
    const char* name = sqlite3_column_name(stmt_, col);
    return name == nullptr ? std::string() : std::string(name);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
  std::string error_;
};

class SqliteConnection : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    for (const auto& [name, fd] : locks_) ::close(fd);
    sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  const std::string& where() const override { return path_; }
  std::unique_ptr<Cursor> Prepare(const std::string& sql) override {
    return std::make_unique<SqliteCursor>(db_, sql);
  }
  Status Exec(const std::string& sql) override {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string why = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      return Conflict("the store is locked by another rebill process; try again when it finishes");
    }
    return IoError("store: " + why);
  }
  Status Begin() override {
    // IMMEDIATE takes the write lock now, so two writers never interleave.
    return Exec("BEGIN IMMEDIATE");
  }
  Status Commit() override {
    Status s = Exec("COMMIT");
    if (!s.ok()) {
      Rollback();
      return IoError("store: commit failed: " + s.message());
    }
    return s;
  }
  void Rollback() override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }
  std::string Error() const override { return sqlite3_errmsg(db_); }

  // A lock file next to the database per name: the kernel drops it when the process dies.
  Status TryLock(const std::string& name) override {
    if (locks_.count(name) != 0) return Status::Ok();
    std::string dir = path_ + ".locks";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return IoError(dir + ": cannot create the lock folder: " + ec.message());
    std::string file = dir + "/" + name;
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return IoError(file + ": cannot open: " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Conflict(name + " is locked by another rebill command on " + path_);
    }
    locks_[name] = fd;
    return Status::Ok();
  }
  Result<std::vector<std::string>> Tables() override {
    Statement s(this,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name");
    REBILL_RETURN_IF_ERROR(s.status());
    std::vector<std::string> out;
    while (s.Step() == kRow) out.push_back(s.Text(0));
    return out;
  }
  // AUTOINCREMENT already continues after the largest id inserted.
  Status SyncIdSequence(const std::string&) override { return Status::Ok(); }
  std::string Dialectize(const std::string& sql) const override {
    std::string out = sql;
    const std::string token = "{id}";
    for (size_t at = out.find(token); at != std::string::npos; at = out.find(token, at)) {
      out.replace(at, token.size(), "INTEGER PRIMARY KEY AUTOINCREMENT");
    }
    return out;
  }

 private:
  sqlite3* db_;
  std::string path_;
  std::map<std::string, int> locks_;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return IoError(path + ": cannot open the store: " + why);
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto conn = std::make_unique<SqliteConnection>(db, path);
  REBILL_RETURN_IF_ERROR(
      conn->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
          .WithContext(path));
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace rebill::store
