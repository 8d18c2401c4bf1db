// Checking the tamper-evident activity record (docs/audit.md): walks the stored
// chain and its checkpoints through audit::ChainVerifier, page by page, so a
// chain of tens of millions of records is checked in constant memory.
// Read-only; safe beside a running server (it sees a consistent prefix: records
// appended meanwhile are simply not reached). Thread-compatible.
#pragma once

#include "audit/verifier.h"
#include "store/metadata_store.h"

namespace coffer::service {

// The action of the record that pruning writes; its object_id is the anchor's record id.
inline constexpr std::string_view kPruneAction = "audit.prune";

struct VerifyOptions {
  size_t page_size = 20000;  // records per read (1 to 100,000)
};

// After pruning, the walk starts at the newest anchor (report.anchor_id), which
// must verify under `key` and be named by a chained audit.prune record.
Result<audit::Report> VerifyAuditTrail(store::MetadataStore& store, const audit::PublicKey& key,
                                       VerifyOptions options = {});

}  // namespace coffer::service
