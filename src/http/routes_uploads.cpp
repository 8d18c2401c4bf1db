// Resumable uploads: tus 1.0 core with the creation, termination and expiration
// extensions at /api/v1/uploads (docs/http.md). The upload id travels in the
// query string (Location: /api/v1/uploads?id=...), so the route table stays
// literal. PATCH bodies are streamed into the service's UploadPatch; the
// service decides everything else.
#include <ctime>
#include <limits>

#include "http/digest.h"
#include "http/handlers.h"
#include "http/routes_common.h"
#include "http/tus_headers.h"
#include "service/resumable_uploads.h"
#include "util/bytes.h"

namespace coffer::http {

namespace {

constexpr char kTusVersion[] = "1.0.0";
constexpr char kOffsetType[] = "application/offset+octet-stream";

Reply WithTus(Reply r) {
  r.headers.emplace_back("Tus-Resumable", kTusVersion);
  return r;
}

Reply TusProblem(int status, std::string_view detail = {}) {
  return WithTus(Problem(status, detail));
}

Reply TusProblemFor(const Status& st) {
  if (st.code() == Code::kLimitExceeded &&
      st.message() == service::ResumableUploads::kTooManyOpen) {
    return TusProblem(429, "too many uploads in progress; finish or delete one first");
  }
  return WithTus(ProblemFor(st));
}

// RFC 9110 IMF-fixdate.
std::string HttpDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

void AddState(Reply& r, const service::UploadStatus& s) {
  r.headers.emplace_back("Upload-Offset", std::to_string(s.offset));
  if (!s.file) r.headers.emplace_back("Upload-Expires", HttpDate(s.expires_at));
}

// The checks every tus request but OPTIONS shares; nullopt when it may proceed.
std::optional<Reply> Refuse(const ApiServices& s, const Request& r) {
  if (!s.uploads) return Problem(404);
  if (r.Header("tus-resumable") != kTusVersion) {
    Reply bad = TusProblem(412, "Tus-Resumable: 1.0.0 is required");
    bad.headers.emplace_back("Tus-Version", kTusVersion);
    return bad;
  }
  return std::nullopt;
}

// The `id` query parameter (and nothing else), or the refusal.
std::optional<std::string> UploadId(const Request& r, Reply* refusal) {
  auto q = QueryOf(r, refusal);
  if (!q) {
    *refusal = WithTus(*refusal);
    return std::nullopt;
  }
  Status only = q->Only({"id"});
  auto id = q->Require("id", "the id parameter is required");
  if (!only.ok() || !id.ok()) {
    *refusal = WithTus(InputProblem(only.ok() ? id.status() : only));
    return std::nullopt;
  }
  return *id;
}

class PatchSink final : public BodySink {
 public:
  PatchSink(std::unique_ptr<service::UploadPatch> patch, uint64_t room)
      : patch_(std::move(patch)), room_(room) {}

  uint64_t max_bytes() const override { return room_; }
  Status Write(std::span<const uint8_t> data) override { return patch_->Write(data); }
  Reply Finish() override {
    auto state = patch_->Finish();
    if (!state.ok()) return ErrorReply(state.status());
    Reply r = WithTus(NoContent());
    AddState(r, *state);
    if (state->file) {
      // Completed: the same validators as PUT /api/v1/files/content.
      auto raw = FromHex(state->file->sha256_hex);
      if (raw && raw->size() == 32) {
        Sha256 d;
        std::copy(raw->begin(), raw->end(), d.begin());
        r.headers.emplace_back("Repr-Digest", ReprDigestValue(d));
        r.headers.emplace_back("ETag", StrongEtag(state->file->sha256_hex));
      }
    }
    return r;
  }
  Reply ErrorReply(const Status& st) override { return TusProblemFor(st); }
  void Interrupted() override { patch_->Interrupted(); }

 private:
  std::unique_ptr<service::UploadPatch> patch_;
  uint64_t room_;
};

}  // namespace

Reply UploadsOptions(const ApiServices& s, const Request&) {
  if (!s.uploads) return Problem(404);
  Reply r = WithTus(NoContent());
  r.headers.emplace_back("Tus-Version", kTusVersion);
  r.headers.emplace_back("Tus-Extension", "creation,termination,expiration");
  r.headers.emplace_back("Tus-Max-Size", std::to_string(s.uploads->max_bytes()));
  return r;
}

Reply UploadsCreate(const ApiServices& s, const Request& r, const Caller& c) {
  if (auto refused = Refuse(s, r)) return *refused;
  Reply refusal;
  auto q = QueryOf(r, &refusal);
  if (!q) return WithTus(refusal);
  if (Status only = q->Only({}); !only.ok()) return WithTus(InputProblem(only));
  if (!r.Header("upload-defer-length").empty()) {
    return TusProblem(400, "Upload-Defer-Length is not supported; send Upload-Length");
  }
  auto length = ParseTusInteger(r.Header("upload-length"));
  if (!length) return TusProblem(400, "Upload-Length must be a non-negative integer");
  if (!r.body.empty()) return TusProblem(400, "creation with upload is not supported");
  auto meta = ParseTusMetadata(r.Header("upload-metadata"));
  if (!meta) return TusProblem(400, "Upload-Metadata is malformed");
  std::optional<std::string> path;
  for (const auto& [k, v] : *meta)
    if (k == "path") path = v;
  if (!path || path->empty()) {
    return TusProblem(400, "Upload-Metadata must carry the target path under the key path");
  }
  if (*length > s.uploads->max_bytes()) return TusProblem(413);
  auto created = s.uploads->Create(c.principal, c.context, *path, *length);
  if (!created.ok()) return TusProblemFor(created.status());
  Reply out = WithTus(NoContent());
  out.status = 201;
  out.headers.emplace_back("Location", "/api/v1/uploads?id=" + created->id);
  AddState(out, *created);
  return out;
}

Reply UploadsStatus(const ApiServices& s, const Request& r, const Caller& c) {
  if (auto refused = Refuse(s, r)) return *refused;
  Reply refusal;
  auto id = UploadId(r, &refusal);
  if (!id) return refusal;
  auto state = s.uploads->Get(c.principal, c.context, *id);
  Reply out = state.ok() ? WithTus(NoContent()) : TusProblemFor(state.status());
  out.headers.emplace_back("Cache-Control", "no-store");
  if (!state.ok()) return out;
  out.status = 200;
  AddState(out, *state);
  out.headers.emplace_back("Upload-Length", std::to_string(state->length));
  return out;
}

Reply UploadsTerminate(const ApiServices& s, const Request& r, const Caller& c) {
  if (auto refused = Refuse(s, r)) return *refused;
  Reply refusal;
  auto id = UploadId(r, &refusal);
  if (!id) return refusal;
  Status st = s.uploads->Terminate(c.principal, c.context, *id);
  if (!st.ok()) return TusProblemFor(st);
  return WithTus(NoContent());
}

StreamStart UploadsAppend(const ApiServices& s, const Request& r, const Caller& c) {
  StreamStart start;
  if (auto refused = Refuse(s, r)) {
    start.reply = *refused;
    return start;
  }
  auto id = UploadId(r, &start.reply);
  if (!id) return start;
  if (r.Header("content-type") != kOffsetType) {
    start.reply = TusProblem(415, "Content-Type must be application/offset+octet-stream");
    return start;
  }
  if (!r.Header("content-encoding").empty()) {
    start.reply = TusProblem(415, "content codings are not accepted; send the raw bytes");
    return start;
  }
  auto offset = ParseTusInteger(r.Header("upload-offset"));
  if (!offset) {
    start.reply = TusProblem(400, "Upload-Offset must be a non-negative integer");
    return start;
  }
  auto state = s.uploads->Get(c.principal, c.context, *id);
  if (!state.ok()) {
    start.reply = TusProblemFor(state.status());
    return start;
  }
  if (*offset != state->offset) {
    start.reply = TusProblem(409, "Upload-Offset is not the upload's offset");
    AddState(start.reply, *state);
    return start;
  }
  auto patch = s.uploads->BeginPatch(c.principal, c.context, *id, *offset);
  if (!patch.ok()) {
    start.reply = TusProblemFor(patch.status());
    return start;
  }
  start.sink = std::make_unique<PatchSink>(std::move(*patch), state->length - *offset);
  return start;
}

}  // namespace coffer::http
