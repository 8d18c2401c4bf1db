// tus header parsers (Upload-Length/Upload-Offset, Upload-Metadata): never crash,
// never accept more pairs than the bound, an empty key or a repeated key, and
// an accepted integer is exactly its digits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "http/tus_headers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto n = coffer::http::ParseTusInteger(text)) {
    if (std::to_string(*n).size() > text.size()) std::abort();
  }
  if (auto m = coffer::http::ParseTusMetadata(text)) {
    if (m->size() > coffer::http::kMaxTusMetadataPairs) std::abort();
    std::set<std::string> keys;
    for (const auto& [k, v] : *m) {
      if (k.empty() || !keys.insert(k).second) std::abort();
      if (v.size() > text.size()) std::abort();
    }
  }
  return 0;
}
