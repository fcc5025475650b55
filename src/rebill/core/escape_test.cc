#include "rebill/core/escape.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace rebill {
namespace {

TEST(FileNamePartTest, AwsAccountIdsStayAsTheyAre) {
  EXPECT_EQ(FileNamePart("000123456789"), "000123456789");
  EXPECT_EQ(FileNamePart("billing-account-7"), "billing-account-7");
  // Where file names ignore case, "Acct" and "acct" must still be two files.
  EXPECT_EQ(FileNamePart("Acct"), "_41cct");
}

TEST(FileNamePartTest, OtherProvidersAccountsBecomeOneComponent) {
  std::string name = FileNamePart("/providers/Microsoft.Billing/billingAccounts/8611537");
  EXPECT_EQ(name, "_2fproviders_2f_4dicrosoft_2e_42illing_2fbilling_41ccounts_2f8611537");
  EXPECT_EQ(FileNamePart(".."), "_2e_2e");
  EXPECT_EQ(FileNamePart(std::string("a\0b", 3)), "a_00b");
  EXPECT_EQ(FileNamePart("\xc3\xa9"), "_c3_a9");
}

TEST(FileNamePartTest, NoTwoIdsShareAName) {
  // The escape character itself is escaped, so an id that looks like an escape differs from
  // the id it would stand for.
  std::set<std::string> names;
  for (const char* id : {"a/b", "a_b", "a_2fb", "a.b", "a_2eb", "a b", "ab", "AB", "aB", ""}) {
    EXPECT_TRUE(names.insert(FileNamePart(id)).second) << id;
  }
}

TEST(FileNamePartTest, LongIdsAreShortenedWithTheirHash) {
  std::string long_id(200, '/');
  std::string other = long_id;
  other.back() = ':';  // differs only past the part that is kept
  std::string name = FileNamePart(long_id);
  EXPECT_EQ(name.size(), kMaxFileNamePart);
  EXPECT_EQ(name[kMaxFileNamePart - 17], '~');
  EXPECT_NE(name, FileNamePart(other));
  std::string fits(kMaxFileNamePart, 'x');
  EXPECT_EQ(FileNamePart(fits), fits);
  EXPECT_EQ(FileNamePart(fits + "x").size(), kMaxFileNamePart);
}

}  // namespace
}  // namespace rebill
