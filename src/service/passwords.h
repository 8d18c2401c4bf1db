// Password hashing and policy. Argon2id through libsodium's crypto_pwhash_str,
// whose output string carries its own parameters and salt.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "util/status.h"

namespace coffer::service {

// Argon2id cost: passes and memory. Each stored hash carries the values it was
// made with, so changing them affects new hashes only (and rehashing).
struct PasswordParams {
  uint64_t opslimit = 2;
  uint64_t memlimit_bytes = uint64_t{64} << 20;
};
PasswordParams ParamsFrom(const config::AccountsConfig& accounts);

Result<std::string> HashPassword(std::string_view password, const PasswordParams& params);
// An empty or malformed `hash` costs the same as a dummy check with `params`.
bool VerifyPassword(std::string_view hash, std::string_view password, const PasswordParams& params);
// True if `hash` was made with other parameters than `params` (or is not an
// Argon2id string): hash the password again after a successful sign-in.
bool NeedsRehash(std::string_view hash, const PasswordParams& params);
// Spends the same time as verifying a real hash made with `params`; used for
// unknown users so the answer and its timing are the same as for a wrong
// password. The dummy hash is made once per distinct `params`.
void VerifyDummyPassword(std::string_view password, const PasswordParams& params);

struct PasswordBenchmark {
  PasswordParams params;
  double milliseconds = 0;  // measured for one hash with `params`
};
// Finds the Argon2id cost for this machine: the most memory up to
// `max_memlimit_kib` (halved while one pass alone exceeds the target), then as
// many passes as fit in `target_ms`. Takes a few seconds; at most 40 hashes.
Result<PasswordBenchmark> BenchmarkPasswordParams(uint32_t target_ms, uint32_t max_memlimit_kib);
// 20 characters from a 32-letter alphabet without look-alikes: 100 bits.
std::string GeneratePassword();
// The password policy: at least `min_length` characters (at most 1 KiB), not
// containing the user name, not one of the most common passwords or their
// stems (common_passwords.cpp), and accepted by cracklib (Debian's libcrack2
// with its dictionary).
Status CheckPasswordPolicy(std::string_view password, std::string_view user_name,
                           size_t min_length);
bool IsCommonPassword(std::string_view password);

}  // namespace coffer::service
