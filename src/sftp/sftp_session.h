// SftpSession: one client's SFTP v3 conversation, independent of the transport.
//
// The SSH layer feeds it whole packets (without the length field) and sends
// whatever it appends to the writer. Every request becomes one call into the
// file service with the session's principal, so authorization, names, quotas
// and activity records are the service's; this class only translates. Paths
// are virtual: "/" is a root made of the folders the user may see. Relative
// paths are taken from "/".
//
// Bounds: at most `max_handles` open handles; READ replies at most
// kMaxReadWrite bytes; READDIR returns at most kDirPage entries per reply;
// write reordering per handle as in write_handle.h. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "service/file_service.h"
#include "sftp/sftp_wire.h"
#include "sftp/write_handle.h"

namespace coffer::sftp {

struct SessionLimits {
  uint32_t max_handles = 64;
  size_t max_reorder_bytes = 8 << 20;
};

inline constexpr size_t kDirPage = 100;

class SftpSession {
 public:
  SftpSession(service::FileService& files, service::Principal principal, service::Context context,
              SessionLimits limits);
  ~SftpSession();

  // Handles one packet body. False when the session must end: the client broke
  // the protocol in a way that cannot be answered (no INIT first).
  bool Handle(std::span<const uint8_t> body, Writer& out);

  size_t open_handles() const { return handles_.size(); }

 private:
  struct DirState {
    std::string path;
    std::string cursor;
    bool done = false;
  };
  struct ReadState {
    std::unique_ptr<service::Download> download;
  };
  struct WriteState {
    std::unique_ptr<WriteHandle> writer;
    std::string path;
    std::optional<int64_t> mtime;  // set by FSETSTAT; applied after the commit
  };
  using Slot = std::variant<ReadState, WriteState, DirState>;

  void Dispatch(const Request& q, Writer& out);
  void DispatchExtended(const Request& q, Writer& out);
  void Open(const Request& q, Writer& out);
  Result<std::unique_ptr<WriteHandle>> OpenForWrite(const std::string& path, uint32_t pflags);
  Status SetHandleStat(Slot& h, const Attrs& a);
  void Close(const Request& q, Writer& out);
  void Read(const Request& q, Writer& out);
  void WriteData(const Request& q, Writer& out);
  void StatPath(const Request& q, Writer& out);
  void StatHandle(const Request& q, Writer& out);
  void SetStat(const Request& q, Writer& out);
  void OpenDir(const Request& q, Writer& out);
  void ReadDir(const Request& q, Writer& out);
  void Remove(const Request& q, Writer& out, bool folder);
  void MakeDir(const Request& q, Writer& out);
  void RealPath(const Request& q, Writer& out);
  void Rename(const Request& q, Writer& out, bool replace);
  void StatVfs(const Request& q, Writer& out, std::string_view path);
  void Limits(const Request& q, Writer& out);

  void SendStatus(Writer& out, uint32_t id, const Status& st);
  void SendCode(Writer& out, uint32_t id, StatusCode code, std::string_view message);
  void SendHandle(Writer& out, uint32_t id, Slot handle);
  Slot* FindHandle(std::string_view id);
  std::string Absolute(std::string_view path) const;

  service::FileService& files_;
  service::Principal principal_;
  service::Context context_;
  SessionLimits limits_;
  bool initialised_ = false;
  uint64_t next_handle_ = 1;
  std::map<std::string, Slot, std::less<>> handles_;
};

// The lexical normal form of an SFTP path against "/": "." and empty parts
// dropped, ".." removes the previous part and never climbs above "/".
std::string NormalizeSftpPath(std::string_view path);
// Attributes of a file or folder as SFTP shows them (see docs/sftp.md).
Attrs AttrsFor(const service::EntryInfo& e);
// An "ls -l" style line for READDIR.
std::string LongName(const service::EntryInfo& e);

}  // namespace coffer::sftp
