#include "audit/syslog_format.h"

#include <ctime>

namespace coffer::audit {

namespace {

unsigned Severity(std::string_view result) {
  if (result == "ok") return 6;
  if (result == "denied") return 5;
  return 4;
}

std::string Timestamp(int64_t at_us) {
  int64_t secs = at_us >= 0 ? at_us / 1'000'000 : (at_us - 999'999) / 1'000'000;
  int64_t micros = at_us - secs * 1'000'000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999) return "-";
  char buf[96];  // room for any int values, so the format cannot truncate
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return buf;
}

// PRINTUSASCII, at most `max` bytes, "-" when empty.
std::string Token(std::string_view v, size_t max) {
  std::string out;
  for (char c : v.substr(0, max)) out += (c >= 33 && c <= 126) ? c : '_';
  return out.empty() ? "-" : out;
}

void Param(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  out += EscapeSdValue(value);
  out += '"';
}

}  // namespace

std::string EscapeSdValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

std::string FormatSyslog(const SyslogHeader& h, const RecordView& r) {
  std::string out = "<" + std::to_string(h.facility * 8 + Severity(r.result)) + ">1 ";
  out += Timestamp(r.at_us) + " " + Token(h.hostname, 255) + " coffer - " + Token(r.action, 32);
  out += " [";
  out += kSyslogSdId;
  Param(out, "id", std::to_string(r.id));
  Param(out, "hash", ToHex(r.hash));
  Param(out, "prev_hash", ToHex(r.prev_hash));
  Param(out, "at_us", std::to_string(r.at_us));
  Param(out, "actor_id", std::to_string(r.actor_id));
  Param(out, "actor", r.actor_name);
  Param(out, "protocol", r.protocol);
  Param(out, "address", r.address);
  Param(out, "session", r.session);
  Param(out, "action", r.action);
  Param(out, "path", r.path);
  Param(out, "object_id", std::to_string(r.object_id));
  Param(out, "result", r.result);
  Param(out, "detail", r.detail);
  Param(out, "bytes", std::to_string(r.bytes));
  Param(out, "sha256", r.sha256_hex);
  out += "] \xEF\xBB\xBF";  // MSG is UTF-8, marked with a BOM (RFC 5424 6.4)
  out += std::string(r.actor_name) + " " + std::string(r.action) + " " + std::string(r.result);
  if (!r.path.empty()) out += " " + std::string(r.path);
  return out;
}

std::string FrameOctetCounted(std::string_view message) {
  return std::to_string(message.size()) + " " + std::string(message);
}

}  // namespace coffer::audit
