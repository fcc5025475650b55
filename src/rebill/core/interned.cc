#include "rebill/core/interned.h"

#include <array>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "rebill/core/check.h"

namespace rebill {
namespace interned_internal {
const std::string** chunks[kChunks];
const std::string empty;
}  // namespace interned_internal

namespace {

using interned_internal::chunks;
using interned_internal::kChunkBits;
using interned_internal::kChunks;
constexpr uint32_t kChunkSize = 1u << kChunkBits;

struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
};

// Shards keep threads that intern at once (ingest's workers) from waiting on one another. The
// maps' nodes never move, so a text's address is stable for the life of the process; its
// number indexes `chunks`. Every number reaches another thread through a lock, a join or a
// future, after its slot was written.
class Pool {
 public:
  uint32_t Find(std::string_view text) {
    size_t hash = TextHash()(text);
    // Stages intern the same few texts line after line (a customer, a policy, a rule's
    // label): each thread remembers the texts it met last, and finds those without a lock.
    struct Recent {
      const std::string* text = nullptr;
      uint32_t id = 0;
    };
    thread_local std::array<Recent, kRecent> recent{};
    Recent& known = recent[(hash / kShards) % kRecent];
    if (known.text != nullptr && *known.text == text) return known.id;
    Shard& shard = shards_[hash % kShards];
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.ids.find(text);
    if (it == shard.ids.end()) {
      it = shard.ids.emplace(std::string(text), 0).first;
      it->second = Add(&it->first);
    }
    known = {&it->first, it->second};
    return it->second;
  }

 private:
  static constexpr size_t kShards = 64;
  static constexpr size_t kRecent = 4096;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, uint32_t, TextHash, std::equal_to<>> ids;
  };

  const std::string*& Slot(uint32_t id) {
    const std::string**& chunk = chunks[id >> kChunkBits];
    if (chunk == nullptr) chunk = new const std::string*[kChunkSize]();
    return chunk[id & (kChunkSize - 1)];
  }
  uint32_t Add(const std::string* text) {
    std::lock_guard<std::mutex> lock(numbers_);
    REBILL_CHECK_MSG(next_ < kChunks * uint64_t{kChunkSize}, "too many distinct texts");
    uint32_t id = next_++;
    Slot(id) = text;
    return id;
  }

  std::array<Shard, kShards> shards_;
  std::mutex numbers_;
  uint32_t next_ = 1;  // 0 is the empty text
};

Pool& ThePool() {
  // Never destroyed: texts interned by one static object may be read by another's destructor.
  static Pool* pool = new Pool;
  return *pool;
}

}  // namespace

Interned::Interned(std::string_view text) : id_(text.empty() ? 0 : ThePool().Find(text)) {}

}  // namespace rebill
