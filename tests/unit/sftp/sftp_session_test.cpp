// SftpSession over a real service stack: the protocol as clients use it, the
// write reordering, and the limits. Replies are decoded here by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "service/service_fixture.h"
#include "sftp/sftp_session.h"

namespace coffer::sftp {
namespace {

struct Reply {
  uint8_t type = 0;
  uint32_t id = 0;
  std::vector<uint8_t> rest;
  uint32_t U32(size_t at) const {
    return uint32_t{rest[at]} << 24 | uint32_t{rest[at + 1]} << 16 | uint32_t{rest[at + 2]} << 8 |
           rest[at + 3];
  }
  uint32_t status() const { return type == kStatus ? U32(0) : ~0u; }
  std::string String(size_t at) const {
    return std::string(rest.begin() + at + 4, rest.begin() + at + 4 + U32(at));
  }
};

class SftpSessionTest : public service::testing::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddUser("alice");
    AddUser("bob");
    Folder("/A");
    Folder("/B");
    ASSERT_TRUE(admin_->Grant(system_, ctx_, "/A", "alice", 0x0f).ok());
    ASSERT_TRUE(admin_->Grant(system_, ctx_, "/B", "bob", 0x0f).ok());
    session_ =
        std::make_unique<SftpSession>(*files_, User("alice"), ctx_, SessionLimits{8, 1 << 20});
    Writer init;
    init.U8(kInit);
    init.U32(3);
    Writer out;
    ASSERT_TRUE(session_->Handle(init.buffer(), out));
    ASSERT_EQ(out.buffer()[4], kVersion);
  }

  Reply Send(Writer& body) {
    Writer out;
    EXPECT_TRUE(session_->Handle(body.buffer(), out));
    Reply r;
    auto& b = out.buffer();
    EXPECT_GE(b.size(), 9u);
    r.type = b[4];
    r.id = uint32_t{b[5]} << 24 | uint32_t{b[6]} << 16 | uint32_t{b[7]} << 8 | b[8];
    r.rest.assign(b.begin() + 9, b.end());
    return r;
  }
  Writer Req(uint8_t type) {
    Writer w;
    w.U8(type);
    w.U32(++id_);
    return w;
  }
  std::string Open(const std::string& path, uint32_t flags, uint32_t expect_status = ~0u) {
    Writer w = Req(kOpen);
    w.String(path);
    w.U32(flags);
    w.U32(0);
    Reply r = Send(w);
    if (expect_status != ~0u) {
      EXPECT_EQ(r.status(), expect_status) << path;
      return "";
    }
    EXPECT_EQ(r.type, kHandle) << path << " status " << r.status();
    return r.type == kHandle ? r.String(0) : "";
  }
  uint32_t WriteAt(const std::string& h, uint64_t off, std::string_view data) {
    Writer w = Req(kWrite);
    w.String(h);
    w.U64(off);
    w.String(data);
    return Send(w).status();
  }
  uint32_t Close(const std::string& h) {
    Writer w = Req(kClose);
    w.String(h);
    return Send(w).status();
  }
  uint32_t PathOp(uint8_t type, const std::string& path) {
    Writer w = Req(type);
    w.String(path);
    if (type == kMkdir) w.U32(0);
    return Send(w).status();
  }

  std::unique_ptr<SftpSession> session_;
  uint32_t id_ = 100;
};

TEST_F(SftpSessionTest, FirstPacketMustBeInit) {
  SftpSession fresh(*files_, User("alice"), ctx_, {});
  Writer stat = Req(kStat);
  stat.String("/A");
  Writer out;
  EXPECT_FALSE(fresh.Handle(stat.buffer(), out));
}

TEST_F(SftpSessionTest, UploadIsVisibleOnlyAfterClose) {
  std::string h = Open("/A/f.txt", kOpenWrite | kOpenCreate | kOpenTruncate);
  EXPECT_EQ(WriteAt(h, 0, "hello "), kOk);
  EXPECT_EQ(WriteAt(h, 6, "world"), kOk);
  EXPECT_EQ(PathOp(kStat, "/A/f.txt"), kNoSuchFile);
  EXPECT_EQ(Close(h), kOk);
  EXPECT_EQ(*Get(User("alice"), "/A/f.txt"), "hello world");
}

TEST_F(SftpSessionTest, OutOfOrderWritesAreReassembled) {
  std::string data = service::testing::RandomText(300000, 3);
  std::vector<size_t> order(30);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(5));
  std::string h = Open("/A/r.bin", kOpenWrite | kOpenCreate | kOpenTruncate);
  for (size_t i : order) {
    EXPECT_EQ(WriteAt(h, i * 10000, std::string_view(data).substr(i * 10000, 10000)), kOk);
  }
  EXPECT_EQ(Close(h), kOk);
  EXPECT_EQ(*Get(User("alice"), "/A/r.bin"), data);
}

TEST_F(SftpSessionTest, WritesTooFarAheadOrBehindFailCleanly) {
  std::string h = Open("/A/w.bin", kOpenWrite | kOpenCreate | kOpenTruncate);
  EXPECT_EQ(WriteAt(h, 0, "abc"), kOk);
  EXPECT_EQ(WriteAt(h, 0, "x"), kOpUnsupported);  // already stored
  std::string big(600000, 'z');
  EXPECT_EQ(WriteAt(h, 100, big), kOk);
  EXPECT_EQ(WriteAt(h, 2000000, big), kOpUnsupported);  // over the 1 MiB reorder limit
  EXPECT_EQ(Close(h), kOk);
  auto got = Get(User("alice"), "/A/w.bin");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 600100u);
  EXPECT_EQ(got->substr(3, 97), std::string(97, '\0'));  // the gap reads as zeros
}

TEST_F(SftpSessionTest, OpenWithoutTruncateKeepsAndAppends) {
  ASSERT_TRUE(Put(User("alice"), "/A/log", "0123456789").ok());
  std::string h = Open("/A/log", kOpenWrite);
  EXPECT_EQ(WriteAt(h, 2, "ab"), kOk);
  EXPECT_EQ(WriteAt(h, 10, "XY"), kOk);
  EXPECT_EQ(Close(h), kOk);
  EXPECT_EQ(*Get(User("alice"), "/A/log"), "01ab456789XY");
  h = Open("/A/log", kOpenWrite | kOpenAppend);
  EXPECT_EQ(WriteAt(h, 0, "!"), kOk);  // append ignores the offset
  EXPECT_EQ(Close(h), kOk);
  EXPECT_EQ(*Get(User("alice"), "/A/log"), "01ab456789XY!");
}

TEST_F(SftpSessionTest, OpenFlagSemantics) {
  Open("/A/none", kOpenWrite, kNoSuchFile);
  std::string h = Open("/A/e", kOpenWrite | kOpenCreate | kOpenExclusive);
  EXPECT_EQ(Close(h), kOk);
  Open("/A/e", kOpenWrite | kOpenCreate | kOpenExclusive, kFailure);
  Open("/A/e", kOpenRead | kOpenWrite, kOpUnsupported);
  EXPECT_EQ(PathOp(kMkdir, "/A/sub"), kOk);
  Open("/A/sub", kOpenWrite | kOpenCreate | kOpenTruncate, kFailure);  // a folder
}

TEST_F(SftpSessionTest, HiddenFoldersAnswerLikeMissingOnes) {
  ASSERT_TRUE(Put(User("bob"), "/B/secret", "s").ok());
  for (uint8_t op : {kStat, kOpendir, kRemove, kRmdir}) {
    EXPECT_EQ(PathOp(op, "/B/secret"), PathOp(op, "/Nope/secret")) << int(op);
    EXPECT_EQ(PathOp(op, "/B"), PathOp(op, "/Nope")) << int(op);
  }
  Open("/B/secret", kOpenRead, kNoSuchFile);
  Open("/A/../B/secret", kOpenRead, kNoSuchFile);
}

TEST_F(SftpSessionTest, ReadDirPagesThroughLargeFolders) {
  for (int i = 0; i < 250; ++i) {
    std::string h = Open("/A/f" + std::to_string(i), kOpenWrite | kOpenCreate | kOpenTruncate);
    ASSERT_EQ(Close(h), kOk);
  }
  Writer od = Req(kOpendir);
  od.String("/A");
  Reply r = Send(od);
  ASSERT_EQ(r.type, kHandle);
  std::string h = r.String(0);
  size_t total = 0;
  for (int i = 0; i < 10; ++i) {
    Writer rd = Req(kReaddir);
    rd.String(h);
    Reply page = Send(rd);
    if (page.type == kStatus) {
      EXPECT_EQ(page.status(), kEof);
      break;
    }
    ASSERT_EQ(page.type, kName);
    EXPECT_LE(page.U32(0), kDirPage);
    total += page.U32(0);
  }
  EXPECT_EQ(total, 250u);
}

TEST_F(SftpSessionTest, HandleLimitAndForeignHandles) {
  ASSERT_TRUE(Put(User("alice"), "/A/x", "x").ok());
  std::vector<std::string> handles;
  for (int i = 0; i < 8; ++i) handles.push_back(Open("/A/x", kOpenRead));
  Open("/A/x", kOpenRead, kFailure);
  EXPECT_EQ(Close(handles[0]), kOk);
  EXPECT_EQ(Close(handles[0]), kFailure);  // already closed
  EXPECT_EQ(Close("no such handle"), kFailure);
}

TEST_F(SftpSessionTest, RmdirRefusesFoldersThatAreNotEmpty) {
  EXPECT_EQ(PathOp(kMkdir, "/A/d"), kOk);
  ASSERT_TRUE(Put(User("alice"), "/A/d/f", "x").ok());
  EXPECT_EQ(PathOp(kRmdir, "/A/d"), kFailure);
  EXPECT_EQ(PathOp(kRemove, "/A/d"), kFailure);  // remove is for files
  EXPECT_EQ(PathOp(kRemove, "/A/d/f"), kOk);
  EXPECT_EQ(PathOp(kRmdir, "/A/d"), kOk);
}

TEST_F(SftpSessionTest, PosixRenameReplacesAFileAndPlainRenameDoesNot) {
  ASSERT_TRUE(Put(User("alice"), "/A/a", "new").ok());
  ASSERT_TRUE(Put(User("alice"), "/A/b", "old").ok());
  Writer plain = Req(kRename);
  plain.String("/A/a");
  plain.String("/A/b");
  EXPECT_EQ(Send(plain).status(), kFailure);
  Writer posix = Req(kExtended);
  posix.String("posix-rename@openssh.com");
  posix.String("/A/a");
  posix.String("/A/b");
  EXPECT_EQ(Send(posix).status(), kOk);
  EXPECT_EQ(*Get(User("alice"), "/A/b"), "new");
}

TEST_F(SftpSessionTest, LinksAndUnknownRequestsAreRefused) {
  Writer sym = Req(kSymlink);
  sym.String("/A/l");
  sym.String("/A/x");
  EXPECT_EQ(Send(sym).status(), kOpUnsupported);
  Writer odd = Req(77);
  EXPECT_EQ(Send(odd).status(), kOpUnsupported);
  Writer ext = Req(kExtended);
  ext.String("hardlink@openssh.com");
  ext.String("/A/l");
  ext.String("/A/x");
  EXPECT_EQ(Send(ext).status(), kOpUnsupported);
}

TEST_F(SftpSessionTest, LimitsExtensionAdvertisesLargePackets) {
  Writer w = Req(kExtended);
  w.String("limits@openssh.com");
  Reply r = Send(w);
  ASSERT_EQ(r.type, kExtendedReply);
  EXPECT_EQ(r.U32(4), kMaxPacket);  // low half of the first u64
}

}  // namespace
}  // namespace coffer::sftp
