#include "util/fault_env.h"

namespace coffer {

void FaultInjectionEnv::FailAt(uint64_t n, bool crash) {
  count_ = 0;
  failures_ = 0;
  crash_ = crash;
  fail_at_ = n;
}

Status FaultInjectionEnv::Tick() {
  const uint64_t n = ++count_;
  const uint64_t at = fail_at_.load();
  if (at != 0 && (n == at || (crash_ && n > at))) {
    ++failures_;
    return IoError("injected fault");
  }
  return Status::Ok();
}

Result<Dir> FaultInjectionEnv::OpenRoot(const std::string& path, bool create) {
  return base_->OpenRoot(path, create);
}

Result<Dir> FaultInjectionEnv::OpenDir(const Dir& dir, std::string_view name) {
  return base_->OpenDir(dir, name);
}

Status FaultInjectionEnv::MakeDir(const Dir& dir, std::string_view name) {
  COFFER_RETURN_IF_ERROR(Tick());
  return base_->MakeDir(dir, name);
}

Result<File> FaultInjectionEnv::CreateExclusive(const Dir& dir, std::string_view name) {
  COFFER_RETURN_IF_ERROR(Tick());
  return base_->CreateExclusive(dir, name);
}

Result<File> FaultInjectionEnv::OpenForRead(const Dir& dir, std::string_view name) {
  return base_->OpenForRead(dir, name);
}

Result<File> FaultInjectionEnv::OpenTruncated(const Dir& dir, std::string_view name,
                                              uint64_t size) {
  COFFER_RETURN_IF_ERROR(Tick());
  return base_->OpenTruncated(dir, name, size);
}

Status FaultInjectionEnv::Append(File& file, ByteSpan data) {
  COFFER_RETURN_IF_ERROR(Tick());
  return base_->Append(file, data);
}

Result<size_t> FaultInjectionEnv::ReadAt(const File& file, uint64_t offset,
                                         std::span<uint8_t> out) {
  return base_->ReadAt(file, offset, out);
}

Status FaultInjectionEnv::Sync(File& file) {
  COFFER_RETURN_IF_ERROR(Tick());
  return base_->Sync(file);
}

Status FaultInjectionEnv::StartWriteback(File& file, uint64_t offset, uint64_t length) {
  return base_->StartWriteback(file, offset, length);
}

Result<FileInfo> FaultInjectionEnv::Stat(const File& file) { return base_->Stat(file); }
Result<FileInfo> FaultInjectionEnv::Stat(const Dir& dir) { return base_->Stat(dir); }

Status FaultInjectionEnv::Rename(const Dir& from_dir, std::string_view from, const Dir& to_dir,
                                 std::string_view to, bool replace) {
  COFFER_RETURN_IF_ERROR(Tick());
  return base_->Rename(from_dir, from, to_dir, to, replace);
}

Status FaultInjectionEnv::SyncDir(const Dir& dir) {
  COFFER_RETURN_IF_ERROR(Tick());
  return base_->SyncDir(dir);
}

Status FaultInjectionEnv::Unlink(const Dir& dir, std::string_view name) {
  COFFER_RETURN_IF_ERROR(Tick());
  return base_->Unlink(dir, name);
}

Result<std::vector<std::string>> FaultInjectionEnv::List(const Dir& dir) {
  return base_->List(dir);
}

}  // namespace coffer
