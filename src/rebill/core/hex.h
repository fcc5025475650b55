// Lower-case hexadecimal text of bytes, as digests are shown and stored ("ba7816bf...").
#pragma once

#include <cstddef>
#include <string>

namespace rebill {

std::string LowerHex(const unsigned char* bytes, size_t size);

}  // namespace rebill
