// Master-key rotation: a new key-encryption key wraps every data key again;
// content is not touched.
//
// Safe to interrupt and re-run: each batch of rewrapped keys commits on its own,
// a data key always names the KEK that wraps it, and an old KEK file is deleted
// only once no data key uses it. A re-run adds another KEK and carries on, so
// it converges whatever step the last run stopped at.
// Must not run while a server uses the same keys (the CLI takes the data
// directory's exclusive lock).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "crypto/keyring.h"
#include "service/activity.h"
#include "store/metadata_store.h"

namespace coffer::service {

struct RotationReport {
  uint32_t new_key_id = 0;
  uint64_t rewrapped = 0;
  std::vector<uint32_t> retired;
};

struct RotationOptions {
  size_t batch_size = 500;
  // Called after each committed batch with the running count; a non-ok status
  // stops the rotation there (tests use it to interrupt half way).
  std::function<Status(uint64_t rewrapped)> after_batch;
};

Result<RotationReport> RotateKeys(store::MetadataStore& store, crypto::Keyring& keyring,
                                  ActivityLog& activity, const Principal& p, const Context& c,
                                  const RotationOptions& options = {});

}  // namespace coffer::service
