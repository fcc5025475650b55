// Libraries that only some commands need (cairo and pango for PDF statements, libpq for the
// PostgreSQL store), opened when first needed instead of when rebill starts. Loading them and
// all they pull in (GLib, fontconfig, X11, Kerberos, LDAP, GnuTLS, ...) took about 9 ms of the
// start of every command, most of which never draws a PDF or talks to PostgreSQL.
//
//   REBILL_ASSIGN_OR_RETURN(SharedLibrary pq, SharedLibrary::Open("libpq.so.5", "libpq5",
//                                                                 "PostgreSQL stores"));
//   decltype(&PQconnectdb) connect = nullptr;
//   REBILL_RETURN_IF_ERROR(pq.Find("PQconnectdb", &connect));
#pragma once

#include <cstring>
#include <string>

#include "rebill/core/result.h"

namespace rebill {

class SharedLibrary {
 public:
  /// Open the library whose file name (its SONAME) is `soname`, with its dependencies. The
  /// library stays loaded for the rest of the process. Fails with kUnavailable naming the
  /// Debian `package` that provides it and what it is `needed_for`, a plural ("PDF statements"):
  /// "PDF statements need libpangocairo-1.0.so.0, which cannot be loaded (...); install ...".
  static Result<SharedLibrary> Open(const std::string& soname, const std::string& package,
                                    const std::string& needed_for);

  /// Set *function to the library's function `name` (looked up in it and its dependencies).
  template <typename Function>
  Status Find(const char* name, Function* function) const {
    void* address = nullptr;
    REBILL_RETURN_IF_ERROR(FindAddress(name, &address));
    // POSIX guarantees that an object pointer from dlsym converts to a function pointer.
    static_assert(sizeof(Function) == sizeof(void*));
    std::memcpy(function, &address, sizeof address);
    return Status::Ok();
  }

 private:
  SharedLibrary(void* handle, std::string soname, std::string package)
      : handle_(handle), soname_(std::move(soname)), package_(std::move(package)) {}
  Status FindAddress(const char* name, void** address) const;

  void* handle_;
  std::string soname_;
  std::string package_;
};

/// Declares the struct `Table`: a pointer to each function `list` names (an X-macro: list(X)
/// gives X(name) for each, names of functions declared by the library's headers), and
/// `static Status FindAll(const SharedLibrary&, Table*)`, which looks them all up.
// clang-format off
#define REBILL_FUNCTION_TABLE(Table, list)                                \
  struct Table {                                                          \
    list(REBILL_FUNCTION_TABLE_MEMBER)                                    \
    static Status FindAll(const SharedLibrary& library, Table* table) {   \
      list(REBILL_FUNCTION_TABLE_FIND)                                    \
      return Status::Ok();                                                \
    }                                                                     \
  }
// clang-format on
#define REBILL_FUNCTION_TABLE_MEMBER(name) decltype(&::name) name = nullptr;
#define REBILL_FUNCTION_TABLE_FIND(name) REBILL_RETURN_IF_ERROR(library.Find(#name, &table->name));

/// The table of functions `Functions` from the library `soname`, filled by `find_all` the first
/// time it is asked for and kept for the rest of the process; every later call returns the same
/// table, or the same error.
template <typename Functions>
Result<const Functions*> LoadFunctionsOnce(const std::string& soname, const std::string& package,
                                           const std::string& needed_for,
                                           Status (*find_all)(const SharedLibrary&, Functions*)) {
  static const Result<const Functions*> loaded = [&]() -> Result<const Functions*> {
    static Functions functions;
    REBILL_ASSIGN_OR_RETURN(SharedLibrary library,
                            SharedLibrary::Open(soname, package, needed_for));
    REBILL_RETURN_IF_ERROR(find_all(library, &functions));
    return &functions;
  }();
  return loaded;
}

}  // namespace rebill
