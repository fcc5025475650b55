// Invariant checks. REBILL_CHECK stays on in release builds: a broken money invariant must stop
// the program, never be logged and ignored. REBILL_DCHECK is for debug-only sanity checks.
#pragma once

namespace rebill::internal {
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line, const char* message);
}  // namespace rebill::internal

#define REBILL_CHECK(cond)                                                       \
  do {                                                                           \
    if (!(cond)) ::rebill::internal::CheckFailed(#cond, __FILE__, __LINE__, ""); \
  } while (false)

#define REBILL_CHECK_MSG(cond, msg)                                               \
  do {                                                                            \
    if (!(cond)) ::rebill::internal::CheckFailed(#cond, __FILE__, __LINE__, msg); \
  } while (false)

#ifdef NDEBUG
#define REBILL_DCHECK(cond) \
  do {                      \
  } while (false)
#else
#define REBILL_DCHECK(cond) REBILL_CHECK(cond)
#endif
