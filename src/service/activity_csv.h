// Activity records as CSV (RFC 4180) for search exports, shared by the CLI and
// the HTTPS route so both write the same columns.
//
// Every cell is quoted; a cell that a spreadsheet would read as a formula
// (starting with = + - @, a tab or a carriage return) is prefixed with a single
// quote, so an attacker-chosen path or user name never runs in the reader's
// spreadsheet (CSV/formula injection). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "store/metadata_store.h"

namespace coffer::service {

std::string ActivityCsvHeader();                             // ends with CRLF
std::string ActivityCsvRow(const store::ActivityRecord& r);  // ends with CRLF
std::string CsvCell(std::string_view value);
// ISO 8601 UTC with microseconds: "2026-11-29T03:30:00.123456Z".
std::string IsoTimeUs(int64_t at_us);

}  // namespace coffer::service
