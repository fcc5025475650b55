#include "rebill/core/check.h"

#include <cstdio>
#include <cstdlib>

namespace rebill::internal {

void CheckFailed(const char* expr, const char* file, int line, const char* message) {
  std::fprintf(stderr, "rebill: internal check failed at %s:%d: %s %s\n", file, line, expr,
               message);
  std::abort();
}

}  // namespace rebill::internal
