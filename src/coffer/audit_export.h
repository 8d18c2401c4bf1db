// The JSON-lines export of the activity record and its check on its own
// (docs/audit.md, "Export"). One line per record ({"type":"record", ...}, with
// prev_hash and hash in hex) in id order, each checkpoint ({"type":"checkpoint"})
// right after the record it signs. The export runs on to the first checkpoint
// at or after the last record asked for, so every exported record is signed.
#pragma once

#include <iosfwd>

#include "audit/verifier.h"
#include "store/metadata_store.h"

namespace coffer::cli {

struct ExportRange {
  int64_t since_us = 0;          // records with at_us >= since_us ...
  int64_t until_us = INT64_MAX;  // ... and at_us < until_us
};
struct ExportCounts {
  int64_t records = 0, checkpoints = 0;
};

Result<ExportCounts> ExportAudit(store::MetadataStore& store, const ExportRange& range,
                                 std::ostream& out);
// Verifies an export against `key`. Lines are at most 1 MiB; malformed input
// is kInvalidArgument naming the line.
Result<audit::Report> VerifyExport(std::istream& in, const audit::PublicKey& key);

}  // namespace coffer::cli
