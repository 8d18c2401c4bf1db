// Pieces of `coffer audit` shared between its files (cli_audit*.cpp).
#pragma once

#include <string>

#include "coffer/cli.h"

namespace coffer::cli {

// Unix seconds, or an ISO 8601 UTC date ("2026-11-29") or time
// ("2026-11-29T01:30:00Z"), as unix microseconds.
Result<int64_t> ParseTimeUs(const std::string& text);

void AddAuditSearch(CLI::App& audit, Cli& cli);  // audit search
void AddAuditPrune(CLI::App& audit, Cli& cli);   // audit prune

}  // namespace coffer::cli
