#include "rebill/store/month_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "rebill/core/check.h"
#include "rebill/core/parallel.h"
#include "rebill/core/sha256.h"

namespace rebill::store {
namespace {

constexpr std::string_view kMagic = "REBILLMONTH";
constexpr uint32_t kVersion = kMonthFileVersion;
constexpr size_t kHeaderSize = kMagic.size() + 4 + 8;
constexpr size_t kFooterSize = 64;  // SHA-256 of the body, hex

// The string columns of a line, in file order. Writer and reader both walk this one list, so
// their orders cannot drift apart.
struct StringColumn {
  std::string_view name;
  Interned CurLine::*field;
};
constexpr std::array<StringColumn, 15> kStringColumns = {{
    {"payer_account", &CurLine::payer_account},
    {"usage_account", &CurLine::usage_account},
    {"type_text", &CurLine::type_text},
    {"billing_entity", &CurLine::billing_entity},
    {"bill_type", &CurLine::bill_type},
    {"product_code", &CurLine::product_code},
    {"product_name", &CurLine::product_name},
    {"usage_type", &CurLine::usage_type},
    {"operation", &CurLine::operation},
    {"region", &CurLine::region},
    {"description", &CurLine::description},
    {"pricing_unit", &CurLine::pricing_unit},
    {"currency", &CurLine::currency},
    {"commitment_arn", &CurLine::commitment_arn},
    {"invoice_id", &CurLine::invoice_id},
}};

constexpr size_t kDecimalSize = 16;
// The fewest body bytes one line can take (every fixed-width column, a tag count of zero): a
// line count is checked against the bytes left before the lines are allocated.
constexpr size_t kMinBytesPerLine = 4 /*period*/ + 1 /*type*/ + 4 * kStringColumns.size() + 8 +
                                    8 /*usage start, end*/ + 5 * kDecimalSize + 4 + 8 +
                                    8 /*source file, row, rows*/ + 4 /*tag count*/;

// Bytes are little-endian whatever the host; on a little-endian host these are plain loads and
// stores that the compiler can vectorize.
template <typename T>
T ToLittleEndian(T v) {
  static_assert(std::is_unsigned_v<T>);
  if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
    if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(v));
    if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(v));
    if constexpr (sizeof(T) == 8) return static_cast<T>(__builtin_bswap64(v));
  }
  return v;
}

template <typename T>
void StoreLE(char* p, T v) {
  v = ToLittleEndian(v);
  std::memcpy(p, &v, sizeof v);
}

template <typename T>
T LoadLE(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return ToLittleEndian(v);
}

__extension__ typedef unsigned __int128 U128;

void StoreDecimal(char* p, Decimal d) {
  U128 raw = static_cast<U128>(d.raw());
  StoreLE(p, static_cast<uint64_t>(raw));
  StoreLE(p + 8, static_cast<uint64_t>(raw >> 64));
}

Decimal LoadDecimal(const char* p) {
  U128 lo = LoadLE<uint64_t>(p);
  U128 hi = LoadLE<uint64_t>(p + 8);
  return Decimal::FromRaw(static_cast<Decimal::Rep>((hi << 64) | lo));
}

uint32_t PeriodIndex(BillingPeriod p) {
  return static_cast<uint32_t>(p.year() * 12 + (p.month() - 1));
}

// Every distinct string of the month once, numbered in order of first use. The views point into
// the month being written, which outlives the encoding.
class Dictionary {
 public:
  uint32_t Id(std::string_view s) {
    // The previous string answers a run of equal ones without a hash.
    if (!strings_.empty() && s == strings_[last_]) return last_;
    auto [it, inserted] = ids_.try_emplace(s, static_cast<uint32_t>(strings_.size()));
    if (inserted) strings_.push_back(s);
    last_ = it->second;
    return last_;
  }
  const std::vector<std::string_view>& strings() const { return strings_; }

 private:
  struct Hash {
    size_t operator()(std::string_view s) const { return XXH3_64bits(s.data(), s.size()); }
  };
  std::unordered_map<std::string_view, uint32_t, Hash> ids_;
  std::vector<std::string_view> strings_;
  uint32_t last_ = 0;
};

// One column's texts numbered in order of first use. A line's texts are interned, so they are
// told apart by their numbers (Interned::identity) without hashing or comparing their bytes.
class ColumnDictionary {
 public:
  uint32_t Id(Interned text) {
    // Neighbouring lines mostly share their payer, account, service and so on.
    if (!strings_.empty() && text == last_text_) return last_;
    auto [it, inserted] = ids_.try_emplace(text.identity(), static_cast<uint32_t>(strings_.size()));
    if (inserted) strings_.push_back(text.str());
    last_text_ = text;
    last_ = it->second;
    return last_;
  }
  const std::vector<std::string_view>& strings() const { return strings_; }

 private:
  std::unordered_map<uint32_t, uint32_t> ids_;  // identity -> number
  std::vector<std::string_view> strings_;
  Interned last_text_;
  uint32_t last_ = 0;
};

// Every line's strings numbered per column, each column in a dictionary of its own in order of
// first use: the costly half of numbering a month's strings (a look-up for every string of every
// line), read in one pass over the lines and shared by the file's body and the content hash's.
// EncodeBody then numbers only each column's distinct strings in the month's dictionary, in the
// same order a column-by-column walk would meet them.
struct ColumnIds {
  std::array<std::vector<uint32_t>, kStringColumns.size()> ids;              // by line
  std::array<std::vector<std::string_view>, kStringColumns.size()> strings;  // by first use
};

ColumnIds NumberColumns(const std::vector<CurLine>& lines) {
  auto number = [&lines](size_t begin, size_t end, ColumnIds* out) {
    std::array<ColumnDictionary, kStringColumns.size()> dicts;
    for (auto& ids : out->ids) ids.resize(end - begin);
    for (size_t i = begin; i < end; ++i) {
      const CurLine& line = lines[i];
      for (size_t c = 0; c < kStringColumns.size(); ++c) {
        out->ids[c][i - begin] = dicts[c].Id(line.*kStringColumns[c].field);
      }
    }
    for (size_t c = 0; c < kStringColumns.size(); ++c) out->strings[c] = dicts[c].strings();
  };
  ColumnIds first;
  if (lines.size() < kTwoThreadsFrom) {
    number(0, lines.size(), &first);
    return first;
  }
  // Each half of the lines on a thread of its own; the second half's strings are then numbered
  // after the first half's, which keeps every column's order of first use.
  ColumnIds second;
  size_t half = lines.size() / 2;
  std::thread other(number, half, lines.size(), &second);
  number(0, half, &first);
  other.join();
  for (size_t c = 0; c < kStringColumns.size(); ++c) {
    Dictionary merged;
    for (std::string_view str : first.strings[c]) merged.Id(str);
    std::vector<uint32_t> renumber(second.strings[c].size());
    for (size_t k = 0; k < renumber.size(); ++k) renumber[k] = merged.Id(second.strings[c][k]);
    std::vector<uint32_t>& ids = first.ids[c];
    ids.reserve(lines.size());
    for (uint32_t id : second.ids[c]) ids.push_back(renumber[id]);
    first.strings[c] = merged.strings();
  }
  return first;
}

// Writes a month's bytes through a buffer of fixed size, handing each full buffer to a sink
// (the file and its hash, or a hash alone). A month body is tens of megabytes: built whole
// before being hashed and written, its every byte would be faulted in and copied once more.
class Writer {
 public:
  /// Takes the next bytes; returns the failure that stops the writing.
  using Sink = std::function<Status(std::string_view)>;
  explicit Writer(Sink sink) : sink_(std::move(sink)), buffer_(new char[kBufferSize]) {}

  template <typename T>
  void Put(T v) {
    StoreLE(Room(sizeof(T)), v);
  }
  // One fixed-width value per element of `items`, as `get` gives it.
  template <typename T, typename Items, typename Get>
  void Column(const Items& items, Get get) {
    for (const auto& item : items) StoreLE<T>(Room(sizeof(T)), get(item));
  }
  template <typename Items, typename Get>
  void DecimalColumn(const Items& items, Get get) {
    for (const auto& item : items) StoreDecimal(Room(kDecimalSize), get(item));
  }
  void Append(std::string_view bytes) {
    while (!bytes.empty()) {
      if (used_ == kBufferSize) Flush();
      size_t n = std::min(bytes.size(), kBufferSize - used_);
      std::memcpy(buffer_.get() + used_, bytes.data(), n);
      used_ += n;
      bytes.remove_prefix(n);
    }
  }
  /// Hands over what is left; the first failure of the sink, if any.
  Status Finish() {
    Flush();
    return status_;
  }

 private:
  static constexpr size_t kBufferSize = size_t{1} << 20;

  // `n` bytes to store into, at most a decimal's.
  char* Room(size_t n) {
    if (kBufferSize - used_ < n) Flush();
    char* p = buffer_.get() + used_;
    used_ += n;
    return p;
  }
  void Flush() {
    if (used_ > 0 && status_.ok()) status_ = sink_(std::string_view(buffer_.get(), used_));
    used_ = 0;
  }

  Sink sink_;
  std::unique_ptr<char[]> buffer_;
  size_t used_ = 0;
  Status status_;
};

enum class Lineage { kKeep, kOmit };

// The body: month fields, the dictionary, then the month's and the lines' columns. With
// Lineage::kOmit the sources and each line's source file and row are left out (and never enter
// the dictionary), which is what MonthContentSha256 hashes.
void EncodeBody(const NormalizedMonth& m, Lineage lineage, const ColumnIds& numbered, Writer& out) {
  // The dictionary comes first in the body, so every string is numbered before anything is
  // written, in the order the columns below meet them.
  Dictionary dict;
  std::vector<uint32_t> tag_key_ids;
  for (const std::string& k : m.tag_keys) tag_key_ids.push_back(dict.Id(k));
  std::array<std::vector<uint32_t>, 3> source_ids;  // path, SHA-256, format
  if (lineage == Lineage::kKeep) {
    for (const SourceFile& f : m.sources) source_ids[0].push_back(dict.Id(f.path));
    for (const SourceFile& f : m.sources) source_ids[1].push_back(dict.Id(f.sha256));
    for (const SourceFile& f : m.sources) source_ids[2].push_back(dict.Id(f.format));
  }
  std::array<std::vector<uint32_t>, kStringColumns.size()> id_of;  // by column-local number
  for (size_t c = 0; c < kStringColumns.size(); ++c) {
    for (std::string_view str : numbered.strings[c]) id_of[c].push_back(dict.Id(str));
  }
  std::vector<uint32_t> tag_keys;
  std::vector<uint32_t> tag_values;
  for (const CurLine& l : m.lines) {
    for (const auto& [key, value] : l.tags) {
      tag_keys.push_back(dict.Id(key));
      tag_values.push_back(dict.Id(value));
    }
  }

  auto as_is = [](uint32_t id) { return id; };
  out.Put(static_cast<uint32_t>(m.period.year()));
  out.Put(static_cast<uint32_t>(m.period.month()));
  out.Put(static_cast<uint32_t>(m.display_scale));
  const std::vector<std::string_view>& strings = dict.strings();
  out.Put(static_cast<uint32_t>(strings.size()));
  uint64_t end = 0;
  out.Column<uint64_t>(strings, [&](std::string_view s) { return end += s.size(); });
  for (std::string_view s : strings) out.Append(s);

  out.Put(static_cast<uint32_t>(m.tag_keys.size()));
  out.Column<uint32_t>(tag_key_ids, as_is);
  out.Put(static_cast<uint32_t>(m.time_cuts.size()));
  out.Column<uint64_t>(m.time_cuts, [](Timestamp t) { return static_cast<uint64_t>(t); });
  if (lineage == Lineage::kKeep) {
    out.Put(static_cast<uint32_t>(m.sources.size()));
    for (const std::vector<uint32_t>& ids : source_ids) out.Column<uint32_t>(ids, as_is);
    out.Column<uint64_t>(m.sources, [](const SourceFile& f) { return f.rows; });
  }

  const auto& lines = m.lines;
  out.Put(static_cast<uint64_t>(lines.size()));
  out.Column<uint32_t>(lines, [](const CurLine& l) { return PeriodIndex(l.period); });
  out.Column<uint8_t>(lines, [](const CurLine& l) { return static_cast<uint8_t>(l.type); });
  for (size_t c = 0; c < kStringColumns.size(); ++c) {
    out.Column<uint32_t>(numbered.ids[c], [&](uint32_t local) { return id_of[c][local]; });
  }
  out.Column<uint64_t>(lines,
                       [](const CurLine& l) { return static_cast<uint64_t>(l.usage_start); });
  out.Column<uint64_t>(lines, [](const CurLine& l) { return static_cast<uint64_t>(l.usage_end); });
  out.DecimalColumn(lines, [](const CurLine& l) { return l.usage_amount; });
  out.DecimalColumn(lines, [](const CurLine& l) { return l.cost.unblended; });
  out.DecimalColumn(lines, [](const CurLine& l) { return l.cost.net_unblended; });
  out.DecimalColumn(lines, [](const CurLine& l) { return l.cost.amortized; });
  out.DecimalColumn(lines, [](const CurLine& l) { return l.cost.public_on_demand; });
  if (lineage == Lineage::kKeep) {
    out.Column<uint32_t>(lines, [](const CurLine& l) { return l.source_file; });
    out.Column<uint64_t>(lines, [](const CurLine& l) { return l.source_row; });
  }
  out.Column<uint64_t>(lines, [](const CurLine& l) { return l.rows; });
  out.Column<uint32_t>(lines,
                       [](const CurLine& l) { return static_cast<uint32_t>(l.tags.size()); });
  out.Column<uint32_t>(tag_keys, as_is);
  out.Column<uint32_t>(tag_values, as_is);
}

// Reads the body front to back; every count is checked against the bytes left before anything
// is allocated for it.
class Cursor {
 public:
  explicit Cursor(std::string_view in) : in_(in) {}

  bool AtEnd() const { return pos_ == in_.size(); }

  // The next `count` elements of `width` bytes each.
  Result<const char*> Take(uint64_t count, size_t width, std::string_view what) {
    if (count > (in_.size() - pos_) / width) {
      return InvalidInput(std::string(what) + " (" + std::to_string(count) +
                          " entries) runs past the end of the body");
    }
    const char* p = in_.data() + pos_;
    pos_ += static_cast<size_t>(count) * width;
    return p;
  }

  template <typename T>
  Result<T> Get(std::string_view what) {
    REBILL_ASSIGN_OR_RETURN(const char* p, Take(1, sizeof(T), what));
    return LoadLE<T>(p);
  }

  // Checks that `count` further elements of `width` bytes could be there before the caller sizes
  // a container for them.
  Status Expect(uint64_t count, size_t width, std::string_view what) const {
    if (count > (in_.size() - pos_) / width) {
      return InvalidInput(std::string(what) + " count " + std::to_string(count) +
                          " is more than the body holds");
    }
    return Status::Ok();
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// A column of dictionary ids, each checked against the dictionary's size. The maximum is taken in
// a branch-free loop; only a bad column is searched again for its first bad entry.
Result<const char*> TakeIds(Cursor& in, uint64_t count, size_t dict_size, std::string_view what) {
  REBILL_ASSIGN_OR_RETURN(const char* p, in.Take(count, 4, what));
  uint32_t max = 0;
  for (uint64_t i = 0; i < count; ++i) max = std::max(max, LoadLE<uint32_t>(p + 4 * i));
  if (count > 0 && max >= dict_size) {
    uint64_t at = 0;
    while (LoadLE<uint32_t>(p + 4 * at) < dict_size) ++at;
    return InvalidInput(std::string(what) + " entry " + std::to_string(at) + " is string " +
                        std::to_string(LoadLE<uint32_t>(p + 4 * at)) + ", but the dictionary has " +
                        std::to_string(dict_size));
  }
  return p;
}

// Each string interned once: the lines then copy the pointers.
Result<std::vector<Interned>> ReadDictionary(Cursor& in) {
  REBILL_ASSIGN_OR_RETURN(uint32_t count, in.Get<uint32_t>("dictionary size"));
  REBILL_ASSIGN_OR_RETURN(const char* ends, in.Take(count, 8, "dictionary offsets"));
  uint64_t blob_size = count == 0 ? 0 : LoadLE<uint64_t>(ends + 8 * (count - 1));
  REBILL_ASSIGN_OR_RETURN(const char* blob, in.Take(blob_size, 1, "dictionary strings"));
  std::vector<Interned> strings(count);
  uint64_t begin = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t end = LoadLE<uint64_t>(ends + 8 * i);
    if (end < begin || end > blob_size) {
      return InvalidInput("dictionary string " + std::to_string(i) + " has a bad offset");
    }
    strings[i] = std::string_view(blob + begin, end - begin);
    begin = end;
  }
  return strings;
}

Result<NormalizedMonth> DecodeBody(std::string_view body) {
  Cursor in(body);
  NormalizedMonth m;
  REBILL_ASSIGN_OR_RETURN(uint32_t year, in.Get<uint32_t>("period"));
  REBILL_ASSIGN_OR_RETURN(uint32_t month, in.Get<uint32_t>("period"));
  REBILL_ASSIGN_OR_RETURN(m.period,
                          BillingPeriod::Make(static_cast<int>(year), static_cast<int>(month)));
  REBILL_ASSIGN_OR_RETURN(uint32_t scale, in.Get<uint32_t>("display scale"));
  if (scale > 18) return InvalidInput("display scale " + std::to_string(scale) + " is over 18");
  m.display_scale = static_cast<int>(scale);
  REBILL_ASSIGN_OR_RETURN(const std::vector<Interned> dict, ReadDictionary(in));
  const size_t n_dict = dict.size();

  REBILL_ASSIGN_OR_RETURN(uint32_t n_keys, in.Get<uint32_t>("tag key count"));
  REBILL_ASSIGN_OR_RETURN(const char* keys, TakeIds(in, n_keys, n_dict, "tag keys"));
  m.tag_keys.reserve(n_keys);
  for (uint32_t i = 0; i < n_keys; ++i) m.tag_keys.push_back(dict[LoadLE<uint32_t>(keys + 4 * i)]);

  REBILL_ASSIGN_OR_RETURN(uint32_t n_cuts, in.Get<uint32_t>("time cut count"));
  REBILL_ASSIGN_OR_RETURN(const char* cuts, in.Take(n_cuts, 8, "time cuts"));
  m.time_cuts.resize(n_cuts);
  for (uint32_t i = 0; i < n_cuts; ++i) {
    m.time_cuts[i] = static_cast<Timestamp>(LoadLE<uint64_t>(cuts + 8 * i));
  }

  REBILL_ASSIGN_OR_RETURN(uint32_t n_sources, in.Get<uint32_t>("source count"));
  REBILL_RETURN_IF_ERROR(in.Expect(n_sources, 4 + 4 + 4 + 8, "source"));
  m.sources.resize(n_sources);
  REBILL_ASSIGN_OR_RETURN(const char* paths, TakeIds(in, n_sources, n_dict, "source paths"));
  REBILL_ASSIGN_OR_RETURN(const char* shas, TakeIds(in, n_sources, n_dict, "source checksums"));
  REBILL_ASSIGN_OR_RETURN(const char* formats, TakeIds(in, n_sources, n_dict, "source formats"));
  REBILL_ASSIGN_OR_RETURN(const char* rows, in.Take(n_sources, 8, "source rows"));
  for (uint32_t i = 0; i < n_sources; ++i) {
    SourceFile& s = m.sources[i];
    s.path = dict[LoadLE<uint32_t>(paths + 4 * i)];
    s.sha256 = dict[LoadLE<uint32_t>(shas + 4 * i)];
    s.format = dict[LoadLE<uint32_t>(formats + 4 * i)];
    s.rows = LoadLE<uint64_t>(rows + 8 * i);
  }

  REBILL_ASSIGN_OR_RETURN(uint64_t n, in.Get<uint64_t>("line count"));
  REBILL_RETURN_IF_ERROR(in.Expect(n, kMinBytesPerLine, "line"));
  // Every column is found and checked first; then the lines are filled a line at a time, each
  // written once while it is in the cache (a column at a time, each pass over the lines would
  // fetch all of them again).
  REBILL_ASSIGN_OR_RETURN(const char* periods, in.Take(n, 4, "line periods"));
  {
    uint32_t checked = PeriodIndex(m.period);
    for (uint64_t i = 0; i < n; ++i) {
      uint32_t index = LoadLE<uint32_t>(periods + 4 * i);
      if (index == checked) continue;
      REBILL_RETURN_IF_ERROR(
          BillingPeriod::Make(static_cast<int>(index / 12), static_cast<int>(index % 12) + 1)
              .status());
      checked = index;
    }
  }
  REBILL_ASSIGN_OR_RETURN(const char* types, in.Take(n, 1, "line item types"));
  uint8_t max_type = 0;
  for (uint64_t i = 0; i < n; ++i) max_type = std::max(max_type, LoadLE<uint8_t>(types + i));
  if (n > 0 && max_type >= kLineItemTypeCount) {
    return InvalidInput("line item type " + std::to_string(max_type) + " is out of range");
  }
  std::array<const char*, kStringColumns.size()> string_ids{};
  for (size_t c = 0; c < kStringColumns.size(); ++c) {
    REBILL_ASSIGN_OR_RETURN(string_ids[c], TakeIds(in, n, n_dict, kStringColumns[c].name));
  }
  REBILL_ASSIGN_OR_RETURN(const char* starts, in.Take(n, 8, "usage starts"));
  REBILL_ASSIGN_OR_RETURN(const char* ends, in.Take(n, 8, "usage ends"));
  REBILL_ASSIGN_OR_RETURN(const char* amounts, in.Take(n, kDecimalSize, "usage amounts"));
  REBILL_ASSIGN_OR_RETURN(const char* unblended, in.Take(n, kDecimalSize, "unblended costs"));
  REBILL_ASSIGN_OR_RETURN(const char* net, in.Take(n, kDecimalSize, "net unblended costs"));
  REBILL_ASSIGN_OR_RETURN(const char* amortized, in.Take(n, kDecimalSize, "amortized costs"));
  REBILL_ASSIGN_OR_RETURN(const char* list, in.Take(n, kDecimalSize, "public on-demand costs"));
  // Later stages index the sources by a line's source file, so it must name one.
  REBILL_ASSIGN_OR_RETURN(const char* files, TakeIds(in, n, n_sources, "line source files"));
  REBILL_ASSIGN_OR_RETURN(const char* source_rows, in.Take(n, 8, "line source rows"));
  REBILL_ASSIGN_OR_RETURN(const char* line_rows, in.Take(n, 8, "line row counts"));
  REBILL_ASSIGN_OR_RETURN(const char* tag_counts, in.Take(n, 4, "tag counts"));
  // The lines are filled in two halves on two threads; the second half's tags start after the
  // first half's.
  const uint64_t half = n < kTwoThreadsFrom ? n : n / 2;
  uint64_t n_tags = 0, tags_before_half = 0;
  for (uint64_t i = 0; i < n; ++i) {
    if (i == half) tags_before_half = n_tags;
    n_tags += LoadLE<uint32_t>(tag_counts + 4 * i);
  }
  if (half == n) tags_before_half = n_tags;
  REBILL_RETURN_IF_ERROR(in.Expect(n_tags, 8, "tag"));
  REBILL_ASSIGN_OR_RETURN(const char* tag_keys, TakeIds(in, n_tags, n_dict, "tag key ids"));
  REBILL_ASSIGN_OR_RETURN(const char* tag_values, TakeIds(in, n_tags, n_dict, "tag value ids"));
  if (!in.AtEnd()) return InvalidInput("the body has trailing bytes");

  m.lines = DefaultConstructed<CurLine>(n);
  auto fill = [&, period = m.period](uint64_t begin, uint64_t end, uint64_t t) {
    uint32_t last_index = PeriodIndex(period);
    BillingPeriod last = period;
    for (uint64_t i = begin; i < end; ++i) {
      CurLine& l = m.lines[i];
      uint32_t index = LoadLE<uint32_t>(periods + 4 * i);
      if (index != last_index) {  // checked above
        last = BillingPeriod::Make(static_cast<int>(index / 12), static_cast<int>(index % 12) + 1)
                   .value();
        last_index = index;
      }
      l.period = last;
      l.type = LineItemType{LoadLE<uint8_t>(types + i)};
      for (size_t c = 0; c < kStringColumns.size(); ++c) {
        l.*kStringColumns[c].field = dict[LoadLE<uint32_t>(string_ids[c] + 4 * i)];
      }
      l.usage_start = static_cast<Timestamp>(LoadLE<uint64_t>(starts + 8 * i));
      l.usage_end = static_cast<Timestamp>(LoadLE<uint64_t>(ends + 8 * i));
      l.usage_amount = LoadDecimal(amounts + kDecimalSize * i);
      l.cost.unblended = LoadDecimal(unblended + kDecimalSize * i);
      l.cost.net_unblended = LoadDecimal(net + kDecimalSize * i);
      l.cost.amortized = LoadDecimal(amortized + kDecimalSize * i);
      l.cost.public_on_demand = LoadDecimal(list + kDecimalSize * i);
      l.source_file = LoadLE<uint32_t>(files + 4 * i);
      l.source_row = LoadLE<uint64_t>(source_rows + 8 * i);
      l.rows = LoadLE<uint64_t>(line_rows + 8 * i);
      uint32_t count = LoadLE<uint32_t>(tag_counts + 4 * i);
      l.tags.reserve(count);
      for (uint32_t j = 0; j < count; ++j, ++t) {
        l.tags.emplace_back(dict[LoadLE<uint32_t>(tag_keys + 4 * t)],
                            dict[LoadLE<uint32_t>(tag_values + 4 * t)]);
      }
    }
  };
  if (half < n) {
    std::thread other(fill, half, n, tags_before_half);
    fill(0, half, 0);
    other.join();
  } else {
    fill(0, n, 0);
  }
  return m;
}

Status WriteAll(int fd, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// A rename is durable only once the directory holding the new name is on disk too.
Status SyncDirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError(dir + ": cannot open to flush: " + std::strerror(errno));
  int rc = ::fsync(fd);
  std::string why = rc != 0 ? std::strerror(errno) : "";
  ::close(fd);
  if (rc != 0) return IoError(dir + ": cannot flush to disk: " + why);
  return Status::Ok();
}

// A month file mapped whole, read-only. Month files are replaced by rename and never written
// in place, so the mapping reads the file as it was opened. Mapped, its bytes are neither
// zeroed nor copied before they are read, as a buffer of the file's size would be.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }

  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return IoError(path + ": cannot open the normalized month; run `rebill ingest` again");
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return IoError(path + ": cannot stat: " + why);
    }
    auto file = std::make_unique<MappedFile>();
    file->size_ = static_cast<size_t>(st.st_size);
    if (file->size_ > 0) {
      // Populated up front: the whole file is read, and one call maps it faster than a fault
      // per page.
      void* data = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (data == MAP_FAILED) {
        std::string why = std::strerror(errno);
        ::close(fd);
        return IoError(path + ": cannot map the normalized month (" + why +
                       "); check that the workspace's file system allows memory-mapped files");
      }
      file->data_ = data;
    }
    ::close(fd);
    return file;
  }

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

namespace {

std::string ContentSha256(const NormalizedMonth& month, const ColumnIds& numbered) {
  std::string prefix = "rebill month content " + std::to_string(kVersion) + "\n";
  Sha256 sha;
  sha.Update(prefix);
  Writer body([&sha](std::string_view bytes) {
    sha.Update(bytes);
    return Status::Ok();
  });
  EncodeBody(month, Lineage::kOmit, numbered, body);
  REBILL_CHECK(body.Finish().ok());  // hashing cannot fail
  return sha.Hex();
}

constexpr uint64_t kStartWritebackEvery = uint64_t{8} << 20;

// The header, the body as EncodeBody streams it, and the body's SHA-256 in hex. The header's
// body size is written last, once the body is.
Result<std::string> WriteBody(int fd, const NormalizedMonth& month, const ColumnIds& numbered) {
  std::string header(kMagic);
  char fixed[12];
  StoreLE(fixed, kVersion);
  StoreLE(fixed + 4, uint64_t{0});
  header.append(fixed, sizeof fixed);
  REBILL_RETURN_IF_ERROR(WriteAll(fd, header));
  Sha256 sha;
  uint64_t size = 0;
  uint64_t flushed = 0;  // of the body, handed to the disk already
  Writer body([&](std::string_view bytes) {
    sha.Update(bytes);
    size += bytes.size();
    REBILL_RETURN_IF_ERROR(WriteAll(fd, bytes));
    // The written pages start on their way to the disk while the rest is encoded, so that the
    // closing fsync waits for the last of them only. Best effort: fsync still decides.
    if (size - flushed >= kStartWritebackEvery) {
      (void)::sync_file_range(fd, static_cast<off_t>(header.size() + flushed),
                              static_cast<off_t>(size - flushed), SYNC_FILE_RANGE_WRITE);
      flushed = size;
    }
    return Status::Ok();
  });
  EncodeBody(month, Lineage::kKeep, numbered, body);
  REBILL_RETURN_IF_ERROR(body.Finish());
  std::string hex = sha.Hex();
  REBILL_RETURN_IF_ERROR(WriteAll(fd, hex));
  StoreLE(fixed + 4, size);
  if (::pwrite(fd, fixed + 4, 8, static_cast<off_t>(kMagic.size() + 4)) != 8) {
    return IoError(std::strerror(errno));
  }
  return hex;
}

}  // namespace

std::string MonthContentSha256(const NormalizedMonth& month) {
  return ContentSha256(month, NumberColumns(month.lines));
}

Result<std::string> WriteMonthFile(const std::string& path, const NormalizedMonth& month,
                                   std::string* content_sha256) {
  ColumnIds numbered = NumberColumns(month.lines);
  // The content hash's body is encoded and hashed on a second thread meanwhile; the future
  // is waited for before any return, its destructor waiting on an early one.
  std::future<void> content;
  if (content_sha256 != nullptr) {
    content =
        std::async(std::launch::async, [&] { *content_sha256 = ContentSha256(month, numbered); });
  }
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError(tmp + ": cannot create: " + std::strerror(errno));
  Result<std::string> sha = WriteBody(fd, month, numbered);
  if (!sha.ok()) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return IoError(tmp + ": write failed: " + sha.status().message());
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return IoError(tmp + ": cannot flush to disk");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return IoError(path + ": cannot rename into place: " + std::strerror(errno));
  }
  REBILL_RETURN_IF_ERROR(SyncDirectoryOf(path));
  if (content.valid()) content.get();
  return sha;
}

Result<NormalizedMonth> ReadMonthFile(const std::string& path) {
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, MappedFile::Open(path));
  const std::string_view bytes = file->bytes();
  auto refuse = [&](const std::string& why) {
    return InvalidInput(path + ": " + why + "; ingest the billing files again");
  };
  auto corrupt = [&](const std::string& why) {
    return refuse("the normalized month is damaged (" + why + ")");
  };
  if (bytes.size() < kHeaderSize + kFooterSize || bytes.compare(0, kMagic.size(), kMagic) != 0) {
    return corrupt("not a rebill month file");
  }
  const char* header = bytes.data() + kMagic.size();
  uint32_t version = LoadLE<uint32_t>(header);
  uint64_t body_size = LoadLE<uint64_t>(header + 4);
  if (version < kVersion) {
    return refuse("the normalized month was written by an older rebill (format version " +
                  std::to_string(version) + ", this release reads " + std::to_string(kVersion) +
                  ")");
  }
  if (version > kVersion) {
    return refuse("the normalized month was written by a newer rebill (format version " +
                  std::to_string(version) + ", this release reads " + std::to_string(kVersion) +
                  ")");
  }
  if (body_size != bytes.size() - kHeaderSize - kFooterSize) return corrupt("wrong length");
  std::string_view body = std::string_view(bytes).substr(kHeaderSize, body_size);
  std::string_view stored_sha = std::string_view(bytes).substr(kHeaderSize + body_size);
  // The checksum is computed while the body is decoded; decoding checks every count and id
  // itself, so a damaged body decodes to an error or to lines that are thrown away here.
  std::future<std::string> sha = std::async(std::launch::async, [body] { return Sha256Hex(body); });
  Result<NormalizedMonth> month = DecodeBody(body);
  if (sha.get() != stored_sha) return corrupt("checksum mismatch");
  if (!month.ok()) return corrupt(month.status().message());
  return month;
}

}  // namespace rebill::store
