#include "service/activity_csv.h"

#include <ctime>

namespace coffer::service {

std::string CsvCell(std::string_view v) {
  std::string out = "\"";
  if (!v.empty() &&
      (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    out += '\'';
  }
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string IsoTimeUs(int64_t at_us) {
  int64_t secs = at_us >= 0 ? at_us / 1'000'000 : (at_us - 999'999) / 1'000'000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(at_us - secs * 1'000'000));
  return buf;
}

std::string ActivityCsvHeader() {
  return "id,time,at_us,actor,protocol,address,session,action,path,object_id,result,detail,"
         "bytes,sha256\r\n";
}

std::string ActivityCsvRow(const store::ActivityRecord& r) {
  std::string out;
  for (const std::string& cell :
       {std::to_string(r.id), IsoTimeUs(r.at_us), std::to_string(r.at_us), r.actor_name, r.protocol,
        r.address, r.session, r.action, r.path, std::to_string(r.object_id), r.result, r.detail,
        std::to_string(r.bytes), r.sha256_hex}) {
    if (!out.empty()) out += ',';
    out += CsvCell(cell);
  }
  return out + "\r\n";
}

}  // namespace coffer::service
