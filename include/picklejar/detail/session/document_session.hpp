// One save's or one load's own state, besides its objects (object_graph.hpp): what the options
// say, the depth count, the nesting of foreign cereal classes, the version table and the numbers
// of registered type names. The archive of a document owns one (archive.session()), so every part
// of a save or a load asks the same place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "picklejar/detail/declare/class_kinds.hpp"
#include "picklejar/detail/session/limits.hpp"
#include "picklejar/detail/session/type_registry.hpp"
#include "picklejar/error.hpp"
#include "picklejar/externals.hpp"
#include "picklejar/options.hpp"

namespace picklejar::detail {

/// What a save and a load both hold.
class session_base {
 public:
  void configure(const externals* table, std::size_t max_depth) {
    externals_ = table;
    max_depth_ = max_depth;
  }
  const externals* external_objects() const noexcept { return externals_; }
  std::size_t max_depth() const noexcept { return max_depth_; }

  /// How many foreign cereal classes are being processed around the current position: inside
  /// one, the objects its pointers meet are written or read at once (graph/pointers.hpp).
  std::size_t& foreign_depth() noexcept { return foreign_depth_; }

 private:
  const externals* externals_ = nullptr;
  std::size_t max_depth_ = 512;
  std::size_t foreign_depth_ = 0;
};

class save_session : public session_base {
 public:
  /// One more level of nesting (a class-type value inside another), counted exactly as a load
  /// counts it (field_path::enter), so that whatever saves under options::max_depth loads under
  /// it, and a by-value recursion 100,000 deep is refused instead of overflowing the stack.
  void enter_level() {
    if (++levels_ > max_depth()) throw error(errc::limit, too_deep(max_depth()));
  }
  void leave_level() noexcept { --levels_; }
  std::size_t levels() const noexcept { return levels_; }

  /// Records that the document holds `version` of the type named `name` (versioned types only).
  void note_version(const std::string& name, std::uint32_t version) { versions_.emplace(&name, version); }
  /// The version table for the file's header: type name -> version, sorted by name.
  std::map<std::string, std::uint32_t> versions() const {
    std::map<std::string, std::uint32_t> table;
    for (const auto& [name, version] : versions_) table.emplace(*name, version);
    return table;
  }

  /// The number under which a registered type name is written: 1, 2, ... in order of first use;
  /// `is_new` the first time (then the name itself follows).
  std::pair<std::uint32_t, bool> type_number(const std::string& name) {
    auto [found, added] = type_numbers_.emplace(name, static_cast<std::uint32_t>(type_numbers_.size() + 1));
    return {found->second, added};
  }

 private:
  std::size_t levels_ = 0;
  std::unordered_map<std::string, std::uint32_t> type_numbers_;
  std::unordered_map<const std::string*, std::uint32_t> versions_;
};

class load_session : public session_base {
 public:
  /// What a load's options and the file's header say (`info` outlives the load).
  void configure_load(const options& opts, const file_info& info) {
    configure(&opts.externals, opts.max_depth);
    refuse_embedded_cereal_ = opts.refuse_embedded_cereal;
    skip_unknown_fields_ = opts.unknown_fields == unknown_fields::skip;
    file_versions_ = &info.type_versions;
    container_version_ = info.container_version;
  }
  /// The version of picklejar's layout the file was written in.
  std::uint16_t container_version() const noexcept { return container_version_; }
  /// The version of the type named `name` that the file holds; 0 when the file records none.
  std::uint32_t file_version(const std::string& name) {
    auto cached = version_cache_.find(&name);
    if (cached != version_cache_.end()) return cached->second;
    std::uint32_t version = 0;
    if (file_versions_ != nullptr) {
      auto found = file_versions_->find(name);
      if (found != file_versions_->end()) version = found->second;
    }
    version_cache_.emplace(&name, version);
    return version;
  }
  /// Whether the file records any type's version (most files record none).
  bool records_versions() const noexcept { return file_versions_ != nullptr && !file_versions_->empty(); }

  /// options.refuse_embedded_cereal: whether data a class's own cereal functions load is refused.
  bool refuses_embedded_cereal() const noexcept { return refuse_embedded_cereal_; }
  /// options::unknown_fields == skip: members the reading type does not know are ignored.
  bool skips_unknown_fields() const noexcept { return skip_unknown_fields_; }

  /// Registered type names in order of first appearance (type number n is names[n - 1]).
  std::vector<std::string>& type_names() noexcept { return type_names_; }

  /// Converts a pointer to a complete `from` object into a pointer to `to` through registered
  /// bases; false when `to` is not a registered base of `from`.
  bool upcast(std::type_index from, std::type_index to, void*& address) {
    if (from == to) return true;
    auto key = std::make_pair(from, to);
    auto found = upcasts_.find(key);
    if (found == upcasts_.end()) {
      std::vector<upcast_function> path;
      bool reachable = type_registry::instance().upcast_path(from, to, path);
      found = upcasts_.emplace(key, std::make_pair(reachable, std::move(path))).first;
    }
    if (!found->second.first) return false;
    address = apply_upcasts(address, found->second.second);
    return true;
  }

 private:
  std::vector<std::string> type_names_;
  const std::map<std::string, std::uint32_t>* file_versions_ = nullptr;
  std::unordered_map<const std::string*, std::uint32_t> version_cache_;
  std::map<std::pair<std::type_index, std::type_index>, std::pair<bool, std::vector<upcast_function>>> upcasts_;
  bool refuse_embedded_cereal_ = false;
  bool skip_unknown_fields_ = false;
  std::uint16_t container_version_ = 0;
};

/// Called by the archives around every class-type value: inside a foreign cereal class, the
/// objects its pointers meet are written or read at once (is_foreign_cereal_class).
template <class T, class Archive>
void class_begins(Archive& archive) {
  if constexpr (is_foreign_cereal_class<T>()) ++archive.session().foreign_depth();
}

template <class T, class Archive>
void class_ends(Archive& archive) {
  if constexpr (is_foreign_cereal_class<T>()) --archive.session().foreign_depth();
}

}  // namespace picklejar::detail
