#include "rebill/core/ids.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/status_matchers.h"

namespace rebill {
namespace {

TEST(AccountIdTest, KeepsLeadingZeros) {
  ASSERT_OK_AND_ASSIGN(AccountId id, AccountId::Parse("011254002932"));
  EXPECT_EQ(id.str(), "011254002932");
  ASSERT_OK_AND_ASSIGN(AccountId zeros, AccountId::Parse("000000000000"));
  EXPECT_EQ(zeros.str(), "000000000000");
  ASSERT_OK_AND_ASSIGN(AccountId nines, AccountId::Parse("999999999999"));
  EXPECT_EQ(nines.str(), "999999999999");
}

TEST(AccountIdTest, RejectsAnythingButTwelveDigitsNamingTheText) {
  for (const char* text :
       {"11254002932", "0112540029320", "01125400293a", "abcdefghijkl", "-11254002932",
        " 11254002932", "011254002932 ", "0112-5400-2932", "", "1.1254002932e11"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(AccountId::IsValid(text));
    EXPECT_STATUS(AccountId::Parse(text), StatusCode::kInvalidInput,
                  "'" + std::string(text) + "' is not an AWS account id");
  }
}

TEST(AccountIdTest, IsValidAcceptsTheShape) {
  EXPECT_TRUE(AccountId::IsValid("011254002932"));
  EXPECT_TRUE(AccountId::IsValid("123456789012"));
}

TEST(AccountIdTest, ComparesAsText) {
  ASSERT_OK_AND_ASSIGN(AccountId a, AccountId::Parse("011254002932"));
  ASSERT_OK_AND_ASSIGN(AccountId b, AccountId::Parse("111254002932"));
  ASSERT_OK_AND_ASSIGN(AccountId a2, AccountId::Parse("011254002932"));
  EXPECT_EQ(a, a2);
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  EXPECT_EQ(AccountId().str(), "");
}

}  // namespace
}  // namespace rebill
