// Writes a file through the encrypted BlobStore (sealed, hashed, fsync'd) and
// reads it back (every chunk authenticated), printing the timings as key=value
// lines for bench/run-blob-bench.sh, which runs cp/cat on the same file beside it.
//
//   blob_bench <work_dir> <source_file> [--drop-caches]
//
// With --drop-caches the page cache is flushed before the read (needs root), so
// the read comes from disk like the script's `cat` of its copy.
#include <fcntl.h>
#include <sodium.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "crypto/keyring.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBuffer = 1024 * 1024;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU seconds of all threads so far, to tell CPU cost from waiting on the disk.
double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

int Fail(const std::string& what, const coffer::Status& s) {
  std::fprintf(stderr, "blob_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

bool DropCaches() {
  ::sync();
  std::ofstream out("/proc/sys/vm/drop_caches");
  out << "3\n";
  out.flush();
  return out.good();
}

coffer::Result<coffer::blob::BlobRef> WriteBlob(coffer::blob::BlobStore& store, int fd) {
  COFFER_ASSIGN_OR_RETURN(auto writer, store.Create());
  std::vector<uint8_t> buf(kBuffer);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) return coffer::IoError("cannot read the source file");
    if (n == 0) break;
    COFFER_RETURN_IF_ERROR(writer->Write({buf.data(), static_cast<size_t>(n)}));
  }
  return writer->Finish();
}

coffer::Result<uint64_t> ReadBlob(coffer::blob::BlobStore& store,
                                  const coffer::blob::BlobRef& ref) {
  COFFER_ASSIGN_OR_RETURN(auto reader, store.Open(ref));
  std::vector<uint8_t> buf(kBuffer);
  uint64_t total = 0;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(size_t n, reader->ReadAt(total, buf));
    if (n == 0) break;
    total += n;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: blob_bench <work_dir> <source_file> [--drop-caches]\n");
    return 2;
  }
  const std::filesystem::path work = argv[1];
  const bool drop = argc > 3 && std::strcmp(argv[3], "--drop-caches") == 0;
  if (sodium_init() < 0) return 1;
  std::filesystem::create_directories(work);
  auto keyring = std::filesystem::exists(work / "keys")
                     ? coffer::crypto::Keyring::Load(work / "keys")
                     : coffer::crypto::Keyring::Create(work / "keys");
  if (!keyring.ok()) return Fail("keyring", keyring.status());
  auto store = coffer::blob::OpenLocalBlobStore((work / "blobs").string(), *keyring, {});
  if (!store.ok()) return Fail("store", store.status());

  int fd = ::open(argv[2], O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail("source", coffer::IoError("cannot open the source file"));
  double cpu = CpuSeconds();
  auto start = Clock::now();
  auto ref = WriteBlob(**store, fd);
  const double write_s = Seconds(start);
  const double write_cpu = CpuSeconds() - cpu;
  ::close(fd);
  if (!ref.ok()) return Fail("write", ref.status());

  const bool dropped = drop && DropCaches();
  cpu = CpuSeconds();
  start = Clock::now();
  auto read = ReadBlob(**store, *ref);
  const double read_s = Seconds(start);
  const double read_cpu = CpuSeconds() - cpu;
  if (!read.ok()) return Fail("read", read.status());
  if (*read != ref->size) return Fail("read", coffer::IntegrityError("short read"));

  std::printf(
      "bytes=%llu\nwrite_seconds=%.4f\nwrite_cpu_seconds=%.4f\nread_seconds=%.4f\n"
      "read_cpu_seconds=%.4f\ncache_dropped=%d\nsha256=%s\n",
      static_cast<unsigned long long>(ref->size), write_s, write_cpu, read_s, read_cpu,
      dropped ? 1 : 0, coffer::ToHex(ref->sha256).c_str());
  coffer::Status removed = (*store)->Remove(ref->id);
  if (!removed.ok()) return Fail("remove", removed);
  return 0;
}
