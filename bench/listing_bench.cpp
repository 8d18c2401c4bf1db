// Pages of a folder with 1,000,000 entries: the first page and pages deep
// inside it (after the 500,000th and the 999,900th name), through the store on
// a fresh connection (cold-ish: new connection, empty statement cache and page
// cache; the OS cache stays warm), through the store on a warm connection, and
// through the whole file service (path resolution, authorization, keyset query
// and the activity record each call writes). Medians of many runs; target:
// every page under 20 ms.
//
// usage: listing_bench WORK_DIR [ENTRIES] [RUNS]
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "config/config.h"
#include "crypto/keyring.h"
#include "events/event_bus.h"
#include "service/admin_service.h"
#include "service/cursor.h"
#include "service/file_service.h"
#include "store/metadata_store.h"

namespace {

using namespace coffer;
using Clock = std::chrono::steady_clock;

constexpr int kBatch = 50000;
constexpr size_t kPage = 100;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Stats {
  double median, max;
};
Stats Summarise(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.back()};
}

[[noreturn]] void Fail(const char* what, const Status& st) {
  std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

std::string Name(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "file-%07d.csv", i);
  return name;
}

// One transaction per batch through the store API (each insert a cached,
// prepared statement).
void Fill(store::MetadataStore& s, store::Id folder, int entries) {
  auto t0 = Clock::now();
  for (int base = 0; base < entries; base += kBatch) {
    Status st = s.Transact([&]() -> Status {
      for (int i = base; i < std::min(entries, base + kBatch); ++i) {
        store::Entry e;
        e.parent_id = folder;
        e.kind = store::EntryKind::kFile;
        e.name = e.name_key = Name(i);
        COFFER_RETURN_IF_ERROR(s.InsertEntry(e).status());
      }
      return Status::Ok();
    });
    if (!st.ok()) Fail("fill", st);
  }
  std::printf("filled %d entries in %.1f s\n", entries, Ms(Clock::now() - t0) / 1000);
}

// Times one store page; checks that it is a full page starting where expected.
double TimeStorePage(store::MetadataStore& s, store::Id folder, const store::ListCursor& cursor,
                     const std::string& first_name) {
  auto t0 = Clock::now();
  auto rows = s.ListChildren(folder, cursor, kPage);
  double ms = Ms(Clock::now() - t0);
  if (!rows.ok()) Fail("list", rows.status());
  if (rows->size() != kPage || rows->front().name != first_name) {
    Fail("list", InternalError("wrong page"));
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: listing_bench WORK_DIR [ENTRIES] [RUNS]\n");
    return 2;
  }
  std::filesystem::path dir = argv[1];
  int entries = argc > 2 ? std::atoi(argv[2]) : 1000000;
  int runs = argc > 3 ? std::atoi(argv[3]) : 101;
  if (entries < 1000 || runs < 1) return 2;
  std::filesystem::create_directories(dir);
  auto config = *config::ParseConfig("", dir / "coffer.toml");
  if (!crypto::Keyring::Create(config.storage.keys).ok()) return 1;
  auto keyring = *crypto::Keyring::Load(config.storage.keys);
  crypto::RowMac mac(keyring.row_mac_key());
  const std::string db_path = config.storage.database.string();
  auto store = std::move(*store::OpenSqliteStore(db_path, mac));
  auto blobs = std::move(*blob::OpenLocalBlobStore(config.storage.blobs.string(), keyring, {}));
  events::EventBus bus;
  service::ActivityLog activity(*store, bus, service::SystemClock());
  service::FileService files(config, *store, *blobs, activity);
  service::AdminService admin(config, *store, activity, files);
  auto sys = service::Principal::System();
  service::Context ctx{"bench", "local", ""};
  auto folder = admin.CreateFolder(sys, ctx, "/Big", 0);
  if (!folder.ok()) Fail("create folder", folder.status());
  Fill(*store, folder->id, entries);

  // A page "after entry k" starts behind the k-th name, exactly as a client's
  // cursor from the previous page would.
  auto after = [&](int k) {
    auto e = store->FindChild(folder->id, Name(k - 1));
    if (!e.ok()) Fail("find", e.status());
    return store::ListCursor{static_cast<int>(e->kind), e->name_key, e->id};
  };
  struct Case {
    std::string name;
    store::ListCursor cursor;
    std::string first_name;
  };
  std::vector<Case> cases = {
      {"first page", {}, Name(0)},
      {"after entry " + std::to_string(entries / 2), after(entries / 2), Name(entries / 2)},
      {"after entry " + std::to_string(entries - 100), after(entries - 100), Name(entries - 100)}};

  std::printf("%d entries, 100-entry pages, median (max) of %d runs, ms\n", entries, runs);
  std::printf("%-22s %18s %18s %18s %18s\n", "page", "store cold", "store warm", "service warm",
              "open+first page");
  for (const auto& c : cases) {
    std::vector<double> cold, open_and_page, warm, svc;
    for (int i = 0; i < runs; ++i) {
      auto t0 = Clock::now();
      auto fresh = store::OpenSqliteStore(db_path, mac);
      if (!fresh.ok()) Fail("open", fresh.status());
      cold.push_back(TimeStorePage(**fresh, folder->id, c.cursor, c.first_name));
      open_and_page.push_back(Ms(Clock::now() - t0));
    }
    for (int i = 0; i < runs; ++i)
      warm.push_back(TimeStorePage(*store, folder->id, c.cursor, c.first_name));
    std::string text_cursor = c.cursor.kind < 0 ? "" : service::EncodeCursor(c.cursor);
    for (int i = 0; i < runs; ++i) {
      auto t0 = Clock::now();
      auto page = files.List(sys, ctx, "/Big", text_cursor, kPage);
      svc.push_back(Ms(Clock::now() - t0));
      if (!page.ok()) Fail("service list", page.status());
      if (page->entries.size() != kPage) Fail("service list", InternalError("short page"));
    }
    auto print = [](Stats s) {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.3f (%.3f)", s.median, s.max);
      return std::string(buf);
    };
    std::printf("%-22s %18s %18s %18s %18s\n", c.name.c_str(), print(Summarise(cold)).c_str(),
                print(Summarise(warm)).c_str(), print(Summarise(svc)).c_str(),
                print(Summarise(open_and_page)).c_str());
  }
  return 0;
}
