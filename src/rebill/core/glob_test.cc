#include "rebill/core/glob.h"

#include <gtest/gtest.h>

namespace rebill {
namespace {

TEST(GlobMatch, StarsAndLiterals) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("AWS Promotional*", "AWS Promotional Credit"));
  EXPECT_TRUE(GlobMatch("*TimedStorage*", "EUC1-TimedStorage-ByteHrs"));
  EXPECT_TRUE(GlobMatch("*/ou-glbx-*/*", "o-x/r-root/ou-glbx-1111/555555555555/"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXbYbZ"));
  EXPECT_FALSE(GlobMatch("globex-*", "acme-globex-prod"));
  EXPECT_FALSE(GlobMatch("", "x"));
  EXPECT_TRUE(GlobMatch("exact", "exact"));
  EXPECT_FALSE(GlobMatch("exact", "Exact"));  // case matters, as in the CUR
}

}  // namespace
}  // namespace rebill
