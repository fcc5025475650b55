// gzip files written by tests, for the readers that inflate them.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>

namespace rebill::testing {

/// Write `bytes` to `path` as one gzip member.
inline void WriteGzipTo(const std::string& path, std::string_view bytes) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr) << path;
  EXPECT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  EXPECT_EQ(gzclose(gz), Z_OK);
}

}  // namespace rebill::testing
