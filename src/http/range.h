// Parsing of the Range request header (RFC 9110 section 14.2), single ranges only.
//
// Contract: total (never throws, never reads past `header`), bounded (numbers of
// at most 19 digits, so no overflow), and conservative: anything that is not one
// well-formed byte range -- several ranges, other units, bad syntax -- is
// kIgnore, which RFC 9110 allows (the server then sends the whole content, 200).
#pragma once

#include <cstdint>
#include <string_view>

namespace coffer::http {

struct RangeRequest {
  enum class Kind {
    kIgnore,         // no usable Range: send everything (200)
    kSatisfiable,    // send [first, first + length) (206)
    kUnsatisfiable,  // 416 with Content-Range: bytes */size
  };
  Kind kind = Kind::kIgnore;
  uint64_t first = 0;
  uint64_t length = 0;
};

// Interprets `header` (the Range field value) against content of `size` bytes.
RangeRequest ParseRange(std::string_view header, uint64_t size);

}  // namespace coffer::http
