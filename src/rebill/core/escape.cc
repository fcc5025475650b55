#include "rebill/core/escape.h"

#include "rebill/core/hex.h"
#include "rebill/core/sha256.h"

namespace rebill {

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string FileNamePart(std::string_view id) {
  std::string out;
  for (char c : id) {
    auto byte = static_cast<unsigned char>(c);
    // Capitals are escaped too: on a file system that ignores case (macOS, Windows), "Abc"
    // and "abc" would be one file.
    if ((byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') || byte == '-') {
      out.push_back(c);
    } else {
      out += '_' + LowerHex(&byte, 1);
    }
  }
  if (out.size() <= kMaxFileNamePart) return out;
  constexpr size_t kDigest = 16;
  out.resize(kMaxFileNamePart - 1 - kDigest);
  return out + "~" + Sha256Hex(id).substr(0, kDigest);
}

}  // namespace rebill
