// Range header parser and download filename encoder: never crash, never produce
// a range outside the content or a header value with control characters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "http/content_disposition.h"
#include "http/range.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t content = 0;
  if (size >= 8) {
    std::memcpy(&content, data, 8);
    data += 8;
    size -= 8;
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = coffer::http::ParseRange(text, content);
  if (r.kind == coffer::http::RangeRequest::Kind::kSatisfiable) {
    if (r.length == 0 || r.first >= content || r.length > content - r.first) std::abort();
  }
  std::string v = coffer::http::AttachmentDisposition(text);
  for (unsigned char c : v) {
    if (c < 0x20 || c >= 0x7f) std::abort();
  }
  return 0;
}
