// Search of the activity record on millions of records: fills RECORDS records
// (200 users, 12 actions, 1,000 addresses, 90% ok / 8% denied / 2% error, one
// per millisecond, paths /d<k>/s<j>/f<i>) straight into the store, reopens it
// (cold statement cache; the OS page cache stays warm), then times pages of
// 100 for each kind of filter: the first page, and page 50 reached through the
// keyset cursor. Reported in milliseconds per page (median of REPEAT runs).
//
// usage: audit_search_bench WORK_DIR [RECORDS] [REPEAT]
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "crypto/keyring.h"
#include "store/metadata_store.h"

namespace {

using namespace coffer;
using Clock = std::chrono::steady_clock;

constexpr int64_t kStartUs = int64_t{1'800'000'000} * 1'000'000;
const char* kActions[] = {"file.upload", "file.download", "folder.list",   "file.stat",
                          "file.delete", "file.move",     "folder.create", "auth.login",
                          "auth.logout", "file.copy",     "share.create",  "user.update"};

void Check(const char* what, const Status& st) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
    std::exit(1);
  }
}

store::ActivityRecord Make(int64_t i) {
  store::ActivityRecord r;
  r.at_us = kStartUs + i * 1000;
  r.actor_id = 1 + (i * 7919) % 200;
  r.actor_name = "user" + std::to_string(r.actor_id);
  r.protocol = i % 3 == 0 ? "sftp" : "https";
  r.address =
      "10.0." + std::to_string((i * 31) % 1000 / 250) + "." + std::to_string((i * 31) % 250);
  r.session = "s" + std::to_string(i / 50);
  r.action = kActions[(i * 13) % 12];
  r.path = "/d" + std::to_string(i % 50) + "/s" + std::to_string(i % 20) + "/f" + std::to_string(i);
  int64_t roll = (i * 37) % 100;
  r.result = roll < 90 ? "ok" : roll < 98 ? "denied" : "error";
  r.bytes = 4096;
  return r;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Case {
  const char* name;
  store::ActivitySearch q;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: audit_search_bench WORK_DIR [RECORDS] [REPEAT]\n");
    return 2;
  }
  std::filesystem::path dir = argv[1];
  int64_t records = argc > 2 ? std::atoll(argv[2]) : 2'000'000;
  int repeat = argc > 3 ? std::atoi(argv[3]) : 5;
  std::filesystem::create_directories(dir);
  auto config = *config::ParseConfig("", dir / "coffer.toml");
  Check("keyring", crypto::Keyring::Create(config.storage.keys).status());
  auto keyring = *crypto::Keyring::Load(config.storage.keys);
  crypto::RowMac mac(keyring.row_mac_key());
  std::string path = config.storage.database.string();
  auto store = std::move(*store::OpenSqliteStore(path, mac));
  auto t0 = Clock::now();
  for (int64_t base = 0; base < records; base += 50000) {
    Check("fill", store->Transact([&]() -> Status {
      for (int64_t i = base; i < std::min(records, base + 50000); ++i) {
        COFFER_RETURN_IF_ERROR(store->AppendActivity(Make(i)).status());
      }
      return Status::Ok();
    }));
  }
  double fill = Ms(Clock::now() - t0) / 1000;
  std::printf("fill: %lld records (5 search indexes) in %.1f s (%.0f records/s)\n",
              static_cast<long long>(records), fill, records / fill);
  store.reset();
  store = std::move(*store::OpenSqliteStore(path, mac));

  int64_t mid = kStartUs + records / 2 * 1000;
  std::vector<Case> cases;
  auto add = [&](const char* name, auto set) {
    store::ActivitySearch q;
    q.limit = 100;
    set(q);
    cases.push_back({name, q});
  };
  add("no filter", [](auto&) {});
  add("user", [](auto& q) { q.actor_id = 42; });
  add("action", [](auto& q) { q.action = "file.delete"; });
  add("address", [](auto& q) { q.address = "10.0.2.17"; });
  add("result=error", [](auto& q) { q.result = "error"; });
  add("time range (1 h, middle)", [&](auto& q) {
    q.since_us = mid;
    q.before_at_us = mid + 3'600'000'000;
  });
  add("user + time range (1 day, middle)", [&](auto& q) {
    q.actor_id = 42;
    q.since_us = mid;
    q.before_at_us = mid + 86'400'000'000;
  });
  add("path prefix /d7/", [](auto& q) { q.path_prefix = "/d7/"; });
  add("user + action + result=denied", [](auto& q) {
    q.actor_id = 42;
    q.action = "file.upload";
    q.result = "denied";
  });
  add("address + path prefix /d7/s7/", [](auto& q) {
    q.address = "10.0.0.7";
    q.path_prefix = "/d7/s7/";
  });

  std::printf("%-36s %10s %10s %8s\n", "filter", "page 1 ms", "page 50 ms", "rows");
  for (auto& c : cases) {
    std::vector<double> first, fiftieth;
    size_t rows = 0;
    for (int rep = 0; rep < repeat; ++rep) {
      store::ActivitySearch q = c.q;
      for (int page = 1; page <= 50; ++page) {
        auto t = Clock::now();
        auto r = store->SearchActivity(q);
        double ms = Ms(Clock::now() - t);
        Check("search", r.status());
        if (page == 1) first.push_back(ms), rows = r->size();
        if (page == 50) fiftieth.push_back(ms);
        if (r->size() < q.limit) break;
        q.before_at_us = r->back().at_us;
        q.before_id = r->back().id;
      }
    }
    auto median = [](std::vector<double> v) {
      if (v.empty()) return -1.0;
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    std::printf("%-36s %10.2f %10.2f %8zu\n", c.name, median(first), median(fiftieth), rows);
  }
  return 0;
}
