// `coffer files ...`: local file access through the same service, and the same
// rules, as remote access.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "coffer/cli.h"
#include "service/perms.h"
#include "util/bytes.h"

namespace coffer::cli {

namespace {

using service::Context;
using service::Principal;

constexpr size_t kIoChunk = 1 << 20;

struct FileArgs {
  std::string path, local, to, cursor, sha256;
  size_t limit = 1000;
  bool no_overwrite = false;
  int64_t offset = 0, length = -1, id = 0;
};

using Fn = std::function<Status(app::App&, const Principal&, const Context&)>;

void OnRun(CLI::App* cmd, Cli& cli, Fn fn) {
  cmd->callback([&cli, fn] { cli.Set([&cli, fn] { return cli.WithApp(fn); }); });
}

nlohmann::json ToJson(const service::EntryInfo& e) {
  nlohmann::json j = {{"id", e.id},
                      {"path", e.path},
                      {"name", e.name},
                      {"type", e.is_folder ? "folder" : "file"},
                      {"size", e.size},
                      {"modified_at", e.modified_at},
                      {"created_at", e.created_at},
                      {"permissions", service::PermsToString(e.perms)}};
  if (!e.is_folder) j["sha256"] = e.sha256_hex;
  if (e.is_folder) j["quota_bytes"] = e.quota_bytes;
  if (e.deleted_at) j["deleted_at"] = *e.deleted_at;
  return j;
}

std::string Line(const service::EntryInfo& e) {
  char buf[1200];
  std::snprintf(buf, sizeof buf, "%-6s %12s  %s  %s%s", e.is_folder ? "folder" : "file",
                HumanSize(e.size).c_str(), FormatTime(e.modified_at).c_str(), e.name.c_str(),
                e.is_folder ? "/" : "");
  return buf;
}

Status Put(app::App& app, const Principal& p, const Context& c, const FileArgs& a) {
  service::UploadOptions options;
  options.overwrite = !a.no_overwrite;
  if (!a.sha256.empty()) {
    auto digest = FromHex(a.sha256);
    if (!digest || digest->size() != 32) return InvalidArgument("--sha256 needs 64 hex digits");
    options.expected_sha256.emplace();
    std::copy(digest->begin(), digest->end(), options.expected_sha256->begin());
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (a.local != "-") {
    file.open(a.local, std::ios::binary);
    if (!file) return InvalidArgument("cannot read local file " + a.local);
    in = &file;
  }
  COFFER_ASSIGN_OR_RETURN(auto upload, app.files().BeginUpload(p, c, a.path, options));
  std::vector<uint8_t> buf(kIoChunk);
  while (*in) {
    in->read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    auto n = static_cast<size_t>(in->gcount());
    if (n > 0) COFFER_RETURN_IF_ERROR(upload->Write({buf.data(), n}));
  }
  if (in->bad()) return IoError("error reading local file");
  COFFER_ASSIGN_OR_RETURN(auto info, upload->Commit());
  return Status::Ok();
}

Status Get(app::App& app, const Principal& p, const Context& c, const FileArgs& a) {
  std::optional<service::ByteRange> range;
  if (a.offset < 0) return InvalidArgument("--offset must not be negative");
  if (a.offset > 0 || a.length >= 0) {
    range = service::ByteRange{static_cast<uint64_t>(a.offset),
                               static_cast<uint64_t>(a.length < 0 ? INT64_MAX : a.length)};
  }
  COFFER_ASSIGN_OR_RETURN(auto download, app.files().OpenDownload(p, c, a.path, range));
  uint64_t size = static_cast<uint64_t>(download->info().size);
  uint64_t begin = std::min<uint64_t>(static_cast<uint64_t>(a.offset), size);
  uint64_t end = a.length < 0 ? size : std::min<uint64_t>(size, begin + static_cast<uint64_t>(a.length));
  std::string partial = a.local + ".coffer-partial";
  FILE* out = a.local == "-" ? stdout : std::fopen(partial.c_str(), "wb");
  if (!out) return InvalidArgument("cannot write local file " + a.local);
  std::vector<uint8_t> buf(kIoChunk);
  Status st;
  for (uint64_t off = begin; off < end && st.ok();) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), end - off));
    auto n = download->ReadAt(off, {buf.data(), want});
    if (!n.ok()) st = n.status();
    else if (*n == 0) st = IntegrityError("content ended early");
    else if (std::fwrite(buf.data(), 1, *n, out) != *n) st = IoError("error writing local file");
    else off += *n;
  }
  if (a.local == "-") return std::fflush(out) == 0 ? st : IoError("error writing output");
  bool closed = std::fclose(out) == 0;
  // Never leave bytes that failed verification where they look like the file.
  if (!st.ok() || !closed || std::rename(partial.c_str(), a.local.c_str()) != 0) {
    std::remove(partial.c_str());
    return st.ok() ? IoError("error writing local file " + a.local) : st;
  }
  return Status::Ok();
}

void AddTransfers(CLI::App* files, Cli& cli, std::shared_ptr<FileArgs> a) {
  auto* put = files->add_subcommand("put", "Upload a local file (streamed, encrypted, hashed)");
  put->add_option("local", a->local, "Local file ('-': standard input)")->required();
  put->add_option("remote", a->path, "Destination path, e.g. /Payroll/2026-11.csv")->required();
  put->add_option("--sha256", a->sha256, "Refuse the upload unless the content has this SHA-256");
  put->add_flag("--no-overwrite", a->no_overwrite, "Fail if the file exists (default: new version)");
  OnRun(put, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_RETURN_IF_ERROR(Put(app, p, c, *a));
    COFFER_ASSIGN_OR_RETURN(auto info, app.files().Stat(p, c, a->path));
    cli.Print(ToJson(info), "Stored " + info.path + " (" + HumanSize(info.size) + ", sha256 " +
                                info.sha256_hex + ")");
    return Status::Ok();
  });
  auto* get = files->add_subcommand("get", "Download a file (each chunk is verified)");
  get->add_option("remote", a->path, "File path")->required();
  get->add_option("local", a->local, "Local file to write ('-': standard output)")->required();
  get->add_option("--offset", a->offset, "First byte to read");
  get->add_option("--length", a->length, "Number of bytes to read (default: to the end)");
  OnRun(get, cli, [a](app::App& app, const Principal& p, const Context& c) {
    return Get(app, p, c, *a);
  });
}

void AddListing(CLI::App* files, Cli& cli, std::shared_ptr<FileArgs> a) {
  auto* ls = files->add_subcommand("ls", "List a folder, one page at a time");
  a->path = "/";
  ls->add_option("path", a->path, "Folder path (default: the root)");
  ls->add_option("--cursor", a->cursor, "Continue after a previous page");
  ls->add_option("--limit", a->limit, "Entries per page")->capture_default_str();
  OnRun(ls, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto page, app.files().List(p, c, a->path, a->cursor, a->limit));
    nlohmann::json doc = {{"entries", nlohmann::json::array()}, {"next_cursor", page.next_cursor}};
    std::string human;
    for (const auto& e : page.entries) {
      doc["entries"].push_back(ToJson(e));
      human += Line(e) + "\n";
    }
    if (!page.next_cursor.empty()) human += "(more: --cursor " + page.next_cursor + ")\n";
    cli.Print(doc, human.empty() ? "(empty)" : human);
    return Status::Ok();
  });
  auto* stat = files->add_subcommand("stat", "Show a file or folder");
  stat->add_option("path", a->path, "Path")->required();
  OnRun(stat, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto e, app.files().Stat(p, c, a->path));
    std::string human = "path:     " + e.path + "\ntype:     " + (e.is_folder ? "folder" : "file") +
                        "\nsize:     " + std::to_string(e.size) + " bytes\nmodified: " +
                        FormatTime(e.modified_at) + "\n";
    if (!e.is_folder) human += "sha256:   " + e.sha256_hex + "\n";
    human += "access:   " + service::PermsToString(e.perms) + "\n";
    cli.Print(ToJson(e), human);
    return Status::Ok();
  });
  auto* trash = files->add_subcommand("trash", "List a folder's recycle bin");
  a->path = "/";
  trash->add_option("path", a->path, "Folder path")->required();
  OnRun(trash, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto items, app.files().ListRecycle(p, c, a->path));
    nlohmann::json doc = nlohmann::json::array();
    std::string human;
    for (const auto& e : items) {
      doc.push_back(ToJson(e));
      human += "id " + std::to_string(e.id) + "  " + Line(e) + "  deleted " +
               FormatTime(e.deleted_at.value_or(0)) + "\n";
    }
    cli.Print(doc, human.empty() ? "(recycle bin is empty)" : human);
    return Status::Ok();
  });
}

void AddChanges(CLI::App* files, Cli& cli, std::shared_ptr<FileArgs> a) {
  auto* mkdir = files->add_subcommand("mkdir", "Create a folder");
  mkdir->add_option("path", a->path, "Folder path")->required();
  OnRun(mkdir, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto e, app.files().Mkdir(p, c, a->path));
    cli.Print(ToJson(e), "Created folder " + e.path);
    return Status::Ok();
  });
  auto* rm = files->add_subcommand("rm", "Move a file or folder to the recycle bin");
  rm->add_option("path", a->path, "Path")->required();
  OnRun(rm, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto e, app.files().Stat(p, c, a->path));
    COFFER_RETURN_IF_ERROR(app.files().Delete(p, c, a->path));
    cli.Print({{"ok", true}, {"id", e.id}}, "Moved " + e.path +
                                               " to the recycle bin (restore: coffer files restore " +
                                               std::to_string(e.id) + ")");
    return Status::Ok();
  });
  for (bool copy : {false, true}) {
    auto* cmd = files->add_subcommand(copy ? "cp" : "mv",
                                      copy ? "Copy a file or folder" : "Rename or move");
    cmd->add_option("from", a->path, "Source path")->required();
    cmd->add_option("to", a->to, "Destination path (must not exist)")->required();
    OnRun(cmd, cli, [&cli, a, copy](app::App& app, const Principal& p, const Context& c) -> Status {
      auto r = copy ? app.files().Copy(p, c, a->path, a->to) : app.files().Move(p, c, a->path, a->to);
      COFFER_RETURN_IF_ERROR(r.status());
      cli.Print(ToJson(*r), std::string(copy ? "Copied to " : "Moved to ") + r->path);
      return Status::Ok();
    });
  }
  auto* restore = files->add_subcommand("restore", "Restore an item from a recycle bin by id");
  restore->add_option("id", a->id, "Id shown by `files trash` or `files rm`")->required();
  OnRun(restore, cli, [&cli, a](app::App& app, const Principal& p, const Context& c) -> Status {
    COFFER_ASSIGN_OR_RETURN(auto e, app.files().Restore(p, c, a->id));
    cli.Print(ToJson(e), "Restored " + e.path);
    return Status::Ok();
  });
  OnRun(files->add_subcommand("purge", "Remove for good what has been in recycle bins longer "
                                       "than retention.recycle_days"),
        cli, [&cli](app::App& app, const Principal& p, const Context& c) -> Status {
          if (!p.is_admin()) return PermissionDenied("administrators only");
          COFFER_ASSIGN_OR_RETURN(uint64_t n, app.files().PurgeExpired(c));
          cli.Print({{"purged", n}}, "Purged " + std::to_string(n) + " item(s)");
          return Status::Ok();
        });
}

}  // namespace

void AddFileCommands(CLI::App& root, Cli& cli) {
  auto* files = root.add_subcommand("files", "Work with files through the file service");
  files->require_subcommand(1);
  auto a = std::make_shared<FileArgs>();
  AddTransfers(files, cli, a);
  AddListing(files, cli, a);
  AddChanges(files, cli, a);
}

}  // namespace coffer::cli
