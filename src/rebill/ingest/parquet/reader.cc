#include "rebill/ingest/parquet/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "rebill/ingest/parquet/encodings.h"
#include "rebill/ingest/parquet/metadata.h"
#include "rebill/ingest/parquet/text.h"

namespace rebill::parquet {
namespace {

constexpr std::string_view kMagic = "PAR1";
constexpr int kMaxSchemaDepth = 32;

// An open file, read at offsets. pread keeps no shared position, so the threads decoding a row
// group's columns read through one descriptor.
class File {
 public:
  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() {
    if (fd_ >= 0) close(fd_);
  }
  Status Open(const std::string& path) {
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return IoError(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (fstat(fd_, &st) != 0) return IoError(path + ": cannot stat: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return IoError(path + ": not a regular file");
    size_ = static_cast<uint64_t>(st.st_size);
    return Status::Ok();
  }
  uint64_t size() const { return size_; }
  // Exactly `size` bytes at `offset` into `out`.
  bool ReadAt(uint64_t offset, size_t size, char* out, std::string* error) const {
    while (size > 0) {
      ssize_t n = pread(fd_, out, size, static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        *error = std::string("cannot read: ") + std::strerror(errno);
        return false;
      }
      if (n == 0) {
        *error = "the file ended early; was it changed while being read?";
        return false;
      }
      out += n;
      offset += static_cast<uint64_t>(n);
      size -= static_cast<size_t>(n);
    }
    return true;
  }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

// A primitive column of the schema and where it sits in the nesting.
struct Leaf {
  const SchemaElement* element = nullptr;
  std::string path;  // dotted, for messages
  int max_def = 0;
  int max_rep = 0;
};

enum class Shape : uint8_t { kScalar, kMap, kUnsupported };

struct TopColumn {
  std::string name;
  Shape shape = Shape::kScalar;
  int leaf = -1;                       // kScalar
  int key_leaf = -1, value_leaf = -1;  // kMap
  int entry_def = 0;                   // kMap: the definition level at which an entry exists
  int first_leaf = 0, leaf_count = 0;
  std::string unsupported;  // why, for kUnsupported
};

// Levels and non-null values of one leaf column chunk, kept whole (for map columns).
struct LeafLevels {
  std::vector<uint32_t> def, rep;
  TextColumn values;  // the non-null values, no nulls among them
};

using Span = TextColumn::Span;

// A column chunk's dictionary: its entries as cells, and as binary values for a DOUBLE column
// read as binary.
struct Dictionary {
  std::vector<Span> spans;
  std::vector<double> doubles;
};

// Buffers one thread reuses from one column chunk to the next.
struct Scratch {
  std::string chunk, page, values;
  std::vector<uint32_t> def, rep, indexes;
  Dictionary dictionary;
};

uint32_t LoadLe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

int FixedWidth(const SchemaElement& e) {
  switch (*e.type) {
    case PhysicalType::kInt32:
    case PhysicalType::kFloat:
      return 4;
    case PhysicalType::kInt64:
    case PhysicalType::kDouble:
      return 8;
    case PhysicalType::kInt96:
      return 12;
    case PhysicalType::kFixedLenByteArray:
      return e.type_length;
    default:
      return 0;
  }
}

}  // namespace

struct ParquetFile::Impl {
  std::string name;
  File disk;                // when opened by path
  std::string_view buffer;  // when read from memory
  bool in_memory = false;
  uint64_t size = 0;
  ReadLimits limits;
  FileMetaData meta;
  std::vector<Leaf> leaves;
  std::vector<TopColumn> columns;
  std::vector<std::string> column_names;
  size_t data_end = 0;  // where the footer starts
  uint64_t max_values = 0;
  uint64_t max_page_bytes = 0;
  uint64_t max_text_bytes = 0;

  Status Fail(const std::string& why) const { return InvalidInput(name + ": " + why); }
  // The `length` bytes at `offset`, which the caller has checked lie within the file: a view
  // of the buffer, or read into `scratch`.
  bool Read(uint64_t offset, size_t length, std::string* scratch, const uint8_t** out,
            std::string* error) const;
  // Ends the cell that began at `begin` in out->text.
  bool EndCell(TextColumn* out, size_t begin, std::string* error) const {
    size_t end = out->text.size();
    if (end > max_text_bytes) {
      *error = "the column's text would exceed " + std::to_string(max_text_bytes) + " bytes";
      return false;
    }
    out->spans.push_back(Span{static_cast<uint32_t>(begin), static_cast<uint32_t>(end - begin)});
    return true;
  }
  Status Init();
  Status BuildSchema();
  // Walk the subtree at schema[*index]; false with *error set when it is malformed.
  bool Walk(size_t* index, int depth, int def, int rep, const std::string& prefix,
            std::string* error);
  Status ReadColumn(size_t row_group, const TopColumn& column, bool binary_doubles, TextColumn* out,
                    Scratch* scratch) const;
  // `binary` (a flat DOUBLE leaf asked for as such): values go to out->doubles, not text.
  bool ReadLeaf(size_t row_group, int leaf, bool binary, TextColumn* flat, LeafLevels* levels,
                Scratch* scratch, std::string* error) const;
  bool DecodeValues(const Leaf& leaf, Encoding encoding, ByteRange in, size_t count, bool binary,
                    const Dictionary* dictionary, std::vector<uint32_t>* scratch, TextColumn* out,
                    std::string* error) const;
  bool AppendFixed(const Leaf& leaf, const uint8_t* data, size_t count, bool binary,
                   TextColumn* out, std::string* error) const;
  bool AppendBytes(const Leaf& leaf, std::string_view value, TextColumn* out,
                   std::string* error) const;
};

bool ParquetFile::Impl::Read(uint64_t offset, size_t length, std::string* scratch,
                             const uint8_t** out, std::string* error) const {
  if (offset > size || length > size - offset) {
    *error = "internal: a read past the end of the file";
    return false;
  }
  if (in_memory) {
    *out = reinterpret_cast<const uint8_t*>(buffer.data() + offset);
    return true;
  }
  scratch->resize(length);
  if (!disk.ReadAt(offset, length, scratch->data(), error)) return false;
  *out = reinterpret_cast<const uint8_t*>(scratch->data());
  return true;
}

Status ParquetFile::Impl::Init() {
  std::string head, tail, footer_bytes, error;
  const uint8_t* p = nullptr;
  if (size < 12 || !Read(0, 4, &head, &p, &error) ||
      std::memcmp(p, kMagic.data(), kMagic.size()) != 0) {
    if (!error.empty()) return IoError(name + ": " + error);
    return Fail("not a Parquet file (it does not start with PAR1)");
  }
  if (!Read(size - 8, 8, &tail, &p, &error)) return IoError(name + ": " + error);
  if (std::memcmp(p + 4, "PARE", 4) == 0) {
    return Fail("encrypted Parquet files are not supported");
  }
  if (std::memcmp(p + 4, kMagic.data(), kMagic.size()) != 0) {
    return Fail("the Parquet file is truncated (it does not end with PAR1)");
  }
  uint32_t footer = LoadLe32(p);
  if (footer > size - 12) {
    return Fail("the Parquet footer length " + std::to_string(footer) +
                " runs past the start of the file; the file is truncated or corrupt");
  }
  data_end = static_cast<size_t>(size - 8 - footer);
  max_values = std::max<uint64_t>(1, limits.values_per_file_byte * size);
  max_page_bytes = std::min(limits.max_page_bytes, limits.page_bytes_per_file_byte * size);
  max_text_bytes = std::min<uint64_t>(UINT32_MAX, limits.page_bytes_per_file_byte * size);
  if (!Read(data_end, footer, &footer_bytes, &p, &error)) return IoError(name + ": " + error);
  if (!ParseFileMetaData(p, footer, &meta, &error)) {
    return Fail("the Parquet footer is corrupt: " + error);
  }
  if (meta.encrypted) return Fail("encrypted Parquet files are not supported");
  REBILL_RETURN_IF_ERROR(BuildSchema());
  for (size_t g = 0; g < meta.row_groups.size(); ++g) {
    const RowGroup& rg = meta.row_groups[g];
    if (rg.columns.size() != leaves.size()) {
      return Fail("row group " + std::to_string(g) + " has " + std::to_string(rg.columns.size()) +
                  " column chunks but the schema has " + std::to_string(leaves.size()) +
                  " columns");
    }
    if (rg.num_rows < 0 || static_cast<uint64_t>(rg.num_rows) > max_values) {
      return Fail("row group " + std::to_string(g) + " claims " + std::to_string(rg.num_rows) +
                  " rows, more than a file of this size can hold");
    }
  }
  return Status::Ok();
}

bool ParquetFile::Impl::Walk(size_t* index, int depth, int def, int rep, const std::string& prefix,
                             std::string* error) {
  if (depth > kMaxSchemaDepth) {
    *error = "the schema nests deeper than " + std::to_string(kMaxSchemaDepth) + " levels";
    return false;
  }
  if (*index >= meta.schema.size()) {
    *error = "the schema ends before all declared children";
    return false;
  }
  const SchemaElement& e = meta.schema[(*index)++];
  if (e.repetition == Repetition::kOptional) ++def;
  if (e.repetition == Repetition::kRepeated) {
    ++def;
    ++rep;
  }
  std::string path = prefix.empty() ? e.name : prefix + "." + e.name;
  if (e.type.has_value()) {
    if (e.num_children > 0) {
      *error = "the schema element " + path + " has a type and children";
      return false;
    }
    if (*e.type == PhysicalType::kFixedLenByteArray &&
        (e.type_length <= 0 || e.type_length > (1 << 20))) {
      *error = "the column " + path + " has an invalid FIXED_LEN_BYTE_ARRAY length " +
               std::to_string(e.type_length);
      return false;
    }
    if (e.kind == ValueKind::kDecimal && (e.scale < 0 || e.scale > 38)) {
      *error = "the column " + path + " has an invalid DECIMAL scale " + std::to_string(e.scale);
      return false;
    }
    leaves.push_back(Leaf{&e, path, def, rep});
    return true;
  }
  if (e.num_children < 0 || static_cast<size_t>(e.num_children) > meta.schema.size() - *index) {
    *error = "the schema element " + path + " claims more children than the schema holds";
    return false;
  }
  for (int32_t c = 0; c < e.num_children; ++c) {
    if (!Walk(index, depth + 1, def, rep, path, error)) return false;
  }
  return true;
}

Status ParquetFile::Impl::BuildSchema() {
  if (meta.schema.empty()) return Fail("the Parquet footer has no schema");
  const SchemaElement& root = meta.schema[0];
  if (root.num_children < 0 || static_cast<size_t>(root.num_children) >= meta.schema.size()) {
    return Fail("the Parquet schema's root claims more children than the schema holds");
  }
  size_t index = 1;
  for (int32_t c = 0; c < root.num_children; ++c) {
    TopColumn column;
    size_t at = index;
    if (at >= meta.schema.size()) {
      return Fail("the Parquet schema is invalid: it ends before all of the root's children");
    }
    const SchemaElement& e = meta.schema[at];
    column.name = e.name;
    column.first_leaf = static_cast<int>(leaves.size());
    std::string error;
    if (!Walk(&index, 1, 0, 0, "", &error)) return Fail("the Parquet schema is invalid: " + error);
    column.leaf_count = static_cast<int>(leaves.size()) - column.first_leaf;
    if (e.type.has_value()) {
      column.leaf = column.first_leaf;
      if (e.repetition == Repetition::kRepeated) {
        column.shape = Shape::kUnsupported;
        column.unsupported = "repeated (list) columns are not supported";
      }
    } else {
      // A map: <map> (MAP) { repeated group key_value { key; value; } }. Files that omit the
      // annotation but have the shape are read the same way.
      const SchemaElement* entry = at + 1 < meta.schema.size() ? &meta.schema[at + 1] : nullptr;
      bool map_shape = e.num_children == 1 && entry != nullptr && !entry->type.has_value() &&
                       entry->repetition == Repetition::kRepeated && entry->num_children == 2 &&
                       column.leaf_count == 2 &&
                       leaves[static_cast<size_t>(column.first_leaf)].max_rep == 1 &&
                       leaves[static_cast<size_t>(column.first_leaf) + 1].max_rep == 1;
      if (map_shape) {
        column.shape = Shape::kMap;
        column.key_leaf = column.first_leaf;
        column.value_leaf = column.first_leaf + 1;
        column.entry_def = (e.repetition == Repetition::kOptional ? 1 : 0) + 1;
      } else {
        column.shape = Shape::kUnsupported;
        column.unsupported = "nested columns other than maps of scalars are not supported";
      }
    }
    column_names.push_back(column.name);
    columns.push_back(std::move(column));
  }
  if (index != meta.schema.size()) {
    return Fail("the Parquet schema has elements outside its root");
  }
  return Status::Ok();
}

bool ParquetFile::Impl::AppendBytes(const Leaf& leaf, std::string_view value, TextColumn* out,
                                    std::string* error) const {
  if (leaf.element->kind == ValueKind::kDecimal) {
    Int128 unscaled = 0;
    if (!BigEndianToInt128(value, &unscaled)) {
      *error = "a DECIMAL value is wider than 16 bytes";
      return false;
    }
    size_t begin = out->text.size();
    AppendDecimal(unscaled, leaf.element->scale, &out->text);
    return EndCell(out, begin, error);
  }
  size_t begin = out->text.size();
  out->text.append(value);
  return EndCell(out, begin, error);
}

bool ParquetFile::Impl::AppendFixed(const Leaf& leaf, const uint8_t* data, size_t count,
                                    bool binary, TextColumn* out, std::string* error) const {
  const SchemaElement& e = *leaf.element;
  // Nothing to add, and an empty column's data() may be null, which memcpy must never get.
  if (count == 0) return true;
  if (binary) {
    size_t base = out->doubles.size();
    out->doubles.resize(base + count);
    std::memcpy(out->doubles.data() + base, data, 8 * count);
    out->spans.resize(out->spans.size() + count);
    return true;
  }
  std::string& text = out->text;
  out->spans.reserve(out->spans.size() + count);
  switch (*e.type) {
    case PhysicalType::kInt32:
      for (size_t i = 0; i < count; ++i) {
        size_t begin = text.size();
        int32_t v;
        std::memcpy(&v, data + 4 * i, 4);
        if (e.kind == ValueKind::kDecimal) {
          AppendDecimal(v, e.scale, &text);
        } else if (e.kind == ValueKind::kDate) {
          AppendDate(v, &text);
        } else if (e.kind == ValueKind::kUnsigned) {
          AppendDecimal(static_cast<uint32_t>(v), 0, &text);
        } else {
          AppendDecimal(v, 0, &text);
        }
        if (!EndCell(out, begin, error)) return false;
      }
      return true;
    case PhysicalType::kInt64:
      for (size_t i = 0; i < count; ++i) {
        size_t begin = text.size();
        int64_t v;
        std::memcpy(&v, data + 8 * i, 8);
        if (e.kind == ValueKind::kDecimal) {
          AppendDecimal(v, e.scale, &text);
        } else if (e.kind == ValueKind::kTimestamp) {
          AppendTimestamp(v, e.time_unit, &text);
        } else if (e.kind == ValueKind::kUnsigned) {
          AppendDecimal(static_cast<uint64_t>(v), 0, &text);
        } else {
          AppendDecimal(v, 0, &text);
        }
        if (!EndCell(out, begin, error)) return false;
      }
      return true;
    case PhysicalType::kInt96:
      for (size_t i = 0; i < count; ++i) {
        size_t begin = text.size();
        AppendInt96Timestamp(data + 12 * i, &text);
        if (!EndCell(out, begin, error)) return false;
      }
      return true;
    case PhysicalType::kFloat:
      for (size_t i = 0; i < count; ++i) {
        size_t begin = text.size();
        float v;
        std::memcpy(&v, data + 4 * i, 4);
        AppendFloat(v, &text);
        if (!EndCell(out, begin, error)) return false;
      }
      return true;
    case PhysicalType::kDouble:
      for (size_t i = 0; i < count; ++i) {
        size_t begin = text.size();
        double v;
        std::memcpy(&v, data + 8 * i, 8);
        AppendDouble(v, &text);
        if (!EndCell(out, begin, error)) return false;
      }
      return true;
    case PhysicalType::kFixedLenByteArray: {
      auto width = static_cast<size_t>(e.type_length);
      for (size_t i = 0; i < count; ++i) {
        std::string_view v(reinterpret_cast<const char*>(data) + width * i, width);
        if (!AppendBytes(leaf, v, out, error)) return false;
      }
      return true;
    }
    default:
      *error = "internal: not a fixed-width type";
      return false;
  }
}

bool ParquetFile::Impl::DecodeValues(const Leaf& leaf, Encoding encoding, ByteRange in,
                                     size_t count, bool binary, const Dictionary* dictionary,
                                     std::vector<uint32_t>* scratch, TextColumn* out,
                                     std::string* error) const {
  const SchemaElement& e = *leaf.element;
  PhysicalType type = *e.type;
  size_t width = static_cast<size_t>(FixedWidth(e));
  auto need = [&](uint64_t wanted) {
    if (wanted > in.size) {
      *error = "the page holds fewer values than its header says";
      return false;
    }
    return true;
  };
  switch (encoding) {
    case Encoding::kPlain:
      if (type == PhysicalType::kBoolean) {
        if (!need((static_cast<uint64_t>(count) + 7) / 8)) return false;
        for (size_t i = 0; i < count; ++i) {
          size_t begin = out->text.size();
          out->text.append((in.data[i / 8] >> (i % 8)) & 1 ? "true" : "false");
          if (!EndCell(out, begin, error)) return false;
        }
        return true;
      }
      if (type == PhysicalType::kByteArray) {
        size_t pos = 0;
        for (size_t i = 0; i < count; ++i) {
          if (in.size - pos < 4) return need(in.size + 1);
          uint32_t length = LoadLe32(in.data + pos);
          pos += 4;
          if (length > in.size - pos) {
            *error = "a string runs past the end of its page";
            return false;
          }
          if (!AppendBytes(leaf, {reinterpret_cast<const char*>(in.data + pos), length}, out,
                           error)) {
            return false;
          }
          pos += length;
        }
        return true;
      }
      if (!need(static_cast<uint64_t>(count) * width)) return false;
      return AppendFixed(leaf, in.data, count, binary, out, error);
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary: {
      if (dictionary == nullptr) {
        *error = "a dictionary-encoded page comes without a dictionary page";
        return false;
      }
      if (count == 0) return true;
      if (in.size < 1) return need(1);
      int bit_width = in.data[0];
      if (bit_width > 32) {
        *error = "the dictionary index width " + std::to_string(bit_width) + " is out of range";
        return false;
      }
      // Cells point at the dictionary's entries, decoded once for the column chunk; a binary
      // DOUBLE's cells are its values, and its spans all empty.
      RleDecoder decoder(in.data + 1, in.size - 1, bit_width);
      size_t base = out->spans.size();
      out->spans.resize(base + count);
      bool ok;
      if (binary) {
        size_t first = out->doubles.size();
        out->doubles.resize(first + count);
        ok = decoder.Gather(count, dictionary->doubles.data(), dictionary->doubles.size(),
                            out->doubles.data() + first, error);
        if (!ok) out->doubles.resize(first);
      } else {
        ok = decoder.Gather(count, dictionary->spans.data(), dictionary->spans.size(),
                            out->spans.data() + base, error);
      }
      if (!ok) out->spans.resize(base);
      return ok;
    }
    case Encoding::kRle: {
      if (type != PhysicalType::kBoolean) break;
      if (!need(4)) return false;
      uint32_t length = LoadLe32(in.data);
      if (!need(uint64_t{4} + length)) return false;
      std::vector<uint32_t>& bits = *scratch;
      bits.clear();
      RleDecoder decoder(in.data + 4, length, 1);
      if (!decoder.Get(count, &bits, error)) return false;
      for (uint32_t b : bits) {
        size_t begin = out->text.size();
        out->text.append(b ? "true" : "false");
        if (!EndCell(out, begin, error)) return false;
      }
      return true;
    }
    case Encoding::kDeltaBinaryPacked: {
      if (type != PhysicalType::kInt32 && type != PhysicalType::kInt64) break;
      std::vector<int64_t> values;
      if (!DecodeDeltaBinaryPacked(&in, count, type == PhysicalType::kInt64, &values, error)) {
        return false;
      }
      std::string raw(values.size() * width, '\0');
      for (size_t i = 0; i < values.size(); ++i) {
        if (width == 4) {
          auto v = static_cast<int32_t>(values[i]);
          std::memcpy(raw.data() + 4 * i, &v, 4);
        } else {
          std::memcpy(raw.data() + 8 * i, &values[i], 8);
        }
      }
      return AppendFixed(leaf, reinterpret_cast<const uint8_t*>(raw.data()), values.size(), binary,
                         out, error);
    }
    case Encoding::kDeltaLengthByteArray:
    case Encoding::kDeltaByteArray: {
      if (type != PhysicalType::kByteArray &&
          !(type == PhysicalType::kFixedLenByteArray && encoding == Encoding::kDeltaByteArray)) {
        break;
      }
      bool fixed = type == PhysicalType::kFixedLenByteArray;
      return DecodeDeltaByteArrays(in, count, encoding == Encoding::kDeltaByteArray, max_text_bytes,
                                   error, [&](std::string_view value) {
                                     if (fixed && value.size() != width) {
                                       *error = "a FIXED_LEN_BYTE_ARRAY value has the wrong length";
                                       return false;
                                     }
                                     return AppendBytes(leaf, value, out, error);
                                   });
    }
    case Encoding::kByteStreamSplit: {
      if (width == 0) break;
      if (!need(static_cast<uint64_t>(count) * width)) return false;
      std::string raw(count * width, '\0');
      for (size_t b = 0; b < width; ++b) {
        const uint8_t* stream = in.data + b * count;
        for (size_t i = 0; i < count; ++i) raw[i * width + b] = static_cast<char>(stream[i]);
      }
      return AppendFixed(leaf, reinterpret_cast<const uint8_t*>(raw.data()), count, binary, out,
                         error);
    }
    default:
      break;
  }
  *error = "the encoding " + std::string(EncodingName(encoding)) +
           " is not supported for this column's type";
  return false;
}

// Decodes the pages of one leaf column chunk. A flat column goes straight into `flat` (nulls as
// empty cells); a map's leaf keeps its levels in `levels`.
bool ParquetFile::Impl::ReadLeaf(size_t row_group, int leaf_index, bool binary, TextColumn* flat,
                                 LeafLevels* levels, Scratch* scratch, std::string* error) const {
  const Leaf& leaf = leaves[static_cast<size_t>(leaf_index)];
  const ColumnChunk& chunk = meta.row_groups[row_group].columns[static_cast<size_t>(leaf_index)];
  if (!chunk.has_metadata) {
    *error = "the column chunk has no metadata";
    return false;
  }
  if (chunk.external) {
    *error = "the column chunk is stored in another file, which is not supported";
    return false;
  }
  if (chunk.type != *leaf.element->type) {
    *error = "the column chunk's type differs from the schema's";
    return false;
  }
  int64_t start = chunk.data_page_offset;
  if (chunk.dictionary_page_offset.has_value() && *chunk.dictionary_page_offset > 0 &&
      *chunk.dictionary_page_offset < start) {
    start = *chunk.dictionary_page_offset;
  }
  if (start < 4 || chunk.total_compressed_size < 0 || static_cast<uint64_t>(start) > data_end ||
      static_cast<uint64_t>(chunk.total_compressed_size) >
          data_end - static_cast<uint64_t>(start)) {
    *error = "the column chunk's offsets lie outside the file's data";
    return false;
  }
  if (chunk.num_values < 0 || static_cast<uint64_t>(chunk.num_values) > max_values) {
    *error = "the column chunk claims " + std::to_string(chunk.num_values) +
             " values, more than a file of this size can hold";
    return false;
  }
  // The chunk is read whole: its pages are contiguous, and one read of a few megabytes is
  // cheaper than one per page.
  const uint8_t* file = nullptr;
  size_t end = static_cast<size_t>(chunk.total_compressed_size);
  if (!Read(static_cast<uint64_t>(start), end, &scratch->chunk, &file, error)) return false;
  size_t pos = 0;
  auto total = static_cast<uint64_t>(chunk.num_values);
  uint64_t seen = 0;
  Dictionary& dictionary = scratch->dictionary;
  dictionary.spans.clear();
  dictionary.doubles.clear();
  bool has_dictionary = false;
  std::string& page = scratch->page;
  std::string& values_buffer = scratch->values;
  std::vector<uint32_t>& def = scratch->def;
  std::vector<uint32_t>& rep = scratch->rep;
  TextColumn* target = flat != nullptr ? flat : &levels->values;
  int def_width = BitWidth(static_cast<uint64_t>(leaf.max_def));
  int rep_width = BitWidth(static_cast<uint64_t>(leaf.max_rep));

  // Levels of `n` values, RLE with a 4-byte length (v1) or of a known length (v2).
  // When `all_max` is given and every level is `max` (a page without nulls), *all_max is set
  // and `out` left empty.
  auto read_levels = [&](Encoding encoding, const uint8_t** p, size_t* left, int width, size_t n,
                         int64_t v2_length, std::vector<uint32_t>* out, int max,
                         bool* all_max = nullptr) {
    out->clear();
    if (all_max != nullptr) *all_max = false;
    size_t length;
    if (v2_length >= 0) {
      length = static_cast<size_t>(v2_length);
    } else if (encoding == Encoding::kBitPacked) {
      length =
          static_cast<size_t>((static_cast<uint64_t>(n) * static_cast<uint64_t>(width) + 7) / 8);
    } else {
      if (*left < 4) {
        *error = "the page ends before its levels";
        return false;
      }
      length = LoadLe32(*p);
      *p += 4;
      *left -= 4;
    }
    if (length > *left) {
      *error = "the page's levels run past its end";
      return false;
    }
    bool ok = false;
    if (v2_length < 0 && encoding == Encoding::kBitPacked) {
      ok = DecodeBitPackedLevels(*p, length, width, n, out, error);
    } else if (v2_length >= 0 || encoding == Encoding::kRle) {
      RleDecoder decoder(*p, length, width);
      bool repeats = false;
      uint32_t value = 0;
      if (all_max != nullptr && n > 0) {
        if (!decoder.RepeatsFor(n, &repeats, &value, error)) return false;
      }
      if (repeats && value == static_cast<uint32_t>(max)) {
        *all_max = true;
        ok = true;
      } else {
        ok = decoder.Get(n, out, error);
      }
    } else {
      *error = "the level encoding " + std::string(EncodingName(encoding)) + " is not supported";
    }
    if (!ok) return false;
    for (uint32_t level : *out) {
      if (level > static_cast<uint32_t>(max)) {
        *error = "a level (" + std::to_string(level) + ") exceeds the column's maximum (" +
                 std::to_string(max) + ")";
        return false;
      }
    }
    *p += length;
    *left -= length;
    return true;
  };

  while (seen < total) {
    if (pos >= end) {
      *error = "the column chunk ends after " + std::to_string(seen) + " of its " +
               std::to_string(total) + " values";
      return false;
    }
    PageHeader header;
    size_t header_size = 0;
    if (!ParsePageHeader(file + pos, end - pos, &header, &header_size, error)) return false;
    pos += header_size;
    auto compressed = static_cast<size_t>(header.compressed_page_size);
    auto uncompressed = static_cast<uint64_t>(header.uncompressed_page_size);
    if (compressed > end - pos) {
      *error = "a page runs past the end of its column chunk";
      return false;
    }
    const uint8_t* raw = file + pos;
    pos += compressed;
    if (uncompressed > max_page_bytes) {
      *error = "a page claims " + std::to_string(uncompressed) +
               " bytes uncompressed, more than a file of this size can hold";
      return false;
    }
    if (header.type != PageType::kDictionaryPage && header.type != PageType::kDataPage &&
        header.type != PageType::kDataPageV2) {
      continue;  // index pages and unknown page types carry nothing to read
    }
    if (!header.has_type_header) {
      *error = "a page header lacks the header of its page type";
      return false;
    }
    if (header.type == PageType::kDictionaryPage) {
      if (has_dictionary) {
        *error = "the column chunk has two dictionary pages";
        return false;
      }
      if (header.encoding != Encoding::kPlain && header.encoding != Encoding::kPlainDictionary) {
        *error = "the dictionary page's encoding " + std::string(EncodingName(header.encoding)) +
                 " is not PLAIN";
        return false;
      }
      if (!Decompress(chunk.codec, raw, compressed, uncompressed, &page, error)) return false;
      // Each dictionary entry takes at least one byte (4 for strings).
      if (static_cast<uint64_t>(header.num_values) > uncompressed) {
        *error = "the dictionary page claims more entries than bytes";
        return false;
      }
      // The entries' text goes into the column itself, where the cells that use them point.
      ByteRange in{reinterpret_cast<const uint8_t*>(page.data()), page.size()};
      size_t base = target->spans.size();
      size_t doubles_base = target->doubles.size();
      if (!DecodeValues(leaf, Encoding::kPlain, in, static_cast<size_t>(header.num_values), binary,
                        nullptr, &scratch->indexes, target, error)) {
        return false;
      }
      dictionary.spans.assign(target->spans.begin() + static_cast<ptrdiff_t>(base),
                              target->spans.end());
      target->spans.resize(base);
      dictionary.doubles.assign(target->doubles.begin() + static_cast<ptrdiff_t>(doubles_base),
                                target->doubles.end());
      target->doubles.resize(doubles_base);
      has_dictionary = true;
      continue;
    }
    auto n = static_cast<uint64_t>(header.num_values);
    // A flat column's page without nulls needs no levels spelled out.
    bool no_nulls = false;
    bool* all_defined = flat != nullptr ? &no_nulls : nullptr;
    if (n > total - seen) {
      *error = "the pages hold more values than the column chunk's " + std::to_string(total);
      return false;
    }
    const uint8_t* p;
    size_t left;
    if (header.type == PageType::kDataPage) {
      if (!Decompress(chunk.codec, raw, compressed, uncompressed, &page, error)) return false;
      p = reinterpret_cast<const uint8_t*>(page.data());
      left = page.size();
      if ((leaf.max_rep > 0 && !read_levels(header.repetition_level_encoding, &p, &left, rep_width,
                                            n, -1, &rep, leaf.max_rep)) ||
          (leaf.max_def > 0 && !read_levels(header.definition_level_encoding, &p, &left, def_width,
                                            n, -1, &def, leaf.max_def, all_defined))) {
        return false;
      }
    } else {
      int64_t rep_length = header.repetition_levels_byte_length;
      int64_t def_length = header.definition_levels_byte_length;
      if (rep_length < 0 || def_length < 0 ||
          static_cast<uint64_t>(rep_length + def_length) > compressed ||
          static_cast<uint64_t>(rep_length + def_length) > uncompressed) {
        *error = "the v2 page's level lengths exceed the page";
        return false;
      }
      p = raw;
      left = compressed;
      if (leaf.max_rep > 0) {
        if (!read_levels(Encoding::kRle, &p, &left, rep_width, n, rep_length, &rep, leaf.max_rep)) {
          return false;
        }
      } else {
        p += rep_length;
        left -= static_cast<size_t>(rep_length);
      }
      if (leaf.max_def > 0) {
        if (!read_levels(Encoding::kRle, &p, &left, def_width, n, def_length, &def, leaf.max_def,
                         all_defined)) {
          return false;
        }
      } else {
        p += def_length;
        left -= static_cast<size_t>(def_length);
      }
      uint64_t values_size = uncompressed - static_cast<uint64_t>(rep_length + def_length);
      if (header.is_compressed && chunk.codec != Codec::kUncompressed) {
        if (!Decompress(chunk.codec, p, left, values_size, &values_buffer, error)) return false;
        p = reinterpret_cast<const uint8_t*>(values_buffer.data());
        left = values_buffer.size();
      }
    }
    size_t present = static_cast<size_t>(n);
    if (leaf.max_def > 0 && !no_nulls) {
      present = static_cast<size_t>(
          std::count(def.begin(), def.end(), static_cast<uint32_t>(leaf.max_def)));
    }
    if (leaf.max_rep > 0 && seen == 0 && n > 0 && rep[0] != 0) {
      *error = "the first value of the column chunk continues a previous row";
      return false;
    }
    size_t base = target->spans.size();
    if (!DecodeValues(leaf, header.encoding, ByteRange{p, left}, present, binary,
                      has_dictionary ? &dictionary : nullptr, &scratch->indexes, target, error)) {
      return false;
    }
    if (target->spans.size() != base + present) {
      *error = "the page holds fewer values than its header says";
      return false;
    }
    if (flat != nullptr) {
      auto max_def = static_cast<uint32_t>(leaf.max_def);
      if (present != n) {
        // Spread the values out to their rows, from the back so that none is overwritten
        // before it has moved.
        flat->spans.resize(base + static_cast<size_t>(n));
        Span* cells = flat->spans.data() + base;
        size_t next = present;
        for (size_t i = static_cast<size_t>(n); i-- > 0;) {
          cells[i] = def[i] == max_def ? cells[--next] : Span{};
        }
        if (binary) {
          flat->doubles.resize(base + static_cast<size_t>(n));
          double* values = flat->doubles.data() + base;
          next = present;
          for (size_t i = static_cast<size_t>(n); i-- > 0;) {
            values[i] = def[i] == max_def ? values[--next] : 0.0;
          }
        }
      }
      size_t null_base = flat->is_null.size();
      flat->is_null.resize(null_base + static_cast<size_t>(n), 0);
      if (leaf.max_def > 0 && !no_nulls) {
        // Through plain pointers, the flags not aliasing the levels: the loop is vectorized
        // (a byte store may alias anything, so through the vector it was one byte at a time).
        uint8_t* __restrict is_null = flat->is_null.data() + null_base;
        const uint32_t* __restrict def_levels = def.data();
        for (size_t i = 0; i < n; ++i) is_null[i] = def_levels[i] == max_def ? 0 : 1;
      }
    } else {
      if (leaf.max_def > 0) levels->def.insert(levels->def.end(), def.begin(), def.end());
      levels->rep.insert(levels->rep.end(), rep.begin(), rep.end());
    }
    seen += n;
  }
  return true;
}

Status ParquetFile::Impl::ReadColumn(size_t row_group, const TopColumn& column, bool binary_doubles,
                                     TextColumn* out, Scratch* scratch) const {
  auto rows = static_cast<uint64_t>(meta.row_groups[row_group].num_rows);
  auto fail = [&](const std::string& path, const std::string& why) {
    return Fail("row group " + std::to_string(row_group) + ", column " + path + ": " + why);
  };
  std::string error;
  if (column.shape == Shape::kUnsupported) return fail(column.name, column.unsupported);
  if (column.shape == Shape::kScalar) {
    out->spans.reserve(rows);
    out->is_null.reserve(rows);
    const Leaf& leaf = leaves[static_cast<size_t>(column.leaf)];
    bool binary = binary_doubles && *leaf.element->type == PhysicalType::kDouble;
    if (binary) out->doubles.reserve(rows);
    if (!ReadLeaf(row_group, column.leaf, binary, out, nullptr, scratch, &error)) {
      return fail(leaf.path, error);
    }
    if (out->size() != rows) {
      return fail(column.name, "the column holds " + std::to_string(out->size()) +
                                   " values but the row group has " + std::to_string(rows) +
                                   " rows");
    }
    return Status::Ok();
  }
  LeafLevels keys, values;
  const Leaf& key_leaf = leaves[static_cast<size_t>(column.key_leaf)];
  const Leaf& value_leaf = leaves[static_cast<size_t>(column.value_leaf)];
  if (!ReadLeaf(row_group, column.key_leaf, false, nullptr, &keys, scratch, &error)) {
    return fail(key_leaf.path, error);
  }
  if (!ReadLeaf(row_group, column.value_leaf, false, nullptr, &values, scratch, &error)) {
    return fail(value_leaf.path, error);
  }
  // Both leaves hold one level per entry (or per empty / null map), in the same order.
  size_t n = keys.rep.size();
  if (values.rep.size() != n || values.rep != keys.rep) {
    return fail(column.name, "the map's keys and values are not aligned");
  }
  auto key_def = [&](size_t i) { return key_leaf.max_def > 0 ? keys.def[i] : 0u; };
  auto value_def = [&](size_t i) { return value_leaf.max_def > 0 ? values.def[i] : 0u; };
  bool numeric = value_leaf.element->type != PhysicalType::kByteArray &&
                 value_leaf.element->type != PhysicalType::kFixedLenByteArray &&
                 value_leaf.element->type != PhysicalType::kInt96 &&
                 value_leaf.element->kind != ValueKind::kTimestamp &&
                 value_leaf.element->kind != ValueKind::kDate;
  bool boolean = value_leaf.element->type == PhysicalType::kBoolean;
  bool decimal_bytes = value_leaf.element->kind == ValueKind::kDecimal;
  size_t next_key = 0, next_value = 0;
  bool open = false;  // a row's object is open
  bool row_is_null = false;
  size_t row_begin = 0;
  auto close_row = [&] {
    if (open) out->text.push_back('}');
    out->is_null.push_back(row_is_null ? 1 : 0);
    open = false;
    return EndCell(out, row_begin, &error);
  };
  for (size_t i = 0; i < n; ++i) {
    if (keys.rep[i] == 0) {
      if (i > 0 && !close_row()) return fail(column.name, error);
      row_begin = out->text.size();
      if (out->spans.size() >= rows)
        return fail(column.name, "the map holds more rows than the row group");
      row_is_null = column.entry_def > 1 && key_def(i) == 0;
    }
    if (key_def(i) < static_cast<uint32_t>(column.entry_def)) continue;  // null or empty map
    if (key_def(i) != static_cast<uint32_t>(key_leaf.max_def) || next_key >= keys.values.size()) {
      return fail(key_leaf.path, "a map entry has a null key");
    }
    out->text.push_back(open ? ',' : '{');
    open = true;
    AppendJsonString(keys.values.cell(next_key++), &out->text);
    out->text.push_back(':');
    if (value_def(i) == static_cast<uint32_t>(value_leaf.max_def) &&
        next_value < values.values.size()) {
      std::string_view v = values.values.cell(next_value++);
      if (numeric || boolean || decimal_bytes) {
        out->text.append(v);
      } else {
        AppendJsonString(v, &out->text);
      }
    } else {
      out->text.append("null");
    }
    if (out->text.size() > max_text_bytes) {
      return fail(column.name,
                  "the column's text would exceed " + std::to_string(max_text_bytes) + " bytes");
    }
  }
  if (n > 0 && !close_row()) return fail(column.name, error);
  if (out->size() != rows) {
    return fail(column.name, "the column holds " + std::to_string(out->size()) +
                                 " rows but the row group has " + std::to_string(rows));
  }
  return Status::Ok();
}

ParquetFile::ParquetFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetFile::ParquetFile(ParquetFile&&) noexcept = default;
ParquetFile& ParquetFile::operator=(ParquetFile&&) noexcept = default;
ParquetFile::~ParquetFile() = default;

Result<ParquetFile> ParquetFile::Open(const std::string& path, ReadLimits limits) {
  auto impl = std::make_unique<Impl>();
  impl->name = path;
  impl->limits = limits;
  REBILL_RETURN_IF_ERROR(impl->disk.Open(path));
  impl->size = impl->disk.size();
  REBILL_RETURN_IF_ERROR(impl->Init());
  return ParquetFile(std::move(impl));
}

Result<ParquetFile> ParquetFile::FromBuffer(std::string_view bytes, std::string name,
                                            ReadLimits limits) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->limits = limits;
  impl->buffer = bytes;
  impl->in_memory = true;
  impl->size = bytes.size();
  REBILL_RETURN_IF_ERROR(impl->Init());
  return ParquetFile(std::move(impl));
}

const std::string& ParquetFile::name() const { return impl_->name; }
uint64_t ParquetFile::file_size() const { return impl_->size; }
const std::vector<std::string>& ParquetFile::column_names() const { return impl_->column_names; }
int ParquetFile::FindColumn(std::string_view name) const {
  const auto& names = impl_->column_names;
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}
size_t ParquetFile::row_group_count() const { return impl_->meta.row_groups.size(); }
int64_t ParquetFile::row_count(size_t row_group) const {
  return impl_->meta.row_groups.at(row_group).num_rows;
}
int64_t ParquetFile::total_rows() const {
  int64_t rows = 0;
  for (const RowGroup& g : impl_->meta.row_groups) rows += g.num_rows;
  return rows;
}
const std::string& ParquetFile::created_by() const { return impl_->meta.created_by; }

Result<std::vector<TextColumn>> ParquetFile::ReadRowGroup(
    size_t row_group, const std::vector<int>& columns, int threads,
    const std::vector<int>& binary_doubles) const {
  if (row_group >= impl_->meta.row_groups.size()) {
    return InvalidInput(impl_->name + ": there is no row group " + std::to_string(row_group));
  }
  for (int c : columns) {
    if (c < 0 || static_cast<size_t>(c) >= impl_->columns.size()) {
      return InvalidInput(impl_->name + ": there is no column " + std::to_string(c));
    }
  }
  std::vector<TextColumn> out(columns.size());
  std::vector<Status> status(columns.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    Scratch scratch;
    for (size_t i = next++; i < columns.size(); i = next++) {
      bool binary = std::find(binary_doubles.begin(), binary_doubles.end(), columns[i]) !=
                    binary_doubles.end();
      status[i] = impl_->ReadColumn(row_group, impl_->columns[static_cast<size_t>(columns[i])],
                                    binary, &out[i], &scratch);
    }
  };
  size_t helpers = std::min<size_t>(threads > 1 ? static_cast<size_t>(threads - 1) : 0,
                                    columns.size() > 1 ? columns.size() - 1 : 0);
  std::vector<std::thread> pool;
  pool.reserve(helpers);
  for (size_t t = 0; t < helpers; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (Status& s : status) {
    if (!s.ok()) return s;
  }
  return out;
}

bool HasParquetMagic(std::string_view head) { return head.substr(0, 4) == kMagic; }

}  // namespace rebill::parquet
