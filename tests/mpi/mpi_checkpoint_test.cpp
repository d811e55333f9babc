// Sharded checkpoints across MPI ranks (picklejar/mpi.hpp), one program with modes, run by
// tests/mpi/CMakeLists.txt under mpirun with various numbers of ranks:
//   mpi_checkpoint_test save DIR               saves steps 1..3 (values depend on step and row)
//   mpi_checkpoint_test load DIR SAVED_RANKS [shifted]   loads the latest and checks every value
//   mpi_checkpoint_test retention DIR          keep_last / keep_best across ranks
//   mpi_checkpoint_test fail DIR               a rank whose save fails; ranks that disagree
//   mpi_checkpoint_test kill DIR               rank 1 dies in the middle of step 2's save
//   mpi_checkpoint_test after_kill DIR         ... and step 1 is still the latest, intact
//   mpi_checkpoint_test hostile DIR            damaged and hostile manifests, a damaged part
//   mpi_checkpoint_test async DIR              save_async: snapshots, commits, failures
// Exit status 0 when every check passed on this rank; each failed check is printed.
#include <mpi.h>

#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <picklejar/mpi.hpp>

namespace fs = std::filesystem;

namespace {

int g_rank = 0;
int g_size = 1;
int g_failures = 0;

// What the Hook member does while it is saved (set by the test before a save).
struct hook_plan {
  int fail_rank = -1;  // this rank throws from get_state
  int kill_rank = -1;  // this rank dies (SIGKILL) in get_state
  int block_rank = -1; // this rank puts a directory where its part is to go (the rename fails)
  fs::path run;        // the run's directory, for block_rank
};
hook_plan g_hook;

#define CHECK(condition)                                                                          \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      ++g_failures;                                                                               \
      std::cerr << "rank " << g_rank << ": FAILED " << __FILE__ << ":" << __LINE__ << ": " #condition "\n"; \
    }                                                                                             \
  } while (0)

// A member with a state hook the test can make fail or kill its process.
struct Hook {
  int value = 0;
  int get_state() const {
    if (g_hook.kill_rank == g_rank) ::raise(SIGKILL);
    if (g_hook.block_rank == g_rank) {
      for (const auto& entry : fs::directory_iterator(g_hook.run)) {
        if (entry.path().filename().string().find(".tmp-") == std::string::npos) continue;
        fs::create_directories(entry.path() / picklejar::detail::part_file_name(g_rank) / "in-the-way");
      }
    }
    if (g_hook.fail_rank == g_rank) throw std::runtime_error("the hook of rank " + std::to_string(g_rank) + " refuses");
    return value;
  }
  void set_state(int v) { value = v; }
};

struct AdamState {
  Eigen::VectorXf m;
  std::int64_t t = 0;
  PICKLEJAR_FIELDS(m, t)
};

using RowMajorXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Shard {
  picklejar::row_shard<Eigen::MatrixXf> w;     // column-major
  picklejar::row_shard<RowMajorXd> v;          // row-major
  picklejar::row_shard<Eigen::VectorXf> bias;  // a vector: tensor shape [n]
  AdamState opt;                               // per rank
  Hook hook;
  Eigen::MatrixXf local;                       // a user member called "local", not a row_shard
  PICKLEJAR_FIELDS(w, v, bias, opt, hook, local)
};

constexpr std::int64_t w_rows = 10, w_cols = 3, v_rows = 7, v_cols = 2, bias_rows = 9;

float w_value(std::int64_t step, std::int64_t i, std::int64_t j) { return static_cast<float>(step * 1000 + i * 10 + j); }
double v_value(std::int64_t step, std::int64_t i, std::int64_t j) { return static_cast<double>(step) * 0.5 + i - j * 0.25; }
float bias_value(std::int64_t step, std::int64_t i) { return static_cast<float>(step * 100 - i); }

// Rows of `rank` in an even split of `rows` over `ranks` (the first ranks get one more), or with
// `shifted`, the last ranks get one more (another layout on the same number of ranks).
std::pair<std::int64_t, std::int64_t> split(std::int64_t rows, int ranks, int rank, bool shifted = false) {
  const std::int64_t base = rows / ranks, extra = rows % ranks;
  std::int64_t offset = 0;
  for (int r = 0; r < rank; ++r) {
    const bool gets_extra = shifted ? r >= ranks - extra : r < extra;
    offset += base + (gets_extra ? 1 : 0);
  }
  const bool gets_extra = shifted ? rank >= ranks - extra : rank < extra;
  return {offset, base + (gets_extra ? 1 : 0)};
}

Shard laid_out(bool shifted = false) {
  Shard s;
  auto [wo, wn] = split(w_rows, g_size, g_rank, shifted);
  auto [vo, vn] = split(v_rows, g_size, g_rank, shifted);
  auto [bo, bn] = split(bias_rows, g_size, g_rank, shifted);
  s.w = picklejar::row_shard<Eigen::MatrixXf>(w_rows, w_cols, wo, wn);
  s.v = picklejar::row_shard<RowMajorXd>(v_rows, v_cols, vo, vn);
  s.bias = picklejar::row_shard<Eigen::VectorXf>(bias_rows, 1, bo, bn);
  return s;
}

Shard make_shard(std::int64_t step) {
  Shard s = laid_out();
  for (std::int64_t i = 0; i < s.w.local_rows(); ++i)
    for (std::int64_t j = 0; j < w_cols; ++j) s.w.local()(i, j) = w_value(step, s.w.row_offset() + i, j);
  for (std::int64_t i = 0; i < s.v.local_rows(); ++i)
    for (std::int64_t j = 0; j < v_cols; ++j) s.v.local()(i, j) = v_value(step, s.v.row_offset() + i, j);
  for (std::int64_t i = 0; i < s.bias.local_rows(); ++i) s.bias.local()(i) = bias_value(step, s.bias.row_offset() + i);
  s.opt.m = Eigen::VectorXf::Constant(4, static_cast<float>(g_rank * 10 + step));
  s.opt.t = step;
  s.hook.value = g_rank;
  // Same shape as rank 0's first w block, so only its contents tell it apart.
  s.local = Eigen::MatrixXf::Constant(split(w_rows, g_size, 0).second, w_cols, -1.0f);
  return s;
}

// Checks every value of a loaded shard: the row_shards' rows of `step`, in the layout asked for;
// the per-rank members from `owner`'s part.
void check_shard(const Shard& s, std::int64_t step, int owner, bool shifted = false) {
  const Shard expected_layout = laid_out(shifted);
  CHECK(s.w.row_offset() == expected_layout.w.row_offset() && s.w.local_rows() == expected_layout.w.local_rows());
  CHECK(s.v.row_offset() == expected_layout.v.row_offset() && s.v.local_rows() == expected_layout.v.local_rows());
  CHECK(s.bias.row_offset() == expected_layout.bias.row_offset());
  CHECK(s.w.global_rows() == w_rows && s.w.global_cols() == w_cols && s.v.global_rows() == v_rows);
  CHECK(s.w.local().rows() == s.w.local_rows() && s.w.local().cols() == w_cols);
  CHECK(s.bias.local().rows() == s.bias.local_rows());
  bool values = true;
  for (std::int64_t i = 0; i < s.w.local().rows(); ++i)
    for (std::int64_t j = 0; j < s.w.local().cols(); ++j)
      values = values && s.w.local()(i, j) == w_value(step, s.w.row_offset() + i, j);
  for (std::int64_t i = 0; i < s.v.local().rows(); ++i)
    for (std::int64_t j = 0; j < s.v.local().cols(); ++j)
      values = values && s.v.local()(i, j) == v_value(step, s.v.row_offset() + i, j);
  for (std::int64_t i = 0; i < s.bias.local().rows(); ++i)
    values = values && s.bias.local()(i) == bias_value(step, s.bias.row_offset() + i);
  CHECK(values);
  CHECK(s.opt.t == step);
  CHECK(s.opt.m.size() == 4 && s.opt.m(0) == static_cast<float>(owner * 10 + step));
  CHECK(s.hook.value == owner);
  CHECK(s.local.size() > 0 && s.local(0, 0) == -1.0f);
}

picklejar::checkpoint_options keep_all() {
  picklejar::checkpoint_options opts;
  opts.keep_last = picklejar::checkpoint_options::keep_all;
  return opts;
}

// The names in DIR (rank 0's view), sorted.
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

// Every rank's value of x is the same.
bool same_everywhere(std::int64_t x) {
  std::int64_t low = 0, high = 0;
  MPI_Allreduce(&x, &low, 1, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&x, &high, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
  return low == high;
}

std::int64_t text_hash(const std::string& text) { return static_cast<std::int64_t>(std::hash<std::string>{}(text) >> 1); }

void mode_save(const fs::path& dir) {
  picklejar::mpi::checkpoint_manager ckpt(MPI_COMM_WORLD, dir, keep_all());
  CHECK(!ckpt.latest());
  for (std::int64_t step = 1; step <= 3; ++step) ckpt.save(make_shard(step), step, 1.0 / static_cast<double>(step));
  CHECK(ckpt.latest_step() == 3);
  CHECK(ckpt.checkpoints().size() == 3);
  if (g_rank == 0) {
    const std::set<std::string> names = listing(dir / "ckpt-000000000003");
    std::set<std::string> expected{"manifest.pj"};
    for (int r = 0; r < g_size; ++r) expected.insert(picklejar::detail::part_file_name(r));
    CHECK(names == expected);
    // The part's tensor index names the row_shards' blocks by field path.
    const picklejar::tensor_file part = picklejar::open_tensors(dir / "ckpt-000000000003" / "rank-00000.pj");
    CHECK(part.contains("w.local") && part.contains("v.local") && part.contains("bias.local") && part.contains("local"));
    const auto manifest = picklejar::detail::read_manifest(dir / "ckpt-000000000003", 3);
    CHECK(manifest.world_size == g_size);
    CHECK(manifest.row_shards.size() == 3);
    CHECK(manifest.row_shards.size() == 3 && manifest.row_shards[0].field == "w" && manifest.row_shards[1].field == "v" &&
          manifest.row_shards[2].field == "bias" && manifest.row_shards[0].global_rows == w_rows);
  }
}

void mode_load(const fs::path& dir, int saved_ranks, bool shifted) {
  picklejar::mpi::checkpoint_manager ckpt(MPI_COMM_WORLD, dir, keep_all());
  CHECK(ckpt.latest_step() == 3);
  Shard s = laid_out(shifted);
  const picklejar::checkpoint_info info = ckpt.load_latest(s);
  CHECK(info.step == 3);
  const bool same_parts = saved_ranks == g_size;
  check_shard(s, 3, same_parts ? g_rank : 0, shifted);

  // load_best: metric 1/step, min: step 3 again. Into a fresh object.
  Shard best = laid_out(shifted);
  CHECK(ckpt.load_best(best).step == 3);
  check_shard(best, 3, same_parts ? g_rank : 0, shifted);

  if (!same_parts) {
    // A row_shard without a layout cannot be resharded: every rank gets the same errc::type.
    Shard bare;
    try {
      ckpt.load_latest(bare);
      CHECK(false);
    } catch (const picklejar::error& e) {
      CHECK(e.code() == picklejar::errc::type);
      CHECK(std::string(e.what()).find("has no layout") != std::string::npos);
      CHECK(same_everywhere(text_hash(e.what())));
    }
    // Another global shape is a type error too.
    Shard wrong = laid_out(shifted);
    wrong.w = picklejar::row_shard<Eigen::MatrixXf>(w_rows + 1, w_cols, 0, g_rank == 0 ? w_rows + 1 : 0);
    try {
      ckpt.load_latest(wrong);
      CHECK(false);
    } catch (const picklejar::error& e) {
      CHECK(e.code() == picklejar::errc::type);
    }
  } else if (!shifted) {
    Shard bare;  // on the same number of ranks, no layout needed: each rank gets its own part's
    ckpt.load_latest(bare);
    check_shard(bare, 3, g_rank);
  }
}

void mode_retention(const fs::path& dir) {
  picklejar::checkpoint_options opts;
  opts.keep_last = 2;
  opts.keep_best = 1;
  opts.mode = picklejar::metric_mode::min;
  picklejar::mpi::checkpoint_manager ckpt(MPI_COMM_WORLD, dir, opts);
  const double metrics[] = {5, 1, 4, 3, 6, 2};
  const std::vector<std::set<std::int64_t>> kept_after = {{1}, {1, 2}, {2, 3}, {2, 3, 4}, {2, 4, 5}, {2, 5, 6}};
  for (std::int64_t step = 1; step <= 6; ++step) {
    ckpt.save(make_shard(step), step, metrics[step - 1]);
    std::set<std::int64_t> listed;
    for (const auto& c : ckpt.checkpoints()) listed.insert(c.step);
    CHECK(listed == kept_after[static_cast<std::size_t>(step - 1)]);
    std::int64_t sum = 0;
    for (std::int64_t s : listed) sum = sum * 10 + s;
    CHECK(same_everywhere(sum));
    if (g_rank == 0) {
      std::set<std::string> expected{picklejar::detail::checkpoint_lock_name};
      for (std::int64_t s : kept_after[static_cast<std::size_t>(step - 1)])
        expected.insert(picklejar::detail::step_directory_name(s));
      CHECK(listing(dir) == expected);  // every rank's part went with its checkpoint; no leftovers
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
  CHECK(ckpt.best() && ckpt.best()->step == 2);
  Shard s = laid_out();
  CHECK(ckpt.load_best(s).step == 2);
  check_shard(s, 2, g_rank);

  // A restarted manager sees the same checkpoints.
  picklejar::mpi::checkpoint_manager* again = nullptr;
  try {
    picklejar::mpi::checkpoint_manager second(MPI_COMM_WORLD, dir, opts);
    again = &second;
    CHECK(false);  // the first manager still holds the lock
  } catch (const picklejar::error& e) {
    CHECK(e.code() == picklejar::errc::io);
    CHECK(std::string(e.what()).find("on rank 0") != std::string::npos);
  }
  static_cast<void>(again);
}

void mode_fail(const fs::path& dir) {
  picklejar::mpi::checkpoint_manager ckpt(MPI_COMM_WORLD, dir, keep_all());
  ckpt.save(make_shard(1), 1, 0.5);
  const int failing = g_size > 2 ? 2 : g_size - 1;

  // A rank whose save fails: every rank gets the same picklejar::error, step 1 stays the latest.
  g_hook.fail_rank = failing;
  try {
    ckpt.save(make_shard(2), 2, 0.25);
    CHECK(false);
  } catch (const picklejar::error& e) {
    const std::string text = e.what();
    CHECK(text.find("on rank " + std::to_string(failing)) != std::string::npos);
    CHECK(text.find("refuses") != std::string::npos);
    CHECK(text.find("rank-0000" + std::to_string(failing) + ".pj") != std::string::npos);  // names the file
    CHECK(same_everywhere(text_hash(text)));
  }
  g_hook.fail_rank = -1;
  CHECK(ckpt.latest_step() == 1);
  if (g_rank == 0) CHECK(listing(dir) == (std::set<std::string>{"ckpt-000000000001", "picklejar-checkpoint.lock"}));

  // Ranks that disagree on the step: every rank gets an error, nothing is written.
  if (g_size > 1) {
    try {
      ckpt.save(make_shard(2), g_rank == g_size - 1 ? 3 : 2, 0.25);
      CHECK(false);
    } catch (const picklejar::error& e) {
      CHECK(std::string(e.what()).find("every rank must save the same checkpoint") != std::string::npos);
    }
  }
  // A step at or below the latest.
  try {
    ckpt.save(make_shard(1), 1, 0.25);
    CHECK(false);
  } catch (const picklejar::error& e) {
    CHECK(e.code() == picklejar::errc::io);
    CHECK(std::string(e.what()).find("not above the latest") != std::string::npos);
  }
  CHECK(ckpt.latest_step() == 1);
  Shard s = laid_out();
  CHECK(ckpt.load_latest(s).step == 1);
  check_shard(s, 1, g_rank);

  // A rank whose part cannot be written (a directory is in the way of its file, planted by its
  // hook while the save runs): errc::io naming the file, on every rank.
  g_hook.block_rank = g_size - 1;
  g_hook.run = dir;
  try {
    ckpt.save(make_shard(2), 2, 0.25);
    CHECK(false);
  } catch (const picklejar::error& e) {
    CHECK(e.code() == picklejar::errc::io);
    CHECK(std::string(e.what()).find("on rank " + std::to_string(g_size - 1)) != std::string::npos);
    CHECK(std::string(e.what()).find(picklejar::detail::part_file_name(g_size - 1)) != std::string::npos);
    CHECK(same_everywhere(text_hash(e.what())));
    if (g_rank == 0) std::cout << "expected failure: " << e.what() << "\n";
  }
  g_hook.block_rank = -1;
  CHECK(ckpt.latest_step() == 1);
  if (g_rank == 0) CHECK(listing(dir) == (std::set<std::string>{"ckpt-000000000001", "picklejar-checkpoint.lock"}));

  // After all that, saving works again.
  ckpt.save(make_shard(2), 2, 0.25);
  CHECK(ckpt.latest_step() == 2);
  Shard t = laid_out();
  ckpt.load_latest(t);
  check_shard(t, 2, g_rank);
}

void mode_kill(const fs::path& dir) {
  picklejar::mpi::checkpoint_manager ckpt(MPI_COMM_WORLD, dir, keep_all());
  ckpt.save(make_shard(1), 1, 0.5);
  g_hook.kill_rank = 1;
  ckpt.save(make_shard(2), 2, 0.25);  // rank 1 dies in here; mpirun ends the job
  std::cerr << "rank " << g_rank << ": still alive after the save that was to kill rank 1\n";
  ++g_failures;
}

void mode_after_kill(const fs::path& dir) {
  if (g_rank == 0) {
    bool leftover = false;
    for (const std::string& name : listing(dir)) leftover = leftover || name.find(".tmp-") != std::string::npos;
    CHECK(leftover);  // the interrupted save's directory, never renamed
  }
  MPI_Barrier(MPI_COMM_WORLD);
  picklejar::mpi::checkpoint_manager ckpt(MPI_COMM_WORLD, dir, keep_all());
  CHECK(ckpt.latest_step() == 1);
  if (g_rank == 0) CHECK(listing(dir) == (std::set<std::string>{"ckpt-000000000001", "picklejar-checkpoint.lock"}));
  Shard s = laid_out();
  CHECK(ckpt.load_latest(s).step == 1);
  check_shard(s, 1, g_rank);
  ckpt.save(make_shard(2), 2, 0.25);  // and the run goes on
  CHECK(ckpt.latest_step() == 2);
}

void flip_byte(const fs::path& file, std::uint64_t at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(at));
  f.put(static_cast<char>(c ^ 0x5a));
}

void mode_hostile(const fs::path& dir) {
  {
    picklejar::mpi::checkpoint_manager ckpt(MPI_COMM_WORLD, dir, keep_all());
    for (std::int64_t step = 1; step <= 4; ++step) ckpt.save(make_shard(step), step, 0.5);
  }
  if (g_rank == 0) {
    // Step 4: a manifest whose bytes are damaged (checksum).
    const fs::path manifest4 = dir / "ckpt-000000000004" / "manifest.pj";
    flip_byte(manifest4, fs::file_size(manifest4) / 2);
    // Step 3: a well-formed picklejar file saying hostile things.
    picklejar::detail::checkpoint_manifest hostile =
        picklejar::detail::read_manifest(dir / "ckpt-000000000003", 3);
    hostile.parts[0].file = "../../../../etc/passwd";
    picklejar::save(hostile, dir / "ckpt-000000000003" / "manifest.pj");
    // Step 2: a damaged part (its payload; the header still matches the manifest).
    const fs::path part = dir / "ckpt-000000000002" / picklejar::detail::part_file_name(g_size - 1);
    flip_byte(part, fs::file_size(part) - 40);

    // Random damage to a manifest never crashes its reader: each is read or refused.
    const fs::path good = dir / "ckpt-000000000001";
    const std::string original = [&] {
      std::ifstream in(good / "manifest.pj", std::ios::binary);
      return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    const fs::path scratch = dir / "scratch" / "ckpt-000000000001";
    fs::create_directories(scratch);
    std::mt19937 random(12345);
    int refused = 0;
    for (int round = 0; round < 300; ++round) {
      std::string bytes = original;
      const int flips = 1 + static_cast<int>(random() % 4);
      for (int k = 0; k < flips; ++k) bytes[random() % bytes.size()] = static_cast<char>(random());
      if (round % 7 == 0) bytes.resize(random() % bytes.size());
      { std::ofstream(scratch / "manifest.pj", std::ios::binary) << bytes; }
      try {
        picklejar::detail::read_manifest(scratch, 1);
      } catch (const picklejar::error&) {
        ++refused;
      }
    }
    CHECK(refused > 250);
    // Checked fields: a well-checksummed manifest whose rows overlap, or whose world is absurd.
    picklejar::detail::checkpoint_manifest bad = picklejar::detail::read_manifest(good, 1);
    bad.row_shards[0].ranks[0].local_rows += 1;
    picklejar::save(bad, scratch / "manifest.pj");
    try {
      picklejar::detail::read_manifest(scratch, 1);
      CHECK(false);
    } catch (const picklejar::error& e) {
      CHECK(e.code() == picklejar::errc::format);
    }
    bad = picklejar::detail::read_manifest(good, 1);
    bad.world_size = 1 << 30;
    picklejar::save(bad, scratch / "manifest.pj");
    try {
      picklejar::detail::read_manifest(scratch, 1);
      CHECK(false);
    } catch (const picklejar::error& e) {
      CHECK(e.code() == picklejar::errc::format);
    }
    fs::remove_all(dir / "scratch");
  }
  MPI_Barrier(MPI_COMM_WORLD);
  picklejar::mpi::checkpoint_manager ckpt(MPI_COMM_WORLD, dir, keep_all());
  // Steps 3 and 4 are skipped for their manifests; step 2 is listed (its manifest is fine).
  CHECK(ckpt.latest_step() == 2);
  CHECK(ckpt.problems().size() == 2);
  Shard s = laid_out();
  const picklejar::checkpoint_info loaded = ckpt.load_latest(s);  // step 2's part is damaged: step 1
  CHECK(loaded.step == 1);
  check_shard(s, 1, g_rank);
  CHECK(same_everywhere(static_cast<std::int64_t>(ckpt.problems().size())));
}

void mode_async(const fs::path& dir) {
  for (std::size_t max_pending : {std::size_t{1}, std::size_t{2}}) {
    const fs::path run = dir / ("pending" + std::to_string(max_pending));
    picklejar::checkpoint_options opts = keep_all();
    opts.max_pending = max_pending;
    picklejar::mpi::checkpoint_manager ckpt(MPI_COMM_WORLD, run, opts);
    for (std::int64_t step = 1; step <= 4; ++step) {
      Shard s = make_shard(step);
      ckpt.save_async(s, step, static_cast<double>(step));
      s.w.local().setConstant(-7.0f);  // after the snapshot: not in the checkpoint
      s.opt.t = -1;
      CHECK(ckpt.pending() <= max_pending);
    }
    ckpt.wait();
    CHECK(ckpt.pending() == 0);
    CHECK(ckpt.latest_step() == 4 && ckpt.checkpoints().size() == 4);
    Shard loaded = laid_out();
    CHECK(ckpt.load_latest(loaded).step == 4);
    check_shard(loaded, 4, g_rank);

    // A snapshot that fails on one rank fails on every rank at once; the run goes on.
    g_hook.fail_rank = g_size - 1;
    try {
      ckpt.save_async(make_shard(5), 5, 5.0);
      CHECK(false);
    } catch (const picklejar::error& e) {
      CHECK(std::string(e.what()).find("refuses") != std::string::npos);
      CHECK(same_everywhere(text_hash(e.what())));
    }
    g_hook.fail_rank = -1;
    CHECK(ckpt.pending() == 0 && ckpt.latest_step() == 4);
    ckpt.save_async(make_shard(5), 5, 5.0);
    ckpt.save(make_shard(6), 6, 6.0);  // commits 5 first
    CHECK(ckpt.latest_step() == 6 && ckpt.checkpoints().size() == 6);
    ckpt.save_async(make_shard(7), 7, 7.0);  // committed by the destructor
  }
  picklejar::mpi::checkpoint_manager reopened(MPI_COMM_WORLD, dir / "pending1", keep_all());
  CHECK(reopened.latest_step() == 7);
  Shard s = laid_out();
  reopened.load_latest(s);
  check_shard(s, 7, g_rank);
}

}  // namespace

int main(int argc, char** argv) {
  int provided = 0;
  // FUNNELED: save_async's background writer never calls MPI (see picklejar/mpi.hpp).
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  if (argc < 3) {
    if (g_rank == 0) std::cerr << "usage: mpi_checkpoint_test MODE DIR [SAVED_RANKS [shifted]]\n";
    MPI_Finalize();
    return 2;
  }
  const std::string mode = argv[1];
  const fs::path dir = argv[2];
  try {
    if (mode == "save") mode_save(dir);
    else if (mode == "load") mode_load(dir, argc > 3 ? std::stoi(argv[3]) : g_size, argc > 4 && std::string(argv[4]) == "shifted");
    else if (mode == "retention") mode_retention(dir);
    else if (mode == "fail") mode_fail(dir);
    else if (mode == "kill") mode_kill(dir);
    else if (mode == "after_kill") mode_after_kill(dir);
    else if (mode == "hostile") mode_hostile(dir);
    else if (mode == "async") mode_async(dir);
    else {
      std::cerr << "unknown mode " << mode << "\n";
      ++g_failures;
    }
  } catch (const std::exception& e) {
    std::cerr << "rank " << g_rank << ": FAILED with an exception: " << e.what() << "\n";
    ++g_failures;
  }
  int total = 0;
  MPI_Allreduce(&g_failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (g_rank == 0) std::cout << "mpi_checkpoint_test " << mode << " on " << g_size << " ranks: "
                             << (total == 0 ? "passed" : std::to_string(total) + " check(s) failed") << "\n";
  MPI_Finalize();
  return g_failures == 0 ? 0 : 1;
}
