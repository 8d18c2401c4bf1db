// One activity record as an RFC 5424 syslog message, framed for TCP by octet
// counting (RFC 6587 section 3.4.1: "<length> <message>").
//
//   <PRI>1 2026-11-29T03:30:00.123456Z HOST coffer - file.upload
//   [coffer@32473 id="42" hash="..." prev_hash="..." at_us="..." actor="alice" ...] BOM text
//
// PRI is facility * 8 + severity (ok: 6 info, denied: 5 notice, error: 4
// warning). The MSGID is the action (printable ASCII, at most 32 bytes; anything
// else becomes '_'). The structured data element carries every field of the
// record, including the chain fields id, hash and prev_hash in hex, so the
// collector's copy can be re-hashed and checked against the chain
// (docs/audit.md). 32473 is the private enterprise number RFC 5612 reserves
// for documentation. Values escape '"', '\' and ']' with '\' (RFC 5424 6.3.3).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "audit/chain.h"

namespace coffer::audit {

inline constexpr std::string_view kSyslogSdId = "coffer@32473";

struct SyslogHeader {
  unsigned facility = 13;
  std::string hostname;  // printable ASCII, at most 255; "-" if empty
};

// The RFC 5424 message for `r` (r.hash and r.prev_hash as stored).
std::string FormatSyslog(const SyslogHeader& h, const RecordView& r);
// "<decimal length> <message>".
std::string FrameOctetCounted(std::string_view message);
// An SD-PARAM value with '"', '\' and ']' escaped.
std::string EscapeSdValue(std::string_view v);

}  // namespace coffer::audit
