// SFTP version 3 on the wire (draft-ietf-secsh-filexfer-02, with the OpenSSH
// extensions): packet constants, a bounded decoder for client requests and an
// encoder for replies.
//
// DecodeRequest never reads past the packet, never allocates, and refuses
// unknown attribute flags and more than kMaxExtendedAttrs extended attributes.
// Bytes after a request's last field are ignored, as OpenSSH's server does:
// rclone's SFTP library sends WRITE packets longer than their data. It is the
// only parser of client bytes in the SFTP front-end and has a libFuzzer target
// (tests/fuzz/sftp_request_fuzz.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace coffer::sftp {

inline constexpr uint32_t kProtocolVersion = 3;
// Largest packet accepted (length field), and the read/write sizes advertised
// with limits@openssh.com (OpenSSH's own values).
inline constexpr uint32_t kMaxPacket = 256 * 1024;
inline constexpr uint32_t kMaxReadWrite = kMaxPacket - 1024;
inline constexpr uint32_t kMaxExtendedAttrs = 64;

enum PacketType : uint8_t {
  kInit = 1,
  kVersion = 2,
  kOpen = 3,
  kClose = 4,
  kRead = 5,
  kWrite = 6,
  kLstat = 7,
  kFstat = 8,
  kSetstat = 9,
  kFsetstat = 10,
  kOpendir = 11,
  kReaddir = 12,
  kRemove = 13,
  kMkdir = 14,
  kRmdir = 15,
  kRealpath = 16,
  kStat = 17,
  kRename = 18,
  kReadlink = 19,
  kSymlink = 20,
  kStatus = 101,
  kHandle = 102,
  kData = 103,
  kName = 104,
  kAttrs = 105,
  kExtended = 200,
  kExtendedReply = 201,
};

enum StatusCode : uint32_t {
  kOk = 0,
  kEof = 1,
  kNoSuchFile = 2,
  kPermissionDenied = 3,
  kFailure = 4,
  kBadMessage = 5,
  kNoConnection = 6,
  kConnectionLost = 7,
  kOpUnsupported = 8,
};

enum OpenFlags : uint32_t {
  kOpenRead = 0x01,
  kOpenWrite = 0x02,
  kOpenAppend = 0x04,
  kOpenCreate = 0x08,
  kOpenTruncate = 0x10,
  kOpenExclusive = 0x20,
};

enum AttrFlags : uint32_t {
  kAttrSize = 0x01,
  kAttrUidGid = 0x02,
  kAttrPermissions = 0x04,
  kAttrTimes = 0x08,
  kAttrExtended = 0x80000000,
};

struct Attrs {
  uint32_t flags = 0;
  uint64_t size = 0;
  uint32_t uid = 0, gid = 0;
  uint32_t permissions = 0;
  uint32_t atime = 0, mtime = 0;
};

// One decoded client request. Which fields are set depends on `type`; views
// point into the packet passed to DecodeRequest.
struct Request {
  uint8_t type = 0;
  uint32_t id = 0;         // for kInit: the client's version
  std::string_view path;   // filename / path / oldpath / linkpath
  std::string_view path2;  // newpath / targetpath
  std::string_view handle;
  uint64_t offset = 0;
  uint32_t length = 0;            // kRead
  std::span<const uint8_t> data;  // kWrite
  uint32_t pflags = 0;            // kOpen
  Attrs attrs;                    // kOpen, kSetstat, kFsetstat, kMkdir
  std::string_view extension;     // kExtended: request name; its fields decoded below
};

// Decodes one packet body (type byte onwards, without the 4-byte length).
// kInvalidArgument for anything malformed; an unknown packet type decodes to
// just {type, id} so the caller can answer OP_UNSUPPORTED.
Result<Request> DecodeRequest(std::span<const uint8_t> body);

// Appends big-endian SSH wire values. A packet is started with Begin(), which
// reserves the length field that End() fills in.
class Writer {
 public:
  void Begin(uint8_t type, uint32_t id);
  void BeginVersion();
  void End();
  void U8(uint8_t v) { out_.push_back(v); }
  void U32(uint32_t v);
  void U64(uint64_t v);
  void String(std::string_view s);
  void Bytes(std::span<const uint8_t> b);
  void Attributes(const Attrs& a);
  // Room for `n` bytes of string data written in place: returns where to write.
  uint8_t* ReserveString(uint32_t n);
  void Shrink(size_t new_size) { out_.resize(new_size); }

  std::vector<uint8_t>& buffer() { return out_; }
  void Clear() { out_.clear(); }

 private:
  std::vector<uint8_t> out_;
  size_t start_ = 0;
};

}  // namespace coffer::sftp
