// File content: PUT streams a raw body into the service's Upload; GET and HEAD
// stream a Download out in large chunks, with Range, If-Range, If-None-Match,
// a strong ETag and Repr-Digest (RFC 9530). Downloads are always attachments
// with a sandbox CSP, so nothing uploaded renders in our origin.
#include <limits>

#include "http/content_disposition.h"
#include "http/digest.h"
#include "http/handlers.h"
#include "http/range.h"
#include "http/routes_common.h"
#include "util/bytes.h"

namespace coffer::http {

namespace {

// Replaces the API's CSP on downloads: even if a browser were talked into
// rendering one, it would run no script and load nothing.
constexpr char kDownloadCsp[] = "default-src 'none'; sandbox; frame-ancestors 'none'";

// Streams [offset, offset + length) of a download.
class DownloadSource final : public BodySource {
 public:
  DownloadSource(std::unique_ptr<service::Download> download, uint64_t offset, uint64_t length)
      : download_(std::move(download)), offset_(offset), length_(length) {}
  uint64_t size() const override { return length_; }
  Result<size_t> Read(std::span<uint8_t> out) override {
    uint64_t left = length_ - done_;
    if (left == 0) return size_t{0};
    if (out.size() > left) out = out.first(static_cast<size_t>(left));
    COFFER_ASSIGN_OR_RETURN(size_t n, download_->ReadAt(offset_ + done_, out));
    if (n == 0) return IntegrityError("content ended early");
    done_ += n;
    return n;
  }

 private:
  std::unique_ptr<service::Download> download_;
  const uint64_t offset_;
  const uint64_t length_;
  uint64_t done_ = 0;
};

std::optional<Sha256> DigestOf(std::string_view hex) {
  auto raw = FromHex(hex);
  if (!raw || raw->size() != 32) return std::nullopt;
  Sha256 d;
  std::copy(raw->begin(), raw->end(), d.begin());
  return d;
}

// ETag and Repr-Digest of a file version.
void AddValidators(Reply& reply, const service::EntryInfo& info) {
  std::string tag = info.sha256_hex.empty() ? std::to_string(info.id) : info.sha256_hex;
  reply.headers.emplace_back("ETag", StrongEtag(tag));
  if (auto d = DigestOf(info.sha256_hex))
    reply.headers.emplace_back("Repr-Digest", ReprDigestValue(*d));
}

std::string EtagOf(const service::EntryInfo& info) {
  return StrongEtag(info.sha256_hex.empty() ? std::to_string(info.id) : info.sha256_hex);
}

class UploadSink final : public BodySink {
 public:
  UploadSink(std::unique_ptr<service::Upload> upload, bool digest_given, bool no_overwrite)
      : upload_(std::move(upload)), digest_given_(digest_given), no_overwrite_(no_overwrite) {}

  uint64_t max_bytes() const override { return std::numeric_limits<uint64_t>::max(); }
  Status Write(std::span<const uint8_t> data) override { return upload_->Write(data); }
  Reply Finish() override {
    auto info = upload_->Commit();
    if (!info.ok()) return ErrorReply(info.status());
    Reply r = JsonReply(201, EntryJson(*info));
    AddValidators(r, *info);
    return r;
  }
  Reply ErrorReply(const Status& st) override {
    if (st.code() == Code::kInvalidArgument && digest_given_) {
      return Problem(400, "the content does not match the digest sent");
    }
    if (st.code() == Code::kAlreadyExists && no_overwrite_) {
      return Problem(412, "the name is taken and If-None-Match: * was sent");
    }
    return ProblemFor(st);
  }

 private:
  std::unique_ptr<service::Upload> upload_;
  bool digest_given_;
  bool no_overwrite_;
};

// The sha-256 the client says the body has, from Repr-Digest or Content-Digest
// (the same for an unencoded PUT). Both given must agree.
Result<std::optional<Sha256>> ExpectedDigest(const Request& r) {
  std::optional<Sha256> out;
  for (std::string_view name : {"repr-digest", "content-digest"}) {
    std::string_view value = r.Header(name);
    if (value.empty()) continue;
    DigestField f = ParseDigestField(value);
    if (f.malformed) return InvalidArgument("malformed digest");
    if (!f.sha256) continue;
    if (out && *out != *f.sha256) return InvalidArgument("digests disagree");
    out = f.sha256;
  }
  return out;
}

}  // namespace

Reply FilesDownload(const ApiServices& s, const Request& r, const Caller& c) {
  Reply refusal;
  auto q = QueryOf(r, &refusal);
  if (!q) return refusal;
  if (!q->Has("path")) return Problem(400, "the path parameter is required");
  auto download = s.files.OpenDownload(c.principal, c.context, q->Get("path", ""));
  if (!download.ok()) return ProblemFor(download.status());
  const service::EntryInfo info = (*download)->info();
  const std::string etag = EtagOf(info);
  const uint64_t size = static_cast<uint64_t>(info.size);

  std::string_view inm = r.Header("if-none-match");
  if (!inm.empty() && EtagListMatches(inm, etag, true, true)) {
    Reply not_modified;
    not_modified.status = 304;
    not_modified.content_type.clear();
    AddValidators(not_modified, info);
    return not_modified;
  }
  RangeRequest range;
  std::string_view if_range = r.Header("if-range");
  if (if_range.empty() || EtagListMatches(if_range, etag, false, false)) {
    range = ParseRange(r.Header("range"), size);
  }
  if (range.kind == RangeRequest::Kind::kUnsatisfiable) {
    Reply bad = Problem(416);
    bad.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return bad;
  }
  Reply out;
  out.content_type = "application/octet-stream";
  uint64_t first = 0;
  uint64_t length = size;
  if (range.kind == RangeRequest::Kind::kSatisfiable) {
    out.status = 206;
    first = range.first;
    length = range.length;
    out.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                  std::to_string(first + length - 1) + "/" +
                                                  std::to_string(size));
  }
  AddValidators(out, info);
  out.headers.emplace_back("Accept-Ranges", "bytes");
  out.headers.emplace_back("Content-Disposition", AttachmentDisposition(info.name));
  out.headers.emplace_back("Content-Security-Policy", kDownloadCsp);
  out.source = std::make_shared<DownloadSource>(std::move(*download), first, length);
  return out;
}

StreamStart FilesUpload(const ApiServices& s, const Request& r, const Caller& c) {
  StreamStart start;
  auto q = QueryOf(r, &start.reply);
  if (!q) return start;
  if (!q->Has("path")) {
    start.reply = Problem(400, "the path parameter is required");
    return start;
  }
  if (!r.Header("content-encoding").empty()) {
    start.reply = Problem(415, "content codings are not accepted; send the raw bytes");
    return start;
  }
  std::string_view inm = r.Header("if-none-match");
  if (!inm.empty() && inm != "*") {
    start.reply = Problem(400, "only If-None-Match: * is supported on upload");
    return start;
  }
  auto expected = ExpectedDigest(r);
  if (!expected.ok()) {
    start.reply = Problem(400, "malformed or conflicting Repr-Digest / Content-Digest");
    return start;
  }
  service::UploadOptions options;
  options.expected_sha256 = *expected;
  options.overwrite = inm.empty();
  auto upload = s.files.BeginUpload(c.principal, c.context, q->Get("path", ""), options);
  if (!upload.ok()) {
    UploadSink refused(nullptr, false, !options.overwrite);
    start.reply = refused.ErrorReply(upload.status());
    return start;
  }
  start.sink =
      std::make_unique<UploadSink>(std::move(*upload), expected->has_value(), !options.overwrite);
  return start;
}

}  // namespace coffer::http
