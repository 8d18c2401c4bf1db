// SecretKey: 32 bytes of key material that are wiped when dropped and never printed.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace coffer::crypto {

class SecretKey {
 public:
  static constexpr size_t kSize = 32;
  SecretKey();  // all zero
  explicit SecretKey(std::span<const uint8_t, kSize> bytes);
  ~SecretKey();
  SecretKey(const SecretKey&);
  SecretKey& operator=(const SecretKey&);

  static SecretKey Random();
  std::span<const uint8_t, kSize> bytes() const { return bytes_; }

 private:
  std::array<uint8_t, kSize> bytes_{};
};

}  // namespace coffer::crypto
