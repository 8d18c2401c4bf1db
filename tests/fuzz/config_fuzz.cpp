// The configuration parser: arbitrary TOML-ish text must give a Config or a
// clean error, never a crash, hang or exception.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = coffer::config::ParseConfig(text, "/fuzz/coffer.toml");
  if (c.ok() && (c->limits.max_depth == 0 || c->storage.chunk_size < 16 * 1024)) std::abort();
  return 0;
}
