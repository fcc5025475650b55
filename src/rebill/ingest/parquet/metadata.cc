#include "rebill/ingest/parquet/metadata.h"

#include <functional>

#include "rebill/ingest/parquet/thrift_compact.h"

namespace rebill::parquet {
namespace {

// Calls `field(id, type)` for each field of the struct at the reader; `field` returns false for
// a field it does not read, which is then skipped.
void ReadStruct(CompactReader& r, const std::function<bool(int16_t, ThriftType)>& field) {
  r.BeginStruct();
  while (r.ok()) {
    int16_t id;
    ThriftType type;
    r.ReadFieldHeader(&id, &type);
    if (!r.ok() || type == ThriftType::kStop) break;
    if (!field(id, type)) r.Skip(type);
  }
  r.EndStruct();
}

// Calls `element()` for each element of a list of `expected` elements.
void ReadList(CompactReader& r, ThriftType expected, const std::function<void()>& element) {
  ThriftType type;
  uint32_t count;
  r.ReadListHeader(&type, &count);
  if (!r.ok()) return;
  if (type != expected) {
    for (uint32_t i = 0; i < count && r.ok(); ++i) r.Skip(type);
    r.Fail("a list in the metadata has elements of the wrong type");
    return;
  }
  for (uint32_t i = 0; i < count && r.ok(); ++i) element();
}

bool IsInt(ThriftType t) {
  return t == ThriftType::kI32 || t == ThriftType::kI16 || t == ThriftType::kByte;
}

// TimeUnit is a union of empty structs: MILLIS = 1, MICROS = 2, NANOS = 3.
void ReadTimeUnit(CompactReader& r, TimeUnit* unit) {
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    if (type != ThriftType::kStruct) return false;
    if (id == 1) *unit = TimeUnit::kMillis;
    if (id == 2) *unit = TimeUnit::kMicros;
    if (id == 3) *unit = TimeUnit::kNanos;
    return false;  // the empty struct is skipped
  });
}

void ReadLogicalType(CompactReader& r, SchemaElement* e) {
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    if (type != ThriftType::kStruct) return false;
    switch (id) {
      case 2:  // MAP
        e->logical_map = true;
        return false;
      case 5:  // DECIMAL { 1: scale, 2: precision }
        e->kind = ValueKind::kDecimal;
        ReadStruct(r, [&](int16_t f, ThriftType t) {
          if (!IsInt(t)) return false;
          if (f == 1)
            e->scale = r.ReadI32();
          else if (f == 2)
            e->precision = r.ReadI32();
          else
            return false;
          return true;
        });
        return true;
      case 6:  // DATE
        e->kind = ValueKind::kDate;
        return false;
      case 8:  // TIMESTAMP { 1: isAdjustedToUTC, 2: unit }
        e->kind = ValueKind::kTimestamp;
        ReadStruct(r, [&](int16_t f, ThriftType t) {
          if (f == 2 && t == ThriftType::kStruct) {
            ReadTimeUnit(r, &e->time_unit);
            return true;
          }
          return false;
        });
        return true;
      case 10:  // INTEGER { 1: bitWidth, 2: isSigned }
        ReadStruct(r, [&](int16_t f, ThriftType t) {
          if (f == 2 && (t == ThriftType::kBoolTrue || t == ThriftType::kBoolFalse)) {
            if (!r.BoolOf(t)) e->kind = ValueKind::kUnsigned;
            return true;
          }
          return false;
        });
        return true;
      default:
        return false;
    }
  });
}

void ReadSchemaElement(CompactReader& r, SchemaElement* e) {
  bool has_logical = false;
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    switch (id) {
      case 1:
        if (!IsInt(type)) return false;
        {
          int32_t t = r.ReadI32();
          if (t < 0 || t > 7) {
            r.Fail("unknown physical type " + std::to_string(t));
            return true;
          }
          e->type = static_cast<PhysicalType>(t);
        }
        return true;
      case 2:
        if (!IsInt(type)) return false;
        e->type_length = r.ReadI32();
        return true;
      case 3:
        if (!IsInt(type)) return false;
        {
          int32_t rep = r.ReadI32();
          if (rep < 0 || rep > 2) {
            r.Fail("unknown repetition " + std::to_string(rep));
            return true;
          }
          e->repetition = static_cast<Repetition>(rep);
        }
        return true;
      case 4:
        if (type != ThriftType::kBinary) return false;
        e->name = r.ReadBinary();
        return true;
      case 5:
        if (!IsInt(type)) return false;
        e->num_children = r.ReadI32();
        return true;
      case 6:
        if (!IsInt(type)) return false;
        e->converted_type = r.ReadI32();
        return true;
      case 7:
        if (!IsInt(type)) return false;
        e->scale = r.ReadI32();
        return true;
      case 8:
        if (!IsInt(type)) return false;
        e->precision = r.ReadI32();
        return true;
      case 10:
        if (type != ThriftType::kStruct) return false;
        has_logical = true;
        ReadLogicalType(r, e);
        return true;
      default:
        return false;
    }
  });
  if (!has_logical && e->converted_type.has_value()) {
    switch (*e->converted_type) {
      case kConvertedDecimal:
        e->kind = ValueKind::kDecimal;
        break;
      case kConvertedDate:
        e->kind = ValueKind::kDate;
        break;
      case kConvertedTimestampMillis:
        e->kind = ValueKind::kTimestamp;
        e->time_unit = TimeUnit::kMillis;
        break;
      case kConvertedTimestampMicros:
        e->kind = ValueKind::kTimestamp;
        e->time_unit = TimeUnit::kMicros;
        break;
      case kConvertedUint8:
      case kConvertedUint16:
      case kConvertedUint32:
      case kConvertedUint64:
        e->kind = ValueKind::kUnsigned;
        break;
      default:
        break;
    }
  }
}

void ReadColumnMetaData(CompactReader& r, ColumnChunk* c) {
  c->has_metadata = true;
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    switch (id) {
      case 1:
        if (!IsInt(type)) return false;
        {
          int32_t t = r.ReadI32();
          if (t < 0 || t > 7) {
            r.Fail("unknown physical type " + std::to_string(t));
            return true;
          }
          c->type = static_cast<PhysicalType>(t);
        }
        return true;
      case 3:
        if (type != ThriftType::kList) return false;
        ReadList(r, ThriftType::kBinary, [&] { c->path.emplace_back(r.ReadBinary()); });
        return true;
      case 4:
        if (!IsInt(type)) return false;
        c->codec = static_cast<Codec>(r.ReadI32());
        return true;
      case 5:
        if (type != ThriftType::kI64 && !IsInt(type)) return false;
        c->num_values = r.ReadI64();
        return true;
      case 7:
        if (type != ThriftType::kI64 && !IsInt(type)) return false;
        c->total_compressed_size = r.ReadI64();
        return true;
      case 9:
        if (type != ThriftType::kI64 && !IsInt(type)) return false;
        c->data_page_offset = r.ReadI64();
        return true;
      case 11:
        if (type != ThriftType::kI64 && !IsInt(type)) return false;
        c->dictionary_page_offset = r.ReadI64();
        return true;
      default:
        return false;
    }
  });
}

void ReadColumnChunk(CompactReader& r, ColumnChunk* c) {
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    if (id == 1 && type == ThriftType::kBinary) {
      c->external = !r.ReadBinary().empty();
      return true;
    }
    if (id == 3 && type == ThriftType::kStruct) {
      ReadColumnMetaData(r, c);
      return true;
    }
    return false;
  });
}

void ReadRowGroup(CompactReader& r, RowGroup* g) {
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    if (id == 1 && type == ThriftType::kList) {
      ReadList(r, ThriftType::kStruct, [&] {
        g->columns.emplace_back();
        ReadColumnChunk(r, &g->columns.back());
      });
      return true;
    }
    if (id == 3 && (type == ThriftType::kI64 || IsInt(type))) {
      g->num_rows = r.ReadI64();
      return true;
    }
    return false;
  });
}

void ReadDataPageHeader(CompactReader& r, PageHeader* h) {
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    if (!IsInt(type)) return false;
    switch (id) {
      case 1:
        h->num_values = r.ReadI32();
        return true;
      case 2:
        h->encoding = static_cast<Encoding>(r.ReadI32());
        return true;
      case 3:
        h->definition_level_encoding = static_cast<Encoding>(r.ReadI32());
        return true;
      case 4:
        h->repetition_level_encoding = static_cast<Encoding>(r.ReadI32());
        return true;
      default:
        return false;
    }
  });
}

void ReadDictionaryPageHeader(CompactReader& r, PageHeader* h) {
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    if (!IsInt(type)) return false;
    if (id == 1) {
      h->num_values = r.ReadI32();
      return true;
    }
    if (id == 2) {
      h->encoding = static_cast<Encoding>(r.ReadI32());
      return true;
    }
    return false;
  });
}

void ReadDataPageHeaderV2(CompactReader& r, PageHeader* h) {
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    if (id == 7 && (type == ThriftType::kBoolTrue || type == ThriftType::kBoolFalse)) {
      h->is_compressed = r.BoolOf(type);
      return true;
    }
    if (!IsInt(type)) return false;
    switch (id) {
      case 1:
        h->num_values = r.ReadI32();
        return true;
      case 2:
        h->num_nulls = r.ReadI32();
        return true;
      case 3:
        h->num_rows = r.ReadI32();
        return true;
      case 4:
        h->encoding = static_cast<Encoding>(r.ReadI32());
        return true;
      case 5:
        h->definition_levels_byte_length = r.ReadI32();
        return true;
      case 6:
        h->repetition_levels_byte_length = r.ReadI32();
        return true;
      default:
        return false;
    }
  });
}

}  // namespace

bool ParseFileMetaData(const uint8_t* data, size_t size, FileMetaData* out, std::string* error) {
  CompactReader r(data, size);
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    switch (id) {
      case 1:
        if (!IsInt(type)) return false;
        out->version = r.ReadI32();
        return true;
      case 2:
        if (type != ThriftType::kList) return false;
        ReadList(r, ThriftType::kStruct, [&] {
          out->schema.emplace_back();
          ReadSchemaElement(r, &out->schema.back());
        });
        return true;
      case 3:
        if (type != ThriftType::kI64 && !IsInt(type)) return false;
        out->num_rows = r.ReadI64();
        return true;
      case 4:
        if (type != ThriftType::kList) return false;
        ReadList(r, ThriftType::kStruct, [&] {
          out->row_groups.emplace_back();
          ReadRowGroup(r, &out->row_groups.back());
        });
        return true;
      case 6:
        if (type != ThriftType::kBinary) return false;
        out->created_by = r.ReadBinary();
        return true;
      case 8:
        out->encrypted = true;
        return false;
      default:
        return false;
    }
  });
  if (!r.ok()) {
    *error = r.error();
    return false;
  }
  return true;
}

bool ParsePageHeader(const uint8_t* data, size_t size, PageHeader* out, size_t* header_size,
                     std::string* error) {
  CompactReader r(data, size);
  bool has_type = false, has_sizes = false;
  ReadStruct(r, [&](int16_t id, ThriftType type) {
    switch (id) {
      case 1:
        if (!IsInt(type)) return false;
        out->type = static_cast<PageType>(r.ReadI32());
        has_type = true;
        return true;
      case 2:
        if (!IsInt(type)) return false;
        out->uncompressed_page_size = r.ReadI32();
        return true;
      case 3:
        if (!IsInt(type)) return false;
        out->compressed_page_size = r.ReadI32();
        has_sizes = true;
        return true;
      case 5:
        if (type != ThriftType::kStruct) return false;
        out->has_type_header |= out->type == PageType::kDataPage;
        ReadDataPageHeader(r, out);
        return true;
      case 7:
        if (type != ThriftType::kStruct) return false;
        out->has_type_header |= out->type == PageType::kDictionaryPage;
        ReadDictionaryPageHeader(r, out);
        return true;
      case 8:
        if (type != ThriftType::kStruct) return false;
        out->has_type_header |= out->type == PageType::kDataPageV2;
        ReadDataPageHeaderV2(r, out);
        return true;
      default:
        return false;
    }
  });
  if (!r.ok()) {
    *error = "bad page header: " + r.error();
    return false;
  }
  if (!has_type || !has_sizes) {
    *error = "bad page header: no page type or size";
    return false;
  }
  if (out->uncompressed_page_size < 0 || out->compressed_page_size < 0 || out->num_values < 0) {
    *error = "bad page header: negative size or count";
    return false;
  }
  *header_size = r.consumed(data);
  return true;
}

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
      return "UNCOMPRESSED";
    case Codec::kSnappy:
      return "SNAPPY";
    case Codec::kGzip:
      return "GZIP";
    case Codec::kLzo:
      return "LZO";
    case Codec::kBrotli:
      return "BROTLI";
    case Codec::kLz4:
      return "LZ4";
    case Codec::kZstd:
      return "ZSTD";
    case Codec::kLz4Raw:
      return "LZ4_RAW";
  }
  return "unknown";
}

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kPlain:
      return "PLAIN";
    case Encoding::kPlainDictionary:
      return "PLAIN_DICTIONARY";
    case Encoding::kRle:
      return "RLE";
    case Encoding::kBitPacked:
      return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary:
      return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return "unknown";
}

}  // namespace rebill::parquet
