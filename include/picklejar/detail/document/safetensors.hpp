// The layout of a .safetensors file (https://huggingface.co/docs/safetensors): an 8-byte
// little-endian header size N, N bytes of JSON (an object: tensor name -> {"dtype", "shape",
// "data_offsets": [begin, end]}, and an optional "__metadata__" object of strings), then the data.
// A file from anywhere is checked by the format's own rules before a byte of data is used: N at
// most 100 MB and within the file, a JSON object only, every dtype known, every shape's size ×
// dtype size equal to its byte range (checked multiplication), ranges in bounds, contiguous and
// not overlapping, covering the data exactly.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "picklejar/detail/codecs/json_codec.hpp"
#include "picklejar/detail/declare/dtypes.hpp"
#include "picklejar/detail/document/container.hpp"
#include "picklejar/detail/document/tensor_index.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {

/// The largest header the format allows (safetensors' own MAX_HEADER_SIZE).
inline constexpr std::uint64_t safetensors_max_header = 100'000'000;
/// Where this library puts the first tensor's data: 64 bytes covers every dtype and SIMD loads.
inline constexpr std::uint64_t safetensors_data_alignment = 64;

inline bool parse_dtype(std::string_view text, dtype& type) {
  static constexpr std::pair<std::string_view, dtype> names[] = {
      {"F64", dtype::f64}, {"F32", dtype::f32}, {"F16", dtype::f16}, {"BF16", dtype::bf16},
      {"I64", dtype::i64}, {"I32", dtype::i32}, {"I16", dtype::i16}, {"I8", dtype::i8},
      {"U8", dtype::u8},   {"BOOL", dtype::boolean}};
  for (const auto& [name, value] : names) {
    if (name == text) return type = value, true;
  }
  return false;
}

[[noreturn]] inline void bad_safetensors(const std::string& reason, const std::string& tensor = {}) {
  throw error(errc::format, "not a valid .safetensors file: " + (tensor.empty() ? "" : "tensor '" + tensor + "': ") + reason);
}

/// A non-negative JSON integer that fits 64 bits.
inline std::uint64_t json_unsigned(const text_node& node, const std::string& tensor, const char* what) {
  if (node.kind != node_kind::number || node.text.empty() || node.text.size() > 20 ||
      node.text.find_first_not_of("0123456789") != std::string::npos) {
    bad_safetensors(std::string(what) + " must be non-negative integers", tensor);
  }
  std::uint64_t value = 0;
  for (char digit : node.text) {
    if (!checked_multiply(value, 10, value) || __builtin_add_overflow(value, std::uint64_t(digit - '0'), &value))
      bad_safetensors(std::string(what) + " must fit 64 bits", tensor);
  }
  return value;
}

/// The header's size, from the file's first 8 bytes; `file_size` bounds it.
inline std::uint64_t safetensors_header_size(std::string_view start, std::uint64_t file_size) {
  if (start.size() < 8 || file_size < 8) bad_safetensors("the file is shorter than its 8-byte header size");
  const std::uint64_t size = get_le(start.data(), 8);
  if (size > safetensors_max_header) {
    bad_safetensors("the header claims " + std::to_string(size) + " bytes, more than the format's limit of 100 MB");
  }
  if (size > file_size - 8) {
    bad_safetensors("the header claims " + std::to_string(size) + " bytes, but the file has " +
                    std::to_string(file_size - 8) + " after its size");
  }
  return size;
}

/// Parses and checks the header `json` of a file of `file_size` bytes. `budget` bounds the parse.
inline tensor_layout parse_safetensors_header(std::string_view json, std::uint64_t file_size, memory_budget* budget) {
  if (json.empty() || json.front() != '{') bad_safetensors("the header is not a JSON object");
  const text_node root = parse_json(json, depth_limit(3), budget);
  if (root.kind != node_kind::object) bad_safetensors("the header is not a JSON object");
  if (const std::string* twice = duplicate_name(root.children)) bad_safetensors("the header names a tensor twice", *twice);
  tensor_layout layout;
  layout.data_start = 8 + json.size();
  const std::uint64_t data_bytes = file_size - layout.data_start;
  for (const text_node& member : root.children) {
    if (member.name == "__metadata__") {
      if (member.kind != node_kind::object) bad_safetensors("__metadata__ is not an object");
      for (const text_node& item : member.children) {
        if (item.kind != node_kind::string) bad_safetensors("__metadata__ holds a value that is not a string");
        layout.metadata[item.name] = item.text;
      }
      continue;
    }
    const std::string& name = member.name;
    if (member.kind != node_kind::object) bad_safetensors("its entry is not an object", name);
    const text_node* type = nullptr;
    const text_node* shape = nullptr;
    const text_node* offsets = nullptr;
    for (const text_node& field : member.children) {
      if (field.name == "dtype") type = &field;
      else if (field.name == "shape") shape = &field;
      else if (field.name == "data_offsets") offsets = &field;
    }
    if (type == nullptr || shape == nullptr || offsets == nullptr)
      bad_safetensors("its entry needs dtype, shape and data_offsets", name);
    tensor_location tensor;
    tensor.name = name;
    if (type->kind != node_kind::string || !parse_dtype(type->text, tensor.type))
      bad_safetensors("dtype '" + type->text + "' is not one picklejar reads (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)", name);
    if (shape->kind != node_kind::array) bad_safetensors("shape is not an array", name);
    std::uint64_t elements = 1;
    for (const text_node& extent : shape->children) {
      const std::uint64_t value = json_unsigned(extent, name, "shape's extents");
      if (value > static_cast<std::uint64_t>(INT64_MAX) || !checked_multiply(elements, value, elements))
        bad_safetensors("its shape's size overflows", name);
      tensor.shape.push_back(static_cast<std::int64_t>(value));
    }
    if (offsets->kind != node_kind::array || offsets->children.size() != 2)
      bad_safetensors("data_offsets is not an array of two integers", name);
    tensor.begin = json_unsigned(offsets->children[0], name, "data_offsets");
    tensor.end = json_unsigned(offsets->children[1], name, "data_offsets");
    std::uint64_t bytes = 0;
    if (!checked_multiply(elements, dtype_size(tensor.type), bytes)) bad_safetensors("its size in bytes overflows", name);
    if (tensor.end < tensor.begin || tensor.end - tensor.begin != bytes) {
      bad_safetensors("its shape and dtype make " + std::to_string(bytes) + " bytes, but data_offsets [" +
                          std::to_string(tensor.begin) + ", " + std::to_string(tensor.end) + "] hold " +
                          (tensor.end < tensor.begin ? std::string("a negative number") : std::to_string(tensor.end - tensor.begin)),
                      name);
    }
    if (tensor.end > data_bytes) {
      bad_safetensors("data_offsets end at " + std::to_string(tensor.end) + ", beyond the " +
                          std::to_string(data_bytes) + " bytes of data",
                      name);
    }
    layout.tensors.push_back(std::move(tensor));
  }
  std::sort(layout.tensors.begin(), layout.tensors.end(),
            [](const tensor_location& a, const tensor_location& b) { return a.begin < b.begin || (a.begin == b.begin && a.end < b.end); });
  std::uint64_t expected = 0;
  for (const tensor_location& tensor : layout.tensors) {
    if (tensor.begin != expected) {
      bad_safetensors(tensor.begin < expected ? "its data overlaps another tensor's"
                                              : "its data does not follow the previous tensor's (a gap)",
                      tensor.name);
    }
    expected = tensor.end;
  }
  if (expected != data_bytes) {
    bad_safetensors("the tensors' data ends at " + std::to_string(expected) + ", but the file holds " +
                    std::to_string(data_bytes) + " bytes of data");
  }
  return layout;
}

/// The header for `tensors` (their begin/end already set, contiguous from 0) and `metadata`, padded
/// with spaces so that the data starts at a multiple of safetensors_data_alignment.
inline std::string safetensors_header(const std::vector<tensor_location>& tensors,
                                      const std::map<std::string, std::string>& metadata) {
  std::string json = "{";
  if (!metadata.empty()) {
    json += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [key, value] : metadata) {
      if (!first) json += ',';
      first = false;
      append_json_string(key, json);
      json += ':';
      append_json_string(value, json);
    }
    json += '}';
  }
  for (const tensor_location& tensor : tensors) {
    if (json.size() > 1) json += ',';
    append_json_string(tensor.name, json);
    json += ":{\"dtype\":\"" + to_string(tensor.type) + "\",\"shape\":[";
    for (std::size_t i = 0; i < tensor.shape.size(); ++i) json += (i != 0 ? "," : "") + std::to_string(tensor.shape[i]);
    json += "],\"data_offsets\":[" + std::to_string(tensor.begin) + "," + std::to_string(tensor.end) + "]}";
  }
  json += '}';
  const std::uint64_t unaligned = (8 + json.size()) % safetensors_data_alignment;
  if (unaligned != 0) json.append(static_cast<std::size_t>(safetensors_data_alignment - unaligned), ' ');
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[static_cast<std::size_t>(i)] = static_cast<char>((json.size() >> (8 * i)) & 0xff);
  return file + json;
}

}  // namespace picklejar::detail
