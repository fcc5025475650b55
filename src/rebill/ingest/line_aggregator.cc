#include "rebill/ingest/line_aggregator.h"

#include <algorithm>
#include <cstring>

// Inlined: the keys are short and hashed once per row.
#define XXH_INLINE_ALL
#include <xxhash.h>

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

void AddAmounts(CurLine& into, const CurLine& line) {
  into.usage_amount += line.usage_amount;
  into.cost.unblended += line.cost.unblended;
  into.cost.net_unblended += line.cost.net_unblended;
  into.cost.amortized += line.cost.amortized;
  into.cost.public_on_demand += line.cost.public_on_demand;
  into.usage_start = std::min(into.usage_start, line.usage_start);
  into.usage_end = std::max(into.usage_end, line.usage_end);
  into.source_row = std::min(into.source_row, line.source_row);
  into.rows += line.rows;
}

}  // namespace

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

void LineAggregator::EncodeKey(const CurLine& line) {
  key_.clear();
  Put(key_, line.period.start());
  Put(key_, static_cast<uint8_t>(line.type));
  Put(key_, line.source_file);
  // A row without usage dates (a fee of the whole month) is its own bucket.
  Put(key_, line.usage_start == 0 ? Timestamp{0} : BucketStart(line.usage_start));
  for (const std::string* text :
       {&line.payer_account, &line.usage_account, &line.type_text, &line.billing_entity,
        &line.bill_type, &line.product_code, &line.product_name, &line.usage_type, &line.operation,
        &line.region, &line.description, &line.pricing_unit, &line.currency, &line.commitment_arn,
        &line.invoice_id}) {
    PutText(key_, *text);
  }
  Put(key_, static_cast<uint32_t>(line.tags.size()));
  for (const auto& [key, value] : line.tags) {
    PutText(key_, key);
    PutText(key_, value);
  }
}

size_t LineAggregator::Probe(std::string_view key, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t at = slots_[i];
    if (at == kEmpty) return i;
    const KeyRef& ref = key_refs_[at];
    if (ref.hash == hash && std::string_view(keys_).substr(ref.offset, ref.size) == key) return i;
  }
}

void LineAggregator::Grow() {
  std::vector<uint32_t> old = std::move(slots_);
  slots_.assign(std::max<size_t>(1024, old.size() * 2), kEmpty);
  size_t mask = slots_.size() - 1;
  for (uint32_t at : old) {
    if (at == kEmpty) continue;
    size_t i = key_refs_[at].hash & mask;
    while (slots_[i] != kEmpty) i = (i + 1) & mask;
    slots_[i] = at;
  }
}

template <typename Line>
void LineAggregator::Insert(Line&& line, std::string_view key, uint64_t hash) {
  if ((lines_.size() + 1) * 2 > slots_.size()) Grow();
  size_t slot = Probe(key, hash);
  if (slots_[slot] != kEmpty) {
    AddAmounts(lines_[slots_[slot]], line);
    return;
  }
  slots_[slot] = static_cast<uint32_t>(lines_.size());
  key_refs_.push_back({keys_.size(), static_cast<uint32_t>(key.size()), hash});
  keys_.append(key);
  lines_.push_back(std::forward<Line>(line));
}

void LineAggregator::Add(const CurLine& line) {
  EncodeKey(line);
  Insert(line, key_, XXH3_64bits(key_.data(), key_.size()));
}

void LineAggregator::Merge(LineAggregator&& other) {
  for (size_t i = 0; i < other.lines_.size(); ++i) {
    const KeyRef& ref = other.key_refs_[i];
    Insert(std::move(other.lines_[i]), std::string_view(other.keys_).substr(ref.offset, ref.size),
           ref.hash);
  }
  other = LineAggregator(std::move(other.cuts_));
}

std::vector<CurLine> LineAggregator::Take() {
  slots_.clear();
  keys_.clear();
  key_refs_.clear();
  // Sorting (first row, position) pairs moves each line once, not once per merge pass.
  std::vector<std::pair<uint64_t, uint32_t>> order;
  order.reserve(lines_.size());
  for (size_t i = 0; i < lines_.size(); ++i) {
    order.emplace_back(lines_[i].source_row, static_cast<uint32_t>(i));
  }
  std::sort(order.begin(), order.end());
  std::vector<CurLine> out;
  out.reserve(lines_.size());
  for (const auto& [row, i] : order) out.push_back(std::move(lines_[i]));
  lines_.clear();
  return out;
}

}  // namespace rebill::ingest
