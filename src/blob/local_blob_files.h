// Internals of the local backend shared by its store, writer and reader: the
// directory handles of one store root, held by shared pointer so that a writer
// or reader stays valid even if it outlives the store object.
//
//   <root>/tmp/<32 hex>.tmp          a blob being written (removed by SweepOrphans)
//   <root>/objects/<2 hex>/<32 hex>  a finished blob (blob_format.h)
//   <root>/partial/<32 hex>          a partial blob: the whole chunks of a
//                                    resumable upload so far
#pragma once

#include <memory>

#include "blob/blob_store.h"
#include "util/env.h"

namespace coffer::blob {

struct LocalDirs {
  Env* env = nullptr;
  Dir root;
  Dir tmp;
  Dir objects;
  Dir partial;
};

Result<std::unique_ptr<BlobWriter>> NewLocalBlobWriter(std::shared_ptr<const LocalDirs> dirs,
                                                       const crypto::Keyring& keyring,
                                                       const BlobStoreOptions& options);
Result<std::unique_ptr<BlobReader>> NewLocalBlobReader(std::shared_ptr<const LocalDirs> dirs,
                                                       const crypto::Keyring& keyring,
                                                       const BlobRef& ref);

Result<PartialRef> NewLocalPartial(std::shared_ptr<const LocalDirs> dirs,
                                   const crypto::Keyring& keyring, uint64_t size,
                                   uint32_t chunk_size);
Result<std::unique_ptr<PartialWriter>> OpenLocalPartial(std::shared_ptr<const LocalDirs> dirs,
                                                        const crypto::Keyring& keyring,
                                                        const PartialRef& ref, uint64_t durable);

}  // namespace coffer::blob
