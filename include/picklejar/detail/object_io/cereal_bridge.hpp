/// \file
/// The bridge between picklejar's hooks and cereal: every type with PICKLEJAR_FIELDS,
/// PICKLEJAR_FIELDS_OF or state hooks is a cereal-serializable type, so it works inside plain
/// cereal archives, and plain cereal types (a `serialize` member or free function) work inside
/// it. Included by picklejar/picklejar.hpp. Saving and loading one object:
///   - save: lock the guard (if any), then write the fields or the state from get_state();
///   - load: lock the guard, reset the transient members, read the fields or call set_state() /
///     from_state(), then call after_load().
///
/// ```cpp
/// std::ostringstream out;
/// {
///   cereal::JSONOutputArchive archive(out);
///   archive(cereal::make_nvp("model", model));    // a PICKLEJAR_FIELDS type in a cereal archive
/// }
/// ```
#pragma once

#include <cereal/cereal.hpp>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <shared_mutex>
#include <type_traits>
#include <utility>

#include "picklejar/detail/archives/families.hpp"
#include "picklejar/detail/object_io/type_rules.hpp"
#include "picklejar/detail/declare/access.hpp"
#include "picklejar/detail/declare/class_kinds.hpp"
#include "picklejar/detail/declare/cereal_traits.hpp"
#include "picklejar/detail/declare/element_types.hpp"
#include "picklejar/detail/declare/guard_lock.hpp"
#include "picklejar/detail/declare/library_types.hpp"
#include "picklejar/detail/declare/member_kinds.hpp"
#include "picklejar/detail/session/type_registry.hpp"
#include "picklejar/fields.hpp"
#include "picklejar/state.hpp"
#include "picklejar/transient.hpp"
#include "picklejar/versioning.hpp"

namespace picklejar::detail {

/// A state that is itself a plain fields type is written inline, so the file shows the state's
/// fields directly under the object; any other state is one member named "state".
template <class S>
constexpr bool inline_state = has_fields<S> && !has_state_hooks<S> && !has_guard<S> &&
                              !has_transients<S> && !has_after_load<S>;

template <class Archive>
struct field_writer {
  Archive& archive;
  template <class Entry, class Member>
  void operator()(const Entry& entry, const Member& member) {
    if constexpr (usable_type<Member>()) archive(cereal::make_nvp(entry.name, member));
  }
  template <class Entry>
  void removed(const Entry&) {}  // PICKLEJAR_REMOVED: nothing is saved
};

/// Reads the fields of T's data at `version`: under the names they had then (PICKLEJAR_RENAMED),
/// and the members removed since (PICKLEJAR_REMOVED) read where they were and dropped.
template <class Archive, class T>
struct field_reader {
  Archive& archive;
  std::uint32_t version;
  template <class Entry, class Member>
  void operator()(const Entry& entry, Member& member) {
    if constexpr (usable_type<Member>()) {
      if constexpr (declared_version<T> == 0) archive(cereal::make_nvp(entry.name, member));
      else archive(cereal::make_nvp(name_in_version<T, Entry::key>(entry.name, version), member));
    }
  }
  template <class Entry>
  void removed(const Entry& entry) {
    using removed_type = typename Entry::type;
    if constexpr (usable_type<removed_type>()) {
      if (version >= static_cast<std::uint32_t>(Entry::version)) return;
      removed_type dropped{};
      archive(cereal::make_nvp(name_in_version<T, Entry::key>(entry.name, version), dropped));
    }
  }
};

template <class Mutex, class = void>
constexpr bool is_shared_lockable = false;
template <class Mutex>
constexpr bool is_shared_lockable<Mutex, std::void_t<decltype(std::declval<Mutex&>().lock_shared())>> =
    true;

struct no_lock {};

// Locking a guard this thread holds already is an error that names it, not a deadlock, where
// that can be told (detail/declare/guard_lock.hpp).
template <class T>
auto lock_for_saving(const T& object) {
  if constexpr (has_guard<T>) {
    auto& mutex = access::guard(object);
    constexpr bool shared = is_shared_lockable<std::remove_reference_t<decltype(mutex)>>;
    return lock_guard_of<T, shared>(mutex, access::guard_name<T>());
  } else {
    return no_lock{};
  }
}

template <class T>
auto lock_for_loading(T& object) {
  if constexpr (has_guard<T>) return lock_guard_of<T, false>(access::guard(object), access::guard_name<T>());
  else return no_lock{};
}

/// Which version of T's members an archive holds.
struct data_versions {
  std::uint32_t read;    ///< the version whose members are read or written
  std::uint32_t stored;  ///< the version the data holds (0: none recorded)
};

/// What the file holds of T when loading (T's own version when saving or in plain cereal
/// archives). A newer version than T's is an error unless unknown members are skipped; then the
/// members of T's own version are read.
template <class Archive, class T>
data_versions data_version(Archive& archive) {
  constexpr std::uint32_t current = declared_version<T>;
  if constexpr (!is_picklejar_archive<Archive>) {
    return {current, current};
  } else if constexpr (!is_loading_archive<Archive>) {
    if constexpr (current != 0) archive.session().note_version(versioned_type_key<T>(), current);
    return {current, current};
  } else {
    auto& session = archive.session();
    const std::uint32_t found = session.records_versions() ? session.file_version(versioned_type_key<T>()) : 0;
    if (found > current && !session.skips_unknown_fields()) {
      archive.path().fail(errc::version, "the data holds version " + std::to_string(found) + " of " +
                                             type_name<T>() + ", but this program knows versions up to " +
                                             std::to_string(current) + " (PICKLEJAR_VERSION); to load what it "
                                             "knows, set options.unknown_fields = picklejar::unknown_fields::skip");
    }
    return {found > current ? current : found, found};
  }
}

/// `what`: "a member 'x'", "3 members", "12 bytes of members".
[[noreturn]] inline void fail_unknown_members(field_path& path, const std::string& type, const std::string& what) {
  path.fail(errc::format, "the data holds " + what + " that " + type + " does not have; the file is intact, but the type changed "
                              "without a new version: give it PICKLEJAR_VERSION and PICKLEJAR_FIELDS_SINCE, or "
                              "set options.unknown_fields = picklejar::unknown_fields::skip to ignore them");
}

template <class Archive, class T>
void visit_all_fields(Archive& archive, T& object) {
  using U = std::remove_const_t<T>;
  const data_versions version = data_version<Archive, U>(archive);
  auto visit_fields = [&](auto& visitor) {
    if constexpr (declares_fields<U>) for_each_field(object, access::fields(object), visitor);
    else for_each_field(object, picklejar_fields_of(exact_type<U>{}), visitor);
  };
  if constexpr (!is_loading_archive<Archive>) {
    field_writer<Archive> writer{archive};
    visit_fields(writer);
    if constexpr (std::is_same_v<Archive, binary_output_archive> && declared_version<U> != 0) {
      archive.begin_sized_block();  // an older reader skips what it does not know
      visit_fields_since<1>(object, writer, version.read);
      archive.end_sized_block();
    } else {
      visit_fields_since<1>(object, writer, version.read);
    }
  } else {
    field_reader<Archive, U> reader{archive, version.read};
    visit_fields(reader);
    if constexpr (std::is_same_v<Archive, binary_input_archive>) {
      auto& session = archive.session();
      if (version.stored == 0 || session.container_version() < first_version_sizing_newer_members) {
        if (version.stored > version.read) {
          archive.path().fail(errc::version, "this file (container version " + std::to_string(session.container_version()) +
                                                 ") does not record where the members of newer versions end, so "
                                                 "they cannot be skipped; load it with a program that knows version " +
                                                 std::to_string(version.stored) + " of " + type_name<U>());
        }
        visit_fields_since<1>(object, reader, version.read);
      } else {
        const std::size_t end = archive.read_block_end("the members of a versioned class");
        visit_fields_since<1>(object, reader, version.read);
        if (archive.position() > end) {
          archive.path().fail(errc::format, "the members of " + type_name<U>() + " run past their recorded size");
        }
        if (archive.position() < end) {
          if (!session.skips_unknown_fields()) {
            fail_unknown_members(archive.path(), type_name<U>(),
                                 std::to_string(end - archive.position()) + " bytes of members");
          }
          archive.skip_to(end);
        }
      }
    } else {
      visit_fields_since<1>(object, reader, version.read);
    }
  }
}

/// Members of a text object that no field asked for: an error unless they are skipped.
template <class Archive, class T>
void check_members_known(Archive& archive) {
  if constexpr (std::is_same_v<Archive, text_input_archive>) {
    const auto unread = archive.unread_members();
    if (unread.first != 0 && !archive.session().skips_unknown_fields()) {
      fail_unknown_members(archive.path(), type_name<T>(),
                           unread.second.empty() ? std::to_string(unread.first) + " members" : "a member '" + unread.second + "'");
    }
  }
}

/// Writes or reads every object still pending in the archive's object table, each as the
/// pointer code that deferred it said (graph/pointers.hpp); a no-op in other cereal archives.
template <class Archive>
void finish_pending_objects(Archive& archive) {
  if constexpr (is_picklejar_archive<Archive>) archive.graph().drain(&archive);
}

/// An object of this type finishes its pointees before it finishes itself (object_graph.hpp).
template <class T>
constexpr bool finishes_pointees_first = has_state_hooks<T> || has_after_load<T> || has_guard<T>;

/// The registration to suggest in a message, as a line that compiles at namespace scope: full
/// names, and a type with a comma in its name (a macro argument cannot hold one) through an alias,
/// registered under its full name with PICKLEJAR_REGISTER_AS.
inline std::string registration_advice(const std::string& type, const std::string& base) {
  std::string aliases;
  auto argument = [&aliases](const std::string& name, const char* suffix) {
    if (name.find(',') == std::string::npos) return name;
    std::string alias = short_type_name(name);
    alias = alias.substr(0, alias.find('<')) + suffix;
    aliases += "using " + alias + " = " + name + "; ";
    return alias;
  };
  const std::string type_argument = argument(type, "_type");
  const std::string base_argument = argument(base, "_base");
  if (aliases.empty()) return "PICKLEJAR_REGISTER(" + type + ", " + base + ")";
  return aliases + "PICKLEJAR_REGISTER_AS(" + type_argument + ", " + base_argument + ", \"" + type + "\")";
}

/// The same in one of cereal's own archives, through what PICKLEJAR_REGISTER bound for it
/// (registration.hpp). A registered type whose base part cannot be written is an error, never a
/// silent loss of the base's fields.
template <class Archive, class T>
void process_registered_base_in_cereal_archive(Archive& archive, T& object) {
  using U = std::remove_const_t<T>;
  const auto part = type_registry::instance().cereal_base_part(typeid(Archive), typeid(U));
  if constexpr (is_loading_archive<Archive>) {
    if (part.second != nullptr) return part.second(&archive, const_cast<U*>(&object));
  } else {
    if (part.first != nullptr) return part.first(&archive, &object);
  }
  const registered_type* entry = type_registry::instance().find(std::type_index(typeid(U)));
  if ((entry != nullptr && entry->write_base[0] != nullptr) || inherits_fields<U>) {
    throw error(errc::type, "the base part of " + type_name<U>() + " cannot be saved or loaded in " +
                                type_name<Archive>() + ": include that archive's header in the file "
                                "with " + registration_advice(type_name<U>(), "Base"));
  }
}

/// The fields of the base a polymorphic class is registered with (PICKLEJAR_REGISTER), saved as
/// "base" before the class's own. Looked up at run time, so every translation unit agrees.
template <class Archive, class Object>
void process_registered_base(Archive& archive, Object& object) {
  using T = std::remove_const_t<Object>;
  if constexpr (std::is_polymorphic_v<T> && !is_picklejar_archive<Archive> && !has_state_hooks<T>) {
    process_registered_base_in_cereal_archive(archive, object);
  } else if constexpr (std::is_polymorphic_v<T> && is_picklejar_archive<Archive> && !has_state_hooks<T>) {
    const registered_type* entry = type_registry::instance().find(std::type_index(typeid(T)));
    if (entry != nullptr && entry->write_base[family_of<Archive>] != nullptr) {
      if constexpr (is_loading_archive<Archive>) entry->read_base[family_of<Archive>](&archive, &object);
      else entry->write_base[family_of<Archive>](&archive, &object);
    } else if constexpr (inherits_fields<T>) {
      throw error(errc::type, type_name<T>() + " has no PICKLEJAR_FIELDS of its own and is not registered "
                              "with a base that has fields: register it with " +
                              registration_advice(type_name<T>(), "Base") + " or declare PICKLEJAR_FIELDS");
    } else if constexpr (base_declares_fields_too<T>) {
      throw error(errc::type, type_name<T>() + " and a base class of it both declare PICKLEJAR_FIELDS, and it "
                              "names no PICKLEJAR_BASES and is not registered with a base, so the base's fields "
                              "would be lost: name the base with PICKLEJAR_BASES(Base) or register it with " +
                              registration_advice(type_name<T>(), "Base"));
    }
  }
}

template <class Archive, class Object, class... Bases>
void process_named_bases(Archive& archive, Object& object, type_list<Bases...>) {
  static_assert(named_bases_are_valid<std::remove_const_t<Object>, Bases...>());
  std::size_t index = 0;
  (archive(cereal::make_nvp(base_member_names[index++],
                            static_cast<std::conditional_t<std::is_const_v<Object>, const Bases&, Bases&>>(object))),
   ...);
}

/// The base parts of a class: those it names (PICKLEJAR_BASES), else the one it is registered with.
template <class Archive, class Object>
void process_bases(Archive& archive, Object& object) {
  using T = std::remove_const_t<Object>;
  if constexpr (declares_bases<T>) process_named_bases(archive, object, typename named_bases<T>::type{});
  else process_registered_base(archive, object);
}

/// Writes or reads a state: inline when it is a plain fields type, else as one member "state".
template <class Archive, class State>
void process_state(Archive& archive, State& state) {
  if constexpr (inline_state<std::remove_const_t<State>>) visit_all_fields(archive, state);
  else archive(cereal::make_nvp(state_member_name, state));
}

template <class Archive, class T>
void save_object(Archive& archive, const T& object) {
  static_assert(usable_type<T>() || true);  // reports a broken rule met only through cereal
  [[maybe_unused]] auto lock = lock_for_saving(object);
  if constexpr (has_state_hooks<T>) {
    const auto& state = call_get_state(object);  // may be a temporary: kept alive here
    in_returned_state(archive, +1);
    process_state(archive, state);
    in_returned_state(archive, -1);
    finish_pending_objects(archive);  // before the state (which may own them) goes away
  } else {
    process_bases(archive, object);
    if constexpr (has_fields<T>) visit_all_fields(archive, object);
    if constexpr (finishes_pointees_first<T>) finish_pending_objects(archive);  // inside the snapshot
  }
}

template <class Archive, class T>
void load_state_into(Archive& archive, T& object) {
  using state_type = state_type_t<T>;
  static_assert(loadable_into_existing<T>());
  state_type state{};
  process_state(archive, state);
  finish_pending_objects(archive);  // set_state() may read the pointees it is given
  if constexpr (has_set_state<T, state_type&&>()) call_set_state(object, std::move(state));
  else if constexpr (std::is_move_assignable_v<T>) object = call_from_state<T>(std::move(state));
}

template <class Archive, class T>
void load_object(Archive& archive, T& object) {
  static_assert(usable_type<T>() || true);
  [[maybe_unused]] auto lock = lock_for_loading(object);
  if constexpr (has_transients<T>) access::reset_transients(object);
  if constexpr (has_state_hooks<T>) {
    load_state_into(archive, object);
    check_members_known<Archive, T>(archive);
  } else {
    process_bases(archive, object);
    if constexpr (has_fields<T>) visit_all_fields(archive, object);
    check_members_known<Archive, T>(archive);
    if constexpr (finishes_pointees_first<T>) finish_pending_objects(archive);
  }
  if constexpr (has_after_load<T>) access::after_load(object);
}

}  // namespace picklejar::detail

namespace cereal {

/// Saves a type with PICKLEJAR_FIELDS, PICKLEJAR_FIELDS_OF or state hooks in any cereal archive
/// (picklejar's own or cereal's), as the file comment describes. Found by cereal; not called
/// directly.
template <class Archive, class T, std::enable_if_t<picklejar::detail::uses_bridge<T>, int> = 0>
void CEREAL_SAVE_FUNCTION_NAME(Archive& archive, const T& object) {
  picklejar::detail::save_object(archive, object);
}

/// Loads a type with PICKLEJAR_FIELDS, PICKLEJAR_FIELDS_OF or state hooks from any cereal archive
/// into an existing object: transients reset, fields or state read, after_load() called. Plain
/// cereal archives record no PICKLEJAR_VERSION: they write and read every field of the current
/// version.
template <class Archive, class T, std::enable_if_t<picklejar::detail::uses_bridge<T>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, T& object) {
  picklejar::detail::load_object(archive, object);
}

// Types that can never be saved, met inside a container or pointer rather than as a listed field
// (which the field macros catch first): one picklejar message instead of cereal's. (Plain
// comments: Doxygen would merge these with the overloads above, whose signatures they share.)
template <class Archive, class T,
          std::enable_if_t<picklejar::detail::is_unsaveable_object_v<T>, int> = 0>
void CEREAL_SAVE_FUNCTION_NAME(Archive&, const T&) {
  static_assert(picklejar::detail::report_unsaveable<T>());
}
template <class Archive, class T,
          std::enable_if_t<picklejar::detail::is_unsaveable_object_v<T>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(Archive&, T&) {
  static_assert(picklejar::detail::report_unsaveable<T>());
}

}  // namespace cereal
