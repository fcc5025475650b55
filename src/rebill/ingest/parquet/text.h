// Parquet values as text: exact decimals, ISO 8601 timestamps, shortest round-trip doubles.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rebill/ingest/parquet/metadata.h"

namespace rebill::parquet {

__extension__ typedef __int128 Int128;  // GCC and Clang both provide it
__extension__ typedef unsigned __int128 UInt128;

/// `unscaled` × 10^-scale exactly: (12345, 2) -> "123.45", (-5, 3) -> "-0.005".
void AppendDecimal(Int128 unscaled, int scale, std::string* out);
/// A big-endian two's-complement integer of up to 16 bytes; false when it is longer.
bool BigEndianToInt128(std::string_view bytes, Int128* out);
/// `value` in `unit` since the epoch as 2018-10-01T00:00:00Z (fraction digits only when not
/// zero). Instants outside years 0000-9999 are written as "out-of-range:<value>".
void AppendTimestamp(int64_t value, TimeUnit unit, std::string* out);
/// INT96: nanoseconds of the day (first 8 bytes) and Julian day (last 4), little-endian.
void AppendInt96Timestamp(const uint8_t* bytes, std::string* out);
/// Days since the epoch as 2018-10-01.
void AppendDate(int64_t days, std::string* out);
void AppendDouble(double value, std::string* out);
void AppendFloat(float value, std::string* out);
/// `text` as a JSON string literal, quotes included.
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace rebill::parquet
