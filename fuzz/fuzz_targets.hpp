// The work of picklejar's fuzz targets, as plain functions: the libFuzzer entry points
// (target_*.cpp) call them, and so does the replay driver (replay.cpp) that the coverage build
// runs over the fuzz corpora without libFuzzer.
//
// A finding is anything but a picklejar::error: a crash or sanitizer report, another exception
// escaping (libFuzzer reports it as a deadly signal), or a broken property, which aborts with a
// message on stderr.
#pragma once

#include <picklejar/options.hpp>

#include <string_view>

namespace picklejar_fuzz {

/// Loads `bytes` as a reference_model::Model with picklejar::loads. When that succeeds, checks
/// two properties:
///   - the loaded model, saved again in `resave_format` and loaded back, is equal to it;
///   - loading the same bytes into an existing, filled model succeeds and gives an equal model.
void load_reference_model(std::string_view bytes, picklejar::format resave_format);

/// Reads `bytes` as a file's container and header, the way load, inspect and verify do before
/// the payload: detail::read_binary_container (checksum verified now, deferred, skipped), the
/// text document reader (with and without checksum), and inspect() and verify() of a file that
/// holds the bytes.
void parse_container(std::string_view bytes);

/// Loads `bytes` as a zoo::Zoo (fuzz/zoo_model.hpp: variants, optional, tuple, bitset, unordered
/// containers, a pointer graph with weak back-pointers and from_state objects, Eigen dense and
/// sparse), whatever its format. When that succeeds: saved again (in a format the input's size
/// picks) and loaded back it describes the same, and loading into an existing zoo gives the same.
void load_zoo(std::string_view bytes);

/// Loads `bytes` with picklejar::options::untrusted() as a zoo::Zoo and as a reference model.
/// What the stranger's options accept, the default options accept too, to an equal value.
void load_untrusted(std::string_view bytes);

/// Reads `bytes` as a tensor file (.safetensors, or a binary .pj file's tensor index), as
/// open_tensors, view, load_tensor and load_safetensors do. When open_tensors accepts it: every
/// tensor lies inside the file, and each one a view or load_tensor hands out reads the same
/// numbers both ways.
void read_tensor_file(std::string_view bytes);

}  // namespace picklejar_fuzz
