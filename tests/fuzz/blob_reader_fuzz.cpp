// Fuzzes the blob reader with hostile files and references.
//
// A few genuine blobs are written once at start (keys and ids are random, so the
// corpus cannot hold genuine files). Each input then picks a blob and either
// replaces its file outright with the input bytes, or applies a list of edits to
// the genuine file and its reference (flip, truncate, append, resize, re-chunk).
// The reader must never crash, and must never return data without an error
// unless the file and the reference are both exactly the genuine ones.
//
// Input: [blob choice] [mode] [read piece] then, for mode 0, the file bytes; for
// other modes, 4-byte edits: [op] [position lo] [position hi] [value].
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "crypto/keyring.h"

namespace {

namespace fs = std::filesystem;
using coffer::blob::BlobRef;

struct Genuine {
  BlobRef ref;
  std::string plain;
  std::string file;
  fs::path path;
};

struct World {
  fs::path dir;
  std::unique_ptr<coffer::crypto::Keyring> keyring;
  std::unique_ptr<coffer::blob::BlobStore> store;
  std::vector<Genuine> blobs;
};

[[noreturn]] void Die(const char* why) {
  std::fprintf(stderr, "blob_reader_fuzz: %s\n", why);
  std::abort();
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

World MakeWorld() {
  World world;
  if (sodium_init() < 0) Die("sodium_init");
  char tmpl[] = "/tmp/coffer-blob-fuzz-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) Die("mkdtemp");
  world.dir = tmpl;
  auto kr = coffer::crypto::Keyring::Create(world.dir / "keys");
  if (!kr.ok()) Die("keyring");
  world.keyring = std::make_unique<coffer::crypto::Keyring>(std::move(*kr));
  coffer::blob::BlobStoreOptions options;
  options.chunk_size = 64;
  auto store =
      coffer::blob::OpenLocalBlobStore((world.dir / "blobs").string(), *world.keyring, options);
  if (!store.ok()) Die("store");
  world.store = std::move(*store);
  for (size_t size : {0, 1, 63, 64, 65, 200, 300}) {
    Genuine g;
    for (size_t i = 0; i < size; ++i) g.plain.push_back(static_cast<char>(i * 7 + size));
    auto writer = world.store->Create();
    if (!writer.ok() || !(*writer)->Write(coffer::AsBytes(g.plain)).ok()) Die("write");
    auto ref = (*writer)->Finish();
    if (!ref.ok()) Die("finish");
    g.ref = *ref;
    g.path = world.dir / "blobs" / "objects" / g.ref.id.Hex().substr(0, 2) / g.ref.id.Hex();
    g.file = ReadAll(g.path);
    world.blobs.push_back(std::move(g));
  }
  return world;
}

World& TheWorld() {
  static World world = MakeWorld();
  static const bool cleanup_registered = [] {
    return std::atexit([] {
             std::error_code ec;
             fs::remove_all(TheWorld().dir, ec);
           }) == 0;
  }();
  (void)cleanup_registered;
  return world;
}

void ApplyEdits(const uint8_t* data, size_t size, std::string& file, BlobRef& ref) {
  for (size_t i = 0; i + 4 <= size && i < 4 * 64; i += 4) {
    const uint8_t op = data[i], value = data[i + 3];
    const size_t pos = data[i + 1] | size_t{data[i + 2]} << 8;
    switch (op % 6) {
      case 0:
        if (!file.empty()) file[pos % file.size()] ^= static_cast<char>(value);
        break;
      case 1:
        file.resize(pos % (file.size() + 1));
        break;
      case 2:
        file.append(pos % 80 + 1, static_cast<char>(value));
        break;
      case 3:
        ref.size += static_cast<int8_t>(value);
        break;
      case 4:
        ref.chunk_size = 64 * (value % 4 + 1);
        break;
      case 5:  // copy a span of the file elsewhere in it (chunk shuffling)
        if (!file.empty()) {
          const size_t from = pos % file.size(), to = value % file.size();
          const size_t n = std::min({size_t{80}, file.size() - from, file.size() - to});
          file.replace(to, n, file.substr(from, n));
        }
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  World& w = TheWorld();
  const Genuine& g = w.blobs[data[0] % w.blobs.size()];
  const bool raw = data[1] % 4 == 0;
  const size_t piece = data[2] % 100 + 1;
  data += 3;
  size -= 3;

  BlobRef ref = g.ref;
  std::string file = raw ? std::string(reinterpret_cast<const char*>(data), size) : g.file;
  if (!raw) ApplyEdits(data, size, file, ref);
  const bool changed =
      file != g.file || ref.size != g.ref.size || ref.chunk_size != g.ref.chunk_size;
  { std::ofstream(g.path, std::ios::binary | std::ios::trunc) << file; }

  std::string got;
  coffer::Status status;
  auto reader = w.store->Open(ref);
  if (!reader.ok()) {
    status = reader.status();
  } else {
    std::string buf(piece, '\0');
    for (;;) {
      auto n = (*reader)->ReadAt(got.size(), {reinterpret_cast<uint8_t*>(buf.data()), buf.size()});
      if (!n.ok()) {
        status = n.status();
        break;
      }
      if (*n == 0) break;
      got.append(buf, 0, *n);
    }
  }
  if (changed) {
    if (status.ok()) Die("altered blob read back without an error");
    if (status.code() != coffer::Code::kIntegrity)
      Die("altered blob gave a code other than kIntegrity");
  } else if (!status.ok() || got != g.plain) {
    Die("genuine blob did not read back");
  }
  { std::ofstream(g.path, std::ios::binary | std::ios::trunc) << g.file; }
  return 0;
}
