// SFTP request packets come from authenticated but untrusted clients: any bytes
// must decode to a request whose fields lie inside the packet, or to a clean
// kInvalidArgument.
#include <cstdint>
#include <cstdlib>

#include "sftp/sftp_wire.h"

namespace {

bool Inside(const void* p, size_t n, const uint8_t* data, size_t size) {
  auto* b = static_cast<const uint8_t*>(p);
  return n == 0 || (b >= data && b + n <= data + size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto q = coffer::sftp::DecodeRequest({data, size});
  if (!q.ok()) {
    if (q.status().code() != coffer::Code::kInvalidArgument) std::abort();
    return 0;
  }
  if (!Inside(q->path.data(), q->path.size(), data, size) ||
      !Inside(q->path2.data(), q->path2.size(), data, size) ||
      !Inside(q->handle.data(), q->handle.size(), data, size) ||
      !Inside(q->data.data(), q->data.size(), data, size) ||
      !Inside(q->extension.data(), q->extension.size(), data, size)) {
    std::abort();
  }
  return 0;
}
