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

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "picklejar/detail/session/type_registry.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {


/// What the writer and the reader share: the queue of objects whose contents are still to be
/// written or read, in the order they were met. (The limits and the rest of a document's state
/// are its session's: document_session.hpp.)
template <class Item>
class graph_base {
 public:
  /// How a pending item is written or read: graph/pointers.hpp hands it over with every item it
  /// defers, so that draining the queue (from the bridge, before a hook) needs nothing above
  /// this layer. `archive` is the archive that deferred the item, of the type `process` expects.
  using processor = void (*)(void* archive, const Item& item);

  void defer(Item pending, processor process) {
    process_ = process;
    items_.push_back({std::move(pending), false});
  }
  /// The position the next deferred item will have.
  std::size_t mark() const noexcept { return items_.size(); }

  /// Processes every pending item from position `from` on (all pending items by default),
  /// including items deferred meanwhile. A drain inside a drain recurses, but only from inside an
  /// object whose hook must finish its pointees first, and each object it then processes is one
  /// class level deeper: the one depth count (enter_level on save, field_path on load) bounds it.
  void drain(void* archive, std::size_t from = SIZE_MAX) {
    if (first_pending_ == items_.size()) return;
    for (std::size_t i = from == SIZE_MAX ? first_pending_ : from; i < items_.size(); ++i) {
      if (items_[i].done) continue;
      items_[i].done = true;
      Item item = items_[i].item;  // a copy: processing may defer more items
      process_(archive, item);
    }
    while (first_pending_ < items_.size() && items_[first_pending_].done) ++first_pending_;
  }

 private:
  struct slot {
    Item item;
    bool done;
  };
  std::vector<slot> items_;
  std::size_t first_pending_ = 0;
  processor process_ = nullptr;  // set with the first item
};

/// What a pointer writes: a reference, and for a new object what it is.
struct pointer_site {
  std::uint32_t id = 0;    ///< 0: null
  bool is_new = false;     ///< the first reference to this object in the document
  bool external = false;   ///< an object from options.externals: `name` is its name
  std::string name;        ///< external name, or registered type name ("" = the pointer's own type)
};

/// An object whose contents are written later.
struct pending_write {
  std::uint32_t id;
  const void* object;
  write_contents_function write;
};

class graph_writer : public graph_base<pending_write> {
 public:
  using item = pending_write;

  /// The id of the object a shared_ptr points at; `is_new` the first time. `complete` is the
  /// address of the complete object and `type` its dynamic type.
  template <class U>
  std::pair<std::uint32_t, bool> share(const std::shared_ptr<const U>& owner, const void* complete,
                                       const std::type_info& type, std::string (*pointee_name)()) {
    if (owner.use_count() == 0) {
      throw error(errc::type, "cannot save a std::shared_ptr<" + pointee_name() + ">" +
                                  " that owns nothing (made by the aliasing constructor from an "
                                  "empty pointer): loading could not recreate what owns it");
    }
    // Found by address in a hash table; an aliasing-constructor pointer to another address
    // inside an owned object is caught by check_owners() at the end of the document.
    auto [found, added] = shared_.try_emplace(complete, static_cast<std::uint32_t>(records_.size()));
    if (added) {
      records_.push_back(record{take_id(), std::shared_ptr<const void>(owner), std::type_index(type), pointee_name});
      return {records_.back().id, true};
    }
    const record& seen = records_[found->second];
    if (seen.owner.owner_before(owner) || owner.owner_before(seen.owner)) {
      throw error(errc::type, "cannot save a std::shared_ptr<" + pointee_name() + ">" +
                                  " made by the aliasing constructor: it points at an object "
                                  "owned by another shared_ptr in the graph (a " +
                                  runtime_type_name(seen.type) +
                                  "), and loading could not recreate that; save the owner "
                                  "and find the part again in after_load()");
    }
    if (seen.type != std::type_index(type)) {
      throw error(errc::type, "one object is saved through pointers of two unrelated types (" +
                                  runtime_type_name(seen.type) + " and " + runtime_type_name(type) +
                                  "); loading could not give both (a std::shared_ptr made by the "
                                  "aliasing constructor?)");
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

  /// Refuses a document in which two objects at different addresses have the same owner: one of
  /// them was made by the aliasing constructor and points inside the other, and loading could not
  /// recreate that. Checked once at the end (a sort) rather than per pointer (a tree lookup).
  void check_owners() {
    shared_.clear();  // indexes records_, which is sorted now
    std::sort(records_.begin(), records_.end(),
              [](const record& a, const record& b) { return a.owner.owner_before(b.owner); });
    for (std::size_t i = 1; i < records_.size(); ++i) {
      const record* first = &records_[i - 1];
      const record* second = &records_[i];
      if (first->owner.owner_before(second->owner)) continue;
      if (second->id < first->id) std::swap(first, second);  // the one met later is the part
      throw error(errc::type, "cannot save a std::shared_ptr<" + second->pointee_name() + ">" +
                                  " made by the aliasing constructor: it points inside an object "
                                  "owned by another shared_ptr in the graph (a " +
                                  runtime_type_name(first->type) +
                                  "), and loading could not recreate that; save the owner "
                                  "and find the part again in after_load()");
    }
  }

  /// Objects written in place (built by from_state() on load) while their state is written.
  std::vector<std::uint32_t>& in_place() noexcept { return in_place_; }

  /// A fresh id for an object owned by a std::unique_ptr (never shared, so never looked up).
  std::uint32_t take_id() {
    if (next_id_ == UINT32_MAX) throw error(errc::limit, "more than 4 billion objects in one document");
    return next_id_++;
  }



 private:
  struct record {
    std::uint32_t id;
    std::shared_ptr<const void> owner;
    std::type_index type;
    std::string (*pointee_name)();
  };
  std::vector<record> records_;  ///< one per object met through a shared_ptr
  std::unordered_map<const void*, std::uint32_t> shared_;  ///< complete object's address -> record
  std::vector<std::uint32_t> in_place_;
  std::uint32_t next_id_ = 1;
};

/// An object whose contents are read later.
struct pending_read {
  std::uint32_t id;
  void* object;
  read_contents_function read;
};

class graph_reader : public graph_base<pending_read> {
 public:
  using item = pending_read;
  struct object {
    std::shared_ptr<void> owner;  ///< null for an object owned by a std::unique_ptr
    void* complete = nullptr;     ///< the complete object
    std::type_index type;         ///< its dynamic type
    bool unique = false;          ///< owned by a std::unique_ptr: can never be referenced again
    bool ready = true;            ///< false while an object built by from_state() is being read
  };

  /// options.refuse_ownership_cycles (the other options of a load are its session's).
  void refuse_cycles(bool refuse) noexcept { refuse_cycles_ = refuse; }

  std::uint32_t next_id() const noexcept { return static_cast<std::uint32_t>(objects_.size() + 1); }
  std::uint32_t add(object added) {
    objects_.push_back(std::move(added));
    return static_cast<std::uint32_t>(objects_.size());
  }
  object& at(std::uint32_t id) { return objects_[id - 1]; }

  /// How many deferred objects have been read (their position in a text document's list).
  std::size_t& items_read() noexcept { return items_read_; }

  // ---- ownership cycles (options::refuse_ownership_cycles) ----
  //
  // Each object owns what its shared_ptr and unique_ptr members point at (weak_ptrs own nothing).
  // A pointer to a new object adds an edge from the object being read (its "owner", 0 for the
  // root) to it; a pointer back to an earlier object closes a cycle exactly when that object
  // already reaches the owner. That is checked before the pointer is set, so a refused file
  // leaves no cycle behind (nothing leaks). The searches are bounded in total: a graph that
  // would take more than 256 steps per object and edge (and 4 million) to check is refused too
  // (errc::limit), so a crafted graph cannot make the check quadratic.

  bool refuses_cycles() const noexcept { return refuse_cycles_; }
  /// The object whose members are being read (0: the root); returns the previous one.
  std::uint32_t set_owner(std::uint32_t id) noexcept {
    if (id != owner_) ++stamp_;  // what the searches learnt holds for one owner only
    return std::exchange(owner_, id);
  }
  std::uint32_t owner() const noexcept { return owner_; }
  /// Records that the current owner owns object `id`; false when that closes an ownership cycle.
  /// `charge` is called with a byte count before anything is allocated.
  template <class Charge>
  bool add_ownership(std::uint32_t id, bool is_new, Charge&& charge) {
    if (!refuse_cycles_) return true;
    if (owned_.size() <= id) {
      const std::size_t size = std::max<std::size_t>(id + 1, 2 * owned_.size());
      charge((size - owned_.size()) * (sizeof(std::vector<std::uint32_t>) + sizeof(std::size_t)));
      owned_.resize(size);
      visited_.resize(size, 0);
    }
    if (!is_new && reaches(id, owner_)) return false;
    charge(2 * sizeof(std::uint32_t));
    owned_[owner_].push_back(id);
    ++edges_;
    return true;
  }

  /// Whether `to` (the owner) is reachable from `from` through ownership (an iterative search).
  /// While one owner's members are read, the only edges added leave the owner, so an object
  /// that could not reach it still cannot: the objects a search visited are skipped by the next
  /// searches for the same owner (marked with the owner's stamp).
  bool reaches(std::uint32_t from, std::uint32_t to) {
    if (from == to) return true;
    if (visited_[from] == stamp_) return false;
    stack_.clear();
    stack_.push_back(from);
    visited_[from] = stamp_;
    while (!stack_.empty()) {
      const std::uint32_t at = stack_.back();
      stack_.pop_back();
      for (std::uint32_t next : owned_[at]) {
        if (++search_steps_ > 256 * (edges_ + owned_.size()) + (std::size_t{1} << 22)) {
          throw error(errc::limit, "the file's objects share each other in a graph too tangled to check "
                                   "for ownership cycles within the limits of options::untrusted()");
        }
        if (next == to) return true;
        if (visited_[next] == stamp_) continue;
        visited_[next] = stamp_;
        stack_.push_back(next);
      }
    }
    return false;
  }

  /// Hands over the table's references to the objects created so far, in id order (see
  /// objects_kept_alive in save_load.hpp).
  void hand_over_owners(std::vector<std::shared_ptr<void>>& out) {
    out.reserve(out.size() + objects_.size());
    for (object& entry : objects_) {
      if (entry.owner) out.push_back(std::move(entry.owner));
    }
  }

 private:
  std::vector<object> objects_;
  std::size_t items_read_ = 0;
  bool refuse_cycles_ = false;
  std::uint32_t owner_ = 0;
  std::vector<std::vector<std::uint32_t>> owned_;  ///< per object id (0: the root), what it owns
  std::vector<std::size_t> visited_;               ///< search stamps, per object id
  std::vector<std::uint32_t> stack_;
  std::size_t stamp_ = 1;
  std::size_t edges_ = 0;
  std::size_t search_steps_ = 0;
};

}  // namespace picklejar::detail
