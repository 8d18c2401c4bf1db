// SftpSession: the requests, each one call (or two) into the file service.
#include <algorithm>

#include "sftp/sftp_session.h"
#include "sftp/sftp_status.h"

namespace coffer::sftp {

namespace {
constexpr int64_t kStatVfsBlock = 4096;
constexpr int64_t kUnlimitedRoom = int64_t{1} << 50;  // shown when no quota applies
}  // namespace

void SftpSession::Open(const Request& q, Writer& out) {
  if (handles_.size() >= limits_.max_handles) {
    return SendCode(out, q.id, kFailure, "too many open files and folders in this session");
  }
  std::string path = Absolute(q.path);
  bool writing = q.pflags & (kOpenWrite | kOpenAppend | kOpenCreate | kOpenTruncate);
  if (!writing) {
    auto d = files_.OpenDownload(principal_, context_, path);
    if (!d.ok()) return SendStatus(out, q.id, d.status());
    return SendHandle(out, q.id, ReadState{std::move(*d)});
  }
  if (q.pflags & kOpenRead) {
    return SendCode(out, q.id, kOpUnsupported,
                    "opening a file for reading and writing at once is not supported");
  }
  auto w = OpenForWrite(path, q.pflags);
  if (!w.ok()) return SendStatus(out, q.id, w.status());
  SendHandle(out, q.id, WriteState{std::move(*w), path, std::nullopt});
}

Result<std::unique_ptr<WriteHandle>> SftpSession::OpenForWrite(const std::string& path,
                                                               uint32_t pflags) {
  service::UploadOptions options;
  options.overwrite = !(pflags & kOpenExclusive);
  // The common "create or replace" open needs nothing from the old file; the
  // service refuses a folder or (exclusive) an existing name by itself.
  if ((pflags & kOpenCreate) && (pflags & kOpenTruncate) && !(pflags & kOpenAppend)) {
    COFFER_ASSIGN_OR_RETURN(auto upload, files_.BeginUpload(principal_, context_, path, options));
    return std::make_unique<WriteHandle>(std::move(upload), nullptr, false,
                                         limits_.max_reorder_bytes);
  }
  auto existing = files_.Stat(principal_, context_, path);
  if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();
  if (!existing.ok() && !(pflags & kOpenCreate)) return NotFound("no such file");
  if (existing.ok() && existing->is_folder) return FailedPrecondition("that is a folder");
  if (existing.ok() && (pflags & kOpenExclusive)) return AlreadyExists("the file exists");
  std::unique_ptr<service::Download> base;
  if (existing.ok() && !(pflags & kOpenTruncate) && existing->size > 0) {
    COFFER_ASSIGN_OR_RETURN(base, files_.OpenDownload(principal_, context_, path));
  }
  COFFER_ASSIGN_OR_RETURN(auto upload, files_.BeginUpload(principal_, context_, path, options));
  return std::make_unique<WriteHandle>(std::move(upload), std::move(base),
                                       (pflags & kOpenAppend) != 0, limits_.max_reorder_bytes);
}

void SftpSession::Close(const Request& q, Writer& out) {
  auto it = handles_.find(q.handle);
  if (it == handles_.end()) return SendCode(out, q.id, kFailure, "invalid handle");
  Slot h = std::move(it->second);
  handles_.erase(it);
  auto* w = std::get_if<WriteState>(&h);
  if (!w) return SendCode(out, q.id, kOk, "Success");
  auto committed = w->writer->Close();
  if (!committed.ok()) return SendStatus(out, q.id, committed.status());
  if (w->mtime) {
    auto touched = files_.SetModified(principal_, context_, w->path, *w->mtime);
    if (!touched.ok()) return SendStatus(out, q.id, touched.status());
  }
  SendCode(out, q.id, kOk, "Success");
}

void SftpSession::Read(const Request& q, Writer& out) {
  Slot* h = FindHandle(q.handle);
  auto* r = h ? std::get_if<ReadState>(h) : nullptr;
  if (!r) return SendCode(out, q.id, kFailure, "invalid handle");
  uint32_t want = std::min(q.length, kMaxReadWrite);
  size_t mark = out.buffer().size();
  out.Begin(kData, q.id);
  uint8_t* dst = out.ReserveString(want);
  auto got = r->download->ReadAt(q.offset, std::span(dst, want));
  if (!got.ok() || *got == 0) {
    out.Shrink(mark);
    if (!got.ok()) return SendStatus(out, q.id, got.status());
    return SendCode(out, q.id, kEof, "End of file");
  }
  // Rewrite the string length to what was read, then trim.
  size_t len_at = mark + 9;
  out.buffer()[len_at] = static_cast<uint8_t>(*got >> 24);
  out.buffer()[len_at + 1] = static_cast<uint8_t>(*got >> 16);
  out.buffer()[len_at + 2] = static_cast<uint8_t>(*got >> 8);
  out.buffer()[len_at + 3] = static_cast<uint8_t>(*got);
  out.Shrink(len_at + 4 + *got);
  out.End();
}

void SftpSession::WriteData(const Request& q, Writer& out) {
  Slot* h = FindHandle(q.handle);
  auto* w = h ? std::get_if<WriteState>(h) : nullptr;
  if (!w) return SendCode(out, q.id, kFailure, "invalid handle");
  Status st = w->writer->Write(q.offset, q.data);
  if (st.code() == Code::kFailedPrecondition) {
    return SendCode(out, q.id, kOpUnsupported, st.message());
  }
  SendStatus(out, q.id, st);
}

void SftpSession::StatPath(const Request& q, Writer& out) {
  auto e = files_.Stat(principal_, context_, Absolute(q.path));
  if (!e.ok()) return SendStatus(out, q.id, e.status());
  out.Begin(kAttrs, q.id);
  out.Attributes(AttrsFor(*e));
  out.End();
}

void SftpSession::StatHandle(const Request& q, Writer& out) {
  Slot* h = FindHandle(q.handle);
  if (!h) return SendCode(out, q.id, kFailure, "invalid handle");
  service::EntryInfo info;
  if (auto* r = std::get_if<ReadState>(h)) {
    info = r->download->info();
  } else if (auto* w = std::get_if<WriteState>(h)) {
    info.size = static_cast<int64_t>(w->writer->Size());
    info.perms = service::kRead | service::kWrite;
    info.modified_at = w->mtime.value_or(std::time(nullptr));
  } else {
    auto e = files_.Stat(principal_, context_, std::get<DirState>(*h).path);
    if (!e.ok()) return SendStatus(out, q.id, e.status());
    info = *e;
  }
  out.Begin(kAttrs, q.id);
  out.Attributes(AttrsFor(info));
  out.End();
}

// Permissions, owner and access time are accepted and not stored (docs/sftp.md);
// the modification time is stored; size can only be kept as it is or, on a file
// being written, extended.
void SftpSession::SetStat(const Request& q, Writer& out) {
  const Attrs& a = q.attrs;
  if (q.type == kFsetstat) {
    Slot* h = FindHandle(q.handle);
    if (!h) return SendCode(out, q.id, kFailure, "invalid handle");
    return SendStatus(out, q.id, SetHandleStat(*h, a));
  }
  std::string path = Absolute(q.path);
  if (a.flags & kAttrSize) {
    auto e = files_.Stat(principal_, context_, path);
    if (!e.ok()) return SendStatus(out, q.id, e.status());
    if (e->is_folder || static_cast<uint64_t>(e->size) != a.size) {
      return SendCode(out, q.id, kOpUnsupported, "changing a stored file's size is not supported");
    }
  }
  if (a.flags & kAttrTimes) {
    auto e = files_.SetModified(principal_, context_, path, a.mtime);
    return SendStatus(out, q.id, e.status());
  }
  SendCode(out, q.id, kOk, "Success");
}

Status SftpSession::SetHandleStat(Slot& h, const Attrs& a) {
  auto* w = std::get_if<WriteState>(&h);
  if (!w) {
    if (a.flags & (kAttrSize | kAttrTimes)) {
      return FailedPrecondition("the file is not open for writing");
    }
    return Status::Ok();
  }
  if (a.flags & kAttrSize) {
    if (a.size < w->writer->Size()) return FailedPrecondition("shrinking a file is not supported");
    if (a.size > w->writer->Size()) {
      uint8_t none = 0;  // a zero-length write at the new end extends the file
      COFFER_RETURN_IF_ERROR(w->writer->Write(a.size, std::span(&none, 0)));
    }
  }
  if (a.flags & kAttrTimes) w->mtime = a.mtime;
  return Status::Ok();
}

void SftpSession::OpenDir(const Request& q, Writer& out) {
  if (handles_.size() >= limits_.max_handles) {
    return SendCode(out, q.id, kFailure, "too many open files and folders in this session");
  }
  std::string path = Absolute(q.path);
  auto e = files_.Stat(principal_, context_, path);
  if (!e.ok()) return SendStatus(out, q.id, e.status());
  if (!e->is_folder) return SendCode(out, q.id, kFailure, "not a folder");
  SendHandle(out, q.id, DirState{e->path, "", false});
}

void SftpSession::ReadDir(const Request& q, Writer& out) {
  Slot* h = FindHandle(q.handle);
  auto* d = h ? std::get_if<DirState>(h) : nullptr;
  if (!d) return SendCode(out, q.id, kFailure, "invalid handle");
  // A page may come back empty when the service skipped hidden entries; keep going.
  for (int tries = 0; !d->done && tries < 100; ++tries) {
    auto page = files_.List(principal_, context_, d->path, d->cursor, kDirPage);
    if (!page.ok()) return SendStatus(out, q.id, page.status());
    d->cursor = page->next_cursor;
    d->done = d->cursor.empty();
    if (page->entries.empty()) continue;
    out.Begin(kName, q.id);
    out.U32(static_cast<uint32_t>(page->entries.size()));
    for (const auto& e : page->entries) {
      out.String(e.name);
      out.String(LongName(e));
      out.Attributes(AttrsFor(e));
    }
    out.End();
    return;
  }
  SendCode(out, q.id, kEof, "End of folder");
}

void SftpSession::Remove(const Request& q, Writer& out, bool folder) {
  std::string path = Absolute(q.path);
  auto e = files_.Stat(principal_, context_, path);
  if (!e.ok()) return SendStatus(out, q.id, e.status());
  if (e->is_folder != folder) {
    return SendCode(out, q.id, kFailure, folder ? "not a folder" : "that is a folder");
  }
  if (folder) {
    auto page = files_.List(principal_, context_, path, "", 1);
    if (!page.ok()) return SendStatus(out, q.id, page.status());
    if (!page->entries.empty() || !page->next_cursor.empty()) {
      return SendCode(out, q.id, kFailure, "the folder is not empty");
    }
  }
  SendStatus(out, q.id, files_.Delete(principal_, context_, path));
}

void SftpSession::MakeDir(const Request& q, Writer& out) {
  auto e = files_.Mkdir(principal_, context_, Absolute(q.path));
  SendStatus(out, q.id, e.status());
}

void SftpSession::RealPath(const Request& q, Writer& out) {
  std::string path = NormalizeSftpPath(q.path);
  out.Begin(kName, q.id);
  out.U32(1);
  out.String(path);
  out.String(path);
  out.U32(0);  // no attributes
  out.End();
}

// RENAME fails if the target exists (SFTP v3); posix-rename replaces a file
// target, which goes to the recycle bin like any overwritten file.
void SftpSession::Rename(const Request& q, Writer& out, bool replace) {
  std::string from = Absolute(q.path), to = Absolute(q.path2);
  if (replace) {
    auto target = files_.Stat(principal_, context_, to);
    if (target.ok()) {
      if (target->is_folder) return SendCode(out, q.id, kFailure, "the target is a folder");
      Status st = files_.Delete(principal_, context_, to);
      if (!st.ok()) return SendStatus(out, q.id, st);
    }
  }
  auto moved = files_.Move(principal_, context_, from, to);
  SendStatus(out, q.id, moved.status());
}

void SftpSession::StatVfs(const Request& q, Writer& out, std::string_view path) {
  auto space = files_.Space(principal_, context_, Absolute(path));
  if (!space.ok()) return SendStatus(out, q.id, space.status());
  int64_t room = std::min(space->room_bytes, kUnlimitedRoom);
  uint64_t free_blocks = static_cast<uint64_t>(room / kStatVfsBlock);
  uint64_t total_blocks =
      free_blocks + static_cast<uint64_t>(space->user_used_bytes / kStatVfsBlock);
  out.Begin(kExtendedReply, q.id);
  for (uint64_t v : {uint64_t{kStatVfsBlock}, uint64_t{kStatVfsBlock}, total_blocks, free_blocks,
                     free_blocks, uint64_t{1} << 32, uint64_t{1} << 31, uint64_t{1} << 31,
                     uint64_t{0}, uint64_t{0}, uint64_t{255}}) {
    out.U64(v);
  }
  out.End();
}

void SftpSession::Limits(const Request& q, Writer& out) {
  out.Begin(kExtendedReply, q.id);
  out.U64(kMaxPacket);
  out.U64(kMaxReadWrite);
  out.U64(kMaxReadWrite);
  out.U64(limits_.max_handles);
  out.End();
}

}  // namespace coffer::sftp
