// Data files compiled into the binary (cmake/EmbedFiles.cmake), so that rebill runs without a
// data directory next to it.
#pragma once

#include <cstddef>

namespace rebill::report {

struct EmbeddedFile {
  const char* name;  // the file name without extension, e.g. "zh-CN"
  const char* data;
  size_t size;
};

/// data/locales/*.toml
extern const EmbeddedFile kLocaleFiles[];
extern const size_t kLocaleFilesCount;

}  // namespace rebill::report
