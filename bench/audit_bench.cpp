// The audit chain's costs, in one run:
//  1. fill: RECORDS chained and signed records (checkpoint every 1,000) through
//     ActivityLog, 10,000 per transaction;
//  2. verify: the whole chain and its checkpoints through VerifyAuditTrail
//     (records/second), after reopening the store (cold statement cache);
//  3. upload overhead: UPLOADS small (4 KiB) uploads through FileService, each
//     with its chained record, beside the same number of record appends one
//     per transaction chained (head read + SHA-256 + insert + checkpoint check)
//     and unchained (the plain insert the chain replaced); the difference,
//     as a share of an upload, is what the chain costs an upload.
//
// usage: audit_bench WORK_DIR [RECORDS] [UPLOADS]
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "audit/signing_key.h"
#include "blob/blob_store.h"
#include "config/config.h"
#include "crypto/keyring.h"
#include "events/event_bus.h"
#include "service/admin_service.h"
#include "service/audit_trail.h"
#include "service/file_service.h"
#include "store/metadata_store.h"

namespace {

using namespace coffer;
using Clock = std::chrono::steady_clock;

constexpr int kBatch = 10000;

double Secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

[[noreturn]] void Fail(const char* what, const Status& st) {
  std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

void Check(const char* what, const Status& st) {
  if (!st.ok()) Fail(what, st);
}

service::Fact UploadFact(int i) {
  return {"file.upload",
          "/bench/f" + std::to_string(i),
          i,
          4096,
          "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          ""};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: audit_bench WORK_DIR [RECORDS] [UPLOADS]\n");
    return 2;
  }
  std::filesystem::path dir = argv[1];
  int records = argc > 2 ? std::atoi(argv[2]) : 1000000;
  int uploads = argc > 3 ? std::atoi(argv[3]) : 500;
  std::filesystem::create_directories(dir);
  auto config = *config::ParseConfig("", dir / "coffer.toml");
  Check("keyring", crypto::Keyring::Create(config.storage.keys).status());
  auto keyring = *crypto::Keyring::Load(config.storage.keys);
  auto key = std::move(*audit::SigningKey::Create(config.storage.keys));
  crypto::RowMac mac(keyring.row_mac_key());
  std::string db_path = config.storage.database.string();
  auto store = std::move(*store::OpenSqliteStore(db_path, mac));
  events::EventBus bus;
  auto log = std::make_unique<service::ActivityLog>(*store, bus, service::SystemClock());
  log->EnableCheckpoints(&key, 1000, 3600);
  auto sys = service::Principal::System();
  service::Context ctx{"bench", "192.0.2.1", "s1"};

  auto t0 = Clock::now();
  for (int base = 0; base < records; base += kBatch) {
    Check("fill", store->Transact([&]() -> Status {
      for (int i = base; i < std::min(records, base + kBatch); ++i) {
        COFFER_RETURN_IF_ERROR(log->Append(sys, ctx, UploadFact(i), "ok").status());
      }
      return Status::Ok();
    }));
  }
  double fill = Secs(Clock::now() - t0);
  std::printf("fill:   %d chained records in %.1f s (%.0f records/s)\n", records, fill,
              records / fill);

  log.reset();
  store.reset();
  store = std::move(*store::OpenSqliteStore(db_path, mac));
  t0 = Clock::now();
  auto report = service::VerifyAuditTrail(*store, key.public_key());
  double verify = Secs(Clock::now() - t0);
  if (!report.ok()) Fail("verify", report.status());
  if (report->finding != audit::Finding::kOk) Fail("verify", IntegrityError(report->detail));
  std::printf("verify: %lld records, %lld checkpoints in %.2f s (%.0f records/s)\n",
              static_cast<long long>(report->records), static_cast<long long>(report->checkpoints),
              verify, report->records / verify);

  log = std::make_unique<service::ActivityLog>(*store, bus, service::SystemClock());
  log->EnableCheckpoints(&key, 1000, 3600);
  t0 = Clock::now();
  for (int i = 0; i < uploads; ++i)
    Check("chained", log->Append(sys, ctx, UploadFact(i), "ok").status());
  double chained = Secs(Clock::now() - t0) / uploads;
  t0 = Clock::now();
  for (int i = 0; i < uploads; ++i) {
    store::ActivityRecord r;
    r.at_us = i;
    r.actor_name = "system";
    r.action = "file.upload";
    r.path = "/bench/f" + std::to_string(i);
    r.sha256_hex = UploadFact(i).sha256_hex;
    Check("plain", store->AppendActivity(r).status());
  }
  double plain = Secs(Clock::now() - t0) / uploads;
  // The same without the fsync of a commit in between: the chain's CPU and
  // SQL cost alone, which the commit's fsync otherwise hides in its noise.
  const int n = kBatch;
  t0 = Clock::now();
  Check("chained tx", store->Transact([&]() -> Status {
    for (int i = 0; i < n; ++i)
      COFFER_RETURN_IF_ERROR(log->Append(sys, ctx, UploadFact(i), "ok").status());
    return Status::Ok();
  }));
  double chained_tx = Secs(Clock::now() - t0) / n;
  t0 = Clock::now();
  Check("plain tx", store->Transact([&]() -> Status {
    for (int i = 0; i < n; ++i) {
      store::ActivityRecord r;
      r.at_us = i;
      r.actor_name = "system";
      r.action = "file.upload";
      r.path = "/bench/f" + std::to_string(i);
      r.sha256_hex = UploadFact(i).sha256_hex;
      COFFER_RETURN_IF_ERROR(store->AppendActivity(r).status());
    }
    return Status::Ok();
  }));
  double plain_tx = Secs(Clock::now() - t0) / n;

  auto blobs = std::move(*blob::OpenLocalBlobStore(config.storage.blobs.string(), keyring, {}));
  service::FileService files(config, *store, *blobs, *log);
  service::AdminService admin(config, *store, *log, files);
  Check("folder", admin.CreateFolder(sys, ctx, "/bench", 0).status());
  std::string data(4096, 'x');
  t0 = Clock::now();
  for (int i = 0; i < uploads; ++i) {
    auto up = files.BeginUpload(sys, ctx, "/bench/f" + std::to_string(i));
    if (!up.ok()) Fail("upload", up.status());
    Check("write", (*up)->Write({reinterpret_cast<const uint8_t*>(data.data()), data.size()}));
    Check("commit", (*up)->Commit().status());
  }
  double upload = Secs(Clock::now() - t0) / uploads;
  std::printf(
      "upload: 4 KiB upload %.3f ms; record chained %.3f ms, plain %.3f ms; "
      "chain cost per upload %.3f ms = %.1f%% of an upload\n",
      upload * 1e3, chained * 1e3, plain * 1e3, (chained - plain) * 1e3,
      100 * (chained - plain) / upload);
  std::printf(
      "cpu:    in one transaction a record costs %.1f us chained, %.1f us plain: the chain "
      "adds %.1f us = %.2f%% of a 4 KiB upload\n",
      chained_tx * 1e6, plain_tx * 1e6, (chained_tx - plain_tx) * 1e6,
      100 * (chained_tx - plain_tx) / upload);
  return 0;
}
