// Checking the tamper-evident activity record (docs/audit.md): walks the stored
// chain and its checkpoints through audit::ChainVerifier, page by page, so a
// chain of tens of millions of records is checked in constant memory.
// Read-only; safe beside a running server (it sees a consistent prefix: records
// appended meanwhile are simply not reached). Thread-compatible.
#pragma once

#include "audit/verifier.h"
#include "store/metadata_store.h"

namespace coffer::service {

struct VerifyOptions {
  size_t page_size = 20000;  // records per read (1 to 100,000)
};

Result<audit::Report> VerifyAuditTrail(store::MetadataStore& store, const audit::PublicKey& key,
                                       VerifyOptions options = {});

}  // namespace coffer::service
