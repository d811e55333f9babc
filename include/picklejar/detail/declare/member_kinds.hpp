// Member types that can never be saved. Knowing them by name lets the field macros say what the
// member is and what to write instead, at the line that declares the fields.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <type_traits>

namespace picklejar::detail {

template <class T, template <class...> class Template>
struct is_specialization_of : std::false_type {};
template <template <class...> class Template, class... Args>
struct is_specialization_of<Template<Args...>, Template> : std::true_type {};

template <class T>
constexpr bool is_lock_v =
    std::is_same_v<T, std::mutex> || std::is_same_v<T, std::recursive_mutex> ||
    std::is_same_v<T, std::timed_mutex> || std::is_same_v<T, std::recursive_timed_mutex> ||
    std::is_same_v<T, std::shared_mutex> || std::is_same_v<T, std::shared_timed_mutex> ||
    std::is_same_v<T, std::condition_variable> || std::is_same_v<T, std::condition_variable_any>;

template <class T>
constexpr bool is_callback_v = is_specialization_of<T, std::function>::value;

template <class T>
constexpr bool is_thread_v = std::is_same_v<T, std::thread>
#if defined(__cpp_lib_jthread)
                             || std::is_same_v<T, std::jthread>
#endif
    ;

template <class T>
constexpr bool is_file_handle_v =
    std::is_same_v<std::remove_cv_t<std::remove_pointer_t<T>>, std::FILE> ||
    std::is_base_of_v<std::ios_base, T>;

template <class T>
constexpr bool is_raw_pointer_v = std::is_pointer_v<T> && !is_file_handle_v<T>;

/// One of the kinds above: such a member is skipped when saving, after its static_assert fired,
/// so that one mistake gives one error.
template <class T>
constexpr bool is_never_saveable_v = is_lock_v<T> || is_callback_v<T> || is_thread_v<T> ||
                                     is_file_handle_v<T> || is_raw_pointer_v<T>;

/// A class-type value of one of those kinds, met inside a container or behind a pointer rather
/// than as a listed member: the bridge gives it report_unsaveable's message instead of cereal's.
template <class T>
constexpr bool is_unsaveable_object_v = is_never_saveable_v<T> && std::is_class_v<T>;

// The same kinds as the member checks below, for a type met without a member name. Depends on T
// alone, so the message appears once however many archives meet T.
template <class T>
constexpr bool report_unsaveable() {
  static_assert(!is_lock_v<T>,
                "picklejar: a mutex or condition variable cannot be saved; mark the member that "
                "holds it PICKLEJAR_TRANSIENT(name)");
  static_assert(!is_callback_v<T>,
                "picklejar: a std::function cannot be saved; mark the member that holds it "
                "PICKLEJAR_TRANSIENT(name)");
  static_assert(!is_thread_v<T>,
                "picklejar: a std::thread cannot be saved; mark the member that holds it "
                "PICKLEJAR_TRANSIENT(name)");
  static_assert(!is_file_handle_v<T>,
                "picklejar: a stream cannot be saved; mark the member that holds it "
                "PICKLEJAR_TRANSIENT(name)");
  return true;
}

}  // namespace picklejar::detail

#define PICKLEJAR_DETAIL_MEMBER_TYPE(m) decltype(std::declval<picklejar_self&>().m)

// One static_assert per kind, so the message names the member, its kind and the fix.
// `picklejar_self` is the class being checked (an alias the field macros declare).
#define PICKLEJAR_DETAIL_CHECK_MEMBER(m)                                              \
  static_assert(!::picklejar::detail::is_lock_v<PICKLEJAR_DETAIL_MEMBER_TYPE(m)>,                                           \
                "picklejar: member '" #m "' is a mutex or condition variable, which cannot be "   \
                "saved; mark it PICKLEJAR_TRANSIENT(" #m ")");                                    \
  static_assert(!::picklejar::detail::is_callback_v<PICKLEJAR_DETAIL_MEMBER_TYPE(m)>,                                       \
                "picklejar: member '" #m "' is a std::function (a callback), which cannot be "    \
                "saved; mark it PICKLEJAR_TRANSIENT(" #m ") and set it again after loading");     \
  static_assert(!::picklejar::detail::is_thread_v<PICKLEJAR_DETAIL_MEMBER_TYPE(m)>,                                         \
                "picklejar: member '" #m "' is a std::thread, which cannot be saved; mark it "    \
                "PICKLEJAR_TRANSIENT(" #m ") and start the thread again in after_load()");        \
  static_assert(!::picklejar::detail::is_file_handle_v<PICKLEJAR_DETAIL_MEMBER_TYPE(m)>,                                    \
                "picklejar: member '" #m "' is a file handle (FILE* or a stream), which cannot "  \
                "be saved; mark it PICKLEJAR_TRANSIENT(" #m ") and reopen it in after_load()");   \
  static_assert(!::picklejar::detail::is_raw_pointer_v<PICKLEJAR_DETAIL_MEMBER_TYPE(m)>,                                    \
                "picklejar: member '" #m "' is a raw pointer, which does not say who owns the "   \
                "object; use std::unique_ptr or std::shared_ptr, or mark it "                     \
                "PICKLEJAR_TRANSIENT(" #m ")");
