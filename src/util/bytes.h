// Small byte helpers shared by every layer: hex, constant-time compare, wiping.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coffer {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

std::string ToHex(ByteSpan bytes);
// Lower- or upper-case hex of even length; nullopt on anything else.
std::optional<Bytes> FromHex(std::string_view hex);
inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace coffer
