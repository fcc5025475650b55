// Status: the outcome of an operation that can fail for expected reasons (bad input, a missing
// file, a locked store). Modelled on Arrow's and Abseil's Status: a code, a message, and a chain
// of context added as the error travels up ("while ingesting cur.csv: row 17: ...").
//
//   REBILL_RETURN_IF_ERROR(store.Open(path));
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace rebill {

enum class StatusCode {
  kOk = 0,
  kInvalidInput,  // bad data or configuration: the user must fix an input
  kNotFound,      // a file, period or customer that is not there
  kAlreadyExists,
  kFailedPrecondition,  // the state does not allow it (period closed, nothing ingested)
  kConflict,            // another process holds the lock
  kIo,
  kUnavailable,
  kInternal,  // a bug in rebill
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  /// Prefix the message with where the error happened; a no-op on OK.
  Status WithContext(std::string_view context) const&;
  Status WithContext(std::string_view context) &&;

  /// "invalid input: <message>"
  std::string ToString() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidInput(std::string message);
Status NotFound(std::string message);
Status AlreadyExists(std::string message);
Status FailedPrecondition(std::string message);
Status Conflict(std::string message);
Status IoError(std::string message);
Status Internal(std::string message);

}  // namespace rebill

#define REBILL_CONCAT_INNER_(a, b) a##b
#define REBILL_CONCAT_(a, b) REBILL_CONCAT_INNER_(a, b)

/// Return the Status of `expr` from the enclosing function if it is not OK.
#define REBILL_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::rebill::Status rebill_status_ = (expr);        \
    if (!rebill_status_.ok()) return rebill_status_; \
  } while (false)
