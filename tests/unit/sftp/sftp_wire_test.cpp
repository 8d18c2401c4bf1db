// The SFTP request decoder and reply encoder: every field where the draft puts
// it, and malformed packets refused without reading past them.
#include <gtest/gtest.h>

#include "sftp/sftp_session.h"
#include "sftp/sftp_wire.h"

namespace coffer::sftp {
namespace {

// Builds a request body (no length prefix) with the same encoder the server uses.
class Body {
 public:
  Body(uint8_t type, uint32_t id) {
    w_.U8(type);
    w_.U32(id);
  }
  Body& U32(uint32_t v) { return w_.U32(v), *this; }
  Body& U64(uint64_t v) { return w_.U64(v), *this; }
  Body& Str(std::string_view s) { return w_.String(s), *this; }
  std::span<const uint8_t> span() { return w_.buffer(); }

 private:
  Writer w_;
};

TEST(SftpWireTest, DecodesOpenWithAttributes) {
  Body b(kOpen, 7);
  b.Str("/A/f.txt").U32(kOpenWrite | kOpenCreate).U32(kAttrSize | kAttrTimes).U64(42).U32(1).U32(2);
  auto q = DecodeRequest(b.span());
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->id, 7u);
  EXPECT_EQ(q->path, "/A/f.txt");
  EXPECT_EQ(q->pflags, kOpenWrite | kOpenCreate);
  EXPECT_EQ(q->attrs.size, 42u);
  EXPECT_EQ(q->attrs.mtime, 2u);
}

TEST(SftpWireTest, DecodesWriteAndRead) {
  Body w(kWrite, 1);
  w.Str("HANDLE01").U64(uint64_t{1} << 40).Str("data");
  auto q = DecodeRequest(w.span());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->handle, "HANDLE01");
  EXPECT_EQ(q->offset, uint64_t{1} << 40);
  EXPECT_EQ(std::string(q->data.begin(), q->data.end()), "data");
  Body r(kRead, 2);
  r.Str("H").U64(5).U32(4096);
  q = DecodeRequest(r.span());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->length, 4096u);
}

TEST(SftpWireTest, DecodesExtensions) {
  Body b(kExtended, 3);
  b.Str("posix-rename@openssh.com").Str("/a").Str("/b");
  auto q = DecodeRequest(b.span());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->extension, "posix-rename@openssh.com");
  EXPECT_EQ(q->path2, "/b");
  Body unknown(kExtended, 4);
  unknown.Str("copy-data").Str("whatever").U64(1);
  EXPECT_TRUE(DecodeRequest(unknown.span()).ok());
}

TEST(SftpWireTest, RefusesTruncatedAndMalformedPackets) {
  Body b(kOpen, 7);
  b.Str("/A/f.txt").U32(kOpenRead).U32(kAttrSize).U64(1);
  auto full = b.span();
  for (size_t n = 0; n < full.size(); ++n) {
    auto q = DecodeRequest(full.first(n));
    EXPECT_FALSE(q.ok()) << n;
  }
  Body bad_flags(kSetstat, 1);
  bad_flags.Str("/x").U32(0x40);
  EXPECT_FALSE(DecodeRequest(bad_flags.span()).ok());
  Body many_ext(kSetstat, 1);
  many_ext.Str("/x").U32(kAttrExtended).U32(kMaxExtendedAttrs + 1);
  EXPECT_FALSE(DecodeRequest(many_ext.span()).ok());
  Body huge_string(kStat, 1);
  huge_string.U32(0xFFFFFFFF);
  EXPECT_FALSE(DecodeRequest(huge_string.span()).ok());
}

TEST(SftpWireTest, UnknownTypesDecodeToTypeAndId) {
  Body b(250, 9);
  auto q = DecodeRequest(b.span());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->type, 250);
  EXPECT_EQ(q->id, 9u);
}

TEST(SftpWireTest, WriterFramesPackets) {
  Writer w;
  w.Begin(kStatus, 5);
  w.U32(kOk);
  w.End();
  ASSERT_EQ(w.buffer().size(), 13u);
  EXPECT_EQ(w.buffer()[3], 9);  // length excludes itself
  EXPECT_EQ(w.buffer()[4], kStatus);
}

TEST(SftpPathTest, NormalizesLexicallyAndNeverClimbsAboveRoot) {
  EXPECT_EQ(NormalizeSftpPath(""), "/");
  EXPECT_EQ(NormalizeSftpPath("."), "/");
  EXPECT_EQ(NormalizeSftpPath("A/./b//c/"), "/A/b/c");
  EXPECT_EQ(NormalizeSftpPath("/A/../../../B"), "/B");
  EXPECT_EQ(NormalizeSftpPath("/.."), "/");
  EXPECT_EQ(NormalizeSftpPath("~/x"), "/x");
  EXPECT_EQ(NormalizeSftpPath("/A/..b"), "/A/..b");  // a name, not a step up
}

}  // namespace
}  // namespace coffer::sftp
