#include "sftp/sftp_wire.h"

#include <cstring>

namespace coffer::sftp {

namespace {

// Reads SSH wire values from a span; every read is bounds-checked and a failed
// read leaves the reader failed, so callers check once at the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  uint8_t U8() { return Need(1) ? data_[pos_++] : 0; }
  uint32_t U32() {
    if (!Need(4)) return 0;
    uint32_t v = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
                 (uint32_t{data_[pos_ + 2]} << 8) | uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return v;
  }
  uint64_t U64() {
    uint64_t hi = U32();
    return (hi << 32) | U32();
  }
  std::span<const uint8_t> Bytes() {
    uint32_t n = U32();
    if (!Need(n)) return {};
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::string_view String() {
    auto b = Bytes();
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  bool ok() const { return ok_; }

 private:
  bool Need(size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

bool KnownAttrFlags(uint32_t flags) {
  return (flags & ~(kAttrSize | kAttrUidGid | kAttrPermissions | kAttrTimes | kAttrExtended)) == 0;
}

// False when the attributes are malformed beyond a short read: unknown flags or
// too many extended attributes.
bool ReadAttrs(Reader& r, Attrs* a) {
  a->flags = r.U32();
  if (!KnownAttrFlags(a->flags)) return false;
  if (a->flags & kAttrSize) a->size = r.U64();
  if (a->flags & kAttrUidGid) {
    a->uid = r.U32();
    a->gid = r.U32();
  }
  if (a->flags & kAttrPermissions) a->permissions = r.U32();
  if (a->flags & kAttrTimes) {
    a->atime = r.U32();
    a->mtime = r.U32();
  }
  if (a->flags & kAttrExtended) {
    uint32_t count = r.U32();
    if (count > kMaxExtendedAttrs) return false;
    for (uint32_t i = 0; i < count && r.ok(); ++i) {
      r.String();  // extended attributes are accepted and ignored
      r.String();
    }
  }
  return true;
}

// Decodes the fields of the extensions we implement; other extensions' fields
// are not ours to parse (the caller refuses them by name).
void DecodeExtended(Reader& r, Request& q) {
  q.extension = r.String();
  const std::string_view e = q.extension;
  if (e == "posix-rename@openssh.com" || e == "hardlink@openssh.com") {
    q.path = r.String();
    q.path2 = r.String();
  } else if (e == "statvfs@openssh.com" || e == "expand-path@openssh.com") {
    q.path = r.String();
  } else if (e == "fstatvfs@openssh.com" || e == "fsync@openssh.com") {
    q.handle = r.String();
  }
}

}  // namespace

Result<Request> DecodeRequest(std::span<const uint8_t> body) {
  Reader r(body);
  Request q;
  q.type = r.U8();
  q.id = r.U32();
  if (!r.ok()) return InvalidArgument("packet too short");
  bool attrs_ok = true;
  switch (q.type) {
    case kInit:
      break;  // extension pairs from the client are ignored
    case kOpen:
      q.path = r.String();
      q.pflags = r.U32();
      attrs_ok = ReadAttrs(r, &q.attrs);
      break;
    case kClose:
    case kFstat:
    case kReaddir:
      q.handle = r.String();
      break;
    case kRead:
      q.handle = r.String();
      q.offset = r.U64();
      q.length = r.U32();
      break;
    case kWrite:
      q.handle = r.String();
      q.offset = r.U64();
      q.data = r.Bytes();
      break;
    case kLstat:
    case kStat:
    case kOpendir:
    case kRemove:
    case kRmdir:
    case kRealpath:
    case kReadlink:
      q.path = r.String();
      break;
    case kSetstat:
    case kMkdir:
      q.path = r.String();
      attrs_ok = ReadAttrs(r, &q.attrs);
      break;
    case kFsetstat:
      q.handle = r.String();
      attrs_ok = ReadAttrs(r, &q.attrs);
      break;
    case kRename:
    case kSymlink:
      q.path = r.String();
      q.path2 = r.String();
      break;
    case kExtended:
      DecodeExtended(r, q);
      break;
    default:
      return q;  // unknown type: answered with OP_UNSUPPORTED
  }
  if (!attrs_ok) return InvalidArgument("bad file attributes");
  if (!r.ok()) return InvalidArgument("packet too short for its fields");
  return q;
}

void Writer::Begin(uint8_t type, uint32_t id) {
  start_ = out_.size();
  U32(0);
  U8(type);
  U32(id);
}

void Writer::BeginVersion() {
  start_ = out_.size();
  U32(0);
  U8(kVersion);
  U32(kProtocolVersion);
}

void Writer::End() {
  uint32_t len = static_cast<uint32_t>(out_.size() - start_ - 4);
  out_[start_] = static_cast<uint8_t>(len >> 24);
  out_[start_ + 1] = static_cast<uint8_t>(len >> 16);
  out_[start_ + 2] = static_cast<uint8_t>(len >> 8);
  out_[start_ + 3] = static_cast<uint8_t>(len);
}

void Writer::U32(uint32_t v) {
  uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                  static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  out_.insert(out_.end(), b, b + 4);
}

void Writer::U64(uint64_t v) {
  U32(static_cast<uint32_t>(v >> 32));
  U32(static_cast<uint32_t>(v));
}

void Writer::String(std::string_view s) {
  U32(static_cast<uint32_t>(s.size()));
  out_.insert(out_.end(), s.begin(), s.end());
}

void Writer::Bytes(std::span<const uint8_t> b) {
  U32(static_cast<uint32_t>(b.size()));
  out_.insert(out_.end(), b.begin(), b.end());
}

void Writer::Attributes(const Attrs& a) {
  U32(a.flags);
  if (a.flags & kAttrSize) U64(a.size);
  if (a.flags & kAttrUidGid) {
    U32(a.uid);
    U32(a.gid);
  }
  if (a.flags & kAttrPermissions) U32(a.permissions);
  if (a.flags & kAttrTimes) {
    U32(a.atime);
    U32(a.mtime);
  }
}

uint8_t* Writer::ReserveString(uint32_t n) {
  U32(n);
  size_t at = out_.size();
  out_.resize(at + n);
  return out_.data() + at;
}

}  // namespace coffer::sftp
