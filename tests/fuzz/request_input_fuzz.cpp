// Query-string and JSON-body readers of the REST routes: never crash, never
// accept a repeated parameter, a decoded NUL or an over-long value, and refuse
// with one of their constant messages only (no input in the detail).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/request_input.h"

namespace {

void CheckQuery(std::string_view target) {
  auto q = coffer::http::Query::Parse(target);
  if (!q.ok()) {
    // A constant message is short and never contains the input's bytes verbatim
    // unless the input happens to be that text.
    if (q.status().message().size() > 64) std::abort();
    return;
  }
  for (std::string_view name : {"name", "path", "user", "x"}) {
    auto v = q->Get(name);
    if (v &&
        (v->size() > coffer::http::kMaxInputStringBytes || v->find('\0') != std::string::npos)) {
      std::abort();
    }
  }
}

void CheckBody(std::string_view text) {
  coffer::http::Request r;
  r.method = "POST";
  r.target = "/x";
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::string(text);
  auto body = coffer::http::JsonBody::Parse(r);
  if (!body.ok()) return;
  (void)body->Only({"name", "quota_bytes", "perms"});
  auto s = body->String("name", "bad");
  if (s.ok() && *s && (*s)->find('\0') != std::string::npos) std::abort();
  auto i = body->Integer("quota_bytes", 0, INT64_MAX, "bad");
  if (i.ok() && *i && **i < 0) std::abort();
  auto list = body->Strings("perms", 16, "bad");
  if (list.ok() && *list && (*list)->size() > 16) std::abort();
  coffer::http::Reply reply = coffer::http::JsonReply(200, {{"echo", std::string(text)}});
  if (reply.body.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckQuery(text);
  CheckBody(text);
  return 0;
}
