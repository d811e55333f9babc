// The process-wide table of polymorphic types filled by PICKLEJAR_REGISTER: which name each
// subtype is saved under, how to create one, how to save and load its contents, and how to
// convert a pointer to it into a pointer to each registered base. Only types in this table are
// ever created from a name read from a file.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <typeindex>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

#include "picklejar/detail/declare/type_name.hpp"

namespace picklejar::detail {

/// A readable name for a type known only at run time ("ml::Dense"), for messages.
inline std::string runtime_type_name(std::type_index type) {
  return normalize_type_name(demangle(type.name()));
}

/// Converts a pointer to a complete object of one type into a pointer to one of its bases.
using upcast_function = void* (*)(void*);

/// Saving and loading a registered type's contents, per archive family (binary, text).
using write_contents_function = void (*)(void* archive, const void* object);
using read_contents_function = void (*)(void* archive, void* object);
/// One entry per archive family (detail/archives/families.hpp).
constexpr std::size_t registered_type_families = 2;

struct registered_type {
  std::string name;  ///< the stable name written to files
  std::type_index type;
  std::string type_name;  ///< for messages
  /// Null for abstract types: they are registered only to link their own subtypes to a base.
  std::shared_ptr<void> (*make_shared)(void*& address) = nullptr;
  void* (*make_owned)() = nullptr;  ///< `new` for a std::unique_ptr
  void (*destroy)(void*) = nullptr;  ///< `delete` of what make_owned() made
  write_contents_function write[registered_type_families] = {};
  read_contents_function read[registered_type_families] = {};
  /// The registered base's own fields, saved with the object as "base"; null when the base has none.
  write_contents_function write_base[registered_type_families] = {};
  read_contents_function read_base[registered_type_families] = {};
};

class type_registry {
 public:
  static type_registry& instance() {
    static type_registry registry;
    return registry;
  }

  /// Records `entry` as a subtype of `base`. Registering the same pair again (the macro in a
  /// header seen by many translation units) changes nothing; two types under one name, or one
  /// type under two names, are remembered and reported when the name or type is used.
  void add(registered_type entry, std::type_index base, upcast_function upcast) {
    const bool has_base_part = entry.write_base[0] != nullptr;
    std::unique_lock lock(mutex_);
    auto found = by_type_.find(entry.type);
    registered_type* stored = nullptr;
    if (found == by_type_.end()) {
      stored = &entries_.emplace_back(std::move(entry));
      by_type_.emplace(stored->type, stored);
      auto [named, added] = by_name_.emplace(stored->name, stored);
      if (!added && named->second != stored) {
        conflicts_.emplace(stored->name, "the name '" + stored->name + "' is registered for two types, " +
                                             named->second->type_name + " and " + stored->type_name);
      }
    } else {
      stored = found->second;
      if (stored->name != entry.name) {
        conflicts_.emplace(stored->name, stored->type_name + " is registered under two names, '" +
                                             stored->name + "' and '" + entry.name + "'");
      }
    }
    auto& links = bases_[stored->type];
    for (const auto& link : links) {
      if (link.first == base) return;
    }
    links.emplace_back(base, upcast);
    if (has_base_part && stored->write_base[0] != nullptr && stored->write_base[0] != entry.write_base[0]) {
      conflicts_.emplace(stored->name, stored->type_name + " is registered under two bases that both "
                                                           "have fields; only one base's fields can be saved");
    } else if (has_base_part) {
      for (std::size_t family = 0; family < registered_type_families; ++family) {
        stored->write_base[family] = entry.write_base[family];
        stored->read_base[family] = entry.read_base[family];
      }
    }
  }

  /// The entry for a dynamic type, or null when it was never registered.
  const registered_type* find(std::type_index type) const {
    std::shared_lock lock(mutex_);
    auto found = by_type_.find(type);
    return found == by_type_.end() ? nullptr : found->second;
  }

  const registered_type* find(std::string_view name) const {
    std::shared_lock lock(mutex_);
    auto found = by_name_.find(std::string(name));
    return found == by_name_.end() ? nullptr : found->second;
  }

  /// Why `name` cannot be used (registered twice inconsistently), or empty when it can.
  std::string conflict(const std::string& name) const {
    std::shared_lock lock(mutex_);
    auto found = conflicts_.find(name);
    return found == conflicts_.end() ? std::string() : found->second;
  }

  /// The base part of a registered type in one of cereal's own archives (bound by
  /// PICKLEJAR_REGISTER for every cereal archive the registering file includes, registration.hpp).
  void add_cereal_base_part(std::type_index archive, std::type_index type, write_contents_function write,
                            read_contents_function read) {
    std::unique_lock lock(mutex_);
    cereal_base_parts_.emplace(std::make_pair(archive, type), std::make_pair(write, read));
  }

  /// The writer (or reader) of `type`'s base part for `archive`, or null when none was bound.
  std::pair<write_contents_function, read_contents_function> cereal_base_part(std::type_index archive,
                                                                             std::type_index type) const {
    std::shared_lock lock(mutex_);
    auto found = cereal_base_parts_.find(std::make_pair(archive, type));
    if (found == cereal_base_parts_.end()) return {nullptr, nullptr};
    return found->second;
  }

  /// The casts that turn a pointer to a `from` object into a pointer to its base `to`, following
  /// registered links (Conv2D -> Conv -> Layer); false when `to` is not reachable.
  bool upcast_path(std::type_index from, std::type_index to, std::vector<upcast_function>& path) const {
    path.clear();
    if (from == to) return true;
    std::shared_lock lock(mutex_);
    // Breadth-first over the links; hierarchies are small.
    struct step {
      std::type_index type;
      std::size_t previous;
      upcast_function cast;
    };
    std::vector<step> steps{{from, 0, nullptr}};
    for (std::size_t i = 0; i < steps.size(); ++i) {
      auto links = bases_.find(steps[i].type);
      if (links == bases_.end()) continue;
      for (const auto& [base, cast] : links->second) {
        bool seen = false;
        for (const auto& s : steps) seen = seen || s.type == base;
        if (seen) continue;
        steps.push_back({base, i, cast});
        if (base == to) {
          for (std::size_t at = steps.size() - 1; at != 0; at = steps[at].previous)
            path.insert(path.begin(), steps[at].cast);
          return true;
        }
      }
    }
    return false;
  }

 private:
  type_registry() = default;

  mutable std::shared_mutex mutex_;
  std::deque<registered_type> entries_;  // a deque: entries never move once added
  std::unordered_map<std::type_index, registered_type*> by_type_;
  std::unordered_map<std::string, registered_type*> by_name_;
  std::unordered_map<std::type_index, std::vector<std::pair<std::type_index, upcast_function>>> bases_;
  std::unordered_map<std::string, std::string> conflicts_;
  std::map<std::pair<std::type_index, std::type_index>, std::pair<write_contents_function, read_contents_function>>
      cereal_base_parts_;
};

/// Applies the casts of an upcast path in order.
inline void* apply_upcasts(void* object, const std::vector<upcast_function>& path) {
  for (upcast_function cast : path) object = cast(object);
  return object;
}

}  // namespace picklejar::detail
