#include "rebill/store/month_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "rebill/core/hex.h"

namespace rebill::store {
namespace {

constexpr std::string_view kMagic = "REBILLMONTH";
constexpr uint32_t kVersion = 1;

class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void Dec(Decimal d) {
    __extension__ typedef unsigned __int128 U128;
    U128 raw = static_cast<U128>(d.raw());
    U64(static_cast<uint64_t>(raw));
    U64(static_cast<uint64_t>(raw >> 64));
  }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  uint8_t U8() {
    if (pos_ + 1 > in_.size()) return Fail<uint8_t>();
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(U8()) << (8 * i);
    return v;
  }
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(U8()) << (8 * i);
    return v;
  }
  int64_t I64() { return static_cast<int64_t>(U64()); }
  Decimal Dec() {
    __extension__ typedef unsigned __int128 U128;
    U128 lo = U64();
    U128 hi = U64();
    return Decimal::FromRaw(static_cast<Decimal::Rep>((hi << 64) | lo));
  }
  std::string Str() {
    uint32_t n = U32();
    if (!ok_ || pos_ + n > in_.size()) return Fail<std::string>();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  template <typename T>
  T Fail() {
    ok_ = false;
    pos_ = in_.size();
    return T{};
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void WriteCosts(Writer& w, const CostViews& c) {
  w.Dec(c.unblended);
  w.Dec(c.net_unblended);
  w.Dec(c.amortized);
  w.Dec(c.public_on_demand);
}

CostViews ReadCosts(Reader& r) {
  CostViews c;
  c.unblended = r.Dec();
  c.net_unblended = r.Dec();
  c.amortized = r.Dec();
  c.public_on_demand = r.Dec();
  return c;
}

std::string Encode(const NormalizedMonth& m) {
  Writer w;
  w.U32(static_cast<uint32_t>(m.period.year()));
  w.U32(static_cast<uint32_t>(m.period.month()));
  w.U32(static_cast<uint32_t>(m.display_scale));
  w.U32(static_cast<uint32_t>(m.tag_keys.size()));
  for (const std::string& key : m.tag_keys) w.Str(key);
  w.U32(static_cast<uint32_t>(m.sources.size()));
  for (const SourceFile& s : m.sources) {
    w.Str(s.path);
    w.Str(s.sha256);
    w.Str(s.format);
    w.U64(s.rows);
  }
  w.U64(m.lines.size());
  for (const CurLine& l : m.lines) {
    w.U32(static_cast<uint32_t>(l.period.year()));
    w.U32(static_cast<uint32_t>(l.period.month()));
    w.Str(l.payer_account);
    w.Str(l.usage_account);
    w.U8(static_cast<uint8_t>(l.type));
    w.Str(l.type_text);
    w.Str(l.billing_entity);
    w.Str(l.bill_type);
    w.Str(l.product_code);
    w.Str(l.product_name);
    w.Str(l.usage_type);
    w.Str(l.operation);
    w.Str(l.region);
    w.Str(l.description);
    w.I64(l.usage_start);
    w.I64(l.usage_end);
    w.Dec(l.usage_amount);
    w.Str(l.pricing_unit);
    w.Str(l.currency);
    WriteCosts(w, l.cost);
    w.Str(l.commitment_arn);
    w.Str(l.invoice_id);
    w.U32(static_cast<uint32_t>(l.tags.size()));
    for (const auto& [k, v] : l.tags) {
      w.Str(k);
      w.Str(v);
    }
    w.U32(l.source_file);
    w.U64(l.source_row);
  }
  return std::move(w.bytes());
}

Result<NormalizedMonth> Decode(std::string_view body) {
  Reader r(body);
  NormalizedMonth m;
  int year = static_cast<int>(r.U32());
  int month = static_cast<int>(r.U32());
  REBILL_ASSIGN_OR_RETURN(m.period, BillingPeriod::Make(year, month));
  m.display_scale = static_cast<int>(r.U32());
  uint32_t tag_keys = r.U32();
  for (uint32_t i = 0; i < tag_keys && r.ok(); ++i) m.tag_keys.push_back(r.Str());
  uint32_t sources = r.U32();
  for (uint32_t i = 0; i < sources && r.ok(); ++i) {
    SourceFile s;
    s.path = r.Str();
    s.sha256 = r.Str();
    s.format = r.Str();
    s.rows = r.U64();
    m.sources.push_back(std::move(s));
  }
  uint64_t lines = r.U64();
  for (uint64_t i = 0; i < lines && r.ok(); ++i) {
    CurLine l;
    int ly = static_cast<int>(r.U32());
    int lm = static_cast<int>(r.U32());
    if (!r.ok()) break;
    REBILL_ASSIGN_OR_RETURN(l.period, BillingPeriod::Make(ly, lm));
    l.payer_account = r.Str();
    l.usage_account = r.Str();
    uint8_t type = r.U8();
    if (type >= kLineItemTypeCount) return InvalidInput("line item type out of range");
    l.type = static_cast<LineItemType>(type);
    l.type_text = r.Str();
    l.billing_entity = r.Str();
    l.bill_type = r.Str();
    l.product_code = r.Str();
    l.product_name = r.Str();
    l.usage_type = r.Str();
    l.operation = r.Str();
    l.region = r.Str();
    l.description = r.Str();
    l.usage_start = r.I64();
    l.usage_end = r.I64();
    l.usage_amount = r.Dec();
    l.pricing_unit = r.Str();
    l.currency = r.Str();
    l.cost = ReadCosts(r);
    l.commitment_arn = r.Str();
    l.invoice_id = r.Str();
    uint32_t tags = r.U32();
    for (uint32_t t = 0; t < tags && r.ok(); ++t) {
      std::string k = r.Str();
      std::string v = r.Str();
      l.tags.emplace_back(std::move(k), std::move(v));
    }
    l.source_file = r.U32();
    l.source_row = r.U64();
    m.lines.push_back(std::move(l));
  }
  if (!r.ok() || !r.AtEnd()) return InvalidInput("the body is truncated or has trailing bytes");
  return m;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return LowerHex(digest, length);
}

Result<std::string> WriteMonthFile(const std::string& path, const NormalizedMonth& month) {
  std::string body = Encode(month);
  std::string sha = Sha256Hex(body);
  Writer header;
  header.bytes().append(kMagic);
  header.U32(kVersion);
  header.U64(body.size());
  std::string bytes = std::move(header.bytes());
  bytes += body;
  bytes += sha;

  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError(tmp + ": cannot create: " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return IoError(tmp + ": write failed: " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return IoError(tmp + ": cannot flush to disk");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return IoError(path + ": cannot rename into place: " + std::strerror(errno));
  }
  return sha;
}

Result<NormalizedMonth> ReadMonthFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open the normalized month; run `rebill ingest` again");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = buffer.str();
  auto corrupt = [&](const std::string& why) {
    return InvalidInput(path + ": the normalized month is damaged (" + why +
                        "); ingest the billing files again");
  };
  const size_t header_size = kMagic.size() + 4 + 8;
  if (bytes.size() < header_size + 64 || bytes.compare(0, kMagic.size(), kMagic) != 0) {
    return corrupt("not a rebill month file");
  }
  Reader header(std::string_view(bytes).substr(kMagic.size(), 12));
  uint32_t version = header.U32();
  uint64_t body_size = header.U64();
  if (version != kVersion) {
    return corrupt("format version " + std::to_string(version) + ", expected " +
                   std::to_string(kVersion));
  }
  if (body_size != bytes.size() - header_size - 64) return corrupt("wrong length");
  std::string_view body = std::string_view(bytes).substr(header_size, body_size);
  std::string_view stored_sha = std::string_view(bytes).substr(header_size + body_size);
  if (Sha256Hex(body) != stored_sha) return corrupt("checksum mismatch");
  Result<NormalizedMonth> month = Decode(body);
  if (!month.ok()) return corrupt(month.status().message());
  return month;
}

}  // namespace rebill::store
