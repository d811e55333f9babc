// The checksum every picklejar file carries: XXH3-64 from xxHash (Debian's libxxhash-dev), used
// header-only. Why XXH3: it hashes at memory speed (tens of GB/s, so it costs a few percent of a
// save that goes to disk), it is the checksum of zstd and many storage systems, it catches the
// torn writes, truncations and flipped bits it is here for, and its 64-bit result fits the
// container's field. It is not a signature: anyone can recompute it, so it proves integrity, not
// origin. docs/file-format.md says what each format hashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// Inline, under xxHash's own "XXH_INLINE_" names, so that nothing needs linking and a program
// that uses the xxHash library itself is not disturbed.
#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#define PICKLEJAR_DEFINED_XXH_INLINE_ALL
#endif
#include <xxhash.h>
#ifdef PICKLEJAR_DEFINED_XXH_INLINE_ALL
#undef XXH_INLINE_ALL
#undef PICKLEJAR_DEFINED_XXH_INLINE_ALL
#endif

namespace picklejar::detail {

/// The checksum kinds a binary file's header may name.
enum class checksum_kind : std::uint8_t {
  none = 0,     ///< never written by this version; refused unless verification is off
  xxh3_64 = 1,
};

/// XXH3-64 over bytes given in pieces, in order.
class checksum_stream {
 public:
  checksum_stream() noexcept { XXH3_64bits_reset(&state_); }
  void update(const void* data, std::size_t size) noexcept { XXH3_64bits_update(&state_, data, size); }
  void update(std::string_view bytes) noexcept { update(bytes.data(), bytes.size()); }
  std::uint64_t digest() const noexcept { return XXH3_64bits_digest(&state_); }

 private:
  XXH3_state_t state_;
};

/// XXH3-64 of one block.
inline std::uint64_t checksum_of(const void* data, std::size_t size) noexcept { return XXH3_64bits(data, size); }

/// How text formats spell a checksum: "xxh3-64:" and 16 lowercase hex digits.
inline constexpr std::string_view text_checksum_prefix = "xxh3-64:";
inline constexpr std::size_t text_checksum_digits = 16;

inline std::string checksum_to_text(std::uint64_t value) {
  std::string text(text_checksum_prefix);
  for (int shift = 60; shift >= 0; shift -= 4) text += "0123456789abcdef"[(value >> shift) & 0xf];
  return text;
}

}  // namespace picklejar::detail
