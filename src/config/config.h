// Config: Coffer's one TOML configuration file, typed, validated and immutable.
//
// Loaded once at start and passed in; there are no configuration globals. Every
// setting has a safe default and a documented range; an unknown key, a value of
// the wrong type or out of range is an error naming the key (a typo must never
// silently fall back to a default). Relative paths are resolved against the
// directory holding the configuration file (normally the data directory).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "util/status.h"

namespace coffer::config {

struct StorageConfig {
  std::filesystem::path database;   // SQLite file
  std::filesystem::path blobs;      // encrypted content
  std::filesystem::path keys;       // master keys and row-MAC key (0600)
  uint32_t chunk_size = 64 * 1024;  // plaintext bytes per sealed chunk
};

struct LimitsConfig {
  uint32_t max_name_bytes = 255;
  uint32_t max_path_bytes = 4096;
  uint32_t max_depth = 64;
  uint64_t max_file_bytes = uint64_t{1} << 40;  // 1 TiB per file
  uint32_t max_page_size = 1000;                // entries per listing page
  uint32_t max_copy_entries = 10000;            // entries one folder copy may create
};

// Resumable (tus) uploads (docs/http.md).
struct UploadsConfig {
  uint64_t max_bytes = uint64_t{1} << 40;  // largest declared upload (also [limits] max_file_bytes)
  uint32_t max_open_per_user = 20;         // uploads in progress per user
  uint32_t expiry_seconds = 86400;         // an upload idle this long is removed
};

struct RetentionConfig {
  uint32_t recycle_days = 30;  // deleted items stay restorable this long
  uint32_t versions_kept = 5;  // stored versions per file, the current one included
  uint32_t purge_interval_seconds = 3600;
};

struct AccountsConfig {
  uint32_t min_password_length = 12;
  uint32_t session_idle_minutes = 30;       // a web session unused this long ends
  uint32_t session_max_hours = 12;          // and every session ends this long after sign-in
  uint32_t max_web_sessions_per_user = 20;  // signing in beyond this ends the oldest
  uint32_t token_max_days = 365;            // longest API token lifetime
  uint32_t max_tokens_per_user = 50;
  // Argon2id cost of new password hashes (libsodium crypto_pwhash). Chosen for
  // this machine by `coffer passwords benchmark --write`; the defaults are
  // libsodium's "interactive" level.
  uint32_t argon2_opslimit = 2;
  uint32_t argon2_memlimit_kib = 64 * 1024;
};

// TOTP second factor (docs/security.md). Who must use it is a security setting
// kept in the database (`coffer mfa policy`), not here.
struct MfaConfig {
  std::string issuer = "Coffer";  // shown by authenticator apps
  uint32_t fresh_seconds = 300;   // sensitive admin actions need a code this recent
};

struct FrontEndKeys {  // made at init for the HTTPS, FTPS and SFTP front-ends
  std::filesystem::path tls_certificate;
  std::filesystem::path tls_private_key;
  std::filesystem::path ssh_host_key_ed25519;
};

// Sign-in defence shared by every protocol (docs/security.md).
struct SecurityConfig {
  uint32_t lockout_failures = 5;           // failures from one address that lock the account there
  uint32_t lockout_failures_total = 20;    // failures from all addresses that lock it everywhere
  uint32_t lockout_seconds = 900;          // how long a lock lasts (an admin may lift it)
  uint32_t failure_delay_max_seconds = 8;  // before the lock: 1, 2, 4 ... s between attempts
  uint32_t ban_score = 10;                 // an address with this score is banned
  uint32_t score_window_seconds = 900;     // a full score decays to zero over this time
  uint32_t ban_seconds = 900;              // the first ban; each further ban lasts twice as long
  uint32_t ban_max_seconds = 86400;
  uint32_t score_failed_sign_in = 1;
  uint32_t score_unknown_user = 2;
  uint32_t score_protocol_error = 1;
};

struct SftpConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1";  // address to bind ("::1", "0.0.0.0", ...)
  uint16_t port = 2222;
  uint32_t max_sessions = 500;              // connections at once, in total
  uint32_t max_sessions_per_address = 50;   // from one remote address
  uint32_t max_sessions_per_user = 50;      // signed in as one user
  uint32_t login_grace_seconds = 30;        // from connect to signed in
  uint32_t max_auth_attempts = 6;           // failed attempts per connection
  uint32_t idle_timeout_seconds = 900;      // no request for this long ends the session
  uint32_t max_handles = 64;                // open files and folders per session
  uint32_t max_reorder_kib = 8192;          // out-of-order write data held per upload
  bool rsa_host_key = false;                // also offer an RSA 3072 host key
  std::filesystem::path rsa_host_key_file;  // made on first start when enabled
};

struct AuditConfig {                         // the hash-chained activity record (docs/audit.md)
  uint32_t checkpoint_every_records = 1000;  // sign the chain head after this many records
  uint32_t checkpoint_every_seconds = 60;    // ... or when the last checkpoint is this old
  uint32_t retention_days = 0;               // records older are pruned (0: kept forever)
  uint32_t prune_interval_seconds = 3600;    // how often `coffer serve` prunes
};

// Live forwarding of the activity record to a syslog collector (RFC 5424 over
// TCP, octet-counted per RFC 6587, optionally TLS); docs/audit.md.
struct SyslogConfig {
  bool enabled = false;
  std::string host = "127.0.0.1";
  uint32_t port = 6514;
  bool tls = true;                // TLS 1.2+; the collector's certificate is verified
  std::filesystem::path ca_file;  // CA bundle (PEM) that signed the collector's certificate
  std::string server_name;        // name checked in its certificate (default: host)
  std::string hostname;           // HOSTNAME field sent (default: this machine's name)
  uint32_t facility = 13;         // 0 to 23; 13 is "log audit"
  uint32_t batch_records = 500;   // records per write; the most a failure can duplicate
  uint32_t connect_timeout_seconds = 10;
  uint32_t ack_timeout_seconds = 30;  // for the collector's TCP to acknowledge a batch
  uint32_t retry_max_seconds = 60;    // reconnect backoff: 1 s doubling up to this
  uint32_t poll_interval_ms = 500;    // how often new records are looked for
};

// The HTTPS front-end (src/http). Every network-facing size and time is bounded here.
struct HttpConfig {
  std::string listen = "127.0.0.1";            // IPv4 or IPv6 literal
  uint32_t port = 8443;                        // 0: any free port (printed at start)
  uint32_t threads = 4;                        // Asio worker threads
  uint32_t max_header_bytes = 16 * 1024;       // request line + headers
  uint32_t max_json_body_bytes = 1024 * 1024;  // bodies other than file uploads
  uint32_t read_timeout_seconds = 30;          // to receive one request head + JSON body
  uint32_t idle_timeout_seconds = 60;          // keep-alive wait for the next request
  uint32_t write_timeout_seconds = 60;         // per chunk written to the client
  uint32_t max_connections = 1024;             // in total
  uint32_t max_connections_per_address = 32;   // per remote IP address
  uint32_t shutdown_grace_seconds = 10;        // in-flight requests finish within this
  // The administration routes on a listener of their own (e.g. loopback only);
  // empty: the listener above serves them.
  std::string admin_listen;
  uint32_t admin_port = 8444;  // 0: any free port (printed at start)
};

struct Config {
  std::filesystem::path file;      // where it was loaded from
  std::filesystem::path data_dir;  // the directory holding it
  StorageConfig storage;
  LimitsConfig limits;
  RetentionConfig retention;
  AccountsConfig accounts;
  FrontEndKeys frontend_keys;
  SftpConfig sftp;
  SecurityConfig security;
  HttpConfig http;
  std::string log_level = "info";  // trace, debug, info, warn, error
  AuditConfig audit;
  SyslogConfig syslog;
  MfaConfig mfa;
  UploadsConfig uploads;
};

// Parses TOML text. `file` is used to resolve relative paths and in messages.
Result<Config> ParseConfig(std::string_view toml_text, const std::filesystem::path& file);
// Reads and parses a file (at most 1 MiB).
Result<Config> LoadConfig(const std::filesystem::path& file);
// The documented configuration written by `coffer init`: every setting with its default.
std::string DefaultConfigText();

inline constexpr std::string_view kConfigFileName = "coffer.toml";

}  // namespace coffer::config
