// GoogleTest helpers for Status and Result.
#pragma once

#include <gtest/gtest.h>

#include "rebill/core/result.h"
#include "rebill/core/status.h"

#define ASSERT_OK(expr)                                  \
  do {                                                   \
    const ::rebill::Status& rebill_s_ = (expr);          \
    ASSERT_TRUE(rebill_s_.ok()) << rebill_s_.ToString(); \
  } while (false)

#define EXPECT_OK(expr)                                  \
  do {                                                   \
    const ::rebill::Status& rebill_s_ = (expr);          \
    EXPECT_TRUE(rebill_s_.ok()) << rebill_s_.ToString(); \
  } while (false)

#define REBILL_TEST_ASSIGN_IMPL_(tmp, lhs, expr)    \
  auto tmp = (expr);                                \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

/// ASSERT that `expr` (a Result) holds a value and move it into `lhs`.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  REBILL_TEST_ASSIGN_IMPL_(REBILL_CONCAT_(rebill_test_result_, __LINE__), lhs, expr)

/// EXPECT that a Status (or Result's status) has `code` and a message containing `substr`.
#define EXPECT_STATUS(expr, expected_code, substr)                                          \
  do {                                                                                      \
    const ::rebill::Status rebill_s_ = ::rebill::testing::StatusOf(expr);                   \
    EXPECT_EQ(rebill_s_.code(), expected_code) << rebill_s_.ToString();                     \
    EXPECT_NE(rebill_s_.message().find(substr), std::string::npos) << rebill_s_.ToString(); \
  } while (false)

namespace rebill::testing {

inline Status StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

/// Decimal from text, failing the test on bad text.
#define D(text) (::rebill::Decimal::Parse(text).value())

}  // namespace rebill::testing
