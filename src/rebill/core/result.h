// Result<T>: a value or the Status explaining why there is none. Keeps the surface of
// std::expected<T, Status> (has_value, value, error, operator*, operator->) so that it can become
// an alias once the project moves to C++23.
//
//   REBILL_ASSIGN_OR_RETURN(Decimal cost, Decimal::Parse(text));
#pragma once

#include <optional>
#include <utility>

#include "rebill/core/check.h"
#include "rebill/core/status.h"

namespace rebill {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    REBILL_CHECK(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  bool has_value() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }

  const Status& status() const { return status_; }
  const Status& error() const { return status_; }

  T& value() & {
    REBILL_CHECK(ok());
    return *value_;
  }
  const T& value() const& {
    REBILL_CHECK(ok());
    return *value_;
  }
  T&& value() && {
    REBILL_CHECK(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace rebill

#define REBILL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

/// Evaluate `expr` (a Result); on error return its Status, else move the value into `lhs`.
#define REBILL_ASSIGN_OR_RETURN(lhs, expr) \
  REBILL_ASSIGN_OR_RETURN_IMPL_(REBILL_CONCAT_(rebill_result_, __LINE__), lhs, expr)
