// The object table behind std::shared_ptr, std::weak_ptr and std::unique_ptr in picklejar
// archives, one per document (like pickle's memo).
//
// A pointer writes only a reference: 0 for null, or the id of its object. Ids are given in order
// (1, 2, 3, ...), so a reader knows that the next new id must be exactly one more than the last:
// a file cannot claim ids out of order, and a second pointer to an object is a back-reference.
// The object's contents are written later, from a queue, not inside the pointer: a chain of
// 100,000 nodes is 100,000 queue entries, not 100,000 nested calls, so no depth of pointers can
// overflow the stack. Writer and reader process the queue in the same order, so the contents
// appear in the file in the order the reader asks for them.
//
// Some objects must see their pointees loaded before they finish: a type with after_load(), state
// hooks (the state may be a temporary that owns them) or a guard (the snapshot must include
// them). They drain the queue before finishing; writer and reader do so at the same points.
// Inside a foreign cereal type (which may save or load through temporaries), pointees are
// written and read at once instead of deferred.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "picklejar/detail/type_registry.hpp"
#include "picklejar/error.hpp"
#include "picklejar/externals.hpp"

namespace picklejar::detail {

/// Called by the archives around every class-type value; a foreign cereal type drains the
/// objects its pointers met before it finishes (defined with the pointer support).
template <class T, class Archive>
void class_begins(Archive& archive);
template <class T, class Archive>
void class_ends(Archive& archive);

/// Objects whose contents are still to be written or read, in the order they were met.
template <class Item>
class deferred_queue {
 public:
  std::size_t mark() const noexcept { return items_.size(); }
  void push(Item item) { items_.push_back({std::move(item), false}); }

  /// Processes every pending item from position `from` on, including items pushed meanwhile.
  template <class Process>
  void drain(std::size_t from, Process&& process) {
    for (std::size_t i = from; i < items_.size(); ++i) {
      if (items_[i].done) continue;
      items_[i].done = true;
      Item item = items_[i].item;  // a copy: processing may push more items
      process(item);
    }
    while (first_pending_ < items_.size() && items_[first_pending_].done) ++first_pending_;
  }
  /// Processes everything still pending.
  template <class Process>
  void drain_all(Process&& process) {
    drain(first_pending_, process);
  }
  bool empty() const noexcept { return first_pending_ == items_.size(); }

 private:
  struct slot {
    Item item;
    bool done;
  };
  std::vector<slot> items_;
  std::size_t first_pending_ = 0;
};

/// Counts nested drains, which recurse: each is an object that had to finish its pointees first.
class drain_depth_guard {
 public:
  drain_depth_guard(std::size_t& depth, std::size_t limit) : depth_(depth) {
    if (++depth_ > limit) {
      --depth_;
      throw error(errc::limit, "objects with after_load(), state hooks or a guard nest through pointers "
                               "deeper than the limit of " + std::to_string(limit) +
                               " levels (options.max_depth)");
    }
  }
  ~drain_depth_guard() { --depth_; }
  drain_depth_guard(const drain_depth_guard&) = delete;
  drain_depth_guard& operator=(const drain_depth_guard&) = delete;

 private:
  std::size_t& depth_;
};

/// What a pointer writes: a reference, and for a new object what it is.
struct pointer_site {
  std::uint32_t id = 0;    ///< 0: null
  bool is_new = false;     ///< the first reference to this object in the document
  bool external = false;   ///< an object from options.externals: `name` is its name
  std::string name;        ///< external name, or registered type name ("" = the pointer's own type)
};

class graph_writer {
 public:
  struct item {
    std::uint32_t id;
    const void* object;
    write_contents_function write;
  };

  void configure(const externals* table, std::size_t max_depth) {
    externals_ = table;
    max_depth_ = max_depth;
  }
  const externals* external_objects() const noexcept { return externals_; }

  /// The id of the object a shared_ptr points at; `is_new` the first time. `complete` is the
  /// address of the complete object and `type` its dynamic type.
  std::pair<std::uint32_t, bool> share(std::shared_ptr<const void> owner, const void* complete,
                                       const std::type_info& type, std::string (*pointee_name)()) {
    if (owner.use_count() == 0) {
      throw error(errc::type, "cannot save a std::shared_ptr<" + pointee_name() + ">" +
                                  " that owns nothing (made by the aliasing constructor from an "
                                  "empty pointer): loading could not recreate what owns it");
    }
    auto found = shared_.find(owner);
    if (found == shared_.end()) {
      const std::uint32_t id = take_id();
      shared_.emplace(std::move(owner), record{id, complete, std::type_index(type)});
      return {id, true};
    }
    const record& seen = found->second;
    if (seen.complete != complete) {
      throw error(errc::type, "cannot save a std::shared_ptr<" + pointee_name() + ">" +
                                  " made by the aliasing constructor: it points inside an object "
                                  "owned by another shared_ptr in the graph (a " +
                                  runtime_type_name(seen.type) +
                                  "), and loading could not recreate that; save the owner "
                                  "and find the part again in after_load()");
    }
    if (seen.type != std::type_index(type)) {
      throw error(errc::type, "one object is saved through pointers of two unrelated types (" +
                                  runtime_type_name(seen.type) + " and " + runtime_type_name(type) +
                                  "); loading could not give both");
    }
    for (std::uint32_t building : in_place_) {
      if (building == seen.id) {
        throw error(errc::type, "a " + runtime_type_name(type) + " built by from_state() points back at itself "
                                "through its own state; loading could not build it (a cycle must pass "
                                "through a type with a default constructor)");
      }
    }
    return {seen.id, false};
  }

  /// Objects written in place (built by from_state() on load) while their state is written.
  std::vector<std::uint32_t>& in_place() noexcept { return in_place_; }

  /// Records that the document holds `version` of the type named `name` (versioned types only).
  void note_version(const std::string& name, std::uint32_t version) { versions_.emplace(&name, version); }
  /// The version table for the file's header: type name -> version, sorted by name.
  std::map<std::string, std::uint32_t> versions() const {
    std::map<std::string, std::uint32_t> table;
    for (const auto& [name, version] : versions_) table.emplace(*name, version);
    return table;
  }

  /// A fresh id for an object owned by a std::unique_ptr (never shared, so never looked up).
  std::uint32_t take_id() {
    if (next_id_ == UINT32_MAX) throw error(errc::limit, "more than 4 billion objects in one document");
    return next_id_++;
  }

  /// The number under which a registered type name is written: 1, 2, ... in order of first use;
  /// `is_new` the first time (then the name itself follows).
  std::pair<std::uint32_t, bool> type_number(const std::string& name) {
    auto [found, added] = type_numbers_.emplace(name, static_cast<std::uint32_t>(type_numbers_.size() + 1));
    return {found->second, added};
  }

  void defer(item pending) { queue_.push(pending); }
  std::size_t mark() const noexcept { return queue_.mark(); }
  /// How many foreign cereal classes are being written around the current position.
  std::size_t& foreign_depth() noexcept { return foreign_depth_; }

  /// Writes the contents of pending objects (all, or those queued since `mark`).
  template <class Archive, class WriteItem>
  void drain(Archive& archive, WriteItem&& write_item, std::size_t from = SIZE_MAX) {
    if (queue_.empty()) return;
    drain_depth_guard depth(depth_, max_depth_);
    auto process = [&](const item& pending) { write_item(archive, pending); };
    if (from == SIZE_MAX) queue_.drain_all(process);
    else queue_.drain(from, process);
  }

 private:
  struct record {
    std::uint32_t id;
    const void* complete;
    std::type_index type;
  };
  // Keyed by owner (control block), so that an aliasing pointer into an owned object is noticed.
  std::map<std::shared_ptr<const void>, record, std::owner_less<>> shared_;
  std::unordered_map<std::string, std::uint32_t> type_numbers_;
  std::unordered_map<const std::string*, std::uint32_t> versions_;
  std::vector<std::uint32_t> in_place_;
  deferred_queue<item> queue_;
  std::size_t foreign_depth_ = 0;
  std::uint32_t next_id_ = 1;
  const externals* externals_ = nullptr;
  std::size_t max_depth_ = 512;
  std::size_t depth_ = 0;
};

class graph_reader {
 public:
  struct object {
    std::shared_ptr<void> owner;  ///< null for an object owned by a std::unique_ptr
    void* complete = nullptr;     ///< the complete object
    std::type_index type;         ///< its dynamic type
    bool unique = false;          ///< owned by a std::unique_ptr: can never be referenced again
    bool ready = true;            ///< false while an object built by from_state() is being read
  };
  struct item {
    std::uint32_t id;
    void* object;
    read_contents_function read;
  };

  void configure(const externals* table, std::size_t max_depth) {
    externals_ = table;
    max_depth_ = max_depth;
  }
  const externals* external_objects() const noexcept { return externals_; }

  /// The version table from the file's header.
  void set_versions(const std::map<std::string, std::uint32_t>& table) { file_versions_ = &table; }
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

  std::uint32_t next_id() const noexcept { return static_cast<std::uint32_t>(objects_.size() + 1); }
  std::uint32_t add(object added) {
    objects_.push_back(std::move(added));
    return static_cast<std::uint32_t>(objects_.size());
  }
  object& at(std::uint32_t id) { return objects_[id - 1]; }

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

  void defer(item pending) { queue_.push(pending); }
  std::size_t mark() const noexcept { return queue_.mark(); }
  std::size_t& foreign_depth() noexcept { return foreign_depth_; }
  template <class Archive, class ReadItem>
  void drain(Archive& archive, ReadItem&& read_item, std::size_t from = SIZE_MAX) {
    if (queue_.empty()) return;
    drain_depth_guard depth(depth_, max_depth_);
    auto process = [&](const item& pending) { read_item(archive, pending); };
    if (from == SIZE_MAX) queue_.drain_all(process);
    else queue_.drain(from, process);
  }
  /// How many deferred objects have been read (their position in a text document's list).
  std::size_t& items_read() noexcept { return items_read_; }

 private:
  std::vector<object> objects_;
  std::vector<std::string> type_names_;
  const std::map<std::string, std::uint32_t>* file_versions_ = nullptr;
  std::unordered_map<const std::string*, std::uint32_t> version_cache_;
  std::map<std::pair<std::type_index, std::type_index>, std::pair<bool, std::vector<upcast_function>>> upcasts_;
  deferred_queue<item> queue_;
  std::size_t foreign_depth_ = 0;
  const externals* externals_ = nullptr;
  std::size_t max_depth_ = 512;
  std::size_t depth_ = 0;
  std::size_t items_read_ = 0;
};

}  // namespace picklejar::detail
