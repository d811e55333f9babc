// Measuring what an action costs in a forked child: how it ended (returned, picklejar::error,
// another exception, crashed), its peak memory growth (virtual and resident, from the kernel) and
// its time. Used by the tests of hostile inputs and of the memory budget.
#pragma once

#include <picklejar/picklejar.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#include <gtest/gtest.h>

namespace pj_test {

/// One field of /proc/self/status in KiB, read without allocating.
inline long status_kib(const char* field) {
  char buffer[4096];
  const int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  std::size_t size = 0;
  for (ssize_t got; size + 1 < sizeof buffer && (got = ::read(fd, buffer + size, sizeof buffer - 1 - size)) > 0;)
    size += static_cast<std::size_t>(got);
  ::close(fd);
  buffer[size] = '\0';
  const char* at = std::strstr(buffer, field);
  return at == nullptr ? -1 : std::strtol(at + std::strlen(field), nullptr, 10);
}

/// Maps the pages of every file mapping (the program's code and the libraries') into the page
/// table. A forked child shares them with its parent but starts without their page table entries,
/// so the first run of any code in the child would otherwise count as resident memory growth.
inline void prefault_file_mappings() {
#ifdef MADV_POPULATE_READ
  static char maps[1 << 17];
  const int fd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  std::size_t size = 0;
  for (ssize_t got; size + 1 < sizeof maps && (got = ::read(fd, maps + size, sizeof maps - 1 - size)) > 0;)
    size += static_cast<std::size_t>(got);
  ::close(fd);
  maps[size] = '\0';
  for (char* line = maps; *line != '\0';) {
    char* end = std::strchr(line, '\n');
    if (end != nullptr) *end = '\0';
    unsigned long start = 0, stop = 0, offset = 0, inode = 0;
    char perms[8] = {};
    char device[16] = {};
    if (std::sscanf(line, "%lx-%lx %7s %lx %15s %lu", &start, &stop, perms, &offset, device, &inode) == 6 &&
        inode != 0 && perms[0] == 'r') {
      ::madvise(reinterpret_cast<void*>(start), stop - start, MADV_POPULATE_READ);  // errors: just not prefaulted
    }
    if (end == nullptr) break;
    line = end + 1;
  }
#endif
}

struct probe_result {
  enum outcome_kind : int { returned, picklejar_error, other_exception, crashed };
  int outcome = crashed;
  int code = 0;                // picklejar::errc, for picklejar_error
  int signal = 0;              // for crashed
  long virtual_growth_kib = 0; // VmPeak after - VmSize before
  long resident_growth_kib = 0;  // VmHWM after - VmRSS before
  double elapsed_ms = 0;
  char what[400] = {};
};

/// Runs `action` in a forked child and reports how it ended, how much it grew the child's peak
/// memory and how long it took. Peak memory is taken from the kernel, so it sees every
/// allocation (operator new, Eigen's malloc, mmap): VmPeak is the peak of the address space
/// (catches a huge block allocated but never touched), VmHWM the peak resident set (catches
/// memory written). A fork starts both peaks afresh at the parent's current values; writing 5 to
/// clear_refs resets VmHWM again where the kernel supports it. The code's pages are faulted in
/// first (prefault_file_mappings), so that what grows is memory the action allocates.
inline probe_result run_probed(const std::function<void()>& action) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) {
    ADD_FAILURE() << "pipe() failed";
    return {};
  }
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // a crash is reported through the pipe, not as a core file
    probe_result result;
    prefault_file_mappings();
    // A regression fails here instead of exhausting the machine: 3 GiB more address space at most.
    const rlimit space{static_cast<rlim_t>(status_kib("VmSize:") + (3L << 20)) * 1024, RLIM_INFINITY};
    ::setrlimit(RLIMIT_AS, &space);
    const int clear = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (clear >= 0) {
      [[maybe_unused]] const ssize_t ignored = ::write(clear, "5", 1);
      ::close(clear);
    }
    const long virtual_before = status_kib("VmSize:");
    const long resident_before = status_kib("VmRSS:");
    const auto start = std::chrono::steady_clock::now();
    try {
      action();
      result.outcome = probe_result::returned;
    } catch (const picklejar::error& failure) {
      result.outcome = probe_result::picklejar_error;
      result.code = static_cast<int>(failure.code());
      std::snprintf(result.what, sizeof result.what, "%s", failure.what());
    } catch (const std::exception& failure) {
      result.outcome = probe_result::other_exception;
      std::snprintf(result.what, sizeof result.what, "%s", failure.what());
    } catch (...) {
      result.outcome = probe_result::other_exception;
      std::snprintf(result.what, sizeof result.what, "an exception of unknown type");
    }
    result.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    result.virtual_growth_kib = status_kib("VmPeak:") - virtual_before;
    result.resident_growth_kib = status_kib("VmHWM:") - resident_before;
    const char* out = reinterpret_cast<const char*>(&result);
    for (std::size_t done = 0; done < sizeof result;) {
      const ssize_t wrote = ::write(pipe_fds[1], out + done, sizeof result - done);
      if (wrote <= 0) break;
      done += static_cast<std::size_t>(wrote);
    }
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  probe_result result;
  std::size_t got = 0;
  char* in = reinterpret_cast<char*>(&result);
  for (ssize_t n; got < sizeof result && (n = ::read(pipe_fds[0], in + got, sizeof result - got)) > 0;)
    got += static_cast<std::size_t>(n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (got != sizeof result) {
    result = probe_result{};
    result.outcome = probe_result::crashed;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return result;
}

inline std::string describe(const probe_result& result) {
  char line[600];
  switch (result.outcome) {
    case probe_result::returned: std::snprintf(line, sizeof line, "loaded without an error"); break;
    case probe_result::picklejar_error:
      std::snprintf(line, sizeof line, "%s", result.what);
      break;
    case probe_result::other_exception: std::snprintf(line, sizeof line, "not a picklejar::error: %s", result.what); break;
    default: std::snprintf(line, sizeof line, "the child crashed (signal %d)", result.signal);
  }
  return line;
}

}  // namespace pj_test
