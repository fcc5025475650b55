#include "rebill/ingest/line_aggregator.h"

#include <algorithm>
#include <cstring>
#include <thread>

// Inlined: the keys are short and hashed once per row.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "rebill/core/parallel.h"

namespace rebill::ingest {
namespace {

constexpr Timestamp kDay = 86400;

Timestamp Floor(Timestamp t, Timestamp unit) {
  Timestamp r = t % unit;
  return r < 0 ? t - r - unit : t - r;
}

template <typename T>
void Put(std::string& key, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  key.append(bytes, sizeof(T));
}

// Length-prefixed, so that no two different field lists encode alike.
void PutText(std::string& key, std::string_view text) {
  Put(key, static_cast<uint32_t>(text.size()));
  key.append(text);
}

// Reads back what EncodeText wrote, in the same order.
class KeyReader {
 public:
  explicit KeyReader(const char* key) : p_(key) {}
  template <typename T>
  T Get() {
    T value;
    std::memcpy(&value, p_, sizeof(T));
    p_ += sizeof(T);
    return value;
  }
  std::string_view Text() {
    auto size = Get<uint32_t>();
    std::string_view text(p_, size);
    p_ += size;
    return text;
  }

 private:
  const char* p_;
};

// The strings of a line's text, in key order: each as a line holds it, and as a row's view.
struct KeyText {
  Interned CurLine::*line;
  std::string_view LineTexts::*view;
};
constexpr KeyText kKeyTexts[] = {{&CurLine::payer_account, &LineTexts::payer_account},
                                 {&CurLine::usage_account, &LineTexts::usage_account},
                                 {&CurLine::type_text, &LineTexts::type_text},
                                 {&CurLine::billing_entity, &LineTexts::billing_entity},
                                 {&CurLine::bill_type, &LineTexts::bill_type},
                                 {&CurLine::product_code, &LineTexts::product_code},
                                 {&CurLine::product_name, &LineTexts::product_name},
                                 {&CurLine::usage_type, &LineTexts::usage_type},
                                 {&CurLine::operation, &LineTexts::operation},
                                 {&CurLine::region, &LineTexts::region},
                                 {&CurLine::description, &LineTexts::description},
                                 {&CurLine::pricing_unit, &LineTexts::pricing_unit},
                                 {&CurLine::currency, &LineTexts::currency},
                                 {&CurLine::commitment_arn, &LineTexts::commitment_arn},
                                 {&CurLine::invoice_id, &LineTexts::invoice_id}};

}  // namespace

LineTexts LineTexts::Of(const CurLine& line) {
  LineTexts texts;
  for (const KeyText& k : kKeyTexts) texts.*k.view = line.*k.line;
  return texts;
}

void LineTexts::CopyTo(CurLine* line) const {
  for (const KeyText& k : kKeyTexts) line->*k.line = this->*k.view;
}

LineAggregator::LineAggregator(std::vector<Timestamp> cuts) : cuts_(std::move(cuts)) {
  std::sort(cuts_.begin(), cuts_.end());
  cuts_.erase(std::unique(cuts_.begin(), cuts_.end()), cuts_.end());
}

Timestamp LineAggregator::BucketStart(Timestamp t) const {
  Timestamp day = Floor(t, kDay);
  if (cuts_.empty()) return day;
  auto after = std::upper_bound(cuts_.begin(), cuts_.end(), t);
  if (after == cuts_.begin()) return day;
  return std::max(day, *(after - 1));
}

Timestamp LineAggregator::KeyBucket(Timestamp usage_start) const {
  // A row without usage dates (a fee of the whole month) is its own bucket.
  return usage_start == 0 ? Timestamp{0} : BucketStart(usage_start);
}

void LineAggregator::EncodeText(const CurLine& line, const LineTexts& texts, std::string* out) {
  std::string& key = *out;
  Put(key, line.period.start());
  Put(key, static_cast<uint8_t>(line.type));
  Put(key, line.source_file);
  for (const KeyText& k : kKeyTexts) PutText(key, texts.*k.view);
  Put(key, static_cast<uint32_t>(line.tags.size()));
  for (const auto& [tag, value] : line.tags) {
    PutText(key, tag);
    PutText(key, value);
  }
}

uint64_t LineAggregator::LineHash(uint64_t text_hash, Timestamp bucket) {
  // A 64-bit finalizer over the two: every bit of both reaches the low bits (the slot) and the
  // top bit (the shard).
  uint64_t x = text_hash + static_cast<uint64_t>(bucket) * 0x9E3779B97F4A7C15ULL;
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDULL;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ULL;
  return x ^ (x >> 33);
}

uint32_t LineAggregator::InternText(std::string_view key, uint64_t hash, KeyCopy copy) {
  if ((texts_.size() + 1) * 2 > text_slots_.size()) GrowTexts();
  const size_t mask = text_slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t at = text_slots_[i];
    if (at == kEmpty) {
      at = static_cast<uint32_t>(texts_.size());
      text_slots_[i] = at;
      texts_.push_back({copy == KeyCopy::kCopy ? StoreKey(key) : key.data(),
                        static_cast<uint32_t>(key.size()), hash});
      return at;
    }
    const Text& t = texts_[at];
    if (t.hash == hash && std::string_view(t.key, t.size) == key) return at;
  }
}

void LineAggregator::GrowTexts() {
  RebuildSlots(text_slots_, std::max<size_t>(1024, text_slots_.size() * 2), texts_.size(),
               [this](size_t at) { return texts_[at].hash; });
}

uint64_t LineAggregator::EntryHash(uint32_t at) const {
  const Entry& e = entries_[at];
  const std::vector<Text>& texts = shared_texts_ != nullptr ? *shared_texts_ : texts_;
  return LineHash(texts[e.text].hash, e.bucket);
}

size_t LineAggregator::Probe(const Entry& sums, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t at = slots_[i];
    if (at == kEmpty) return i;
    const Entry& e = entries_[at];
    if (e.text == sums.text && e.bucket == sums.bucket) return i;
  }
}

void LineAggregator::Reserve(size_t lines) {
  entries_.reserve(lines);
  size_t slots = 1024;
  while (slots < lines * 2) slots *= 2;
  if (slots > slots_.size() && entries_.empty()) slots_.assign(slots, kEmpty);
}

void LineAggregator::Grow() {
  RebuildSlots(slots_, std::max<size_t>(1024, slots_.size() * 2), entries_.size(),
               [this](size_t at) { return EntryHash(static_cast<uint32_t>(at)); });
}

const char* LineAggregator::StoreKey(std::string_view key) {
  if (block_left_ < key.size()) {
    constexpr size_t kBlock = size_t{1} << 20;
    size_t size = std::max(kBlock, key.size());
    key_blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    block_free_ = key_blocks_.back().get();
    block_left_ = size;
  }
  char* at = block_free_;
  std::memcpy(at, key.data(), key.size());
  block_free_ += key.size();
  block_left_ -= key.size();
  return at;
}

template <typename Sums>
void LineAggregator::AddSums(Entry& into, const Sums& sums, uint64_t rows) {
  into.usage_amount += sums.usage_amount;
  into.cost.unblended += sums.cost.unblended;
  into.cost.net_unblended += sums.cost.net_unblended;
  into.cost.amortized += sums.cost.amortized;
  into.cost.public_on_demand += sums.cost.public_on_demand;
  into.usage_start = std::min(into.usage_start, sums.usage_start);
  into.usage_end = std::max(into.usage_end, sums.usage_end);
  into.source_row = std::min(into.source_row, sums.source_row);
  into.rows += rows;
}

uint32_t LineAggregator::Insert(const Entry& sums, uint64_t hash) {
  if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
  size_t slot = Probe(sums, hash);
  if (slots_[slot] == kEmpty) {
    auto at = static_cast<uint32_t>(entries_.size());
    slots_[slot] = at;
    entries_.push_back(sums);
    return at;
  }
  AddSums(entries_[slots_[slot]], sums, sums.rows);
  return slots_[slot];
}

template <typename Row>
LineAggregator::Entry LineAggregator::SumsOf(const Row& row, uint64_t rows) const {
  Entry sums;
  sums.usage_amount = row.usage_amount;
  sums.cost = row.cost;
  sums.usage_start = row.usage_start;
  sums.usage_end = row.usage_end;
  sums.source_row = row.source_row;
  sums.rows = rows;
  sums.bucket = KeyBucket(row.usage_start);
  return sums;
}

uint32_t LineAggregator::Add(const CurLine& line) {
  if (!pending_.empty()) AddPending();
  Entry sums = SumsOf(line, line.rows);
  key_.clear();
  EncodeText(line, LineTexts::Of(line), &key_);
  const uint64_t text_hash = XXH3_64bits(key_.data(), key_.size());
  sums.text = InternText(key_, text_hash, KeyCopy::kCopy);
  return Insert(sums, LineHash(text_hash, sums.bucket));
}

void LineAggregator::AddSoon(const CurLine& line, const LineTexts& texts) {
  Pending& p = pending_.emplace_back();
  p.sums = SumsOf(line, line.rows);
  p.text_at = pending_texts_.size();
  EncodeText(line, texts, &pending_texts_);
  p.text_size = static_cast<uint32_t>(pending_texts_.size() - p.text_at);
  p.text_hash = XXH3_64bits(pending_texts_.data() + p.text_at, p.text_size);
  // The line's hash needs the text's hash, not its number: both slots are asked for now.
  p.line_hash = LineHash(p.text_hash, p.sums.bucket);
  if (!text_slots_.empty()) {
    __builtin_prefetch(&text_slots_[p.text_hash & (text_slots_.size() - 1)]);
  }
  if (!slots_.empty()) __builtin_prefetch(&slots_[p.line_hash & (slots_.size() - 1)]);
  if (pending_.size() == kPendingRows) AddPending();
}

void LineAggregator::AddPending() {
  // The rows' slots were asked for as the rows came; their texts and lines are asked for now,
  // before any key is compared, so that the cache misses of all the look-ups overlap.
  if (!text_slots_.empty()) {
    const size_t mask = text_slots_.size() - 1;
    for (const Pending& p : pending_) {
      uint32_t at = text_slots_[p.text_hash & mask];
      if (at != kEmpty) __builtin_prefetch(texts_[at].key);
    }
  }
  if (!slots_.empty()) {
    const size_t mask = slots_.size() - 1;
    for (const Pending& p : pending_) {
      uint32_t at = slots_[p.line_hash & mask];
      if (at != kEmpty) Prefetch(at);
    }
  }
  for (Pending& p : pending_) {
    p.sums.text = InternText(std::string_view(pending_texts_.data() + p.text_at, p.text_size),
                             p.text_hash, KeyCopy::kCopy);
    Insert(p.sums, p.line_hash);
  }
  pending_.clear();
  pending_texts_.clear();
}

bool LineAggregator::AddTo(uint32_t at, const RowMeasures& row) {
  Entry& into = entries_[at];
  if (into.bucket != KeyBucket(row.usage_start)) return false;
  AddSums(into, row, 1);
  return true;
}

uint32_t LineAggregator::AddLike(uint32_t like, const RowMeasures& row) {
  if (!pending_.empty()) AddPending();
  Entry sums = SumsOf(row, 1);
  sums.text = entries_[like].text;
  return Insert(sums, LineHash(texts_[sums.text].hash, sums.bucket));
}

std::vector<CurLine> LineAggregator::Take() {
  if (!pending_.empty()) AddPending();
  std::vector<CurLine> out = SpellOut({this}, texts_);
  *this = LineAggregator(std::move(cuts_));
  return out;
}

std::vector<CurLine> LineAggregator::TakeAll(const std::vector<LineAggregator*>& parts) {
  if (parts.empty()) return {};
  if (parts.size() == 1) return parts[0]->Take();
  for (LineAggregator* part : parts) {
    if (!part->pending_.empty()) part->AddPending();
  }
  // The parts' texts in one table, borrowed from the parts: part p's text t is text
  // renumber[p][t] of `texts`. A text's hash is the same in every part, and so is each line's.
  LineAggregator texts(parts[0]->cuts_);
  std::vector<std::vector<uint32_t>> renumber(parts.size());
  for (size_t p = 0; p < parts.size(); ++p) {
    for (const Text& t : parts[p]->texts_) {
      renumber[p].push_back(
          texts.InternText(std::string_view(t.key, t.size), t.hash, KeyCopy::kBorrow));
    }
  }
  // Two shards by the top bit of the lines' hashes, each added up on its own thread from every
  // part: no line is in both, and neither thread writes what the other reads.
  LineAggregator shards[2] = {LineAggregator(parts[0]->cuts_), LineAggregator(parts[0]->cuts_)};
  // Each worker saw most lines, so a shard ends up with about half of the biggest part's: sized
  // for that up front, a shard neither copies its entries as it grows nor rehashes.
  size_t biggest = 0;
  for (const LineAggregator* part : parts) biggest = std::max(biggest, part->entries_.size());
  for (LineAggregator& shard : shards) {
    shard.shared_texts_ = &texts.texts_;
    shard.Reserve(biggest / 2 + biggest / 8);
  }
  auto add_up = [&](uint64_t shard) {
    for (size_t p = 0; p < parts.size(); ++p) {
      for (uint32_t at = 0; at < parts[p]->entries_.size(); ++at) {
        const uint64_t hash = parts[p]->EntryHash(at);
        if ((hash >> 63) != shard) continue;
        Entry e = parts[p]->entries_[at];
        e.text = renumber[p][e.text];
        shards[shard].Insert(e, hash);
      }
    }
  };
  size_t lines = 0;
  for (const LineAggregator* part : parts) lines += part->entries_.size();
  if (lines < kTwoThreadsFrom) {
    add_up(0);
    add_up(1);
  } else {
    std::thread other(add_up, 1);
    add_up(0);
    other.join();
  }
  // Only the parts' keys are still needed.
  for (LineAggregator* part : parts) {
    std::vector<Entry>().swap(part->entries_);
    std::vector<uint32_t>().swap(part->slots_);
  }
  std::vector<CurLine> spelled = SpellOut({&shards[0], &shards[1]}, texts.texts_);
  for (LineAggregator* part : parts) *part = LineAggregator(std::move(part->cuts_));
  return spelled;
}

std::vector<CurLine> LineAggregator::SpellOut(const std::vector<const LineAggregator*>& sources,
                                              const std::vector<Text>& texts) {
  struct At {
    uint64_t first_row;
    const Entry* entry;
    bool operator<(const At& other) const { return first_row < other.first_row; }
  };
  std::vector<At> order;
  for (const LineAggregator* source : sources) {
    for (const Entry& e : source->entries_) order.push_back({e.source_row, &e});
  }
  // A line's first row is one of its own rows, so no two lines share one.
  std::sort(order.begin(), order.end());
  // Each distinct text is read and interned once; its lines copy what it spelled.
  std::vector<CurLine> spelled(texts.size());
  for (size_t t = 0; t < texts.size(); ++t) {
    CurLine& line = spelled[t];
    KeyReader key(texts[t].key);
    line.period = BillingPeriod::Containing(key.Get<Timestamp>());
    line.type = static_cast<LineItemType>(key.Get<uint8_t>());
    line.source_file = key.Get<uint32_t>();
    for (const KeyText& k : kKeyTexts) line.*k.line = key.Text();
    line.tags.resize(key.Get<uint32_t>());
    for (auto& [tag, value] : line.tags) {
      tag = key.Text();
      value = key.Text();
    }
  }
  std::vector<CurLine> out = DefaultConstructed<CurLine>(order.size());
  // Copying the texts and sums into a month's lines is most of the work left once the rows are
  // read, and each line is independent: a big month is spelled out on two threads.
  auto spell = [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) {
      const Entry& e = *order[k].entry;
      CurLine& line = out[k];
      line = spelled[e.text];
      line.usage_amount = e.usage_amount;
      line.cost = e.cost;
      line.usage_start = e.usage_start;
      line.usage_end = e.usage_end;
      line.source_row = e.source_row;
      line.rows = e.rows;
    }
  };
  if (out.size() < kTwoThreadsFrom) {
    spell(0, out.size());
  } else {
    std::thread other(spell, out.size() / 2, out.size());
    spell(0, out.size() / 2);
    other.join();
  }
  return out;
}

}  // namespace rebill::ingest
