#include "service/passwords.h"

#include <sodium.h>
#include <stddef.h>  // crack.h needs size_t first
// clang-format off
#include <crack.h>
// clang-format on

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>

namespace coffer::service {

namespace {
constexpr size_t kMaxPasswordBytes = 1024;  // bounds hashing work per attempt

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
// cracklib is not documented as thread-safe: one check at a time.
Status CheckWithCracklib(std::string_view password) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::string pw(password);
  if (pw.find('\0') != std::string::npos) return InvalidArgument("password must not contain NUL");
  const char* why = FascistCheck(pw.c_str(), GetDefaultCracklibDict());
  if (why) return InvalidArgument(std::string("password rejected: ") + why);
  return Status::Ok();
}

}  // namespace

PasswordParams ParamsFrom(const config::AccountsConfig& accounts) {
  return {accounts.argon2_opslimit, uint64_t{accounts.argon2_memlimit_kib} * 1024};
}

Result<std::string> HashPassword(std::string_view password, const PasswordParams& params) {
  if (password.size() > kMaxPasswordBytes) return LimitExceeded("password is too long");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.opslimit,
                            static_cast<size_t>(params.memlimit_bytes),
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return IoError("out of memory while hashing a password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password,
                    const PasswordParams& params) {
  if (password.size() > kMaxPasswordBytes || hash.empty() ||
      hash.size() >= crypto_pwhash_STRBYTES) {
    VerifyDummyPassword(password.substr(0, kMaxPasswordBytes), params);
    return false;
  }
  std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool NeedsRehash(std::string_view hash, const PasswordParams& params) {
  std::string h(hash);
  // 0: same parameters; 1: different; -1: not an Argon2id string.
  return crypto_pwhash_str_needs_rehash(h.c_str(), params.opslimit,
                                        static_cast<size_t>(params.memlimit_bytes)) != 0;
}

void VerifyDummyPassword(std::string_view password, const PasswordParams& params) {
  static std::mutex mu;
  static std::map<std::pair<uint64_t, uint64_t>, std::string> dummies;
  std::string dummy;
  {
    std::lock_guard lock(mu);
    auto& d = dummies[{params.opslimit, params.memlimit_bytes}];
    if (d.empty()) {
      auto h = HashPassword(GeneratePassword(), params);
      if (h.ok()) d = *h;
    }
    dummy = d;
  }
  if (!dummy.empty()) {
    // The answer is irrelevant; spending the time is the point.
    int rc = crypto_pwhash_str_verify(dummy.c_str(), password.data(),
                                      std::min(password.size(), kMaxPasswordBytes));
    (void)rc;
  }
}

namespace {
Result<double> TimeOneHash(const PasswordParams& params) {
  auto start = std::chrono::steady_clock::now();
  COFFER_ASSIGN_OR_RETURN(std::string h, HashPassword("benchmark password", params));
  (void)h;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}
}  // namespace

Result<PasswordBenchmark> BenchmarkPasswordParams(uint32_t target_ms, uint32_t max_memlimit_kib) {
  constexpr uint64_t kMinMemKib = 8 * 1024;
  if (target_ms < 10 || target_ms > 10000) {
    return InvalidArgument("target must be between 10 and 10000 ms");
  }
  if (max_memlimit_kib < kMinMemKib || max_memlimit_kib > 4 * 1024 * 1024) {
    return InvalidArgument("memory limit must be between 8192 and 4194304 KiB");
  }
  PasswordParams p{1, uint64_t{max_memlimit_kib} * 1024};
  COFFER_ASSIGN_OR_RETURN(double ms, TimeOneHash(p));
  while (ms > target_ms && p.memlimit_bytes / 2 >= kMinMemKib * 1024) {
    p.memlimit_bytes /= 2;
    COFFER_ASSIGN_OR_RETURN(ms, TimeOneHash(p));
  }
  // Argon2id with fewer than 2 passes is weaker against trade-off attacks;
  // libsodium's own minimum for "interactive" is 2.
  PasswordBenchmark best{p, ms};
  for (uint64_t ops = 2; ops <= 64; ++ops) {
    PasswordParams next{ops, p.memlimit_bytes};
    COFFER_ASSIGN_OR_RETURN(double t, TimeOneHash(next));
    if (t > target_ms) break;
    best = {next, t};
  }
  return best;
}

std::string GeneratePassword() {
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789AB";
  std::string out;
  for (int i = 0; i < 20; ++i) out.push_back(kAlphabet[randombytes_uniform(32)]);
  return out;
}

Status CheckPasswordPolicy(std::string_view password, std::string_view user_name,
                           size_t min_length) {
  if (password.size() < min_length) {
    return InvalidArgument("password must be at least " + std::to_string(min_length) +
                           " characters");
  }
  if (password.size() > kMaxPasswordBytes) return LimitExceeded("password is too long");
  if (!user_name.empty() && Lower(password).find(Lower(user_name)) != std::string::npos) {
    return InvalidArgument("password must not contain the user name");
  }
  if (IsCommonPassword(password)) {
    return InvalidArgument("password is one of the most common passwords or built on one");
  }
  return CheckWithCracklib(password);
}

}  // namespace coffer::service
