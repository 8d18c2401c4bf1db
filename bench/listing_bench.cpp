// Pages of a folder with 1,000,000 entries, through the whole file service
// (path resolution, authorization, keyset query and the activity record each
// call writes) and through the store alone, first page and deep pages.
//
// usage: listing_bench WORK_DIR [ENTRIES]
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
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

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Fill(store::MetadataStore& s, store::Id folder, int entries) {
  auto t0 = Clock::now();
  for (int base = 0; base < entries; base += 20000) {
    auto st = s.Transact([&]() -> Status {
      for (int i = base; i < std::min(entries, base + 20000); ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "file-%07d.csv", i);
        store::Entry e;
        e.parent_id = folder;
        e.kind = store::EntryKind::kFile;
        e.name = e.name_key = name;
        COFFER_RETURN_IF_ERROR(s.InsertEntry(e).status());
      }
      return Status::Ok();
    });
    if (!st.ok()) {
      std::fprintf(stderr, "fill failed: %s\n", st.ToString().c_str());
      std::exit(1);
    }
  }
  std::printf("filled %d entries in %.1f s\n", entries, Ms(Clock::now() - t0) / 1000);
}

std::string CursorAfter(int index) {
  char name[32];
  std::snprintf(name, sizeof name, "file-%07d.csv", index);
  // The id is irrelevant for distinct names: (kind, name_key, id) orders by name first.
  return service::EncodeCursor({1, name, 1});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: listing_bench WORK_DIR [ENTRIES]\n");
    return 2;
  }
  std::filesystem::path dir = argv[1];
  int entries = argc > 2 ? std::atoi(argv[2]) : 1000000;
  std::filesystem::create_directories(dir);
  auto config = *config::ParseConfig("", dir / "coffer.toml");
  if (!crypto::Keyring::Create(config.storage.keys).ok()) return 1;
  auto keyring = *crypto::Keyring::Load(config.storage.keys);
  crypto::RowMac mac(keyring.row_mac_key());
  auto store = std::move(*store::OpenSqliteStore(config.storage.database.string(), mac));
  auto blobs = std::move(*blob::OpenLocalBlobStore(config.storage.blobs.string(), keyring, {}));
  events::EventBus bus;
  service::ActivityLog activity(*store, bus, service::SystemClock());
  service::FileService files(config, *store, *blobs, activity);
  service::AdminService admin(config, *store, activity, files);
  auto sys = service::Principal::System();
  service::Context ctx{"bench", "local", ""};
  auto folder = admin.CreateFolder(sys, ctx, "/Big", 0);
  if (!folder.ok()) return 1;
  Fill(*store, folder->id, entries);

  struct Case {
    const char* name;
    std::string cursor;
  };
  std::vector<Case> cases = {{"first page", ""},
                             {"page after entry 500,000", CursorAfter(entries / 2)},
                             {"page after entry 999,900", CursorAfter(entries - 100)}};
  std::printf("%-28s %12s %12s %12s\n", "100-entry page", "service ms", "store ms", "max svc ms");
  for (const auto& c : cases) {
    std::vector<double> svc, raw;
    auto cursor = *service::DecodeCursor(c.cursor);
    for (int i = 0; i < 101; ++i) {
      auto t0 = Clock::now();
      auto page = files.List(sys, ctx, "/Big", c.cursor, 100);
      svc.push_back(Ms(Clock::now() - t0));
      if (!page.ok() || page->entries.empty()) {
        std::fprintf(stderr, "list failed\n");
        return 1;
      }
      t0 = Clock::now();
      auto rows = store->ListChildren(folder->id, cursor, 100);
      raw.push_back(Ms(Clock::now() - t0));
    }
    std::printf("%-28s %12.3f %12.3f %12.3f\n", c.name, Median(svc), Median(raw),
                *std::max_element(svc.begin(), svc.end()));
  }
  return 0;
}
