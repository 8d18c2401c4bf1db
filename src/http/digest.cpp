#include "http/digest.h"

#include "util/bytes.h"

namespace coffer::http {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// Bound on a digest field: a handful of members, never kilobytes.
constexpr size_t kMaxDigestField = 1024;

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string Base64Encode(const uint8_t* data, size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (size_t i = 0; i < size; i += 3) {
    uint32_t n = static_cast<uint32_t>(data[i]) << 16;
    if (i + 1 < size) n |= static_cast<uint32_t>(data[i + 1]) << 8;
    if (i + 2 < size) n |= data[i + 2];
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < size ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < size ? kAlphabet[n & 63] : '=');
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    uint32_t n = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++pad;
        n <<= 6;
        continue;
      }
      int v = Sextet(c);
      if (v < 0 || pad > 0) return std::nullopt;
      n = (n << 6) | static_cast<uint32_t>(v);
    }
    // Non-canonical encodings (set bits under the padding) are refused.
    if ((pad == 1 && (n & 0xff) != 0) || (pad == 2 && (n & 0xffff) != 0)) return std::nullopt;
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

std::string ReprDigestValue(const Sha256& digest) {
  return "sha-256=:" + Base64Encode(digest.data(), digest.size()) + ":";
}

DigestField ParseDigestField(std::string_view value) {
  DigestField f;
  if (value.size() > kMaxDigestField) {
    f.malformed = true;
    return f;
  }
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view member = Trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    size_t eq = member.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      f.malformed = true;
      return f;
    }
    f.present = true;
    std::string_view alg = member.substr(0, eq);
    std::string_view bytes = member.substr(eq + 1);
    if (alg != "sha-256") continue;
    if (bytes.size() < 2 || bytes.front() != ':' || bytes.back() != ':') {
      f.malformed = true;
      return f;
    }
    auto raw = Base64Decode(bytes.substr(1, bytes.size() - 2));
    if (!raw || raw->size() != 32 || f.sha256) {
      f.malformed = true;
      return f;
    }
    Sha256 d;
    std::copy(raw->begin(), raw->end(), d.begin());
    f.sha256 = d;
  }
  return f;
}

std::string StrongEtag(std::string_view sha256_hex) {
  return "\"" + std::string(sha256_hex) + "\"";
}

bool EtagListMatches(std::string_view header, std::string_view etag, bool star_matches, bool weak) {
  header = Trim(header);
  if (header == "*") return star_matches;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (weak && tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

}  // namespace coffer::http
