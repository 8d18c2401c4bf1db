// Permission words come from the CLI and the REST API: any text must parse to a
// set of known bits or give a clean kInvalidArgument, parsing ignores ASCII case,
// and every set survives a round trip through its text form.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "service/perms.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using coffer::service::kAllPerms;
  using coffer::service::ParsePerms;
  using coffer::service::PermsToString;

  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = ParsePerms(text);
  if (r.ok()) {
    Check((*r & ~kAllPerms) == 0);
    auto back = ParsePerms(PermsToString(*r));
    Check(back.ok() && *back == *r);
  } else {
    Check(r.status().code() == coffer::Code::kInvalidArgument);
    for (char c : r.status().message()) {
      Check(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f);
    }
  }

  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto u = ParsePerms(upper);
  Check(u.ok() == r.ok() && (!u.ok() || *u == *r));

  if (size >= 4) {
    uint32_t bits = 0;
    std::memcpy(&bits, data, sizeof bits);
    auto round = ParsePerms(PermsToString(bits));
    Check(round.ok() && *round == (bits & kAllPerms));
  }
  return 0;
}
