#include "service/key_rotation.h"

#include "service/operation.h"

namespace coffer::service {

namespace {

Result<uint64_t> RewrapAll(store::MetadataStore& store, crypto::Keyring& keyring,
                           const RotationOptions& options) {
  uint64_t done = 0;
  const int64_t current = keyring.current_id();
  store::Id after = 0;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(auto batch,
                            store.ListVersionsNotUsingKey(current, after, options.batch_size));
    if (batch.empty()) return done;
    COFFER_RETURN_IF_ERROR(store.Transact([&]() -> Status {
      for (const auto& v : batch) {
        crypto::WrappedKey old{static_cast<uint32_t>(v.key_id), v.wrapped_key};
        COFFER_ASSIGN_OR_RETURN(crypto::SecretKey dek, keyring.Unwrap(old));
        COFFER_ASSIGN_OR_RETURN(crypto::WrappedKey fresh, keyring.Wrap(dek));
        COFFER_RETURN_IF_ERROR(store.UpdateVersionKey(v.id, fresh.key_id, fresh.wrapped));
      }
      return Status::Ok();
    }));
    done += batch.size();
    after = batch.back().id;
    if (options.after_batch) COFFER_RETURN_IF_ERROR(options.after_batch(done));
  }
}

}  // namespace

Result<RotationReport> RotateKeys(store::MetadataStore& store, crypto::Keyring& keyring,
                                  ActivityLog& activity, const Principal& p, const Context& c,
                                  const RotationOptions& options) {
  Operation op(activity, p, c, "keys.rotate", "");
  auto run = [&]() -> Result<RotationReport> {
    if (!p.is_admin()) return PermissionDenied("administrators only");
    RotationReport report;
    COFFER_ASSIGN_OR_RETURN(report.new_key_id, keyring.AddKey());
    op.fact().detail = "new key " + std::to_string(report.new_key_id);
    COFFER_ASSIGN_OR_RETURN(report.rewrapped, RewrapAll(store, keyring, options));
    op.fact().bytes = static_cast<int64_t>(report.rewrapped);
    // Every data key now names the current KEK, so the others can go.
    COFFER_ASSIGN_OR_RETURN(auto left, store.ListVersionsNotUsingKey(keyring.current_id(), 0, 1));
    if (!left.empty()) return InternalError("data keys still use an old key; run again");
    for (uint32_t id : keyring.key_ids()) {
      if (id == keyring.current_id()) continue;
      COFFER_RETURN_IF_ERROR(keyring.RetireKey(id));
      report.retired.push_back(id);
    }
    COFFER_RETURN_IF_ERROR(store.Transact([&] { return op.AppendInTx(); }));
    return report;
  };
  return op.Finish(run());
}

}  // namespace coffer::service
