#include "sftp/sftp_session.h"

#include <algorithm>
#include <ctime>
#include <vector>

#include <spdlog/spdlog.h>

#include "service/perms.h"
#include "sftp/sftp_status.h"

namespace coffer::sftp {

namespace {

constexpr uint32_t kModeDir = 0040000;
constexpr uint32_t kModeFile = 0100000;

uint32_t Clamp32(int64_t v) { return static_cast<uint32_t>(std::clamp<int64_t>(v, 0, UINT32_MAX)); }

}  // namespace

std::string NormalizeSftpPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != "." && part != "~") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

Attrs AttrsFor(const service::EntryInfo& e) {
  Attrs a;
  a.flags = kAttrSize | kAttrPermissions | kAttrTimes;
  a.size = static_cast<uint64_t>(std::max<int64_t>(e.size, 0));
  if (e.is_folder) {
    a.permissions = kModeDir | ((e.perms & service::kList) ? 0500 : 0100) |
                    ((e.perms & service::kWrite) ? 0200 : 0);
  } else {
    a.permissions = kModeFile | ((e.perms & service::kRead) ? 0400 : 0) |
                    ((e.perms & service::kWrite) ? 0200 : 0);
  }
  a.atime = a.mtime = Clamp32(e.modified_at);
  return a;
}

std::string LongName(const service::EntryInfo& e) {
  Attrs a = AttrsFor(e);
  std::string mode = e.is_folder ? "d" : "-";
  mode += (a.permissions & 0400) ? 'r' : '-';
  mode += (a.permissions & 0200) ? 'w' : '-';
  mode += (a.permissions & 0100) ? 'x' : '-';
  mode += "------";
  char when[32] = "";
  std::time_t t = e.modified_at;
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(when, sizeof when, "%b %d %Y %H:%M", &tm);
  char line[128];
  std::snprintf(line, sizeof line, "%s 1 coffer coffer %12llu %s ", mode.c_str(),
                static_cast<unsigned long long>(a.size), when);
  return std::string(line) + e.name;
}

SftpSession::SftpSession(service::FileService& files, service::Principal principal,
                         service::Context context, SessionLimits limits)
    : files_(files),
      principal_(std::move(principal)),
      context_(std::move(context)),
      limits_(limits) {}

SftpSession::~SftpSession() = default;  // uncommitted uploads are discarded

// Clients send "." and ".." (lftp does, relative to its working folder); the
// virtual tree has no links, so resolving them lexically is exact, and "/.." is
// "/". What remains is checked by the service like any other path.
std::string SftpSession::Absolute(std::string_view path) const { return NormalizeSftpPath(path); }

bool SftpSession::Handle(std::span<const uint8_t> body, Writer& out) {
  auto q = DecodeRequest(body);
  if (!initialised_) {
    if (!q.ok() || q->type != kInit) return false;
    initialised_ = true;
    out.BeginVersion();
    for (auto [name, version] : {std::pair{"posix-rename@openssh.com", "1"},
                                 {"statvfs@openssh.com", "2"},
                                 {"fstatvfs@openssh.com", "2"},
                                 {"fsync@openssh.com", "1"},
                                 {"limits@openssh.com", "1"}}) {
      out.String(name);
      out.String(version);
    }
    out.End();
    return true;
  }
  if (!q.ok()) {
    // Answer with the id if the packet got that far; the session goes on.
    uint32_t id =
        body.size() >= 5
            ? (uint32_t{body[1]} << 24 | uint32_t{body[2]} << 16 | uint32_t{body[3]} << 8 | body[4])
            : 0;
    spdlog::info("sftp: {} ({}): bad request of type {}: {}", principal_.name, context_.session,
                 body.empty() ? 0 : body[0], q.status().message());
    SendCode(out, id, kBadMessage, q.status().message());
    return true;
  }
  Dispatch(*q, out);
  return true;
}

void SftpSession::Dispatch(const Request& q, Writer& out) {
  switch (q.type) {
    case kOpen:
      return Open(q, out);
    case kClose:
      return Close(q, out);
    case kRead:
      return Read(q, out);
    case kWrite:
      return WriteData(q, out);
    case kLstat:
    case kStat:
      return StatPath(q, out);
    case kFstat:
      return StatHandle(q, out);
    case kSetstat:
    case kFsetstat:
      return SetStat(q, out);
    case kOpendir:
      return OpenDir(q, out);
    case kReaddir:
      return ReadDir(q, out);
    case kRemove:
      return Remove(q, out, false);
    case kRmdir:
      return Remove(q, out, true);
    case kMkdir:
      return MakeDir(q, out);
    case kRealpath:
      return RealPath(q, out);
    case kRename:
      return Rename(q, out, false);
    case kReadlink:
    case kSymlink:
      return SendCode(out, q.id, kOpUnsupported, "links are not supported");
    case kExtended:
      return DispatchExtended(q, out);
    case kInit:
      return SendCode(out, q.id, kBadMessage, "already initialised");
    default:
      return SendCode(out, q.id, kOpUnsupported, "unsupported request");
  }
}

void SftpSession::DispatchExtended(const Request& q, Writer& out) {
  const std::string_view e = q.extension;
  if (e == "posix-rename@openssh.com") return Rename(q, out, true);
  if (e == "statvfs@openssh.com") return StatVfs(q, out, q.path);
  if (e == "limits@openssh.com") return Limits(q, out);
  if (e == "expand-path@openssh.com") return RealPath(q, out);
  if (e == "fstatvfs@openssh.com" || e == "fsync@openssh.com") {
    Slot* h = FindHandle(q.handle);
    if (!h) return SendCode(out, q.id, kFailure, "invalid handle");
    // Data reaches the disk, synced, when the upload is closed; until then it is
    // not a file. fsync therefore has nothing more to do.
    if (e == "fsync@openssh.com") return SendCode(out, q.id, kOk, "Success");
    return StatVfs(q, out, "/");
  }
  if (e == "hardlink@openssh.com")
    return SendCode(out, q.id, kOpUnsupported, "links are not supported");
  SendCode(out, q.id, kOpUnsupported, "unsupported extension");
}

void SftpSession::SendCode(Writer& out, uint32_t id, StatusCode code, std::string_view message) {
  out.Begin(kStatus, id);
  out.U32(code);
  out.String(message.substr(0, 256));
  out.String("en");
  out.End();
}

void SftpSession::SendStatus(Writer& out, uint32_t id, const Status& st) {
  SendCode(out, id, StatusFor(st.code()), MessageFor(st));
}

void SftpSession::SendHandle(Writer& out, uint32_t id, Slot handle) {
  if (handles_.size() >= limits_.max_handles) {
    return SendCode(out, id, kFailure, "too many open files and folders in this session");
  }
  std::string name(8, '\0');
  uint64_t n = next_handle_++;
  for (int i = 7; i >= 0; --i, n >>= 8) name[i] = static_cast<char>(n & 0xff);
  handles_.emplace(name, std::move(handle));
  out.Begin(kHandle, id);
  out.String(name);
  out.End();
}

SftpSession::Slot* SftpSession::FindHandle(std::string_view id) {
  auto it = handles_.find(id);
  return it == handles_.end() ? nullptr : &it->second;
}

}  // namespace coffer::sftp
