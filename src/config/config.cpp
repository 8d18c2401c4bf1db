#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "config/config.h"

namespace coffer::config {
namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;

// Reads typed values from one table, remembering which keys were used so that
// unknown (mistyped) keys are reported instead of ignored.
class TableReader {
 public:
  TableReader(const toml::table* table, std::string name) : table_(table), name_(std::move(name)) {}

  Status Integer(std::string_view key, int64_t min, int64_t max, auto* out) {
    used_.insert(std::string(key));
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (!node) return Status::Ok();
    auto value = node->value<int64_t>();
    if (!node->is_integer() || !value) return Bad(key, "must be an integer");
    if (*value < min || *value > max) {
      return Bad(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(*value);
    return Status::Ok();
  }

  Status Bool(std::string_view key, bool* out) {
    used_.insert(std::string(key));
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (!node) return Status::Ok();
    if (!node->is_boolean()) return Bad(key, "must be true or false");
    *out = *node->value<bool>();
    return Status::Ok();
  }

  Status String(std::string_view key, std::string* out) {
    used_.insert(std::string(key));
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (!node) return Status::Ok();
    if (!node->is_string()) return Bad(key, "must be a string");
    *out = *node->value<std::string>();
    if (out->empty()) return Bad(key, "must not be empty");
    return Status::Ok();
  }

  // A string where "" is allowed and means "not set".
  Status OptionalString(std::string_view key, std::string* out) {
    used_.insert(std::string(key));
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (!node) return Status::Ok();
    if (!node->is_string()) return Bad(key, "must be a string");
    *out = *node->value<std::string>();
    return Status::Ok();
  }

  Status Path(std::string_view key, const std::filesystem::path& base, std::filesystem::path* out) {
    std::string text = out->string();
    COFFER_RETURN_IF_ERROR(String(key, &text));
    if (text.find('\0') != std::string::npos) return Bad(key, "must not contain NUL");
    std::filesystem::path p(text);
    *out = p.is_absolute() ? p : base / p;
    return Status::Ok();
  }

  bool Has(std::string_view key) const { return table_ && table_->get(key); }
  void Skip(std::string_view key) { used_.insert(std::string(key)); }

  Status CheckUnknown() const {
    if (!table_) return Status::Ok();
    for (const auto& [key, node] : *table_) {
      if (!used_.count(std::string(key.str()))) {
        return InvalidArgument("configuration: unknown setting [" + name_ + "] " +
                               std::string(key.str()));
      }
    }
    return Status::Ok();
  }

 private:
  Status Bad(std::string_view key, std::string_view why) const {
    return InvalidArgument("configuration: [" + name_ + "] " + std::string(key) + " " +
                           std::string(why));
  }
  const toml::table* table_;
  std::string name_;
  std::set<std::string> used_;
};

Status ReadStorage(TableReader& r, const std::filesystem::path& base, StorageConfig* s) {
  COFFER_RETURN_IF_ERROR(r.Path("database", base, &s->database));
  COFFER_RETURN_IF_ERROR(r.Path("blobs", base, &s->blobs));
  COFFER_RETURN_IF_ERROR(r.Path("keys", base, &s->keys));
  uint32_t kib = s->chunk_size / 1024;
  COFFER_RETURN_IF_ERROR(r.Integer("chunk_size_kib", 16, 1024, &kib));
  s->chunk_size = kib * 1024;
  return r.CheckUnknown();
}

Status ReadLimits(TableReader& r, LimitsConfig* l) {
  COFFER_RETURN_IF_ERROR(r.Integer("max_name_bytes", 1, 1024, &l->max_name_bytes));
  COFFER_RETURN_IF_ERROR(r.Integer("max_path_bytes", 64, 65536, &l->max_path_bytes));
  COFFER_RETURN_IF_ERROR(r.Integer("max_depth", 1, 256, &l->max_depth));
  COFFER_RETURN_IF_ERROR(r.Integer("max_file_bytes", 1, int64_t{1} << 50, &l->max_file_bytes));
  COFFER_RETURN_IF_ERROR(r.Integer("max_page_size", 10, 10000, &l->max_page_size));
  COFFER_RETURN_IF_ERROR(r.Integer("max_copy_entries", 1, 1000000, &l->max_copy_entries));
  return r.CheckUnknown();
}

Status ReadUploads(TableReader& r, UploadsConfig* u) {
  COFFER_RETURN_IF_ERROR(r.Integer("max_bytes", 1, int64_t{1} << 50, &u->max_bytes));
  COFFER_RETURN_IF_ERROR(r.Integer("max_open_per_user", 1, 10000, &u->max_open_per_user));
  COFFER_RETURN_IF_ERROR(r.Integer("expiry_seconds", 1, 30 * 86400, &u->expiry_seconds));
  return r.CheckUnknown();
}

Status ReadRetention(TableReader& r, RetentionConfig* c) {
  COFFER_RETURN_IF_ERROR(r.Integer("recycle_days", 0, 3650, &c->recycle_days));
  COFFER_RETURN_IF_ERROR(r.Integer("versions_kept", 1, 100, &c->versions_kept));
  COFFER_RETURN_IF_ERROR(
      r.Integer("purge_interval_seconds", 60, 86400, &c->purge_interval_seconds));
  return r.CheckUnknown();
}

Status ReadFrontEndKeys(TableReader& r, const std::filesystem::path& base, FrontEndKeys* k) {
  COFFER_RETURN_IF_ERROR(r.Path("tls_certificate", base, &k->tls_certificate));
  COFFER_RETURN_IF_ERROR(r.Path("tls_private_key", base, &k->tls_private_key));
  COFFER_RETURN_IF_ERROR(r.Path("ssh_host_key_ed25519", base, &k->ssh_host_key_ed25519));
  return r.CheckUnknown();
}

Status ReadSftp(TableReader& r, const std::filesystem::path& base, SftpConfig* s) {
  COFFER_RETURN_IF_ERROR(r.Bool("enabled", &s->enabled));
  COFFER_RETURN_IF_ERROR(r.String("listen", &s->listen));
  COFFER_RETURN_IF_ERROR(r.Integer("port", 1, 65535, &s->port));
  COFFER_RETURN_IF_ERROR(r.Integer("max_sessions", 1, 10000, &s->max_sessions));
  COFFER_RETURN_IF_ERROR(
      r.Integer("max_sessions_per_address", 1, 10000, &s->max_sessions_per_address));
  COFFER_RETURN_IF_ERROR(r.Integer("max_sessions_per_user", 1, 10000, &s->max_sessions_per_user));
  COFFER_RETURN_IF_ERROR(r.Integer("login_grace_seconds", 1, 600, &s->login_grace_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("max_auth_attempts", 1, 20, &s->max_auth_attempts));
  COFFER_RETURN_IF_ERROR(r.Integer("idle_timeout_seconds", 5, 86400, &s->idle_timeout_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("max_handles", 4, 1024, &s->max_handles));
  COFFER_RETURN_IF_ERROR(r.Integer("max_reorder_kib", 0, 262144, &s->max_reorder_kib));
  COFFER_RETURN_IF_ERROR(r.Bool("rsa_host_key", &s->rsa_host_key));
  COFFER_RETURN_IF_ERROR(r.Path("rsa_host_key_file", base, &s->rsa_host_key_file));
  return r.CheckUnknown();
}

Status ReadSecurity(TableReader& r, SecurityConfig* s) {
  COFFER_RETURN_IF_ERROR(r.Integer("lockout_failures", 1, 1000, &s->lockout_failures));
  COFFER_RETURN_IF_ERROR(
      r.Integer("lockout_failures_total", 1, 100000, &s->lockout_failures_total));
  COFFER_RETURN_IF_ERROR(r.Integer("lockout_seconds", 1, 86400 * 30, &s->lockout_seconds));
  COFFER_RETURN_IF_ERROR(
      r.Integer("failure_delay_max_seconds", 0, 3600, &s->failure_delay_max_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("ban_score", 1, 100000, &s->ban_score));
  COFFER_RETURN_IF_ERROR(
      r.Integer("score_window_seconds", 1, 86400 * 30, &s->score_window_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("ban_seconds", 1, 86400 * 30, &s->ban_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("ban_max_seconds", 1, 86400 * 365, &s->ban_max_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("score_failed_sign_in", 0, 1000, &s->score_failed_sign_in));
  COFFER_RETURN_IF_ERROR(r.Integer("score_unknown_user", 0, 1000, &s->score_unknown_user));
  COFFER_RETURN_IF_ERROR(r.Integer("score_protocol_error", 0, 1000, &s->score_protocol_error));
  if (s->ban_max_seconds < s->ban_seconds) {
    return InvalidArgument("configuration: [security] ban_max_seconds must be >= ban_seconds");
  }
  return r.CheckUnknown();
}

Status ReadLog(TableReader& r, std::string* level) {
  COFFER_RETURN_IF_ERROR(r.String("level", level));
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
  if (!kLevels.count(*level)) {
    return InvalidArgument("configuration: [log] level must be trace, debug, info, warn or error");
  }
  return r.CheckUnknown();
}

Status ReadAudit(TableReader& r, AuditConfig* a) {
  COFFER_RETURN_IF_ERROR(
      r.Integer("checkpoint_every_records", 1, 1000000, &a->checkpoint_every_records));
  COFFER_RETURN_IF_ERROR(
      r.Integer("checkpoint_every_seconds", 1, 86400, &a->checkpoint_every_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("retention_days", 0, 36500, &a->retention_days));
  COFFER_RETURN_IF_ERROR(
      r.Integer("prune_interval_seconds", 60, 86400 * 7, &a->prune_interval_seconds));
  return r.CheckUnknown();
}

Status ReadSyslog(TableReader& r, const std::filesystem::path& base, SyslogConfig* s) {
  COFFER_RETURN_IF_ERROR(r.Bool("enabled", &s->enabled));
  COFFER_RETURN_IF_ERROR(r.String("host", &s->host));
  COFFER_RETURN_IF_ERROR(r.Integer("port", 1, 65535, &s->port));
  COFFER_RETURN_IF_ERROR(r.Bool("tls", &s->tls));
  if (!s->ca_file.empty() || r.Has("ca_file")) {
    COFFER_RETURN_IF_ERROR(r.Path("ca_file", base, &s->ca_file));
  } else {
    r.Skip("ca_file");
  }
  COFFER_RETURN_IF_ERROR(r.String("server_name", &s->server_name));
  COFFER_RETURN_IF_ERROR(r.String("hostname", &s->hostname));
  COFFER_RETURN_IF_ERROR(r.Integer("facility", 0, 23, &s->facility));
  COFFER_RETURN_IF_ERROR(r.Integer("batch_records", 1, 10000, &s->batch_records));
  COFFER_RETURN_IF_ERROR(r.Integer("connect_timeout_seconds", 1, 600, &s->connect_timeout_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("ack_timeout_seconds", 1, 3600, &s->ack_timeout_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("retry_max_seconds", 1, 3600, &s->retry_max_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("poll_interval_ms", 10, 60000, &s->poll_interval_ms));
  if (s->enabled && s->tls && s->ca_file.empty()) {
    return InvalidArgument("configuration: [syslog] tls needs ca_file (the collector's CA)");
  }
  for (char ch : s->hostname) {
    if (ch < 33 || ch > 126) {
      return InvalidArgument("configuration: [syslog] hostname must be printable ASCII");
    }
  }
  if (s->hostname.size() > 255) {
    return InvalidArgument("configuration: [syslog] hostname is at most 255 characters");
  }
  return r.CheckUnknown();
}

Status ReadHttp(TableReader& r, HttpConfig* h) {
  COFFER_RETURN_IF_ERROR(r.String("listen", &h->listen));
  COFFER_RETURN_IF_ERROR(r.Integer("port", 0, 65535, &h->port));
  COFFER_RETURN_IF_ERROR(r.Integer("threads", 1, 256, &h->threads));
  COFFER_RETURN_IF_ERROR(r.Integer("max_header_bytes", 1024, 1024 * 1024, &h->max_header_bytes));
  COFFER_RETURN_IF_ERROR(
      r.Integer("max_json_body_bytes", 1024, 64 * 1024 * 1024, &h->max_json_body_bytes));
  COFFER_RETURN_IF_ERROR(r.Integer("read_timeout_seconds", 1, 3600, &h->read_timeout_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("idle_timeout_seconds", 1, 3600, &h->idle_timeout_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("write_timeout_seconds", 1, 3600, &h->write_timeout_seconds));
  COFFER_RETURN_IF_ERROR(r.Integer("max_connections", 1, 1000000, &h->max_connections));
  COFFER_RETURN_IF_ERROR(
      r.Integer("max_connections_per_address", 1, 1000000, &h->max_connections_per_address));
  COFFER_RETURN_IF_ERROR(r.Integer("shutdown_grace_seconds", 0, 3600, &h->shutdown_grace_seconds));
  COFFER_RETURN_IF_ERROR(r.OptionalString("admin_listen", &h->admin_listen));
  COFFER_RETURN_IF_ERROR(r.Integer("admin_port", 0, 65535, &h->admin_port));
  if (!h->admin_listen.empty() && h->admin_listen == h->listen && h->admin_port == h->port &&
      h->port != 0) {
    return InvalidArgument(
        "configuration: [http] admin_listen and admin_port must differ from listen and port");
  }
  return r.CheckUnknown();
}

const toml::table* SubTable(const toml::table& root, std::string_view name, Status* st) {
  const toml::node* node = root.get(name);
  if (!node) return nullptr;
  if (!node->is_table())
    *st = InvalidArgument("configuration: [" + std::string(name) + "] must be a table");
  return node->as_table();
}

Result<Config> Build(const toml::table& root, const std::filesystem::path& file) {
  Config c;
  c.file = file;
  c.data_dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  const auto& base = c.data_dir;
  c.storage.database = base / "coffer.db";
  c.storage.blobs = base / "blobs";
  c.storage.keys = base / "keys";
  c.frontend_keys.tls_certificate = base / "tls/cert.pem";
  c.frontend_keys.tls_private_key = base / "tls/key.pem";
  c.frontend_keys.ssh_host_key_ed25519 = base / "ssh/ssh_host_ed25519_key";
  c.sftp.rsa_host_key_file = base / "ssh/ssh_host_rsa_key";

  static const std::set<std::string> kTables = {"storage",       "limits", "retention", "accounts",
                                                "frontend_keys", "log",    "sftp",      "security",
                                                "audit",         "http",   "syslog",    "mfa",
                                                "uploads"};
  for (const auto& [key, node] : root) {
    if (!kTables.count(std::string(key.str()))) {
      return InvalidArgument("configuration: unknown section or key " + std::string(key.str()));
    }
  }
  Status st;
  auto table = [&](std::string_view name) {
    return TableReader(SubTable(root, name, &st), std::string(name));
  };
  TableReader storage = table("storage"), limits = table("limits"), retention = table("retention"),
              accounts = table("accounts"), keys = table("frontend_keys"), log = table("log"),
              sftp = table("sftp"), security = table("security");
  TableReader http = table("http");
  COFFER_RETURN_IF_ERROR(st);
  COFFER_RETURN_IF_ERROR(ReadStorage(storage, base, &c.storage));
  COFFER_RETURN_IF_ERROR(ReadLimits(limits, &c.limits));
  COFFER_RETURN_IF_ERROR(ReadRetention(retention, &c.retention));
  COFFER_RETURN_IF_ERROR(
      accounts.Integer("min_password_length", 8, 1024, &c.accounts.min_password_length));
  COFFER_RETURN_IF_ERROR(
      accounts.Integer("session_idle_minutes", 1, 1440, &c.accounts.session_idle_minutes));
  COFFER_RETURN_IF_ERROR(
      accounts.Integer("session_max_hours", 1, 720, &c.accounts.session_max_hours));
  COFFER_RETURN_IF_ERROR(accounts.Integer("max_web_sessions_per_user", 1, 1000,
                                          &c.accounts.max_web_sessions_per_user));
  COFFER_RETURN_IF_ERROR(accounts.Integer("token_max_days", 1, 3650, &c.accounts.token_max_days));
  COFFER_RETURN_IF_ERROR(
      accounts.Integer("max_tokens_per_user", 1, 1000, &c.accounts.max_tokens_per_user));
  COFFER_RETURN_IF_ERROR(accounts.Integer("argon2_opslimit", 1, 64, &c.accounts.argon2_opslimit));
  COFFER_RETURN_IF_ERROR(accounts.Integer("argon2_memlimit_kib", 8 * 1024, 4 * 1024 * 1024,
                                          &c.accounts.argon2_memlimit_kib));
  COFFER_RETURN_IF_ERROR(accounts.CheckUnknown());
  COFFER_RETURN_IF_ERROR(ReadFrontEndKeys(keys, base, &c.frontend_keys));
  COFFER_RETURN_IF_ERROR(ReadLog(log, &c.log_level));
  COFFER_RETURN_IF_ERROR(ReadSftp(sftp, base, &c.sftp));
  COFFER_RETURN_IF_ERROR(ReadSecurity(security, &c.security));
  TableReader audit = table("audit");
  COFFER_RETURN_IF_ERROR(st);
  COFFER_RETURN_IF_ERROR(ReadAudit(audit, &c.audit));
  TableReader syslog = table("syslog");
  COFFER_RETURN_IF_ERROR(st);
  COFFER_RETURN_IF_ERROR(ReadSyslog(syslog, base, &c.syslog));
  COFFER_RETURN_IF_ERROR(ReadHttp(http, &c.http));
  TableReader mfa = table("mfa");
  COFFER_RETURN_IF_ERROR(st);
  COFFER_RETURN_IF_ERROR(mfa.String("issuer", &c.mfa.issuer));
  if (c.mfa.issuer.size() > 64 || c.mfa.issuer.find(':') != std::string::npos) {
    return InvalidArgument("configuration: [mfa] issuer must be at most 64 bytes without ':'");
  }
  COFFER_RETURN_IF_ERROR(mfa.Integer("fresh_seconds", 30, 86400, &c.mfa.fresh_seconds));
  COFFER_RETURN_IF_ERROR(mfa.CheckUnknown());
  TableReader uploads = table("uploads");
  COFFER_RETURN_IF_ERROR(st);
  COFFER_RETURN_IF_ERROR(ReadUploads(uploads, &c.uploads));
  return c;
}

}  // namespace

Result<Config> ParseConfig(std::string_view toml_text, const std::filesystem::path& file) {
  if (toml_text.size() > kMaxConfigBytes) return LimitExceeded("configuration file is over 1 MiB");
  try {
    toml::table root = toml::parse(toml_text, file.string());
    return Build(root, file);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "configuration: " << e.description() << " at line " << e.source().begin.line;
    return InvalidArgument(msg.str());
  }
}

Result<Config> LoadConfig(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return FailedPrecondition("cannot read configuration file " + file.string());
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  auto absolute = std::filesystem::absolute(file);
  return ParseConfig(text, absolute);
}

}  // namespace coffer::config
