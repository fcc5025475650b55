// LineAggregator: adds up the rows of a billing file to the billing grain (DESIGN.md §3). A CUR
// has a row per resource and hour; every later stage only needs the dimensions a canonical line
// keeps, so rows that agree on all of them and start in the same time bucket become one line whose
// amounts are the exact sums of theirs. That keeps a month's memory and its re-runs proportional to
// what is billed, not to how many hours and resources produced it.
//
// The time bucket is the UTC day, cut further at every `cuts` time inside it (the times at which
// the configuration changes an account's customer, a split or a price plan), so each line is
// wholly on one side of every such change. A line's usage_start / usage_end are the earliest
// start and latest end of its rows, source_row is its first row and `rows` how many it adds up:
// the way back to the raw rows for an explanation.
//
//   LineAggregator lines(options.time_cuts);
//   for (each parsed row) lines.Add(line);   // or lines.AddSoon(line, texts)
//   std::vector<CurLine> out = lines.Take();
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/period.h"
#include "rebill/ingest/slot_table_internal.h"
#include "rebill/model/cur_line.h"

namespace rebill::ingest {

/// What differs between the rows that become one line: a row's times, amounts and number.
struct RowMeasures {
  Timestamp usage_start = 0;
  Timestamp usage_end = 0;
  Decimal usage_amount;
  CostViews cost;
  uint64_t source_row = 0;

  static RowMeasures Of(const CurLine& line) {
    return {line.usage_start, line.usage_end, line.usage_amount, line.cost, line.source_row};
  }
  void CopyTo(CurLine* line) const {
    line->usage_start = usage_start;
    line->usage_end = usage_end;
    line->usage_amount = usage_amount;
    line->cost = cost;
    line->source_row = source_row;
  }
};

/// The texts a line's key is made of, as views: what a row parser reads from a row's cells,
/// valid while those cells (and the parser's row) are. The aggregator keeps its own copy of a
/// new line's texts, so a row whose line already exists is never interned (CurLine's texts are).
struct LineTexts {
  std::string_view payer_account;
  std::string_view usage_account;
  std::string_view type_text;
  std::string_view billing_entity;
  std::string_view bill_type;
  std::string_view product_code;
  std::string_view product_name;
  std::string_view usage_type;
  std::string_view operation;
  std::string_view region;
  std::string_view description;
  std::string_view pricing_unit;
  std::string_view currency;
  std::string_view commitment_arn;
  std::string_view invoice_id;

  /// Views of `line`'s texts.
  static LineTexts Of(const CurLine& line);
  /// Set `line`'s texts to these (interning each that differs from what it holds).
  void CopyTo(CurLine* line) const;
};

class LineAggregator {
 public:
  /// `cuts`: times at which a bucket ends besides midnight; any order, duplicates allowed.
  explicit LineAggregator(std::vector<Timestamp> cuts = {});

  /// Add one row (rows = 1) or an already aggregated line. Returns the number of the line it
  /// was added to, for AddTo().
  uint32_t Add(const CurLine& line);
  /// Add one row as Add() does, but perhaps not yet: rows are looked up a few at a time, their
  /// slots and lines asked for before any is compared, so that the cache misses of the
  /// look-ups overlap. Add(), Take() and TakeAll() add the rows still pending first.
  /// The row's texts are `texts` (views, as a row parser gives them); the line's own are not
  /// read.
  void AddSoon(const CurLine& line, const LineTexts& texts);
  /// Add one row to line number `at` when it falls in that line's time bucket, given that every
  /// other dimension of the two is the same (the caller knows them to come from the same
  /// cells). False, adding nothing, when the bucket differs.
  bool AddTo(uint32_t at, const RowMeasures& row);
  /// Add one row whose every dimension but its time is that of line number `like`, to the line
  /// of its own time bucket, without encoding its dimensions again. Returns that line's number.
  uint32_t AddLike(uint32_t like, const RowMeasures& row);

  /// The lines so far, without the rows AddSoon() still holds.
  size_t size() const { return entries_.size(); }
  /// Ask the cache for line number `at`, which AddTo() is about to be given.
  void Prefetch(uint32_t at) const {
    const char* entry = reinterpret_cast<const char*>(&entries_[at]);
    for (size_t b = 0; b < sizeof(Entry); b += 64) __builtin_prefetch(entry + b, 1);
  }
  /// The lines, in the order of their first row; the aggregator is empty afterwards.
  std::vector<CurLine> Take();
  /// The lines of all `parts` added up (lines of one file read in parallel pieces), in the
  /// order of their first row; the parts are empty afterwards. Uses two threads for big parts.
  static std::vector<CurLine> TakeAll(const std::vector<LineAggregator*>& parts);

  /// The start of the time bucket `t` falls in.
  Timestamp BucketStart(Timestamp t) const;

 private:
  static constexpr uint32_t kEmpty = kFreeSlot;
  /// Every dimension of a line but its time bucket, encoded (EncodeText): the lines of one
  /// resource usage on each day of the month share it, so it is stored, hashed and compared
  /// once rather than once per line.
  struct Text {
    const char* key = nullptr;  // in key_blocks_, or borrowed (TakeAll)
    uint32_t size = 0;
    uint64_t hash = 0;
  };
  /// One line while rows are added to it: its sums, and its key, which is its text and its
  /// time bucket. Two whole cache lines: rows add to lines of a table bigger than the cache,
  /// and an entry of 136 bytes straddled three or four. Its hash is not kept; its text's is
  /// (EntryHash).
  struct alignas(64) Entry {
    Decimal usage_amount;
    CostViews cost;
    Timestamp usage_start = 0;
    Timestamp usage_end = 0;
    uint64_t source_row = 0;
    uint64_t rows = 0;
    Timestamp bucket = 0;
    uint32_t text = 0;  // index into texts_
  };
  static_assert(sizeof(Entry) == 128);

  /// The text of `line`, whose texts are `texts`, appended to `out`.
  static void EncodeText(const CurLine& line, const LineTexts& texts, std::string* out);
  /// The hash of the line whose text hashes to `text_hash` and whose bucket is `bucket`.
  static uint64_t LineHash(uint64_t text_hash, Timestamp bucket);
  /// Add the rows AddSoon() holds.
  void AddPending();
  /// Whether a new text keeps a copy of its key or the caller's bytes, which must then outlive
  /// the aggregator's use of them.
  enum class KeyCopy { kCopy, kBorrow };
  /// The number of the text `key` (hash `hash`), added if it is new.
  uint32_t InternText(std::string_view key, uint64_t hash, KeyCopy copy);
  void GrowTexts();
  /// A copy of `key` that stays where it is for the aggregator's life.
  const char* StoreKey(std::string_view key);
  /// The hash of line number `at`.
  uint64_t EntryHash(uint32_t at) const;
  /// The slot of the line with the text and bucket of `sums`, whose hash is `hash`, or the
  /// empty slot where it goes.
  size_t Probe(const Entry& sums, uint64_t hash) const;
  /// Add `sums` (its text and bucket set; `hash` its line's hash): to the line with that key,
  /// or as a new line. Returns the line's number.
  uint32_t Insert(const Entry& sums, uint64_t hash);
  /// The sums and bucket of `row` (a CurLine or a RowMeasures: the same members), which adds
  /// up `rows` rows.
  template <typename Row>
  Entry SumsOf(const Row& row, uint64_t rows) const;
  /// Add the sums of `sums` (an Entry, or a RowMeasures: the same members) and `rows` rows.
  template <typename Sums>
  static void AddSums(Entry& into, const Sums& sums, uint64_t rows);
  /// The time bucket of a row or line that starts at `usage_start`.
  Timestamp KeyBucket(Timestamp usage_start) const;
  void Grow();
  /// Room for `lines` lines before anything is added.
  void Reserve(size_t lines);
  /// Every line of `sources`, whose texts are numbers into `texts`, spelled out as a CurLine, in
  /// the order of their first row.
  static std::vector<CurLine> SpellOut(const std::vector<const LineAggregator*>& sources,
                                       const std::vector<Text>& texts);

  std::vector<Timestamp> cuts_;  // sorted, unique
  std::string key_;              // the current row's text, reused for every row
  // Open-addressing tables of entry and text numbers (kEmpty: free), powers of two in size, at
  // most half full. A row that adds to an existing line allocates nothing.
  std::vector<uint32_t> slots_;
  std::vector<uint32_t> text_slots_;
  std::vector<Text> texts_;
  // Where the entries' texts are numbered, when not in texts_ (TakeAll's shards).
  const std::vector<Text>* shared_texts_ = nullptr;
  // The texts' keys, back to back in blocks that never move, so that growing never copies
  // them or touches fresh pages twice.
  std::vector<std::unique_ptr<char[]>> key_blocks_;
  char* block_free_ = nullptr;
  size_t block_left_ = 0;
  std::vector<Entry> entries_;
  // Rows AddSoon() holds: their sums and hashes (of the line, and of its text), and their
  // texts, not yet interned, back to back in pending_texts_.
  struct Pending {
    Entry sums;
    uint64_t line_hash = 0;
    uint64_t text_hash = 0;
    size_t text_at = 0;
    uint32_t text_size = 0;
  };
  static constexpr size_t kPendingRows = 16;
  std::vector<Pending> pending_;
  std::string pending_texts_;
};

}  // namespace rebill::ingest
