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

// After pruning the chain starts at the newest anchor: a signed checkpoint whose
// record and everything before it are gone. The anchor must carry a valid
// signature, and a chained audit.prune record after it must name it (object_id
// = its record id); otherwise records were removed by something other than
// pruning (an attacker copying a later checkpoint into the anchors table).
Result<store::Id> StartAtAnchor(store::MetadataStore& store, audit::ChainVerifier& v,
                                const audit::PublicKey& key) {
  COFFER_ASSIGN_OR_RETURN(auto anchor, store.LatestAnchor());
  if (!anchor) return store::Id{0};
  v.set_anchor(anchor->record_id);
  auto message = audit::CheckpointMessage(anchor->record_id, anchor->head_hash, anchor->at_us);
  if (!audit::VerifySignature(key, message, anchor->signature)) {
    v.Fail(audit::Finding::kCheckpointForged, anchor->record_id,
           "the pruning anchor's signature does not verify");
    return anchor->record_id;
  }
  v.StartAfter(anchor->record_id, anchor->head_hash);
  return anchor->record_id;
}

// The audit.prune record that made the anchor, searched after the walk (which
// proved every record it reached).
Status CheckAnchorRecorded(store::MetadataStore& store, audit::ChainVerifier& v, store::Id anchor) {
  store::ActivitySearch q;
  q.action = std::string(kPruneAction);
  q.limit = 1000;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(auto page, store.SearchActivity(q));
    for (const auto& r : page) {
      if (r.object_id == anchor && r.result == "ok" && r.id > anchor) return Status::Ok();
    }
    if (page.size() < q.limit) break;
    q.before_at_us = page.back().at_us;
    q.before_id = page.back().id;
  }
  v.Fail(audit::Finding::kRemoved, anchor,
         "records up to " + std::to_string(anchor) +
             " are gone but no recorded pruning made that anchor");
  return Status::Ok();
}

}  // namespace

Result<audit::Report> VerifyAuditTrail(store::MetadataStore& store, const audit::PublicKey& key,
                                       VerifyOptions options) {
  size_t page = std::clamp<size_t>(options.page_size, audit::ChainVerifier::kLookahead * 2, 100000);
  audit::ChainVerifier v(key);
  COFFER_ASSIGN_OR_RETURN(store::Id anchor, StartAtAnchor(store, v, key));
  std::pair<store::Id, store::Id> cp_cursor{anchor, INT64_MAX};
  store::Id after = anchor;
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
  if (!v.done() && anchor > 0) COFFER_RETURN_IF_ERROR(CheckAnchorRecorded(store, v, anchor));
  return v.report();
}

}  // namespace coffer::service
