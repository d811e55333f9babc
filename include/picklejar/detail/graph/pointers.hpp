// std::shared_ptr, std::weak_ptr and std::unique_ptr in picklejar's archives, through the object
// table of object_graph.hpp. cereal's own pointer support stays in use for plain cereal archives;
// these overloads name picklejar's archive types, so they are the more specialized and win.
//
// What a pointer writes (its "site"):
//   binary: u32 id (0 = null). For a new object: u8 origin (0 = saved here, 1 = external), then
//           the external's name, or for a polymorphic pointer a u32 type number (0 = the
//           pointer's own type; n = the n-th registered name, written out the first time).
//   text:   {"id": 3} plus, for a new object, "external": "name" or "type": "Dense".
// The contents of new objects follow later, in the order the queue writes them (binary), or in
// the document's "objects" list as {"id": 3, "value": {...}} (text).
#pragma once

#include <cereal/cereal.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <typeinfo>
#include <utility>

#include "picklejar/detail/archives/families.hpp"
#include "picklejar/detail/object_io/cereal_bridge.hpp"
#include "picklejar/detail/object_io/embedded_cereal.hpp"
#include "picklejar/detail/declare/library_types.hpp"
#include "picklejar/detail/session/object_graph.hpp"
#include "picklejar/detail/declare/type_name.hpp"
#include "picklejar/detail/session/type_registry.hpp"

namespace picklejar::detail {

// ---- deferring: a pointee's contents wait in the object table's queue ----

/// Defers a pointee's contents, with how they are processed (the queue is drained by
/// finish_pending_objects, in the bridge), or handles them at once inside a foreign cereal class.
template <class Archive, class Item>
void defer_contents(Archive& archive, const Item& pending) {
  auto& graph = archive.graph();
  const std::size_t position = graph.mark();
  // write_item and read_item, defined below for each archive, are found by argument lookup.
  if constexpr (std::is_same_v<Item, graph_writer::item>) {
    graph.defer(pending, [](void* a, const pending_write& p) { write_item(*static_cast<Archive*>(a), p); });
  } else {
    graph.defer(pending, [](void* a, const pending_read& p) { read_item(*static_cast<Archive*>(a), p); });
  }
  if (archive.session().foreign_depth() == 0) return;
  graph.drain(&archive, position);
}

// ---- writing and reading sites ----

inline void write_short_string(binary_output_archive& archive, const std::string& text) {
  archive.write_value(static_cast<std::uint32_t>(text.size()));
  archive.write_bytes(text.data(), text.size());
}

inline std::string read_short_string(binary_input_archive& archive, const char* what) {
  std::uint32_t size = 0;
  archive.read_value(size);
  archive.require(size, what);
  std::string text(size, '\0');
  archive.read_bytes(text.data(), size);
  return text;
}

inline void write_site(binary_output_archive& archive, const pointer_site& site, bool polymorphic) {
  archive.write_value(site.id);
  if (!site.is_new) return;
  archive.write_value(static_cast<std::uint8_t>(site.external ? 1 : 0));
  if (site.external) {
    write_short_string(archive, site.name);
  } else if (polymorphic) {
    if (site.name.empty()) return archive.write_value(std::uint32_t{0});
    auto [number, first_use] = archive.session().type_number(site.name);
    archive.write_value(number);
    if (first_use) write_short_string(archive, site.name);
  }
}

inline void write_site(text_output_archive& archive, const pointer_site& site, bool) {
  archive.name_next("id");
  archive.write_number(site.id);
  if (!site.is_new) return;
  if (site.external) {
    archive.name_next("external");
    archive.write_leaf(node_kind::string, site.name);
  } else if (!site.name.empty()) {
    archive.name_next("type");
    archive.write_leaf(node_kind::string, site.name);
  }
}

/// Reads an id and checks it: 0, a known object, or exactly the next new one.
inline void classify_id(graph_reader& graph, field_path& path, pointer_site& site) {
  if (site.id == 0) return;
  if (site.id > graph.next_id()) {
    path.fail(errc::format, "the pointer refers to object #" + std::to_string(site.id) +
                                " but only " + std::to_string(graph.next_id() - 1) +
                                " objects came before it (a corrupted or crafted file)");
  }
  site.is_new = site.id == graph.next_id();
}

inline pointer_site read_site(binary_input_archive& archive, bool polymorphic) {
  pointer_site site;
  archive.read_value(site.id);
  classify_id(archive.graph(), archive.path(), site);
  if (!site.is_new) return site;
  std::uint8_t origin = 0;
  archive.read_value(origin);
  if (origin > 1) archive.path().fail(errc::format, "unknown pointer origin " + std::to_string(origin));
  site.external = origin == 1;
  if (site.external) {
    site.name = read_short_string(archive, "an external object's name");
  } else if (polymorphic) {
    std::uint32_t number = 0;
    archive.read_value(number);
    auto& names = archive.session().type_names();
    if (number == names.size() + 1) {
      names.push_back(read_short_string(archive, "a type name"));
    } else if (number > names.size()) {
      archive.path().fail(errc::format, "type number " + std::to_string(number) + " was never defined");
    }
    if (number != 0) site.name = names[number - 1];
  }
  return site;
}

inline pointer_site read_site(text_input_archive& archive, bool polymorphic) {
  pointer_site site;
  archive.name_next("id");
  archive.read_number(site.id);
  archive.path().clear_pending();
  classify_id(archive.graph(), archive.path(), site);
  if (!site.is_new) return site;
  if (archive.has_member("external")) {
    site.external = true;
    archive.name_next("external");
    archive.read_string(site.name);
  } else if (polymorphic && archive.has_member("type")) {
    archive.name_next("type");
    archive.read_string(site.name);
  }
  archive.path().clear_pending();
  return site;
}

// ---- contents ----

template <class Archive, class U>
void write_contents(void* archive, const void* object) {
  (*static_cast<Archive*>(archive))(*static_cast<const U*>(object));
}

template <class Archive, class U>
void read_contents(void* archive, void* object) {
  (*static_cast<Archive*>(archive))(*static_cast<U*>(object));
}

inline void write_item(binary_output_archive& archive, const graph_writer::item& pending) {
  tensor_recorder* names = archive.tensors();
  if (names != nullptr) names->begin_object(pending.id);
  pending.write(&archive, pending.object);
  if (names != nullptr) names->end_object();
}

inline void write_item(text_output_archive& archive, const graph_writer::item& pending) {
  archive.open_object();
  archive.name_next("id");
  archive.write_number(pending.id);
  archive.name_next("value");
  pending.write(&archive, pending.object);
  archive.close_object();
}

inline void read_item(binary_input_archive& archive, const graph_reader::item& pending) {
  field_path& path = archive.path();
  auto outer = path.enter_object(pending.id - 1);
  const std::uint32_t outer_owner = archive.graph().set_owner(pending.id);
  pending.read(&archive, pending.object);
  archive.graph().set_owner(outer_owner);
  path.leave_object(outer);
}

inline void read_item(text_input_archive& archive, const graph_reader::item& pending) {
  field_path& path = archive.path();
  archive.open_object(archive.graph().items_read()++);
  std::uint32_t id = 0;
  archive.name_next("id");
  archive.read_number(id);
  if (id != pending.id) {
    path.fail(errc::format, "the objects list holds object #" + std::to_string(id) + " where object #" +
                                std::to_string(pending.id) + " belongs");
  }
  auto outer = path.enter_object(pending.id - 1);
  archive.name_next("value");
  path.clear_pending();
  const std::uint32_t outer_owner = archive.graph().set_owner(pending.id);
  pending.read(&archive, pending.object);
  archive.graph().set_owner(outer_owner);
  path.leave_object(outer);
  archive.close_object();
}

/// The state of a type built by from_state(), read as one object.
template <class U>
struct state_holder {
  using picklejar_library_type = void;  // read only, so it must not change the layout
  state_type_t<U> state{};
  template <class Archive>
  void serialize(Archive& archive) {
    process_state(archive, state);
    finish_pending_objects(archive);  // from_state() may read the pointees it was given
  }
};

// ---- saving ----

template <class U>
const void* complete_object(const U* object) {
  if constexpr (std::is_polymorphic_v<U>) return dynamic_cast<const void*>(object);
  else return object;
}

template <class U>
const std::type_info& dynamic_type(const U* object) {
  if constexpr (std::is_polymorphic_v<U>) return typeid(*object);
  else return typeid(U);
}

/// How the contents of `object` are written, and under which type name.
template <class Archive, class U>
write_contents_function contents_writer(const U* object, std::string& name) {
  const std::type_info& type = dynamic_type(object);
  if (type == typeid(U)) {
    if constexpr (created_only_as_subtype<U>) {
      throw error(errc::type, "cannot save a " + type_name<U>() + " itself through a pointer: loading could "
                              "not create one (it has no public default constructor); only its "
                              "registered subtypes can be saved this way");
    }
    return &write_contents<Archive, U>;
  }
  const std::string actual = runtime_type_name(type);
  const registered_type* entry = type_registry::instance().find(std::type_index(type));
  if (entry == nullptr) {
    throw error(errc::type, "cannot save a " + actual + " through a pointer to " + type_name<U>() + ": " +
                                actual + " is not registered; add " + registration_advice(actual, type_name<U>()) +
                                " at namespace scope");
  }
  if (std::string conflict = type_registry::instance().conflict(entry->name); !conflict.empty())
    throw error(errc::type, "cannot save a " + actual + ": " + conflict);
  std::vector<upcast_function> path;
  if (!type_registry::instance().upcast_path(std::type_index(type), std::type_index(typeid(U)), path)) {
    throw error(errc::type, "cannot save a " + actual + " through a pointer to " + type_name<U>() + ": " +
                                actual + " is registered, but not as a subtype of " + type_name<U>() +
                                "; add " + registration_advice(actual, type_name<U>()));
  }
  name = entry->name;
  return entry->write[family_of<Archive>];
}

/// Writes the site of a new object; its contents follow in place (a type from_state() builds) or
/// are deferred.
template <class Archive, class U>
void write_new_object(Archive& archive, pointer_site& site, const U* object) {
  graph_writer& graph = archive.graph();
  if constexpr (std::is_same_v<Archive, binary_output_archive>) {
    if (tensor_recorder* names = archive.tensors()) {
      if constexpr (built_in_place<U>) names->next_is_transparent();
      else names->note_object(site.id);
    }
  }
  if constexpr (built_in_place<U>) {
    write_site(archive, site, std::is_polymorphic_v<U>);
    graph.in_place().push_back(site.id);  // a pointer back to it now could not be loaded
    if constexpr (std::is_same_v<Archive, text_output_archive>) archive.name_next("value");
    write_contents<Archive, U>(&archive, object);
    graph.in_place().pop_back();
  } else {
    write_contents_function write = contents_writer<Archive, U>(object, site.name);
    write_site(archive, site, std::is_polymorphic_v<U>);
    defer_contents(archive, graph_writer::item{site.id, complete_object(object), write});
  }
}

template <class Archive, class U>
void save_shared_pointer(Archive& archive, const std::shared_ptr<const U>& pointer) {
  graph_writer& graph = archive.graph();
  pointer_site site;
  if (!pointer) return write_site(archive, site, std::is_polymorphic_v<U>);
  const U* object = pointer.get();
  const void* complete = complete_object(object);
  const std::type_info& type = dynamic_type(object);
  const externals::entry* external =
      archive.session().external_objects() != nullptr ? archive.session().external_objects()->find(pointer, complete) : nullptr;
  std::tie(site.id, site.is_new) = graph.share(pointer, complete, type, &type_name<U>);
  if (site.is_new && external != nullptr) {
    site.external = true;
    site.name = external->name;
  } else if (site.is_new) {
    return write_new_object(archive, site, object);
  }
  write_site(archive, site, std::is_polymorphic_v<U>);
}

template <class Archive, class U>
void save_unique_pointer(Archive& archive, const U* object) {
  pointer_site site;
  if (object == nullptr) return write_site(archive, site, std::is_polymorphic_v<U>);
  site.id = archive.graph().take_id();
  site.is_new = true;
  write_new_object(archive, site, object);
}

// ---- loading ----

[[noreturn]] inline void fail_type_mismatch(field_path& path, std::uint32_t id, std::type_index found,
                                            const std::string& expected) {
  path.fail(errc::format, "object #" + std::to_string(id) + " is a " + runtime_type_name(found) +
                              ", but this pointer needs a " + expected +
                              " (a corrupted or crafted file)");
}

/// A pointer to the `U` inside a loaded object, or a format error when it is not a `U`.
template <class U>
U* object_as(load_session& session, field_path& path, std::uint32_t id, std::type_index type, void* complete) {
  const std::type_index wanted(typeid(U));
  void* address = complete;
  bool convertible = type == wanted;
  if constexpr (std::is_polymorphic_v<U>) {
    if (!convertible) convertible = session.upcast(type, wanted, address);
  }
  if (!convertible) fail_type_mismatch(path, id, type, type_name<U>());
  return static_cast<U*>(address);
}

/// The registered type a file names, or an error: only registered names are ever created.
template <class U>
const registered_type& registered_for(field_path& path, const std::string& name) {
  const registered_type* entry = type_registry::instance().find(name);
  if (entry == nullptr) {
    path.fail(errc::type, "the file names a type '" + name + "' that this program has not registered "
                          "(PICKLEJAR_REGISTER); a pointer to " + type_name<U>() + " cannot load it");
  }
  if (std::string conflict = type_registry::instance().conflict(name); !conflict.empty())
    path.fail(errc::type, conflict);
  if (entry->make_shared == nullptr) path.fail(errc::format, "'" + name + "' is an abstract type");
  return *entry;
}

template <class U>
[[noreturn]] void fail_abstract(field_path& path) {
  path.fail(errc::format, "the file gives no subtype for an object of type " + type_name<U>() +
                              ", which loading cannot create itself");
}

/// Charges a new object behind a pointer to the load's memory budget: the object (a registered
/// subtype at its base's size), a shared_ptr's control block, and the object table's entries.
template <class Archive, class U>
void charge_new_object(Archive& archive) {
  constexpr std::size_t bookkeeping = sizeof(graph_reader::object) + sizeof(graph_reader::item) + 4 * sizeof(void*);
  charge_memory(archive, 1, sizeof(U) + bookkeeping);
}

/// Records that the object being read owns object `id` (options::refuse_ownership_cycles);
/// errc::format before a pointer that would close an ownership cycle is set.
template <class Archive>
void note_ownership(Archive& archive, std::uint32_t id, bool is_new) {
  graph_reader& graph = archive.graph();
  if (!graph.refuses_cycles()) return;
  const bool acyclic = graph.add_ownership(id, is_new, [&archive](std::size_t bytes) { charge_memory(archive, bytes, 1); });
  if (!acyclic) {
    const std::string target = graph.owner() == id ? "the object being read itself"
                                                   : "object #" + std::to_string(id) + ", which owns the object being read";
    archive.path().fail(errc::format, "a std::shared_ptr here points back at " + target +
                                          ": an ownership cycle, which would never be freed "
                                          "(options.refuse_ownership_cycles; a std::weak_ptr may close a cycle)");
  }
}

/// Reads the state of an object built in place by from_state(), as the owner of what it points at.
template <class Archive, class Holder>
void read_in_place(Archive& archive, std::uint32_t id, Holder& holder) {
  const std::uint32_t outer_owner = archive.graph().set_owner(id);
  archive(holder);
  archive.graph().set_owner(outer_owner);
}

/// A new object for a shared_ptr<U>: created now, its contents read later.
template <class Archive, class U>
std::shared_ptr<U> create_shared(Archive& archive, const pointer_site& site, bool owning) {
  graph_reader& graph = archive.graph();
  field_path& path = archive.path();
  path.note_object();
  charge_new_object<Archive, U>(archive);
  if (owning) note_ownership(archive, site.id, true);
  if (!site.name.empty()) {
    if constexpr (std::is_polymorphic_v<U>) {
      const registered_type& entry = registered_for<U>(path, site.name);
      void* complete = nullptr;
      std::shared_ptr<void> owner = entry.make_shared(complete);
      graph.add({owner, complete, entry.type, false, true});
      U* object = object_as<U>(archive.session(), path, site.id, entry.type, complete);
      defer_contents(archive, graph_reader::item{site.id, complete, entry.read[family_of<Archive>]});
      return std::shared_ptr<U>(std::move(owner), object);
    }
    path.fail(errc::format, "the file gives a subtype '" + site.name + "' for a non-polymorphic " + type_name<U>());
  }
  if constexpr (created_only_as_subtype<U>) {
    fail_abstract<U>(path);
  } else if constexpr (built_in_place<U>) {
    const std::uint32_t id = graph.add({nullptr, nullptr, std::type_index(typeid(U)), false, false});
    state_holder<U> holder;
    if constexpr (std::is_same_v<Archive, text_input_archive>) archive.name_next("value");
    read_in_place(archive, id, holder);
    std::shared_ptr<U> object(new U(call_from_state<U>(std::move(holder.state))));
    graph.at(id).owner = object;
    graph.at(id).complete = const_cast<void*>(complete_object<U>(object.get()));
    graph.at(id).ready = true;
    return object;
  } else {
    auto object = std::make_shared<U>();
    graph.add({object, object.get(), std::type_index(typeid(U)), false, true});
    defer_contents(archive, graph_reader::item{site.id, object.get(), &read_contents<Archive, U>});
    return object;
  }
}

template <class U>
std::shared_ptr<U> resolve_external(graph_reader& graph, load_session& session, field_path& path,
                                    const pointer_site& site) {
  const externals::entry* external =
      session.external_objects() != nullptr ? session.external_objects()->find(site.name) : nullptr;
  if (external == nullptr) {
    path.fail(errc::type, "the file refers to an external object '" + site.name +
                              "' that options.externals does not provide");
  }
  graph.add({external->owner, external->dynamic_address, std::type_index(*external->dynamic_type), false, true});
  if (*external->declared_type == typeid(U))
    return std::shared_ptr<U>(external->owner, static_cast<U*>(external->declared_address));
  return std::shared_ptr<U>(external->owner, object_as<U>(session, path, site.id, std::type_index(*external->dynamic_type),
                                                         external->dynamic_address));
}

/// `owning`: false for a std::weak_ptr, which owns nothing (options::refuse_ownership_cycles).
template <class Archive, class U>
void load_shared_pointer(Archive& archive, std::shared_ptr<U>& pointer, bool owning = true) {
  graph_reader& graph = archive.graph();
  field_path& path = archive.path();
  const pointer_site site = read_site(archive, std::is_polymorphic_v<U>);
  if (site.id == 0) {
    pointer.reset();
  } else if (!site.is_new) {
    graph_reader::object& target = graph.at(site.id);
    if (target.unique) {
      path.fail(errc::format, "object #" + std::to_string(site.id) +
                                  " belongs to a std::unique_ptr and cannot be shared (a corrupted or "
                                  "crafted file)");
    }
    if (!target.ready) {
      path.fail(errc::format, "object #" + std::to_string(site.id) + " points back at itself before "
                              "from_state() could build it; a cycle must pass through a type with a "
                              "default constructor");
    }
    U* object = object_as<U>(archive.session(), path, site.id, target.type, target.complete);
    if (owning && target.owner) note_ownership(archive, site.id, false);
    pointer = std::shared_ptr<U>(target.owner, object);
  } else if (site.external) {
    path.note_object();
    pointer = resolve_external<U>(graph, archive.session(), path, site);
  } else {
    pointer = create_shared<Archive, U>(archive, site, owning);
  }
}

template <class Archive, class U>
void load_unique_pointer(Archive& archive, std::unique_ptr<U>& pointer) {
  graph_reader& graph = archive.graph();
  field_path& path = archive.path();
  const pointer_site site = read_site(archive, std::is_polymorphic_v<U>);
  if (site.id == 0) return pointer.reset();
  if (!site.is_new || site.external) {
    path.fail(errc::format, "a std::unique_ptr refers to " +
                                std::string(site.external ? "an external object" : "an earlier object") +
                                " (#" + std::to_string(site.id) + "); it must own a new one");
  }
  path.note_object();
  charge_new_object<Archive, U>(archive);
  note_ownership(archive, site.id, true);
  if (!site.name.empty()) {
    if constexpr (std::is_polymorphic_v<U>) {
      const registered_type& entry = registered_for<U>(path, site.name);
      void* complete = entry.make_owned();
      graph.add({nullptr, complete, entry.type, true, true});
      U* object = nullptr;
      try {
        object = object_as<U>(archive.session(), path, site.id, entry.type, complete);
      } catch (...) {
        entry.destroy(complete);
        throw;
      }
      pointer.reset(object);
      defer_contents(archive, graph_reader::item{site.id, complete, entry.read[family_of<Archive>]});
      return;
    }
    path.fail(errc::format, "the file gives a subtype '" + site.name + "' for a non-polymorphic " + type_name<U>());
  }
  if constexpr (created_only_as_subtype<U>) {
    fail_abstract<U>(path);
  } else if constexpr (built_in_place<U>) {
    graph.add({nullptr, nullptr, std::type_index(typeid(U)), true, false});
    state_holder<U> holder;
    if constexpr (std::is_same_v<Archive, text_input_archive>) archive.name_next("value");
    read_in_place(archive, site.id, holder);
    pointer.reset(new U(call_from_state<U>(std::move(holder.state))));
    graph.at(site.id).complete = pointer.get();
    graph.at(site.id).ready = true;
  } else {
    pointer.reset(new U());
    graph.add({nullptr, pointer.get(), std::type_index(typeid(U)), true, true});
    defer_contents(archive, graph_reader::item{site.id, pointer.get(), &read_contents<Archive, U>});
  }
}

// ---- the overloads cereal finds (by argument-dependent lookup on the archive) ----

#define PICKLEJAR_DETAIL_POINTER_OVERLOADS(OutputArchive, InputArchive)                                \
  template <class T>                                                                                 \
  void CEREAL_SAVE_FUNCTION_NAME(OutputArchive& archive, const std::shared_ptr<T>& pointer) {        \
    using U = std::remove_cv_t<T>;                                                                   \
    if constexpr (embeds_pointer_to<U>())                                                            \
      save_embedded(archive, pointer);                                                               \
    else if constexpr (pointee_is_usable<U>())                                                       \
      save_shared_pointer<OutputArchive, U>(archive, pointer);                                       \
  }                                                                                                  \
  template <class T>                                                                                 \
  void CEREAL_LOAD_FUNCTION_NAME(InputArchive& archive, std::shared_ptr<T>& pointer) {               \
    using U = std::remove_cv_t<T>;                                                                   \
    if constexpr (embeds_pointer_to<U>()) {                                                          \
      load_embedded(archive, pointer);                                                               \
    } else if constexpr (pointee_is_usable<U>()) {                                                   \
      std::shared_ptr<U> loaded;                                                                     \
      load_shared_pointer<InputArchive, U>(archive, loaded);                                         \
      pointer = std::move(loaded);                                                                   \
    }                                                                                                \
  }                                                                                                  \
  template <class T>                                                                                 \
  void CEREAL_SAVE_FUNCTION_NAME(OutputArchive& archive, const std::weak_ptr<T>& pointer) {          \
    using U = std::remove_cv_t<T>;                                                                   \
    if constexpr (pointee_is_usable<U>())                                      \
      save_shared_pointer<OutputArchive, U>(archive, pointer.lock());                                \
  }                                                                                                  \
  template <class T>                                                                                 \
  void CEREAL_LOAD_FUNCTION_NAME(InputArchive& archive, std::weak_ptr<T>& pointer) {                 \
    using U = std::remove_cv_t<T>;                                                                   \
    if constexpr (pointee_is_usable<U>()) {                                    \
      std::shared_ptr<U> loaded; /* kept alive by the object table until the load ends */            \
      load_shared_pointer<InputArchive, U>(archive, loaded, false);                                  \
      pointer = loaded;                                                                              \
    }                                                                                                \
  }                                                                                                  \
  template <class T>                                                                                 \
  void CEREAL_SAVE_FUNCTION_NAME(OutputArchive& archive, const std::unique_ptr<T>& pointer) {        \
    using U = std::remove_cv_t<T>;                                                                   \
    if constexpr (embeds_pointer_to<U>())                                                            \
      save_embedded(archive, pointer);                                                               \
    else if constexpr (pointee_is_usable<U>())                                                       \
      save_unique_pointer<OutputArchive, U>(archive, pointer.get());                                 \
  }                                                                                                  \
  template <class T>                                                                                 \
  void CEREAL_LOAD_FUNCTION_NAME(InputArchive& archive, std::unique_ptr<T>& pointer) {               \
    using U = std::remove_cv_t<T>;                                                                   \
    if constexpr (embeds_pointer_to<U>()) {                                                          \
      load_embedded(archive, pointer);                                                               \
    } else if constexpr (pointee_is_usable<U>()) {                                                   \
      std::unique_ptr<U> loaded;                                                                     \
      load_unique_pointer<InputArchive, U>(archive, loaded);                                         \
      pointer = std::move(loaded);                                                                   \
    }                                                                                                \
  }

PICKLEJAR_DETAIL_POINTER_OVERLOADS(binary_output_archive, binary_input_archive)
PICKLEJAR_DETAIL_POINTER_OVERLOADS(text_output_archive, text_input_archive)

#undef PICKLEJAR_DETAIL_POINTER_OVERLOADS

}  // namespace picklejar::detail
