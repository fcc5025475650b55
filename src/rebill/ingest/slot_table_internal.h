// The open-addressing tables of item numbers that ingest's hot paths keep beside their items (the
// aggregator's lines and texts, a row group's shapes): a power of two of slots, kFreeSlot where
// empty, at most half full, probed linearly from the low bits of the item's hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rebill::ingest {

inline constexpr uint32_t kFreeSlot = UINT32_MAX;

/// Rebuild `slots` with `size` slots (a power of two) for the items 0..count-1, item i hashing
/// to hash_of(i).
template <typename HashOf>
void RebuildSlots(std::vector<uint32_t>& slots, size_t size, size_t count, HashOf hash_of) {
  slots.assign(size, kFreeSlot);
  const size_t mask = size - 1;
  for (size_t item = 0; item < count; ++item) {
    size_t i = hash_of(item) & mask;
    while (slots[i] != kFreeSlot) i = (i + 1) & mask;
    slots[i] = static_cast<uint32_t>(item);
  }
}

}  // namespace rebill::ingest
