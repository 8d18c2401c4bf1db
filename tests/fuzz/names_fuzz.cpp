// Names come from every protocol: any bytes must give a clean refusal or a name
// that is valid NFC UTF-8 free of separators and controls, whose key is its case
// fold, and which normalises to itself again. Run both with the default limits
// and with small ones taken from the input, so the limit paths are exercised.
#include <utf8proc.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "service/names.h"

namespace {

using coffer::Code;
using coffer::service::NameLimits;
using coffer::service::NormalName;

void Check(bool ok) {
  if (!ok) std::abort();
}

// An independent NFC (and case fold) straight from utf8proc; "" for invalid input.
std::string Nfc(std::string_view s, bool fold) {
  utf8proc_uint8_t* out = nullptr;
  int options = UTF8PROC_STABLE | UTF8PROC_COMPOSE | (fold ? UTF8PROC_CASEFOLD : 0);
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                    static_cast<utf8proc_ssize_t>(s.size()), &out,
                                    static_cast<utf8proc_option_t>(options));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(out, &std::free);
  if (n < 0) return "";
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

bool HasControlOrSeparator(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7f || b == '/' || b == '\\') return true;
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    if (b == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f) return true;
  }
  return false;
}

void CheckRefusal(const coffer::Status& s) {
  Check(s.code() == Code::kInvalidArgument || s.code() == Code::kLimitExceeded);
  for (char c : s.message()) {
    Check(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f);
  }
}

void CheckName(const NormalName& n, size_t max_bytes) {
  Check(!n.name.empty() && n.name.size() <= max_bytes);
  Check(n.name != "." && n.name != "..");
  Check(!HasControlOrSeparator(n.name));
  Check(Nfc(n.name, false) == n.name);  // valid UTF-8 and already NFC
  Check(Nfc(n.name, true) == n.key);    // key is the case fold
  Check(Nfc(n.key, true) == n.key);     // folding is idempotent
}

// File names only: account names may end with a dot.
void CheckFileName(const NormalName& n, size_t max_bytes) {
  CheckName(n, max_bytes);
  Check(n.name.back() != '.' && n.name.back() != ' ');
}

void FuzzName(std::string_view text, const NameLimits& limits) {
  auto r = coffer::service::NormalizeName(text, limits);
  if (!r.ok()) return CheckRefusal(r.status());
  CheckFileName(*r, limits.max_name_bytes);
  auto again = coffer::service::NormalizeName(r->name, limits);
  Check(again.ok() && again->name == r->name && again->key == r->key);
}

void FuzzPath(std::string_view text, const NameLimits& limits) {
  auto r = coffer::service::SplitPath(text, limits);
  if (!r.ok()) return CheckRefusal(r.status());
  Check(r->size() <= limits.max_depth);
  for (const auto& part : *r) CheckFileName(part, limits.max_name_bytes);
  std::string joined = coffer::service::JoinPath(*r);
  Check(joined[0] == '/');
  auto again = coffer::service::SplitPath(joined, limits);
  if (joined.size() > limits.max_path_bytes) {  // NFC may have grown it
    Check(!again.ok() && again.status().code() == Code::kLimitExceeded);
    return;
  }
  Check(again.ok() && again->size() == r->size());
  for (size_t i = 0; i < r->size(); ++i) Check((*again)[i].key == (*r)[i].key);
}

void FuzzAccount(std::string_view text) {
  auto r = coffer::service::NormalizeAccountName(text);
  if (!r.ok()) return CheckRefusal(r.status());
  CheckName(*r, 64);
  char first = r->name[0];
  Check(first != '.' && first != '_' && first != '-' && first != '@' && first != ' ');
  auto again = coffer::service::NormalizeAccountName(r->name);
  Check(again.ok() && again->name == r->name && again->key == r->key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const NameLimits defaults;
  FuzzName(text, defaults);
  FuzzPath(text, defaults);
  FuzzAccount(text);
  if (size >= 2) {
    NameLimits small{1 + data[0] % 24u, 1 + data[1] % 96u, 1 + data[0] % 6u};
    FuzzName(text.substr(2), small);
    FuzzPath(text.substr(2), small);
  }
  return 0;
}
