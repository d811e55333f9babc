// fault_shim.so: an LD_PRELOAD library that makes one chosen I/O call of a save fail, to test
// that every failure is reported and leaves the target file whole (tests/faults/test_faults.cpp).
//
//   LD_PRELOAD=/path/to/fault_shim.so PICKLEJAR_FAULT=<call>:<n>:<errno> program ...
//
// <call> is one of
//   write     write(2) on a regular file
//   pwrite    pwrite(2) / pwrite64 on a regular file
//   fsync     fsync(2) on a regular file
//   close     close(2) of a regular file open for writing (the descriptor is closed, as Linux
//             always does, and the call then reports the error, as a deferred write error on NFS
//             would); closing a descriptor open only for reading is not counted
//   read      read(2), pread(2) / pread64 on a regular file (a failing disk under a load)
//   rename    rename(2)
//   dirfsync  fsync(2) on a directory (told apart from a file's by fstat: S_ISDIR)
// <n> counts calls of that kind from 1; the n-th fails (once) with <errno>: EIO, ENOSPC, EDQUOT,
// EINTR or a number. A failed write, pwrite, fsync or rename does nothing. <errno> may also be
// "short" (write and pwrite only): the n-th call then writes only the first half of its bytes
// and returns that count, as a write interrupted by a signal or reaching a full disk may.
// PICKLEJAR_FAULT=count (or unset) fails nothing and only counts. With PICKLEJAR_FAULT_MATCH=<text>,
// only calls on descriptors whose file's path (/proc/self/fd) contains <text> are counted (and
// failed), e.g. one checkpoint file among several.
//
// Calls are counted only while the shim is armed, so that a program's own setup and output do
// not count: a program arms it around the code under test with picklejar_fault_arm(1) and
// picklejar_fault_arm(0) (found with dlsym(RTLD_DEFAULT, ...); absent without the shim), or
// PICKLEJAR_FAULT_ARMED=1 arms it from the start. picklejar_fault_summary() returns the counts:
//   "write=9 pwrite=1 fsync=1 close=1 rename=1 dirfsync=1 injected=write:3:EIO"   (or injected=none)
// and if PICKLEJAR_FAULT_REPORT names a file, that line is written to it at exit.
//
// Only C library calls are used here (no C++ runtime), and the real functions are found with
// dlsym(RTLD_NEXT, ...). The counters are atomic, but the shim is meant for one saving thread.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>

namespace {

enum kind { k_write, k_pwrite, k_fsync, k_close, k_rename, k_dirfsync, k_read, k_count };
const char* const kind_names[k_count] = {"write", "pwrite", "fsync", "close", "rename", "dirfsync", "read"};

using write_fn = ssize_t (*)(int, const void*, size_t);
using pwrite_fn = ssize_t (*)(int, const void*, size_t, off_t);
using pwrite64_fn = ssize_t (*)(int, const void*, size_t, off64_t);
using fsync_fn = int (*)(int);
using close_fn = int (*)(int);
using rename_fn = int (*)(const char*, const char*);
using read_fn = ssize_t (*)(int, void*, size_t);
using pread_fn = ssize_t (*)(int, void*, size_t, off_t);
using pread64_fn = ssize_t (*)(int, void*, size_t, off64_t);

write_fn real_write = nullptr;
pwrite_fn real_pwrite = nullptr;
pwrite64_fn real_pwrite64 = nullptr;
fsync_fn real_fsync = nullptr;
close_fn real_close = nullptr;
rename_fn real_rename = nullptr;
read_fn real_read = nullptr;
pread_fn real_pread = nullptr;
pread64_fn real_pread64 = nullptr;

std::atomic<bool> armed{false};
std::atomic<unsigned long> counts[k_count];
int fault_kind = -1;          // -1: count only
unsigned long fault_call = 0;  // the n-th call of fault_kind fails
int fault_errno = 0;           // 0 with fault_short
bool fault_short = false;
const char* fault_errno_name = "";
std::atomic<bool> injected{false};
char summary[256];
char report_path[4096];
char match[4096];  // PICKLEJAR_FAULT_MATCH; empty: every file

template <class Function>
void resolve(Function& function, const char* name) {
  void* symbol = dlsym(RTLD_NEXT, name);
  if (symbol == nullptr) abort();  // no real function to forward to (and none to print with)
  function = reinterpret_cast<Function>(symbol);
}

void load_real_functions() {
  if (real_write != nullptr) return;
  resolve(real_pwrite, "pwrite");
  resolve(real_pwrite64, "pwrite64");
  resolve(real_fsync, "fsync");
  resolve(real_close, "close");
  resolve(real_rename, "rename");
  resolve(real_read, "read");
  resolve(real_pread, "pread");
  resolve(real_pread64, "pread64");
  resolve(real_write, "write");  // last: its being set means all are
}

void die(const char* message) {
  load_real_functions();
  real_write(2, message, strlen(message));
  _exit(125);
}

/// Reads PICKLEJAR_FAULT = "count" | "<call>:<n>:<errno>".
void configure() {
  const char* spec = getenv("PICKLEJAR_FAULT");
  const char* armed_from_start = getenv("PICKLEJAR_FAULT_ARMED");
  if (armed_from_start != nullptr && strcmp(armed_from_start, "1") == 0) armed = true;
  const char* report = getenv("PICKLEJAR_FAULT_REPORT");
  if (report != nullptr) snprintf(report_path, sizeof report_path, "%s", report);
  const char* matching = getenv("PICKLEJAR_FAULT_MATCH");
  if (matching != nullptr) snprintf(match, sizeof match, "%s", matching);
  if (spec == nullptr || *spec == '\0' || strcmp(spec, "count") == 0) return;

  char call[32] = {};
  const char* colon = strchr(spec, ':');
  if (colon == nullptr || static_cast<size_t>(colon - spec) >= sizeof call) {
    die("fault_shim: PICKLEJAR_FAULT must be count or <call>:<n>:<errno>\n");
  }
  memcpy(call, spec, static_cast<size_t>(colon - spec));
  for (int k = 0; k < k_count; ++k) {
    if (strcmp(call, kind_names[k]) == 0) fault_kind = k;
  }
  if (fault_kind < 0) die("fault_shim: unknown call in PICKLEJAR_FAULT (write, pwrite, fsync, close, rename, dirfsync, read)\n");
  char* end = nullptr;
  fault_call = strtoul(colon + 1, &end, 10);
  if (end == colon + 1 || *end != ':' || fault_call == 0) die("fault_shim: PICKLEJAR_FAULT needs a call number n >= 1\n");
  fault_errno_name = end + 1;
  if (strcmp(fault_errno_name, "EIO") == 0) fault_errno = EIO;
  else if (strcmp(fault_errno_name, "ENOSPC") == 0) fault_errno = ENOSPC;
  else if (strcmp(fault_errno_name, "EDQUOT") == 0) fault_errno = EDQUOT;
  else if (strcmp(fault_errno_name, "EINTR") == 0) fault_errno = EINTR;
  else if (strcmp(fault_errno_name, "short") == 0) fault_short = true;
  else fault_errno = atoi(fault_errno_name);
  if (fault_short && fault_kind != k_write && fault_kind != k_pwrite) die("fault_shim: only write and pwrite can be short\n");
  if (!fault_short && fault_errno <= 0) die("fault_shim: PICKLEJAR_FAULT needs an errno: EIO, ENOSPC, EDQUOT, EINTR, a number, or short\n");
}

__attribute__((constructor)) void start() {
  load_real_functions();
  configure();
}

void write_report();

__attribute__((destructor)) void finish() { write_report(); }

/// File type of a descriptor: S_IFREG, S_IFDIR, ... or 0 if fstat fails.
mode_t type_of(int fd) {
  struct stat status;
  if (fstat(fd, &status) != 0) return 0;
  return status.st_mode & S_IFMT;
}

/// Whether `fd`'s file is one PICKLEJAR_FAULT_MATCH selects (every file without it).
bool matches(int fd) {
  if (match[0] == '\0') return true;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char target[4096];
  const ssize_t length = readlink(link, target, sizeof target - 1);
  if (length < 0) return false;
  target[length] = '\0';
  return strstr(target, match) != nullptr;
}

/// Whether `fd` was opened for writing.
bool writable(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_ACCMODE) != O_RDONLY;
}

/// The byte count a short write passes on: half, but at least one byte.
size_t shortened(size_t size) { return size > 1 ? size / 2 : size; }

/// Counts a call of kind `k` and says whether it is the one to fail.
bool should_fail(int k) {
  if (!armed.load()) return false;
  const unsigned long number = ++counts[k];
  if (k != fault_kind || number != fault_call) return false;
  injected = true;
  return true;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) void picklejar_fault_arm(int on) { armed = on != 0; }

__attribute__((visibility("default"))) const char* picklejar_fault_summary() {
  char injection[64] = "none";
  if (injected.load()) snprintf(injection, sizeof injection, "%s:%lu:%s", kind_names[fault_kind], fault_call, fault_errno_name);
  int used = 0;
  for (int k = 0; k < k_count; ++k) {
    used += snprintf(summary + used, sizeof summary - static_cast<size_t>(used), "%s=%lu ", kind_names[k], counts[k].load());
  }
  snprintf(summary + used, sizeof summary - static_cast<size_t>(used), "injected=%s", injection);
  return summary;
}

__attribute__((visibility("default"))) ssize_t write(int fd, const void* data, size_t size) {
  load_real_functions();
  if (armed.load() && type_of(fd) == S_IFREG && matches(fd) && should_fail(k_write)) {
    if (fault_short) return real_write(fd, data, shortened(size));
    errno = fault_errno;
    return -1;
  }
  return real_write(fd, data, size);
}

__attribute__((visibility("default"))) ssize_t pwrite(int fd, const void* data, size_t size, off_t offset) {
  load_real_functions();
  if (armed.load() && type_of(fd) == S_IFREG && matches(fd) && should_fail(k_pwrite)) {
    if (fault_short) return real_pwrite(fd, data, shortened(size), offset);
    errno = fault_errno;
    return -1;
  }
  return real_pwrite(fd, data, size, offset);
}

__attribute__((visibility("default"))) ssize_t pwrite64(int fd, const void* data, size_t size, off64_t offset) {
  load_real_functions();
  if (armed.load() && type_of(fd) == S_IFREG && matches(fd) && should_fail(k_pwrite)) {
    if (fault_short) return real_pwrite64(fd, data, shortened(size), offset);
    errno = fault_errno;
    return -1;
  }
  return real_pwrite64(fd, data, size, offset);
}

__attribute__((visibility("default"))) int fsync(int fd) {
  load_real_functions();
  if (armed.load()) {
    const mode_t type = type_of(fd);
    if ((type == S_IFDIR && should_fail(k_dirfsync)) || (type == S_IFREG && should_fail(k_fsync))) {
      errno = fault_errno;
      return -1;
    }
  }
  return real_fsync(fd);
}

__attribute__((visibility("default"))) int close(int fd) {
  load_real_functions();
  if (armed.load() && type_of(fd) == S_IFREG && writable(fd) && matches(fd) && should_fail(k_close)) {
    real_close(fd);  // Linux releases the descriptor even when close reports an error
    errno = fault_errno;
    return -1;
  }
  return real_close(fd);
}

__attribute__((visibility("default"))) ssize_t read(int fd, void* data, size_t size) {
  load_real_functions();
  if (armed.load() && type_of(fd) == S_IFREG && matches(fd) && should_fail(k_read)) {
    errno = fault_errno;
    return -1;
  }
  return real_read(fd, data, size);
}

__attribute__((visibility("default"))) ssize_t pread(int fd, void* data, size_t size, off_t offset) {
  load_real_functions();
  if (armed.load() && type_of(fd) == S_IFREG && matches(fd) && should_fail(k_read)) {
    errno = fault_errno;
    return -1;
  }
  return real_pread(fd, data, size, offset);
}

__attribute__((visibility("default"))) ssize_t pread64(int fd, void* data, size_t size, off64_t offset) {
  load_real_functions();
  if (armed.load() && type_of(fd) == S_IFREG && matches(fd) && should_fail(k_read)) {
    errno = fault_errno;
    return -1;
  }
  return real_pread64(fd, data, size, offset);
}

__attribute__((visibility("default"))) int rename(const char* from, const char* to) {
  load_real_functions();
  if (should_fail(k_rename)) {
    errno = fault_errno;
    return -1;
  }
  return real_rename(from, to);
}

}  // extern "C"

namespace {

void write_report() {
  if (report_path[0] == '\0') return;
  const bool was_armed = armed.exchange(false);  // the report's own I/O is not counted
  const int fd = open(report_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    const char* line = picklejar_fault_summary();
    real_write(fd, line, strlen(line));
    real_write(fd, "\n", 1);
    real_close(fd);
  }
  armed = was_armed;
}

}  // namespace
