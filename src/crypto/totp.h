// TOTP (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA-1, and the base32 text
// (RFC 4648, no padding) authenticator apps expect for the seed.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.h"

namespace coffer::crypto {

inline constexpr int64_t kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;

// The HOTP value of `counter`, `digits` (6 to 8) decimal digits with leading zeros.
std::string Hotp(ByteSpan secret, uint64_t counter, int digits = kTotpDigits);
// The time step of a unix time (floor(t / 30)); negative times give step 0.
int64_t TotpStep(int64_t unix_seconds);

std::string Base32Encode(ByteSpan bytes);
// Case-insensitive; spaces and trailing '=' ignored. nullopt on other characters.
std::optional<Bytes> Base32Decode(std::string_view text);

}  // namespace coffer::crypto
