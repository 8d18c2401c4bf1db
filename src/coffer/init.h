// `coffer init`: creates a data directory ready to serve.
//
// Everything is built in a fresh sibling directory and renamed into place at the
// end, so a failed or interrupted init leaves nothing half made. An existing data
// directory is never touched (an empty one is accepted and replaced).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "util/status.h"

namespace coffer::app {

struct InitOptions {
  std::filesystem::path data_dir;
  std::string admin_name = "admin";
  std::optional<std::string> admin_password;  // none: generated, printed once
};

struct InitResult {
  std::filesystem::path data_dir;
  std::string admin_name;
  std::string generated_password;  // empty when the caller supplied one
};

Result<InitResult> InitDataDir(const InitOptions& options);

// Self-signed ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1.
Status WriteTlsCertificate(const std::filesystem::path& cert, const std::filesystem::path& key);
// OpenSSH-format Ed25519 host key (private 0600, public .pub).
Status WriteSshHostKey(const std::filesystem::path& key);

}  // namespace coffer::app
