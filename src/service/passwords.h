// Password hashing and policy. Argon2id through libsodium's crypto_pwhash_str,
// whose output string carries its own parameters and salt.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace coffer::service {

Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);
// Spends the same time as verifying a real hash; used for unknown users so the
// answer and its timing are the same as for a wrong password.
void VerifyDummyPassword(std::string_view password);
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
