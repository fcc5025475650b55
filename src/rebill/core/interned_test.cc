#include "rebill/core/interned.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace rebill {
namespace {

TEST(InternedTest, EqualTextsAreOneObject) {
  std::string built = std::string("Amazon") + "EC2";
  Interned a = "AmazonEC2";
  Interned b = built;
  EXPECT_EQ(a.identity(), b.identity());
  EXPECT_EQ(a, b);
  EXPECT_NE(Interned("AmazonS3"), a);
  EXPECT_EQ(a, "AmazonEC2");
  EXPECT_EQ(a, std::string_view("AmazonEC2"));
  EXPECT_EQ(a.str(), built);
  EXPECT_EQ(a.size(), 9u);
}

TEST(InternedTest, EmptyNeedsNoLookUpAndEqualsAnyEmptyText) {
  Interned none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none, Interned(""));
  EXPECT_EQ(none, Interned(std::string()));
  EXPECT_EQ(none.identity(), Interned("").identity());
  EXPECT_EQ(none.str(), "");
}

TEST(InternedTest, OrdersByTextNotByAddress) {
  std::vector<std::string> words = {"zeta", "alpha", "mu", "alphabet", "", "beta"};
  std::set<Interned> sorted(words.begin(), words.end());
  std::vector<std::string> got(sorted.begin(), sorted.end());
  std::vector<std::string> want = words;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_LT(Interned("a"), Interned("b"));
  EXPECT_GT(Interned("b"), Interned("a"));
}

TEST(InternedTest, AssignmentKeepsOrReplacesTheText) {
  Interned field = "USE1-BoxUsage:m5.large";
  uint32_t before = field.identity();
  field = std::string_view("USE1-BoxUsage:m5.large");
  EXPECT_EQ(field.identity(), before);
  field = "USE1-BoxUsage:m5.xlarge";
  EXPECT_EQ(field, "USE1-BoxUsage:m5.xlarge");
  EXPECT_NE(field.identity(), before);
  field = "";
  EXPECT_TRUE(field.empty());
}

// Threads interning the same texts at once get the same objects.
TEST(InternedTest, ThreadsAgreeOnIdentity) {
  constexpr int kTexts = 2000;
  std::vector<std::vector<uint32_t>> seen(4, std::vector<uint32_t>(kTexts));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &seen] {
      for (int i = 0; i < kTexts; ++i) {
        int k = t % 2 == 0 ? i : kTexts - 1 - i;
        seen[t][k] = Interned("interned-text-" + std::to_string(k)).identity();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 1; t < 4; ++t) EXPECT_EQ(seen[t], seen[0]);
  std::set<uint32_t> distinct(seen[0].begin(), seen[0].end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kTexts));
}

// Texts are numbered in chunks of 65,536: numbers past the first chunk read back their texts.
TEST(InternedTest, ManyTextsReadBackAcrossChunks) {
  constexpr int kTexts = 150000;
  std::vector<Interned> texts;
  texts.reserve(kTexts);
  for (int i = 0; i < kTexts; ++i) texts.emplace_back("many-" + std::to_string(i));
  for (int i = 0; i < kTexts; i += 997) {
    EXPECT_EQ(texts[i].str(), "many-" + std::to_string(i));
    EXPECT_EQ(texts[i], Interned("many-" + std::to_string(i)));
  }
  EXPECT_EQ(texts.back().str(), "many-" + std::to_string(kTexts - 1));
  EXPECT_NE(texts.front(), texts.back());
}

TEST(InternedTest, ConcatenatesLikeAString) {
  Interned account = "011111111111";
  EXPECT_EQ("account " + account + " of " + std::string("c01"), "account 011111111111 of c01");
}

}  // namespace
}  // namespace rebill
