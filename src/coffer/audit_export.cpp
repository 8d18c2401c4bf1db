#include "coffer/audit_export.h"

#include <nlohmann/json.hpp>

#include <istream>
#include <ostream>

namespace coffer::cli {

namespace {

constexpr size_t kPage = 20000;
constexpr size_t kMaxLine = size_t{1} << 20;

nlohmann::json RecordJson(const store::ActivityRecord& r) {
  return {{"type", "record"},           {"id", r.id},
          {"at_us", r.at_us},           {"actor_id", r.actor_id},
          {"actor_name", r.actor_name}, {"protocol", r.protocol},
          {"address", r.address},       {"session", r.session},
          {"action", r.action},         {"path", r.path},
          {"object_id", r.object_id},   {"result", r.result},
          {"detail", r.detail},         {"bytes", r.bytes},
          {"sha256", r.sha256_hex},     {"prev_hash", ToHex(r.prev_hash)},
          {"hash", ToHex(r.hash)}};
}

nlohmann::json CheckpointJson(const store::AuditCheckpoint& c) {
  return {{"type", "checkpoint"},     {"id", c.id},
          {"record_id", c.record_id}, {"head_hash", ToHex(c.head_hash)},
          {"at_us", c.at_us},         {"signature", ToHex(c.signature)}};
}

}  // namespace

Result<ExportCounts> ExportAudit(store::MetadataStore& store, const ExportRange& range,
                                 std::ostream& out) {
  ExportCounts n;
  std::pair<store::Id, store::Id> cp_cursor{0, 0};
  std::vector<store::AuditCheckpoint> cps;
  size_t cp_at = 0;
  bool started = false, closing = false;
  store::Id after = 0;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(auto page, store.ScanActivity(after, kPage));
    if (page.empty()) break;
    for (const auto& r : page) {
      after = r.id;
      bool in_range = r.at_us >= range.since_us && r.at_us < range.until_us;
      if (!started && !in_range) continue;
      if (started && !in_range && !closing) closing = true;  // run on to the next checkpoint
      started = true;
      out << RecordJson(r).dump() << "\n";
      n.records++;
      bool signed_here = false;
      for (;;) {
        if (cp_at == cps.size()) {
          COFFER_ASSIGN_OR_RETURN(cps,
                                  store.ListCheckpoints(cp_cursor.first, cp_cursor.second, kPage));
          cp_at = 0;
          if (cps.empty()) break;
          cp_cursor = {cps.back().record_id, cps.back().id};
        }
        if (cps[cp_at].record_id > r.id) break;
        if (cps[cp_at].record_id == r.id) {
          out << CheckpointJson(cps[cp_at]).dump() << "\n";
          n.checkpoints++;
          signed_here = true;
        }
        cp_at++;
      }
      if (closing && signed_here) return n;
    }
  }
  if (!out) return IoError("cannot write the export");
  return n;
}

namespace {

Result<Bytes> Hex(const nlohmann::json& j, const char* key) {
  auto b = FromHex(j.at(key).get<std::string>());
  if (!b) return InvalidArgument(std::string(key) + " is not hex");
  return *b;
}

// Records own their strings; the verifier borrows views of them.
struct FileRecord {
  store::ActivityRecord r;
  audit::RecordView View() const {
    return {r.id,      r.at_us,      r.actor_id,  r.actor_name, r.protocol, r.address,
            r.session, r.action,     r.path,      r.object_id,  r.result,   r.detail,
            r.bytes,   r.sha256_hex, r.prev_hash, r.hash};
  }
};

Result<store::ActivityRecord> ParseRecord(const nlohmann::json& j) {
  store::ActivityRecord r;
  r.id = j.at("id").get<int64_t>();
  r.at_us = j.at("at_us").get<int64_t>();
  r.actor_id = j.at("actor_id").get<int64_t>();
  r.actor_name = j.at("actor_name").get<std::string>();
  r.protocol = j.at("protocol").get<std::string>();
  r.address = j.at("address").get<std::string>();
  r.session = j.at("session").get<std::string>();
  r.action = j.at("action").get<std::string>();
  r.path = j.at("path").get<std::string>();
  r.object_id = j.at("object_id").get<int64_t>();
  r.result = j.at("result").get<std::string>();
  r.detail = j.at("detail").get<std::string>();
  r.bytes = j.at("bytes").get<int64_t>();
  r.sha256_hex = j.at("sha256").get<std::string>();
  COFFER_ASSIGN_OR_RETURN(r.prev_hash, Hex(j, "prev_hash"));
  COFFER_ASSIGN_OR_RETURN(r.hash, Hex(j, "hash"));
  return r;
}

Result<store::AuditCheckpoint> ParseCheckpoint(const nlohmann::json& j) {
  store::AuditCheckpoint c;
  c.id = j.at("id").get<int64_t>();
  c.record_id = j.at("record_id").get<int64_t>();
  c.at_us = j.at("at_us").get<int64_t>();
  COFFER_ASSIGN_OR_RETURN(c.head_hash, Hex(j, "head_hash"));
  COFFER_ASSIGN_OR_RETURN(c.signature, Hex(j, "signature"));
  return c;
}

class FileVerifier {
 public:
  explicit FileVerifier(const audit::PublicKey& key) : v_(key) {}

  void AddRecord(store::ActivityRecord r) {
    if (!begun_) {
      v_.StartAfter(r.id - 1, r.prev_hash);
      begun_ = true;
    }
    last_id_ = r.id;
    records_.push_back({std::move(r)});
  }
  void AddCheckpoint(store::AuditCheckpoint c) { cps_.push_back(std::move(c)); }
  bool full() const { return records_.size() >= kPage; }
  bool done() const { return v_.done(); }

  // Feeds what is buffered; keeps what the verifier did not consume.
  void Flush(bool last) {
    int64_t until = records_.empty() ? INT64_MAX : records_.back().r.id;
    size_t k = 0;
    for (; k < cps_.size() && cps_[k].record_id <= until; ++k) {
      const auto& c = cps_[k];
      v_.AddCheckpoint({c.id, c.record_id, c.head_hash, c.at_us, c.signature});
    }
    cps_.erase(cps_.begin(), cps_.begin() + static_cast<ptrdiff_t>(k));
    std::vector<audit::RecordView> views;
    for (const auto& f : records_) views.push_back(f.View());
    size_t used = v_.Feed(views, last);
    records_.erase(records_.begin(), records_.begin() + static_cast<ptrdiff_t>(used));
  }
  audit::Report Finish() {
    while (!v_.done() && !records_.empty()) {
      size_t before = records_.size();
      Flush(true);
      if (records_.size() == before) break;
    }
    if (!v_.done()) {
      Flush(true);
      v_.Finish(last_id_);
    }
    return v_.report();
  }

 private:
  audit::ChainVerifier v_;
  std::vector<FileRecord> records_;
  std::vector<store::AuditCheckpoint> cps_;
  bool begun_ = false;
  int64_t last_id_ = 0;
};

}  // namespace

Result<audit::Report> VerifyExport(std::istream& in, const audit::PublicKey& key) {
  FileVerifier fv(key);
  std::string line;
  int64_t line_no = 0;
  while (!fv.done() && std::getline(in, line)) {
    ++line_no;
    if (line.size() > kMaxLine)
      return InvalidArgument("line " + std::to_string(line_no) + " is over 1 MiB");
    if (line.empty()) continue;
    try {
      auto j = nlohmann::json::parse(line);
      std::string type = j.at("type").get<std::string>();
      if (type == "record") {
        auto r = ParseRecord(j);
        if (!r.ok())
          return InvalidArgument("line " + std::to_string(line_no) + ": " + r.status().message());
        fv.AddRecord(std::move(*r));
      } else if (type == "checkpoint") {
        auto c = ParseCheckpoint(j);
        if (!c.ok())
          return InvalidArgument("line " + std::to_string(line_no) + ": " + c.status().message());
        fv.AddCheckpoint(std::move(*c));
      } else {
        return InvalidArgument("line " + std::to_string(line_no) + ": unknown type");
      }
    } catch (const nlohmann::json::exception&) {
      return InvalidArgument("line " + std::to_string(line_no) + " is not a valid export line");
    }
    if (fv.full()) fv.Flush(false);
  }
  return fv.Finish();
}

}  // namespace coffer::cli
