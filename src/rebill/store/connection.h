// Connection: the store's way into its database, SQLite or PostgreSQL, behind one small
// interface so that every query is written once. SQL uses `?` placeholders (the PostgreSQL
// connection numbers them $1, $2, ...) and portable statements (INSERT ... ON CONFLICT DO
// UPDATE, RETURNING); all values travel as text or 64-bit integers.
//
//   Statement s(db, "SELECT rate FROM fx_rates WHERE period = ?");
//   REBILL_RETURN_IF_ERROR(s.status());
//   s.Bind(1, period);
//   while (s.Step() == kRow) rates.push_back(s.Text(0));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rebill/core/result.h"

namespace rebill::store {

enum class Dialect { kSqlite, kPostgres };

/// What Step() returns. The values are SQLite's own result codes, so code written against the
/// SQLite API (`s.Step() == SQLITE_ROW`) keeps working.
enum StepResult : int { kError = 1, kBusy = 5, kRow = 100, kDone = 101 };

/// One prepared statement of a backend.
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual Status status() const = 0;
  virtual void Bind(int i, const std::string& v) = 0;
  virtual void Bind(int i, int64_t v) = 0;
  virtual void BindNull(int i) = 0;
  virtual int Step() = 0;
  virtual std::string Text(int col) = 0;
  virtual int64_t Int(int col) = 0;
  virtual bool IsNull(int col) = 0;
  /// The result's columns; known after the first Step().
  virtual int ColumnCount() = 0;
  virtual std::string ColumnName(int col) = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  /// Where the store is, for messages: a file path or a URL without its password.
  virtual const std::string& where() const = 0;
  virtual std::unique_ptr<Cursor> Prepare(const std::string& sql) = 0;
  /// Run one or more statements without parameters.
  virtual Status Exec(const std::string& sql) = 0;
  /// Start a write transaction. Writers are serialized: a second one waits for the first (up
  /// to a timeout, then kConflict), so a transaction always sees the latest committed state.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
  /// The latest error message of this connection.
  virtual std::string Error() const = 0;
  /// Hold an exclusive lock named `name` until the connection closes (or the process dies);
  /// kConflict at once if another connection holds it.
  virtual Status TryLock(const std::string& name) = 0;
  /// The tables of the store, sorted by name (internal tables of the database left out).
  virtual Result<std::vector<std::string>> Tables() = 0;
  /// After rows were inserted into `table` with explicit ids, make new ids follow them.
  virtual Status SyncIdSequence(const std::string& table) = 0;
  /// `sql` with dialect tokens replaced: {id} becomes an auto-increment primary key.
  virtual std::string Dialectize(const std::string& sql) const = 0;
};

/// Open the SQLite database file at `path`, creating it if needed.
Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path);
/// Connect to the PostgreSQL database at `url` (postgresql://user@host/db?...); libpq reads a
/// password from PGPASSWORD or ~/.pgpass if the URL has none.
Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& url);
/// PostgreSQL for postgresql:// and postgres:// URLs, otherwise a SQLite file path.
Result<std::unique_ptr<Connection>> OpenConnection(const std::string& uri);
bool IsPostgresUrl(const std::string& uri);

/// A prepared statement: prepare with `?` placeholders, Bind(i, text|int64) from 1, Step()
/// until kDone, read columns from 0 while Step() returns kRow.
class Statement {
 public:
  Statement(Connection* db, const std::string& sql) : cursor_(db->Prepare(sql)) {}
  Status status() const { return cursor_->status(); }
  void Bind(int i, const std::string& v) { cursor_->Bind(i, v); }
  void Bind(int i, const char* v) { cursor_->Bind(i, std::string(v)); }
  void Bind(int i, int64_t v) { cursor_->Bind(i, v); }
  void BindNull(int i) { cursor_->BindNull(i); }
  int Step() { return cursor_->Step(); }
  std::string Text(int col) { return cursor_->Text(col); }
  int64_t Int(int col) { return cursor_->Int(col); }
  bool IsNull(int col) { return cursor_->IsNull(col); }
  int ColumnCount() { return cursor_->ColumnCount(); }
  std::string ColumnName(int col) { return cursor_->ColumnName(col); }

 private:
  std::unique_ptr<Cursor> cursor_;
};

/// Step a statement that returns no rows; kConflict when the store is busy.
Status StepDone(Connection* db, Statement& s);

/// A write transaction that rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Connection* db) : db_(db) {}
  ~Transaction() {
    if (open_) db_->Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status Begin() {
    REBILL_RETURN_IF_ERROR(db_->Begin());
    open_ = true;
    return Status::Ok();
  }
  Status Commit() {
    open_ = false;
    return db_->Commit();
  }

 private:
  Connection* db_;
  bool open_ = false;
};

}  // namespace rebill::store
