#include "rebill/core/shared_library.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>

#include "testing/status_matchers.h"

namespace rebill {
namespace {

// zlib stands in for the libraries opened at run time: it is installed wherever rebill builds.
TEST(SharedLibraryTest, FindsAFunctionThatWorks) {
  ASSERT_OK_AND_ASSIGN(SharedLibrary z, SharedLibrary::Open("libz.so.1", "zlib1g", "tests"));
  decltype(&zlibVersion) version = nullptr;
  ASSERT_OK(z.Find("zlibVersion", &version));
  ASSERT_NE(version, nullptr);
  EXPECT_STREQ(version(), zlibVersion());
}

TEST(SharedLibraryTest, AMissingLibraryNamesThePackageToInstall) {
  EXPECT_STATUS(
      SharedLibrary::Open("librebill-no-such.so.9", "librebill-no-such9", "PDF statements"),
      StatusCode::kUnavailable,
      "PDF statements need librebill-no-such.so.9, which cannot be loaded");
  EXPECT_STATUS(
      SharedLibrary::Open("librebill-no-such.so.9", "librebill-no-such9", "PDF statements"),
      StatusCode::kUnavailable, "install the Debian package librebill-no-such9");
}

TEST(SharedLibraryTest, AMissingFunctionIsAnErrorNotANullPointer) {
  ASSERT_OK_AND_ASSIGN(SharedLibrary z, SharedLibrary::Open("libz.so.1", "zlib1g", "tests"));
  void (*missing)() = nullptr;
  EXPECT_STATUS(z.Find("rebill_no_such_function", &missing), StatusCode::kUnavailable,
                "libz.so.1 has no function rebill_no_such_function");
}

#define ZLIB_FUNCTIONS(X) X(zlibVersion)
REBILL_FUNCTION_TABLE(ZlibFunctions, ZLIB_FUNCTIONS);

TEST(SharedLibraryTest, AFunctionTableIsLoadedOnce) {
  ASSERT_OK_AND_ASSIGN(
      const ZlibFunctions* first,
      LoadFunctionsOnce<ZlibFunctions>("libz.so.1", "zlib1g", "tests", &ZlibFunctions::FindAll));
  ASSERT_OK_AND_ASSIGN(
      const ZlibFunctions* again,
      LoadFunctionsOnce<ZlibFunctions>("libz.so.1", "zlib1g", "tests", &ZlibFunctions::FindAll));
  EXPECT_EQ(first, again);
  EXPECT_STREQ(first->zlibVersion(), zlibVersion());
}

}  // namespace
}  // namespace rebill
