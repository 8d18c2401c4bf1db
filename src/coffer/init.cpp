#include "coffer/init.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "audit/signing_key.h"
#include "coffer/app.h"
#include "util/bytes.h"

namespace coffer::app {

namespace fs = std::filesystem;

namespace {

Status CheckTarget(const fs::path& dir) {
  std::error_code ec;
  auto st = fs::symlink_status(dir, ec);
  if (ec || st.type() == fs::file_type::not_found) return Status::Ok();
  if (st.type() != fs::file_type::directory) {
    return FailedPrecondition(dir.string() + " exists and is not a directory");
  }
  if (!fs::is_empty(dir, ec) || ec) {
    return FailedPrecondition(dir.string() +
                              " exists and is not empty; coffer init never touches an existing "
                              "data directory");
  }
  return Status::Ok();
}

Status MakeDir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0) return IoError("cannot create " + dir.string());
  return Status::Ok();
}

Status WriteFileSynced(const fs::path& path, std::string_view text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return IoError("cannot create " + path.string());
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::Ok() : IoError("cannot write " + path.string());
}

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open " + dir.string());
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : IoError("cannot sync " + dir.string());
}

Result<std::string> Populate(const fs::path& staging, const InitOptions& options) {
  COFFER_RETURN_IF_ERROR(
      WriteFileSynced(ConfigFileOf(staging), config::DefaultConfigText(), 0600));
  COFFER_ASSIGN_OR_RETURN(config::Config cfg, config::LoadConfig(ConfigFileOf(staging)));
  COFFER_RETURN_IF_ERROR(crypto::Keyring::Create(cfg.storage.keys).status());
  COFFER_RETURN_IF_ERROR(audit::SigningKey::Create(cfg.storage.keys).status());
  COFFER_RETURN_IF_ERROR(MakeDir(cfg.frontend_keys.tls_certificate.parent_path()));
  COFFER_RETURN_IF_ERROR(WriteTlsCertificate(cfg.frontend_keys.tls_certificate,
                                             cfg.frontend_keys.tls_private_key));
  COFFER_RETURN_IF_ERROR(MakeDir(cfg.frontend_keys.ssh_host_key_ed25519.parent_path()));
  COFFER_RETURN_IF_ERROR(WriteSshHostKey(cfg.frontend_keys.ssh_host_key_ed25519));
  COFFER_ASSIGN_OR_RETURN(auto app, App::Open(ConfigFileOf(staging), /*exclusive=*/true));
  service::NewUser admin;
  admin.name = options.admin_name;
  admin.display_name = "Administrator";
  admin.admin = true;
  admin.password = options.admin_password;
  COFFER_ASSIGN_OR_RETURN(auto created, app->admin().CreateUser(service::Principal::System(),
                                                                {"cli", "local", "init"}, admin));
  return created.generated_password;
}

}  // namespace

Result<InitResult> InitDataDir(const InitOptions& options) {
  if (sodium_init() < 0) return InternalError("libsodium failed to start");
  fs::path dir = fs::absolute(options.data_dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  COFFER_RETURN_IF_ERROR(CheckTarget(dir));
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  uint8_t rnd[8];
  randombytes_buf(rnd, sizeof rnd);
  fs::path staging = dir.parent_path() / ("." + dir.filename().string() + ".init-" + ToHex(rnd));
  COFFER_RETURN_IF_ERROR(MakeDir(staging));
  auto password = Populate(staging, options);
  if (password.ok() && ::rename(staging.c_str(), dir.c_str()) != 0) {
    password = IoError("cannot move the new data directory into place at " + dir.string());
  }
  if (!password.ok()) {
    fs::remove_all(staging, ec);
    return password.status();
  }
  COFFER_RETURN_IF_ERROR(SyncDir(dir.parent_path()));
  return InitResult{dir, options.admin_name, *password};
}

}  // namespace coffer::app
