// A real PostgreSQL server for tests, started on first use by tests/postgres/server.sh (initdb
// into a temporary folder, listening only on a unix socket there) and stopped when the test
// program exits. Each test gets its own database. When the server cannot start, the test fails
// with the reason: the PostgreSQL contract is never skipped.
//
//   ASSERT_OK_AND_ASSIGN(std::string url, rebill::testing::PostgresServer::NewDatabase());
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "rebill/core/result.h"

namespace rebill::testing {

class PostgresServer {
 public:
  /// The URL of a new, empty database on the shared test server.
  static Result<std::string> NewDatabase() {
    PostgresServer& server = Instance();
    if (!server.error_.empty()) return IoError(server.error_);
    std::string name =
        "rebill_test_" + std::to_string(::getpid()) + "_" + std::to_string(++server.databases_);
    PGconn* admin = PQconnectdb(server.url_.c_str());
    if (PQstatus(admin) != CONNECTION_OK) {
      std::string why = PQerrorMessage(admin);
      PQfinish(admin);
      return IoError("cannot connect to the test PostgreSQL server: " + why);
    }
    PGresult* r = PQexec(admin, ("CREATE DATABASE " + name).c_str());
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string why = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(admin);
    if (!ok) return IoError("cannot create a test database: " + why);
    return server.UrlOf(name);
  }

  /// The server's maintenance database URL ("postgres").
  static Result<std::string> AdminUrl() {
    PostgresServer& server = Instance();
    if (!server.error_.empty()) return IoError(server.error_);
    return server.url_;
  }

  ~PostgresServer() {
    if (dir_.empty()) return;
    std::string command = "bash '" + Script() + "' stop '" + dir_ + "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) {
      std::fprintf(stderr, "could not stop the test PostgreSQL server in %s\n", dir_.c_str());
    }
  }

 private:
  PostgresServer() {
    char tmpl[] = "/tmp/rebill-pg-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    if (made == nullptr) {
      error_ = "cannot create a folder for the test PostgreSQL server";
      return;
    }
    // server.sh creates the folder itself, owned by the server's user.
    std::string dir = made;
    ::rmdir(dir.c_str());
    std::string command = "bash '" + Script() + "' start '" + dir + "' 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
      error_ = "cannot run " + Script();
      return;
    }
    std::string output;
    std::array<char, 512> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
    int rc = ::pclose(pipe);
    dir_ = dir;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    if (rc != 0 || output.rfind("postgresql://", 0) != 0) {
      error_ = "the test PostgreSQL server did not start (" + Script() + "):\n" + output;
      return;
    }
    url_ = output;
  }

  static PostgresServer& Instance() {
    static PostgresServer server;
    return server;
  }

  static std::string Script() {
    const char* source = std::getenv("REBILL_SOURCE_DIR");
    std::string root = source != nullptr ? source : REBILL_SOURCE_ROOT;
    return root + "/tests/postgres/server.sh";
  }

  std::string UrlOf(const std::string& database) const {
    // url_ is postgresql://rebill@/postgres?host=DIR
    size_t slash = url_.find("/postgres?");
    return url_.substr(0, slash) + "/" + database + url_.substr(slash + 9);
  }

  std::string dir_;
  std::string url_;
  std::string error_;
  int databases_ = 0;
};

}  // namespace rebill::testing
