#include "rebill/core/interned.h"

#include <array>
#include <mutex>
#include <unordered_set>

namespace rebill {
namespace {

struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
};

// Shards keep threads that intern at once (ingest's workers) from waiting on one another. The
// sets' nodes never move, so a text's address is its identity for the life of the process.
class Pool {
 public:
  const std::string* Find(std::string_view text) {
    size_t hash = TextHash()(text);
    // Stages intern the same few texts line after line (a customer, a policy, a rule's
    // label): each thread remembers the texts it met last, and finds those without a lock.
    thread_local std::array<const std::string*, kRecent> recent{};
    const std::string*& known = recent[(hash / kShards) % kRecent];
    if (known != nullptr && *known == text) return known;
    Shard& shard = shards_[hash % kShards];
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.texts.find(text);
    if (it == shard.texts.end()) it = shard.texts.emplace(text).first;
    known = &*it;
    return known;
  }

 private:
  static constexpr size_t kShards = 64;
  static constexpr size_t kRecent = 4096;
  struct Shard {
    std::mutex mutex;
    std::unordered_set<std::string, TextHash, std::equal_to<>> texts;
  };
  std::array<Shard, kShards> shards_;
};

Pool& ThePool() {
  // Never destroyed: texts interned by one static object may be read by another's destructor.
  static Pool* pool = new Pool;
  return *pool;
}

}  // namespace

Interned::Interned(std::string_view text) : text_(text.empty() ? &Empty() : ThePool().Find(text)) {}

const std::string& Interned::Empty() {
  static const std::string* empty = new std::string;
  return *empty;
}

}  // namespace rebill
