// picklejar-inspect FILE...: prints what each picklejar file's header says (format, root type,
// type versions, metadata, sizes, checksum) and whether the whole file verifies.
//
//   picklejar-inspect model.pj runs/exp1/*.pj
//   picklejar-inspect --json model.pj
//   picklejar-inspect --tensors model.pj model.safetensors   (each tensor: name, dtype, shape, bytes)
//
// Exit status: 0 when every file is intact, 1 when any is damaged or unreadable, 2 for a usage
// error. The object itself is never loaded, so any picklejar file can be inspected without the
// program that wrote it.
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/xml.hpp>
#if __has_include(<Eigen/Core>)
#include <picklejar/tensors.hpp>
#define PICKLEJAR_INSPECT_TENSORS 1
#endif

#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* usage =
    "usage: picklejar-inspect [--json] [--tensors] FILE...\n"
    "Prints each picklejar file's header (format, root type, type versions, metadata, sizes,\n"
    "checksum) and verifies the whole file against its checksum.\n"
    "  --json      one JSON array with an object per file, for programs\n"
    "  --tensors   list the tensors of binary .pj and .safetensors files instead: name, dtype,\n"
    "              shape, bytes (the index and header are checked, the data is not read)\n"
    "  -h, --help  this text\n"
    "Exit status: 0 if every file is intact, 1 if any is damaged or unreadable, 2 for a usage error.\n";

/// What the tool found out about one file.
struct report {
  std::string file;
  std::optional<picklejar::file_info> header;  ///< empty when not even the header was readable
  std::string error;                           ///< empty when the whole file verified
  std::string error_kind;                      ///< "integrity", "io", ...; empty when intact

  bool intact() const { return error.empty(); }
};

report examine(const std::string& file) {
  report result;
  result.file = file;
  try {
    result.header = picklejar::verify(file);
    return result;
  } catch (const picklejar::error& failure) {
    result.error = failure.what();
    result.error_kind = picklejar::to_string(failure.code());
  } catch (const std::exception& failure) {  // e.g. std::bad_alloc for a huge file
    result.error = failure.what();
    result.error_kind = "other";
  }
  // A damaged file's header may still be readable (inspect() skips the checksum) and tells what
  // the file was meant to hold.
  try {
    result.header = picklejar::inspect(file);
  } catch (const std::exception&) {
  }
  return result;
}

// ---- text output -----------------------------------------------------------------------------

/// Header strings come from the file, unverified when it is damaged: control characters are
/// shown as \xNN so that a crafted file cannot drive the terminal.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

/// "512 B", "1.5 KiB", "256.0 MiB", ... and the exact count when it was rounded.
std::string human_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.1f %s (%llu bytes)", value, units[unit],
                static_cast<unsigned long long>(bytes));
  return text;
}

void print_row(const char* label, const std::string& value) {
  std::printf("  %-15s %s\n", label, value.c_str());
}

void print_text(const report& r) {
  std::printf("%s\n", printable(r.file).c_str());
  print_row("status", r.intact() ? "ok" : printable(r.error));
  if (!r.header) return;
  const picklejar::file_info& info = *r.header;
  if (!r.intact()) print_row("", "the header below was read without verification");
  print_row("format", std::string(picklejar::to_string(info.format)) + ", container version " +
                          std::to_string(info.container_version));
  print_row("root type", printable(info.type_name));
  if (info.type_versions.empty()) print_row("type versions", "none");
  const char* label = "type versions";
  for (const auto& [type, version] : info.type_versions) {
    print_row(label, printable(type) + " v" + std::to_string(version));
    label = "";
  }
  if (info.metadata.empty()) print_row("metadata", "none");
  label = "metadata";
  for (const auto& [key, value] : info.metadata) {
    print_row(label, printable(key) + " = " + printable(value));
    label = "";
  }
  print_row("file size", human_size(info.file_bytes));
  if (info.header_bytes != 0) {
    print_row("header", human_size(info.header_bytes));
    print_row("payload", human_size(info.payload_bytes));
    if (info.trailer_bytes != 0) print_row("trailer", human_size(info.trailer_bytes));
  } else {
    print_row("header", "inside the text document");
  }
  print_row("checksum", printable(info.checksum.empty() ? "none" : info.checksum) +
                            (r.intact() ? " (verified)" : " (not verified)"));
}

// ---- JSON output -----------------------------------------------------------------------------

/// Length of the well-formed UTF-8 sequence starting at text[at] (RFC 3629: no overlong forms,
/// no surrogates, nothing above U+10FFFF), or 0 if the byte there starts none.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  unsigned char low = 0x80, high = 0xbf;  // allowed range of the second byte
  std::size_t length = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;   // overlong
    if (lead == 0xed) high = 0x9f;  // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;   // overlong
    if (lead == 0xf4) high = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() - at < length || byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return 0;
  }
  return length;
}

/// A JSON string literal. File names and header strings are arbitrary bytes: bytes that are not
/// UTF-8 become U+FFFD, so the output is always valid JSON.
std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t at = 0; at < text.size();) {
    const auto byte = static_cast<unsigned char>(text[at]);
    const std::size_t length = utf8_sequence_length(text, at);
    if (length == 0) {
      out += "\\ufffd";
      ++at;
      continue;
    }
    if (byte == '"') out += "\\\"";
    else if (byte == '\\') out += "\\\\";
    else if (byte == '\n') out += "\\n";
    else if (byte == '\r') out += "\\r";
    else if (byte == '\t') out += "\\t";
    else if (byte < 0x20 || byte == 0x7f) {
      char escaped[7];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out.append(text.substr(at, length));
    }
    at += length;
  }
  return out + "\"";
}

template <class Map, class Write>
std::string json_object(const Map& map, Write&& write_value) {
  std::string out = "{";
  for (const auto& [key, value] : map) {
    if (out.size() > 1) out += ", ";
    out += json_string(key) + ": " + write_value(value);
  }
  return out + "}";
}

std::string to_json(const report& r) {
  std::string out = "{\"file\": " + json_string(r.file) + ", \"intact\": " + (r.intact() ? "true" : "false");
  out += ", \"error\": " + (r.intact() ? std::string("null") : json_string(r.error));
  out += ", \"error_kind\": " + (r.intact() ? std::string("null") : json_string(r.error_kind));
  out += ", \"header\": ";
  if (!r.header) return out + "null}";
  const picklejar::file_info& info = *r.header;
  out += "{\"format\": " + json_string(picklejar::to_string(info.format));
  out += ", \"container_version\": " + std::to_string(info.container_version);
  out += ", \"type_name\": " + json_string(info.type_name);
  out += ", \"type_versions\": " + json_object(info.type_versions, [](std::uint32_t v) { return std::to_string(v); });
  out += ", \"metadata\": " + json_object(info.metadata, [](const std::string& v) { return json_string(v); });
  out += ", \"checksum\": " + (info.checksum.empty() ? std::string("null") : json_string(info.checksum));
  out += ", \"file_bytes\": " + std::to_string(info.file_bytes);
  out += ", \"header_bytes\": " + std::to_string(info.header_bytes);
  out += ", \"payload_bytes\": " + std::to_string(info.payload_bytes);
  out += ", \"trailer_bytes\": " + std::to_string(info.trailer_bytes);
  return out + "}}";
}

// ---- tensors ---------------------------------------------------------------------------------

/// Lists a tensor file's tensors; false (with the error printed) when it cannot be opened.
bool list_tensors(const std::string& file, bool json, bool last) {
#ifdef PICKLEJAR_INSPECT_TENSORS
  std::string error;
  std::vector<picklejar::tensor_entry> tensors;
  try {
    tensors = picklejar::open_tensors(file).tensors();
  } catch (const std::exception& failure) {
    error = failure.what();
  }
#else
  const std::string error = "this picklejar-inspect was built without Eigen, so it cannot read tensors";
#endif
  if (json) {
    std::string out = "  {\"file\": " + json_string(file) + ", \"error\": " + (error.empty() ? "null" : json_string(error)) +
                      ", \"tensors\": [";
#ifdef PICKLEJAR_INSPECT_TENSORS
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      const picklejar::tensor_entry& t = tensors[i];
      out += std::string(i != 0 ? ", " : "") + "{\"name\": " + json_string(t.name) + ", \"dtype\": \"" +
             picklejar::to_string(t.dtype) + "\", \"shape\": [";
      for (std::size_t d = 0; d < t.shape.size(); ++d) out += (d != 0 ? ", " : "") + std::to_string(t.shape[d]);
      out += "], \"bytes\": " + std::to_string(t.bytes) + "}";
    }
#endif
    std::printf("%s]}%s\n", out.c_str(), last ? "" : ",");
    return error.empty();
  }
  std::printf("%s\n", printable(file).c_str());
  if (!error.empty()) {
    print_row("status", printable(error));
    return false;
  }
#ifdef PICKLEJAR_INSPECT_TENSORS
  std::printf("  %zu tensors\n", tensors.size());
  for (const picklejar::tensor_entry& t : tensors) {
    std::string shape = "[";
    for (std::size_t d = 0; d < t.shape.size(); ++d) shape += (d != 0 ? ", " : "") + std::to_string(t.shape[d]);
    shape += "]";
    std::printf("  %-40s %-5s %-18s %s\n", printable(t.name).c_str(), picklejar::to_string(t.dtype).c_str(),
                shape.c_str(), human_size(t.bytes).c_str());
  }
#endif
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  bool tensors = false;
  bool options_done = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      files.emplace_back(arg);
    } else if (arg == "--") {
      options_done = true;
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--tensors") {
      tensors = true;
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(usage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "picklejar-inspect: unknown option '%s'\n%s", argv[i], usage);
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "picklejar-inspect: no files given\n%s", usage);
    return 2;
  }

  bool all_intact = true;
  if (json) std::printf("[\n");
  for (std::size_t i = 0; tensors && i < files.size(); ++i) {
    if (!json && i > 0) std::printf("\n");
    all_intact = list_tensors(files[i], json, i + 1 == files.size()) && all_intact;
  }
  for (std::size_t i = 0; !tensors && i < files.size(); ++i) {
    const report r = examine(files[i]);
    all_intact = all_intact && r.intact();
    if (json) {
      std::printf("  %s%s\n", to_json(r).c_str(), i + 1 < files.size() ? "," : "");
    } else {
      if (i > 0) std::printf("\n");
      print_text(r);
    }
  }
  if (json) std::printf("]\n");
  std::fflush(stdout);
  return all_intact ? 0 : 1;
}
