// What allocate's tests reach beyond the public interface.
#pragma once

#include <cstddef>

#include "rebill/allocate/allocate.h"

namespace rebill::allocate::internal {

/// AllocateBenefits, placing the lines on two threads when there are at least
/// `two_threads_from` of them (AllocateBenefits: kTwoThreadsFrom). The result is the same
/// either way.
Result<AllocatedLines> AllocateBenefits(const NormalizedMonth& month, const MappedLines& mapped,
                                        const Policy& policy, size_t two_threads_from);

}  // namespace rebill::allocate::internal
