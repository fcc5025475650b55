#include "rebill/core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rebill/core/result.h"
#include "testing/status_matchers.h"

namespace rebill {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_EQ(s, Status::Ok());
}

TEST(StatusTest, FactoriesSetCodeAndMessage) {
  struct Case {
    Status status;
    StatusCode code;
    const char* text;
  };
  const Case cases[] = {
      {InvalidInput("m"), StatusCode::kInvalidInput, "invalid input: m"},
      {NotFound("m"), StatusCode::kNotFound, "not found: m"},
      {AlreadyExists("m"), StatusCode::kAlreadyExists, "already exists: m"},
      {FailedPrecondition("m"), StatusCode::kFailedPrecondition, "failed precondition: m"},
      {Conflict("m"), StatusCode::kConflict, "conflict: m"},
      {IoError("m"), StatusCode::kIo, "i/o error: m"},
      {Internal("m"), StatusCode::kInternal, "internal error: m"},
      {Status(StatusCode::kUnavailable, "m"), StatusCode::kUnavailable, "unavailable: m"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_FALSE(c.status.ok());
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(c.status.message(), "m");
    EXPECT_EQ(c.status.ToString(), c.text);
  }
}

TEST(StatusTest, EveryCodeHasADistinctName) {
  const StatusCode codes[] = {
      StatusCode::kOk,
      StatusCode::kInvalidInput,
      StatusCode::kNotFound,
      StatusCode::kAlreadyExists,
      StatusCode::kFailedPrecondition,
      StatusCode::kConflict,
      StatusCode::kIo,
      StatusCode::kUnavailable,
      StatusCode::kInternal,
  };
  std::vector<std::string_view> names;
  for (StatusCode code : codes) {
    std::string_view name = StatusCodeName(code);
    EXPECT_FALSE(name.empty());
    EXPECT_NE(name, "unknown");
    for (std::string_view seen : names) EXPECT_NE(name, seen);
    names.push_back(name);
  }
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "ok");
  EXPECT_EQ(StatusCodeName(StatusCode::kInvalidInput), "invalid input");
}

TEST(StatusTest, WithContextChainsOutermostFirst) {
  Status inner = InvalidInput("'abc' is not a decimal number");
  Status outer = inner.WithContext("row 17").WithContext("while ingesting cur.csv");
  EXPECT_EQ(outer.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(outer.message(), "while ingesting cur.csv: row 17: 'abc' is not a decimal number");
  EXPECT_EQ(outer.ToString(),
            "invalid input: while ingesting cur.csv: row 17: 'abc' is not a decimal number");
  // The const& overload leaves the original alone.
  EXPECT_EQ(inner.message(), "'abc' is not a decimal number");
}

TEST(StatusTest, WithContextOnOkIsANoOp) {
  Status ok;
  EXPECT_TRUE(ok.WithContext("while ingesting cur.csv").ok());
  EXPECT_EQ(ok.WithContext("x").message(), "");
  EXPECT_EQ(Status::Ok().WithContext("x"), Status::Ok());
}

TEST(StatusTest, EqualityComparesCodeAndMessage) {
  EXPECT_EQ(NotFound("a"), NotFound("a"));
  EXPECT_NE(NotFound("a"), NotFound("b"));
  EXPECT_NE(NotFound("a"), InvalidInput("a"));
  EXPECT_NE(NotFound("a"), Status::Ok());
}

// ---------------------------------------------------------------------------------------------
// The macros, in small functions.

int g_calls = 0;

Status Step(bool fail) {
  ++g_calls;
  return fail ? NotFound("step failed") : Status::Ok();
}

Status TwoSteps(bool fail_first, bool fail_second, int* reached_end) {
  REBILL_RETURN_IF_ERROR(Step(fail_first));
  REBILL_RETURN_IF_ERROR(Step(fail_second).WithContext("second"));
  ++*reached_end;
  return Status::Ok();
}

TEST(StatusMacroTest, ReturnIfErrorStopsAtTheFirstError) {
  int reached_end = 0;
  g_calls = 0;
  EXPECT_OK(TwoSteps(false, false, &reached_end));
  EXPECT_EQ(reached_end, 1);
  EXPECT_EQ(g_calls, 2);

  g_calls = 0;
  Status first = TwoSteps(true, false, &reached_end);
  EXPECT_EQ(first, NotFound("step failed"));
  EXPECT_EQ(g_calls, 1);  // the second step never ran
  EXPECT_EQ(reached_end, 1);

  g_calls = 0;
  Status second = TwoSteps(false, true, &reached_end);
  EXPECT_EQ(second, NotFound("second: step failed"));
  EXPECT_EQ(g_calls, 2);
  EXPECT_EQ(reached_end, 1);
}

Result<int> Half(int value) {
  if (value % 2 != 0) return InvalidInput(std::to_string(value) + " is odd");
  return value / 2;
}

Result<int> Quarter(int value) {
  REBILL_ASSIGN_OR_RETURN(int half, Half(value));
  REBILL_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status QuarterInto(int value, int* out) {
  REBILL_ASSIGN_OR_RETURN(*out, Quarter(value));
  return Status::Ok();
}

TEST(StatusMacroTest, AssignOrReturnPropagatesTheFirstError) {
  ASSERT_OK_AND_ASSIGN(int q, Quarter(12));
  EXPECT_EQ(q, 3);
  EXPECT_STATUS(Quarter(7), StatusCode::kInvalidInput, "7 is odd");
  EXPECT_STATUS(Quarter(6), StatusCode::kInvalidInput, "3 is odd");

  int out = -1;
  EXPECT_OK(QuarterInto(8, &out));
  EXPECT_EQ(out, 2);
  out = -1;
  EXPECT_STATUS(QuarterInto(10, &out), StatusCode::kInvalidInput, "5 is odd");
  EXPECT_EQ(out, -1);  // untouched on error
}

Result<std::unique_ptr<int>> MakeBox(int value) {
  if (value < 0) return InvalidInput("negative box");
  return std::make_unique<int>(value);
}

Result<int> UnboxPlusOne(int value) {
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(value));
  return *box + 1;
}

TEST(ResultTest, HoldsAMoveOnlyValue) {
  Result<std::unique_ptr<int>> r = MakeBox(41);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_TRUE(r.status().ok());
  ASSERT_NE(*r, nullptr);
  EXPECT_EQ(**r, 41);
  EXPECT_EQ(*r.value(), 41);
  EXPECT_EQ(*r->get(), 41);

  std::unique_ptr<int> taken = std::move(r).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 41);

  ASSERT_OK_AND_ASSIGN(int next, UnboxPlusOne(41));
  EXPECT_EQ(next, 42);
  EXPECT_STATUS(UnboxPlusOne(-1), StatusCode::kInvalidInput, "negative box");
}

TEST(ResultTest, HoldsAnError) {
  Result<std::string> r = NotFound("no period 2023-11");
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.has_value());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.status(), NotFound("no period 2023-11"));
  EXPECT_EQ(r.error(), r.status());
}

TEST(ResultTest, ValueAccessAndMutation) {
  Result<std::string> r(std::string("abc"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 3u);
  r->append("d");
  EXPECT_EQ(*r, "abcd");
  r.value() += "e";
  const Result<std::string>& cr = r;
  EXPECT_EQ(cr.value(), "abcde");
  EXPECT_EQ(*cr, "abcde");
  EXPECT_EQ(cr->front(), 'a');
  std::string moved = *std::move(r);
  EXPECT_EQ(moved, "abcde");
}

TEST(ResultDeathTest, AnOkStatusIsNotAnError) {
  EXPECT_DEATH({ Result<int> r(Status::Ok()); }, "internal check failed");
}

TEST(ResultDeathTest, ValueOfAnErrorAborts) {
  EXPECT_DEATH(
      {
        Result<int> r = InvalidInput("bad");
        (void)r.value();
      },
      "internal check failed");
  EXPECT_DEATH(
      {
        Result<int> r = InvalidInput("bad");
        (void)*r;
      },
      "internal check failed");
}

}  // namespace
}  // namespace rebill
