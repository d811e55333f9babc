// JSON and XML are opt-in, as in cereal: picklejar/json.hpp and picklejar/xml.hpp each turn their
// format on for the whole program as it starts (an inline variable's initialiser sets a flag). The
// code of save and load is the same in every translation unit; only this flag differs between
// programs, so including a header in one file never changes what save or load mean in another
// (no one-definition-rule trap). A program that meets a format it was built without gets
// errc::format naming the header.
#pragma once

#include <atomic>
#include <string>

#include "picklejar/error.hpp"
#include "picklejar/options.hpp"

namespace picklejar::detail {

inline std::atomic<bool> json_format_enabled{false};  // constant-initialised: set before any use
inline std::atomic<bool> xml_format_enabled{false};

inline std::atomic<bool>& text_format_flag(format fmt) noexcept {
  return fmt == format::json ? json_format_enabled : xml_format_enabled;
}

/// Called by picklejar/json.hpp and picklejar/xml.hpp at start-up.
inline bool enable_text_format(format fmt) noexcept {
  text_format_flag(fmt).store(true);
  return true;
}

/// errc::format naming the header, for a JSON or XML document in a program built without it.
inline void require_text_format(format fmt) {
  if (text_format_flag(fmt).load(std::memory_order_relaxed)) return;
  const bool json = fmt == format::json;
  const std::string header = json ? "picklejar/json.hpp" : "picklejar/xml.hpp";
  throw error(errc::format, std::string(json ? "JSON" : "XML") + " is opt-in and this program was built without " +
                                header + ": #include <" + header + "> in one of its files to save or load " +
                                (json ? "JSON" : "XML"));
}

}  // namespace picklejar::detail
