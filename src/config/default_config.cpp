#include "config/config.h"

namespace coffer::config {

std::string DefaultConfigText() {
  return R"(# Coffer configuration. Written by `coffer init`; every setting is shown with its
# default. Relative paths are resolved against the directory holding this file.
# An unknown key or a value out of range stops the server with a message naming it.

[storage]
# SQLite metadata database (users, folders, files, permissions, activity).
database = "coffer.db"
# Encrypted content. Each file is stored under a random id, sealed in chunks with
# its own data key; nothing here is readable without the key files.
blobs = "blobs"
# Master key-encryption keys and the row-MAC key, mode 0600. Back them up
# separately from the database: without them no stored byte can be read.
keys = "keys"
# Plaintext bytes per sealed chunk, in KiB (16 to 1024). Range reads decrypt
# whole chunks; larger chunks cost less per byte.
chunk_size_kib = 64

[limits]
# Longest file or folder name, in UTF-8 bytes after NFC normalisation (1 to 1024).
max_name_bytes = 255
# Longest path accepted, in bytes (64 to 65536).
max_path_bytes = 4096
# Deepest folder nesting (1 to 256).
max_depth = 64
# Largest single file, in bytes (1 to 2^50).
max_file_bytes = 1099511627776
# Most entries returned by one listing page (10 to 10000).
max_page_size = 1000
# Most entries one folder copy may create (1 to 1000000).
max_copy_entries = 10000

[retention]
# Days a deleted file or folder stays in the recycle bin, restorable (0 to 3650;
# 0 purges at the next purge run).
recycle_days = 30
# Versions kept per file, the current one included (1 to 100).
versions_kept = 5
# Seconds between purge runs of the recycle bin (60 to 86400).
purge_interval_seconds = 3600

[accounts]
# Shortest password accepted (8 to 1024).
min_password_length = 12
# Web sessions end after this many minutes unused (1 to 1440) and this many
# hours after sign-in (1 to 720); a user signing in beyond max_web_sessions_per_user
# (1 to 1000) ends their oldest session.
session_idle_minutes = 30
session_max_hours = 12
max_web_sessions_per_user = 20
# API tokens: the longest lifetime in days (1 to 3650) and how many one user
# may hold (1 to 1000).
token_max_days = 365
max_tokens_per_user = 50
# Argon2id cost of new password hashes: passes (1 to 64) and memory in KiB
# (8192 to 4194304). `coffer passwords benchmark --write` measures this machine
# and sets both; stored hashes with other values are rehashed at their next
# successful sign-in.
argon2_opslimit = 2
argon2_memlimit_kib = 65536

[frontend_keys]
# Made by `coffer init` for the HTTPS, FTPS and SFTP front-ends.
tls_certificate = "tls/cert.pem"
tls_private_key = "tls/key.pem"
ssh_host_key_ed25519 = "ssh/ssh_host_ed25519_key"

[security]
# Sign-in defence, shared by every protocol (docs/security.md).
# Failed sign-ins from one address that lock the account for that address, and
# from all addresses together that lock it everywhere; how long a lock lasts.
lockout_failures = 5
lockout_failures_total = 20
lockout_seconds = 900
# Before the lock, attempts must wait 1, 2, 4 ... seconds (at most this) after a
# failure; attempts sooner are refused without checking the password.
failure_delay_max_seconds = 8
# Each source address gets points: a failed sign-in, a probe for an unknown
# user, a protocol error. At ban_score it is banned for ban_seconds, doubling on
# each further ban up to ban_max_seconds. Points fade over score_window_seconds.
ban_score = 10
score_window_seconds = 900
ban_seconds = 900
ban_max_seconds = 86400
score_failed_sign_in = 1
score_unknown_user = 2
score_protocol_error = 1

[sftp]
# The SFTP front-end (SSH File Transfer Protocol v3 with the OpenSSH extensions).
enabled = true
# Address to listen on: "127.0.0.1" (this machine only), "0.0.0.0" or "::" (all).
listen = "127.0.0.1"
port = 2222
# Connections at once: in total, from one remote address, signed in as one user.
max_sessions = 500
max_sessions_per_address = 50
max_sessions_per_user = 50
# Seconds from connecting to signed in (1 to 600); slower clients are dropped.
login_grace_seconds = 30
# Failed sign-in attempts allowed on one connection (1 to 20).
max_auth_attempts = 6
# A session with no request for this many seconds is closed (5 to 86400).
idle_timeout_seconds = 900
# Files and folders one session may hold open at once (4 to 1024).
max_handles = 64
# Out-of-order write data an upload may hold in memory, in KiB (0 to 262144).
# Writes further ahead, or behind what was already stored, get a failure status.
max_reorder_kib = 8192
# Also offer an RSA 3072 host key for old clients (made on first start).
rsa_host_key = false
rsa_host_key_file = "ssh/ssh_host_rsa_key"
[http]
# The HTTPS front-end (REST API). TLS 1.2/1.3 with the certificate above.
# Address to listen on (an IPv4 or IPv6 literal) and port (0: any free port,
# printed at start).
listen = "127.0.0.1"
port = 8443
# Worker threads (1 to 256).
threads = 4
# Longest request line plus headers, in bytes (1024 to 1048576); larger gets 431.
max_header_bytes = 16384
# Largest JSON request body, in bytes (1024 to 67108864); larger gets 413.
# File uploads are streamed and bounded by [limits] max_file_bytes instead.
max_json_body_bytes = 1048576
# Seconds allowed to receive one request's head and JSON body (1 to 3600);
# slower clients are disconnected.
read_timeout_seconds = 30
# Seconds a kept-alive connection may wait for its next request (1 to 3600).
idle_timeout_seconds = 60
# Seconds allowed for each write to the client (1 to 3600).
write_timeout_seconds = 60
# Most open connections in total, and from one remote address (1 to 1000000);
# connections beyond are closed at once.
max_connections = 1024
max_connections_per_address = 32
# On stop, seconds in-flight requests get to finish before connections are cut
# (0 to 3600).
shutdown_grace_seconds = 10
# Administration routes (/api/v1/admin/...) on a listener of their own, e.g.
# "127.0.0.1" to reach them from this host only; the listener above then answers
# 404 for them. Empty: the listener above serves them too. admin_port: 0 picks
# any free port (printed at start).
admin_listen = ""
admin_port = 8444

[log]
# trace, debug, info, warn or error.
level = "info"

[audit]
# The activity record is hash-chained; its head is signed (Ed25519, key in
# keys/audit-signing.key) after this many records (1 to 1000000) ...
checkpoint_every_records = 1000
# ... or when the last signature is this many seconds old (1 to 86400).
checkpoint_every_seconds = 60
# Records older than this many days are pruned, up to a signed checkpoint that
# becomes the chain's anchor (0 to 36500; 0 keeps every record).
retention_days = 0
# How often the running server prunes (60 to 604800 seconds).
prune_interval_seconds = 3600

[syslog]
# Live copy of every activity record to a syslog collector: RFC 5424 over TCP,
# octet-counted (RFC 6587). The last record the collector's TCP acknowledged is
# kept in the database; after an outage or restart sending resumes from there.
enabled = false
host = "127.0.0.1"
port = 6514
# TLS 1.2 or 1.3; the collector's certificate must chain to ca_file and carry
# server_name (default: host).
tls = true
# ca_file = "/etc/coffer/collector-ca.pem"
# server_name = "logs.example.org"
# hostname = "coffer1"     # HOSTNAME field sent (default: this machine's name)
# Syslog facility (0 to 23; 13 is "log audit").
facility = 13
# Records per write (1 to 10000): a failed write is resent whole, so at most
# this many records can reach the collector twice after an outage.
batch_records = 500
connect_timeout_seconds = 10
# Seconds the collector's TCP has to acknowledge a batch (1 to 3600).
ack_timeout_seconds = 30
# Reconnect backoff: 1 s, doubling up to this (1 to 3600).
retry_max_seconds = 60
# How often new records are looked for (10 to 60000 ms).
poll_interval_ms = 500

[mfa]
# TOTP second factor (RFC 6238). Name shown in authenticator apps (at most 64
# bytes, no ':').
issuer = "Coffer"
# Creating or promoting an administrator, granting "manage" and changing
# security settings need a second factor verified within this many seconds
# (30 to 86400). The local CLI is exempt.
fresh_seconds = 300

[uploads]
# Resumable (tus) uploads at /api/v1/uploads. Largest declared upload, in bytes
# (1 to 2^50; [limits] max_file_bytes applies too).
max_bytes = 1099511627776
# Uploads in progress per user (1 to 10000).
max_open_per_user = 20
# An upload with no progress for this many seconds is removed (1 to 2592000).
expiry_seconds = 86400
)";
}

}  // namespace coffer::config
