#include "service/audit_trail.h"

#include <algorithm>

namespace coffer::service {

namespace {

audit::RecordView View(const store::ActivityRecord& r) {
  return {r.id,      r.at_us,      r.actor_id,  r.actor_name, r.protocol, r.address,
          r.session, r.action,     r.path,      r.object_id,  r.result,   r.detail,
          r.bytes,   r.sha256_hex, r.prev_hash, r.hash};
}

// Feeds the verifier every checkpoint up to record `until` (inclusive), in
// (record_id, id) order, continuing from `cursor`.
Status FeedCheckpoints(store::MetadataStore& store, audit::ChainVerifier& v,
                       std::pair<store::Id, store::Id>& cursor, store::Id until, size_t page) {
  for (;;) {
    if (cursor.first > until) return Status::Ok();
    COFFER_ASSIGN_OR_RETURN(auto cps, store.ListCheckpoints(cursor.first, cursor.second, page));
    if (cps.empty()) {
      cursor.first = INT64_MAX;
      return Status::Ok();
    }
    for (const auto& c : cps) {
      v.AddCheckpoint({c.id, c.record_id, c.head_hash, c.at_us, c.signature});
      cursor = {c.record_id, c.id};
      if (c.record_id > until) return Status::Ok();
    }
  }
}

}  // namespace

Result<audit::Report> VerifyAuditTrail(store::MetadataStore& store, const audit::PublicKey& key,
                                       VerifyOptions options) {
  size_t page = std::clamp<size_t>(options.page_size, audit::ChainVerifier::kLookahead * 2, 100000);
  audit::ChainVerifier v(key);
  std::pair<store::Id, store::Id> cp_cursor{0, 0};
  store::Id after = 0;
  std::vector<audit::RecordView> views;
  while (!v.done()) {
    COFFER_ASSIGN_OR_RETURN(auto records, store.ScanActivity(after, page));
    bool last = records.size() < page;
    store::Id until = records.empty() ? INT64_MAX : records.back().id;
    COFFER_RETURN_IF_ERROR(FeedCheckpoints(store, v, cp_cursor, until, page));
    views.clear();
    for (const auto& r : records) views.push_back(View(r));
    size_t used = v.Feed(views, last);
    if (used > 0) after = records[used - 1].id;
    if (last || v.done()) break;
    if (used == 0) return InternalError("audit verify made no progress");
  }
  if (!v.done()) {
    COFFER_RETURN_IF_ERROR(FeedCheckpoints(store, v, cp_cursor, INT64_MAX, page));
    COFFER_ASSIGN_OR_RETURN(store::Id sequence, store.ActivitySequence());
    v.Finish(sequence);
  }
  return v.report();
}

}  // namespace coffer::service
