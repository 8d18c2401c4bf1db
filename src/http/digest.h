// Digest fields (RFC 9530) and entity tags for file content.
//
// Contract: parsers are total and bounded; they accept only what they fully
// understand and never throw.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coffer::http {

using Sha256 = std::array<uint8_t, 32>;

// Standard base64 with padding (RFC 4648 section 4).
std::string Base64Encode(const uint8_t* data, size_t size);
// Strict: padding required, no whitespace, canonical trailing bits; nullopt otherwise.
std::optional<std::string> Base64Decode(std::string_view text);

// `sha-256=:<base64>:` for Repr-Digest.
std::string ReprDigestValue(const Sha256& digest);

struct DigestField {
  bool present = false;          // the field named at least one algorithm
  std::optional<Sha256> sha256;  // its sha-256 member, if any
  bool malformed = false;        // unparseable, or a sha-256 member of the wrong size
};
// Reads a Repr-Digest or Content-Digest value: a list of `alg=:base64:` members.
// Algorithms other than sha-256 are ignored (RFC 9530 lets a receiver do so).
DigestField ParseDigestField(std::string_view value);

// A strong entity tag from a content digest in hex: `"<hex>"`.
std::string StrongEtag(std::string_view sha256_hex);
// True if `header` is `*` (when `star_matches`) or lists `etag`. With `weak`
// (If-None-Match, RFC 9110 13.1.2) a W/ tag matches too; without it (If-Range)
// weak tags never match.
bool EtagListMatches(std::string_view header, std::string_view etag, bool star_matches, bool weak);

}  // namespace coffer::http
