/// \file
/// picklejar::externals: objects that belong to the application, not to the saved object (what
/// Python's pickle calls persistent_id / persistent_load). Included by picklejar/picklejar.hpp
/// (it is picklejar::options::externals).
///
/// A model may point at a shared tokenizer, a dataset or a logger; saving writes such a pointer
/// as the name it was given, and loading points it at whatever live object the loading program
/// gives under that name.
///
/// ```cpp
/// picklejar::options save_opts;
/// save_opts.externals.add("tokenizer", app.tokenizer);       // a std::shared_ptr
/// picklejar::save(model, "model.pj", save_opts);              // the tokenizer is not in the file
///
/// picklejar::options load_opts;
/// load_opts.externals.add("tokenizer", other_app.tokenizer);
/// auto restored = picklejar::load<Model>("model.pj", load_opts);  // points at other_app's
/// ```
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace picklejar {

/// A table of named application objects, given in options::externals to save and to load.
/// Saving writes every std::shared_ptr or std::weak_ptr that points at one of them (same owner,
/// same complete object) as its name; std::unique_ptr members are never external. Loading
/// points such a pointer at the object added under that name: a name the file refers to that the
/// table lacks is an errc::type error naming it.
class externals {
 public:
  /// Adds `object` under `name`; returns `*this`, so calls chain:
  /// `opts.externals.add("tokenizer", tok).add("train-set", data);`.
  /// \throws std::invalid_argument (not picklejar::error) if `object` is null or `name` is
  ///         already in the table.
  template <class T>
  externals& add(std::string name, std::shared_ptr<T> object) {
    if (!object) throw std::invalid_argument("picklejar::externals::add: '" + name + "' is null");
    if (find(name) != nullptr)
      throw std::invalid_argument("picklejar::externals::add: '" + name + "' is already there");
    using object_type = std::remove_cv_t<T>;
    entry added;
    added.name = std::move(name);
    added.declared_type = &typeid(object_type);
    added.declared_address = const_cast<object_type*>(object.get());
    if constexpr (std::is_polymorphic_v<object_type>) {
      added.dynamic_type = &typeid(*object);
      added.dynamic_address = const_cast<void*>(dynamic_cast<const void*>(object.get()));
    } else {
      added.dynamic_type = added.declared_type;
      added.dynamic_address = added.declared_address;
    }
    added.owner = std::const_pointer_cast<object_type>(std::move(object));
    entries_.push_back(std::move(added));
    return *this;
  }

  /// Whether nothing was added.
  bool empty() const noexcept { return entries_.empty(); }
  /// How many objects were added.
  std::size_t size() const noexcept { return entries_.size(); }

  /// What the library needs to write or resolve one external (used by picklejar itself).
  struct entry {
    std::string name;             ///< the name given to add()
    std::shared_ptr<void> owner;  ///< keeps the object alive; shares ownership with add()'s pointer
    const std::type_info* declared_type = nullptr;  ///< the T of the shared_ptr<T> given to add()
    void* declared_address = nullptr;               ///< the object, as a T*
    const std::type_info* dynamic_type = nullptr;   ///< the complete object's type
    void* dynamic_address = nullptr;                ///< the complete object's address
  };

  /// The external added under `name`; null if there is none.
  const entry* find(std::string_view name) const noexcept {
    for (const auto& candidate : entries_) {
      if (candidate.name == name) return &candidate;
    }
    return nullptr;
  }

  /// The external that `pointer` points at (same owner and same complete object), if any.
  const entry* find(const std::shared_ptr<const void>& pointer, const void* complete_object) const noexcept {
    for (const auto& candidate : entries_) {
      bool same_owner = !candidate.owner.owner_before(pointer) && !pointer.owner_before(candidate.owner);
      if (same_owner && candidate.dynamic_address == complete_object) return &candidate;
    }
    return nullptr;
  }

 private:
  std::vector<entry> entries_;
};

}  // namespace picklejar
