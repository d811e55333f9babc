// Writing files that were serialized already: the background half of picklejar::save_async and
// checkpoint_manager::save_async. The snapshot (the file's bytes, what dumps() makes) is taken by
// the caller under the object's guard; what is here only writes those bytes, through the same
// atomic_file as picklejar::save (temporary file, fsync, rename, directory fsync), so every crash
// guarantee of save holds for them too.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <future>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "picklejar/detail/document/checksum.hpp"
#include "picklejar/detail/document/container.hpp"
#include "picklejar/detail/io/file_io.hpp"
#include "picklejar/detail/io/output_sink.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {

/// For tests only: called by a background writer with the target's path before it writes a
/// snapshot (a test makes the writer slow with it, or throws from it to inject a failure).
inline std::atomic<void (*)(const std::filesystem::path&)> background_write_hook{nullptr};

/// Writes `bytes` (a whole file) to `path` atomically, as picklejar::save does. Through an
/// output_sink, so that a large file is written in windows whose writeback starts at once (the
/// final fsync then waits for the last window only). A binary document written with
/// sealing::by_writer gets its checksum here, hashed piece by piece on the way to the disk.
inline void write_bytes_atomically(const std::filesystem::path& path, std::string_view bytes) {
  if (auto hook = background_write_hook.load()) hook(path);
  atomic_file file(path);
  output_sink sink(file.descriptor(), path);
  if (looks_binary(bytes) && bytes.size() >= fixed_header_bytes) {
    const std::size_t header_bytes = fixed_header_bytes + static_cast<std::size_t>(get_le(bytes.data() + 12, 4));
    sink.write(bytes.data(), header_bytes);
    sink.start_checksum();
    sink.write(bytes.data() + header_bytes, bytes.size() - header_bytes);
    const std::uint64_t checksum =
        complete_binary_checksum(sink.checksum(), bytes.substr(fixed_header_bytes, header_bytes - fixed_header_bytes),
                                 bytes.substr(0, fixed_header_bytes));
    std::string digest;
    put_le(digest, checksum, 8);
    sink.overwrite(32, digest);
  } else {
    sink.write(bytes.data(), bytes.size());
  }
  sink.flush();
  file.commit();
}

/// The current exception as a picklejar::error naming `path` (a background failure must reach
/// the caller as one).
inline std::exception_ptr as_background_failure(const std::filesystem::path& path) {
  try {
    throw;
  } catch (const error& failure) {
    if (failure.file().empty()) return std::make_exception_ptr(failure.with_file(path.string()));
    return std::current_exception();
  } catch (const std::bad_alloc&) {
    return std::make_exception_ptr(error(errc::limit, "out of memory while writing in the background", path.string()));
  } catch (const std::exception& failure) {
    return std::make_exception_ptr(
        error(errc::io, std::string("cannot write the file in the background: ") + failure.what(), path.string()));
  } catch (...) {
    return std::make_exception_ptr(error(errc::io, "cannot write the file in the background", path.string()));
  }
}

/// The writer behind picklejar::save_async: one thread, started on first use, writing the
/// submitted files in order. It lives in a function-local static, so at a normal exit (return
/// from main, std::exit) its destructor writes every file still queued before the thread is
/// joined; a pending save is lost only if the process dies (a crash, _exit, quick_exit), and then
/// as a crash during picklejar::save would be: the previous file stays whole.
class shared_background_writer {
 public:
  static shared_background_writer& instance() {
    static shared_background_writer writer;
    return writer;
  }

  std::future<void> submit(std::filesystem::path path, std::string bytes) {
    job task{std::move(path), std::move(bytes), {}};
    std::future<void> done = task.done.get_future();
    const std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(task));
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    wake_.notify_one();
    return done;
  }

  shared_background_writer(const shared_background_writer&) = delete;
  shared_background_writer& operator=(const shared_background_writer&) = delete;
  ~shared_background_writer() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct job {
    std::filesystem::path path;
    std::string bytes;
    std::promise<void> done;
  };

  shared_background_writer() = default;

  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left to write
      job task = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      try {
        write_bytes_atomically(task.path, task.bytes);
        task.done.set_value();
      } catch (...) {
        task.done.set_exception(as_background_failure(task.path));
      }
      task = job{};  // the snapshot's memory goes back before the next one is waited for
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace picklejar::detail
