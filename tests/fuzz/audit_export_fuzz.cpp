// `coffer audit verify --file`: the JSON-lines export parser and the chain
// verifier behind it, on arbitrary bytes. It must return a report or an error,
// never crash, and stay within its line limit.
#include <sstream>
#include <string>

#include "coffer/audit_export.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const coffer::audit::PublicKey kKey = [] {
    coffer::audit::PublicKey k{};
    for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i * 7 + 1);
    return k;
  }();
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto report = coffer::cli::VerifyExport(in, kKey);
  (void)report;
  return 0;
}
