// I/O failures injected into saves (label faults). A saver program (fault_saver.cpp) runs under
// LD_PRELOAD=fault_shim.so, which makes the n-th call of one kind fail: write, pwrite, fsync,
// close, rename, or the fsync of the directory, with EIO or with ENOSPC. For every kind, every
// n up to the number of such calls a save makes (counted first by the shim in counting mode) and
// both errors, over an existing valid file, the save must
//   - throw picklejar::error with errc::io, naming the target file and the system's error;
//   - leave the target holding the old file (byte for byte) when the failure came before the
//     rename, and the new one (verified and loaded) when only the directory fsync after the
//     rename failed: the one documented case in which the save reports an error although the
//     new file is in place (its rename may not survive a power loss);
//   - leave no temporary file;
//   - for checkpoint_manager::save: delete no checkpoint (retention runs only after a successful
//     save), list what it listed before, and leave a directory a new manager opens without a
//     problem.
// Scenarios: picklejar::save in binary and in JSON, checkpoint_manager::save of a new step. (Saving
// an existing step again is refused before any I/O: steps only go up.) A last case per test,
// n = count + 1, fails nothing and must save normally.
//
// Reads too (FaultRead): a run resuming from its checkpoints (the manager opening the directory,
// then load_latest) whose newest checkpoint fails a read with EIO must get errc::io naming that
// file, every time: an I/O error is not damage, and skipping the newest checkpoint would resume
// from an older step.
//
// Run alone with: ctest --test-dir build -L faults --output-on-failure
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <picklejar/checkpoint.hpp>

#include "fault_model.hpp"
#include "test_support.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using fault_test::is_model;
using fault_test::make_model;
using fault_test::Model;

constexpr std::uint32_t old_version = 1;
constexpr std::uint32_t new_version = 2;

// The -async ones: picklejar::save_async and checkpoint_manager::save_async, whose background
// writer makes the failing call; the failure must reach the caller (future, wait()) the same way.
const std::vector<std::string> scenarios = {"binary", "json", "checkpoint-new", "binary-async", "checkpoint-async"};
const std::vector<std::string> kinds = {"write", "pwrite", "fsync", "close", "rename", "dirfsync"};
const std::vector<std::string> errno_names = {"EIO", "ENOSPC"};

bool makes_no_pwrite(const std::string& scenario) { return scenario == "json"; }

bool is_checkpoint(const std::string& scenario) { return scenario.rfind("checkpoint", 0) == 0; }

picklejar::checkpoint_options checkpoint_opts() {
  picklejar::checkpoint_options opts;
  opts.keep_last = 2;  // as in fault_saver.cpp
  opts.keep_best = 1;
  return opts;
}

/// The file the scenario's save writes.
fs::path target_of(const std::string& scenario, const fs::path& dir) {
  if (scenario == "binary" || scenario == "binary-async") return dir / "model.pj";
  if (scenario == "json") return dir / "model.json";
  return dir / picklejar::detail::checkpoint_file_name(scenario == "checkpoint-new" || scenario == "checkpoint-async" ? 3 : 2);
}

/// The directory as it is before each save: the old model at the target (binary, json), or
/// checkpoints 1 and 2 of the old model (checkpoint scenarios).
void prepare(const std::string& scenario, const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) fs::remove_all(entry.path());
  const Model old_model = make_model(old_version);
  if (scenario == "binary" || scenario == "binary-async") {
    picklejar::save(old_model, target_of(scenario, dir));
  } else if (scenario == "json") {
    picklejar::save(old_model, target_of(scenario, dir), picklejar::options(picklejar::format::json));
  } else {
    picklejar::checkpoint_manager manager(dir, checkpoint_opts());
    manager.save(old_model, 1, 0.5);
    manager.save(old_model, 2, 0.4);
  }
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> temporary_files(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".pj-tmp-") != std::string::npos) found.push_back(name);
  }
  return found;
}

struct saver_run {
  int exit_code = -1;
  std::string output;
  std::map<std::string, std::string> lines;  ///< first word -> the rest of the line
};

/// Runs the saver under the shim with PICKLEJAR_FAULT=`fault` (and PICKLEJAR_FAULT_MATCH=`match`
/// if not empty); its stdout and stderr are captured.
saver_run run_saver(const std::string& scenario, const fs::path& dir, const std::string& fault,
                    const std::string& match = {}) {
  saver_run run;
  std::vector<std::string> environment;
  std::string asan_options = "ASAN_OPTIONS=";
  for (char** variable = environ; *variable != nullptr; ++variable) {
    const std::string entry = *variable;
    if (entry.rfind("LD_PRELOAD=", 0) == 0 || entry.rfind("PICKLEJAR_FAULT", 0) == 0) continue;
    if (entry.rfind("ASAN_OPTIONS=", 0) == 0) {
      asan_options = entry + ":";
      continue;
    }
    environment.push_back(entry);
  }
  environment.push_back(std::string("LD_PRELOAD=") + PICKLEJAR_FAULT_SHIM);
  // In a build with AddressSanitizer (its runtime linked dynamically, as GCC does), the preloaded
  // shim comes before the runtime, which ASan refuses unless told that this is intended.
  environment.push_back(asan_options + "verify_asan_link_order=0");
  environment.push_back("PICKLEJAR_FAULT=" + fault);
  if (!match.empty()) environment.push_back("PICKLEJAR_FAULT_MATCH=" + match);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  std::string program = PICKLEJAR_FAULT_SAVER;
  std::string scenario_argument = scenario;
  std::string dir_argument = dir.string();
  std::string version_argument = std::to_string(new_version);
  char* argv[] = {program.data(), scenario_argument.data(), dir_argument.data(), version_argument.data(), nullptr};

  int channel[2];
  if (::pipe(channel) != 0) {
    ADD_FAILURE() << "pipe() failed";
    return run;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, channel[0]);
  posix_spawn_file_actions_adddup2(&actions, channel[1], 1);
  posix_spawn_file_actions_adddup2(&actions, channel[1], 2);
  posix_spawn_file_actions_addclose(&actions, channel[1]);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(channel[1]);
  if (spawned != 0) {
    ::close(channel[0]);
    ADD_FAILURE() << "cannot run " << program << ": " << std::strerror(spawned);
    return run;
  }
  char buffer[4096];
  for (ssize_t got; (got = ::read(channel[0], buffer, sizeof buffer)) > 0;)
    run.output.append(buffer, static_cast<std::size_t>(got));
  ::close(channel[0]);
  int status = 0;
  if (::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);

  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t space = line.find(' ');
    if (space != std::string::npos) run.lines[line.substr(0, space)] = line.substr(space + 1);
  }
  return run;
}

/// "write=9 pwrite=1 ... injected=none" -> {"write": "9", ..., "injected": "none"}
std::map<std::string, std::string> parse_counts(const std::string& summary) {
  std::map<std::string, std::string> counts;
  std::istringstream words(summary);
  for (std::string word; words >> word;) {
    const std::size_t equals = word.find('=');
    if (equals != std::string::npos) counts[word.substr(0, equals)] = word.substr(equals + 1);
  }
  return counts;
}

/// How many calls of `kind` one save of the scenario makes (the shim in counting mode).
unsigned long count_calls(const std::string& scenario, const fs::path& dir, const std::string& kind) {
  prepare(scenario, dir);
  saver_run run = run_saver(scenario, dir, "count");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.lines["result"], "ok") << run.output;
  const std::map<std::string, std::string> counts = parse_counts(run.lines["counts"]);
  const auto found = counts.find(kind);
  if (found == counts.end()) {
    ADD_FAILURE() << "no count of " << kind << " in the saver's output:\n" << run.output;
    return 0;
  }
  return std::stoul(found->second);
}

/// The steps a fresh manager lists in `dir`, each loaded and checked against `versions`
/// (step -> the model version it must hold); fails the test on any problem the manager reports.
void expect_checkpoints(const fs::path& dir, const std::map<std::int64_t, std::uint32_t>& versions,
                        const std::string& context) {
  picklejar::checkpoint_manager manager(dir, checkpoint_opts());
  std::string problems;
  for (const std::string& problem : manager.problems()) problems += problem + "\n";
  EXPECT_TRUE(manager.problems().empty()) << context << ": a new manager reports:\n" << problems;
  std::map<std::int64_t, std::uint32_t> found;
  for (const picklejar::checkpoint_info& info : manager.checkpoints()) {
    try {
      picklejar::verify(info.path);
      const Model loaded = picklejar::load<Model>(info.path);
      found[info.step] = loaded.version;
      EXPECT_TRUE(is_model(loaded, loaded.version)) << context << ": checkpoint " << info.step << " is not a whole model";
    } catch (const picklejar::error& failure) {
      ADD_FAILURE() << context << ": checkpoint " << info.step << " does not load: " << failure.what();
    }
  }
  EXPECT_EQ(found, versions) << context << ": the checkpoints (step -> model version) are not the expected ones";
}

struct fault_case {
  std::string scenario;
  std::string kind;
  std::string errno_name;
};

void PrintTo(const fault_case& c, std::ostream* out) { *out << c.scenario << " " << c.kind << " " << c.errno_name; }

std::string case_name(const testing::TestParamInfo<fault_case>& info) {
  std::string name = info.param.scenario + "_" + info.param.kind + "_" + info.param.errno_name;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

/// Every scenario x kind x errno, except pwrite in JSON: a text document is written in one
/// pass, with no header to complete afterwards, so a JSON save makes no pwrite call (checked by
/// FaultShim.CountsTheCallsOfOneSave). An asynchronous binary save makes one: the background
/// writer fills in the checksum it hashed on the way to the disk.
std::vector<fault_case> all_cases() {
  std::vector<fault_case> cases;
  for (const std::string& scenario : scenarios) {
    for (const std::string& kind : kinds) {
      if (makes_no_pwrite(scenario) && kind == "pwrite") continue;
      for (const std::string& errno_name : errno_names) cases.push_back({scenario, kind, errno_name});
    }
  }
  return cases;
}

class FaultMatrix : public testing::TestWithParam<fault_case> {};

TEST_P(FaultMatrix, EveryFailingCallIsReportedAndLeavesTheOldOrTheNewFile) {
  const fault_case& param = GetParam();
  pj_test::temp_dir dir;
  const fs::path target = target_of(param.scenario, dir.path());
  const int error_number = param.errno_name == "EIO" ? EIO : ENOSPC;
  const std::string error_text = std::strerror(error_number);

  const unsigned long calls = count_calls(param.scenario, dir.path(), param.kind);
  ASSERT_GE(calls, 1u) << "a " << param.scenario << " save makes no " << param.kind << " call";

  int kept_old = 0;
  int holds_new = 0;
  for (unsigned long n = 1; n <= calls; ++n) {
    const std::string fault = param.kind + ":" + std::to_string(n) + ":" + param.errno_name;
    const std::string context = param.scenario + " save, " + fault;
    prepare(param.scenario, dir.path());
    const bool existed = fs::exists(target);
    const std::string old_bytes = existed ? read_bytes(target) : std::string();

    saver_run run = run_saver(param.scenario, dir.path(), fault);
    ASSERT_EQ(run.exit_code, 0) << context << ":\n" << run.output;
    EXPECT_EQ(parse_counts(run.lines["counts"])["injected"], fault) << context << ": the fault was not injected\n"
                                                                    << run.output;
    // Reported as an I/O error that names the file and says what the system said.
    EXPECT_EQ(run.lines["result"], "error io") << context << ":\n" << run.output;
    EXPECT_EQ(run.lines["file"], target.string()) << context << ":\n" << run.output;
    EXPECT_NE(run.lines["what"].find(error_text), std::string::npos) << context << ":\n" << run.output;
    EXPECT_NE(run.lines["what"].find(target.string()), std::string::npos) << context << ":\n" << run.output;

    // The target holds the old file or, after the rename, the new one; never anything else.
    const bool after_rename = param.kind == "dirfsync";
    if (after_rename) {
      try {
        picklejar::verify(target);
        EXPECT_TRUE(is_model(picklejar::load<Model>(target), new_version))
            << context << ": the target does not hold the new model";
        ++holds_new;
      } catch (const picklejar::error& failure) {
        ADD_FAILURE() << context << ": the target does not load: " << failure.what();
      }
    } else if (existed) {
      EXPECT_EQ(read_bytes(target), old_bytes) << context << ": the old file was changed";
      EXPECT_TRUE(is_model(picklejar::load<Model>(target), old_version)) << context;
      ++kept_old;
    } else {
      EXPECT_FALSE(fs::exists(target)) << context << ": a file appeared at the target although the save failed";
      ++kept_old;
    }
    EXPECT_EQ(temporary_files(dir.path()), std::vector<std::string>{}) << context << ": a temporary file was left";

    if (is_checkpoint(param.scenario)) {
      // Nothing was deleted: retention runs only after a successful save. The manager still
      // lists what it listed before (after a failed directory fsync it does not count the new
      // checkpoint, whose rename may not be durable), and a new manager finds everything whole.
      // (A failed save_async is also in problems(), which the caller may never otherwise see.)
      const bool async = param.scenario == "checkpoint-async";
      EXPECT_EQ(run.lines["manager"], async ? "steps=1,2 problems=1" : "steps=1,2 problems=0") << context << ":\n"
                                                                                                << run.output;
      std::map<std::int64_t, std::uint32_t> expected = {{1, old_version}, {2, old_version}};
      if (after_rename) expected[3] = new_version;
      expect_checkpoints(dir.path(), expected, context);
    }
    if (HasFailure()) break;  // one failing case tells the story; the rest would repeat it
  }

  // One more call than a save makes: nothing fails, and the save goes through.
  {
    const std::string fault = param.kind + ":" + std::to_string(calls + 1) + ":" + param.errno_name;
    prepare(param.scenario, dir.path());
    saver_run run = run_saver(param.scenario, dir.path(), fault);
    EXPECT_EQ(run.lines["result"], "ok") << fault << ":\n" << run.output;
    EXPECT_EQ(parse_counts(run.lines["counts"])["injected"], "none") << run.output;
    EXPECT_TRUE(is_model(picklejar::load<Model>(target), new_version));
    EXPECT_EQ(temporary_files(dir.path()), std::vector<std::string>{});
    if (param.scenario == "checkpoint-new" || param.scenario == "checkpoint-async")
      expect_checkpoints(dir.path(), {{2, old_version}, {3, new_version}}, fault);
  }

  std::printf("%s save, %s failing with %s: %lu cases (n = 1..%lu), each reported as errc::io naming the "
              "file; the target kept the old file in %d and held the new one (failure after the rename) "
              "in %d; no temporary file left\n",
              param.scenario.c_str(), param.kind.c_str(), param.errno_name.c_str(), calls, calls, kept_old,
              holds_new);
  RecordProperty("cases", static_cast<int>(calls));
  RecordProperty("kept_old", kept_old);
  RecordProperty("holds_new", holds_new);
}

INSTANTIATE_TEST_SUITE_P(AllCalls, FaultMatrix, testing::ValuesIn(all_cases()), case_name);

/// Not failures: a write or pwrite that writes only half its bytes, or is interrupted by a signal
/// before writing anything (EINTR), is continued; the save succeeds and writes the whole file.
class RetriedWrites : public testing::TestWithParam<std::string> {};

TEST_P(RetriedWrites, ShortAndInterruptedWritesAreContinued) {
  const std::string& scenario = GetParam();
  pj_test::temp_dir dir;
  const fs::path target = target_of(scenario, dir.path());
  int cases = 0;
  for (const std::string kind : {"write", "pwrite"}) {
    const unsigned long calls = count_calls(scenario, dir.path(), kind);
    for (unsigned long n = 1; n <= calls; ++n) {
      for (const std::string how : {"short", "EINTR"}) {
        const std::string fault = kind + ":" + std::to_string(n) + ":" + how;
        prepare(scenario, dir.path());
        saver_run run = run_saver(scenario, dir.path(), fault);
        ASSERT_EQ(run.exit_code, 0) << fault << ":\n" << run.output;
        EXPECT_EQ(parse_counts(run.lines["counts"])["injected"], fault) << run.output;
        EXPECT_EQ(run.lines["result"], "ok") << scenario << " save, " << fault << ":\n" << run.output;
        try {
          picklejar::verify(target);
          EXPECT_TRUE(is_model(picklejar::load<Model>(target), new_version)) << scenario << " save, " << fault;
        } catch (const picklejar::error& failure) {
          ADD_FAILURE() << scenario << " save, " << fault << ": " << failure.what();
        }
        EXPECT_EQ(temporary_files(dir.path()), std::vector<std::string>{}) << fault;
        ++cases;
        if (HasFailure()) return;
      }
    }
  }
  std::printf("%s save: %d short or interrupted write/pwrite cases, each continued to a whole new file\n",
              scenario.c_str(), cases);
  RecordProperty("cases", cases);
}

INSTANTIATE_TEST_SUITE_P(AllScenarios, RetriedWrites, testing::ValuesIn(scenarios),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

/// A run resuming from its checkpoints (the manager opening the directory, then load_latest) while
/// the newest checkpoint's reads fail: every n-th read of it failing with EIO is errc::io naming it.
/// Before, the manager took the I/O error for damage and skipped the checkpoint: the run resumed
/// from the older step without a word ("result ok", "loaded step=1").
TEST(FaultRead, AnIoErrorOnTheNewestCheckpointIsRaisedNeverAnOlderResume) {
  pj_test::temp_dir dir;
  prepare("checkpoint-new", dir.path());  // checkpoints 1 and 2
  const fs::path newest = dir / picklejar::detail::checkpoint_file_name(2);
  const std::string match = newest.filename().string();
  saver_run counting = run_saver("checkpoint-resume", dir.path(), "count", match);
  ASSERT_EQ(counting.lines["result"], "ok") << counting.output;
  ASSERT_EQ(counting.lines["loaded"], "step=2 version=" + std::to_string(old_version)) << counting.output;
  const unsigned long reads = std::stoul(parse_counts(counting.lines["counts"])["read"]);
  ASSERT_GE(reads, 2u) << "the header and the load each read the newest checkpoint\n" << counting.output;

  const std::string error_text = std::strerror(EIO);
  for (unsigned long n = 1; n <= reads + 1; ++n) {
    const std::string fault = "read:" + std::to_string(n) + ":EIO";
    saver_run run = run_saver("checkpoint-resume", dir.path(), fault, match);
    ASSERT_EQ(run.exit_code, 0) << fault << ":\n" << run.output;
    if (n > reads) {  // one more than the run makes: nothing fails
      EXPECT_EQ(run.lines["result"], "ok") << run.output;
      EXPECT_EQ(run.lines["loaded"], "step=2 version=" + std::to_string(old_version)) << run.output;
      break;
    }
    EXPECT_EQ(parse_counts(run.lines["counts"])["injected"], fault) << run.output;
    EXPECT_EQ(run.lines["result"], "error io") << fault << ":\n" << run.output;
    EXPECT_EQ(run.lines["file"], newest.string()) << fault << ":\n" << run.output;
    EXPECT_NE(run.lines["what"].find(error_text), std::string::npos) << fault << ":\n" << run.output;
    EXPECT_NE(run.lines["what"].find("not damage"), std::string::npos) << fault << ":\n" << run.output;
    EXPECT_EQ(run.lines.count("loaded"), 0u) << fault << ": resumed from another checkpoint:\n" << run.output;
    if (HasFailure()) break;
  }
  // Nothing was deleted or forgotten on disk.
  expect_checkpoints(dir.path(), {{1, old_version}, {2, old_version}}, "after the failed reads");
  std::printf("resume with a read of the newest checkpoint failing with EIO: %lu cases, each errc::io naming it\n",
              reads);
  RecordProperty("cases", static_cast<int>(reads));
}

/// The shim's counting mode: the calls one save makes, printed for the record. The matrix above
/// relies on these being what the save's protocol says: one fsync, close and rename of the
/// temporary file, one fsync of the directory, a pwrite of the header in binary only.
TEST(FaultShim, CountsTheCallsOfOneSave) {
  for (const std::string& scenario : scenarios) {
    pj_test::temp_dir dir;
    prepare(scenario, dir.path());
    saver_run run = run_saver(scenario, dir.path(), "count");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.lines["result"], "ok") << run.output;
    std::map<std::string, std::string> counts = parse_counts(run.lines["counts"]);
    std::printf("%-18s %s\n", scenario.c_str(), run.lines["counts"].c_str());
    EXPECT_GE(std::stoul(counts["write"]), 1u) << scenario;
    EXPECT_EQ(counts["pwrite"], makes_no_pwrite(scenario) ? "0" : "1") << scenario;
    EXPECT_EQ(counts["fsync"], "1") << scenario;
    EXPECT_EQ(counts["close"], "1") << scenario;
    EXPECT_EQ(counts["rename"], "1") << scenario;
    EXPECT_EQ(counts["dirfsync"], "1") << scenario;
    EXPECT_EQ(counts["injected"], "none") << scenario;
    RecordProperty(scenario + "_writes", static_cast<int>(std::stoul(counts["write"])));
  }
}

/// The shim is really in the way: without LD_PRELOAD the saver refuses to run, so a matrix case
/// can never pass by saving without the shim.
TEST(FaultShim, SaverRefusesToRunWithoutTheShim) {
  pj_test::temp_dir dir;
  std::string program = PICKLEJAR_FAULT_SAVER;
  std::string scenario = "binary";
  std::string dir_argument = dir.path().string();
  std::string version = "2";
  char* argv[] = {program.data(), scenario.data(), dir_argument.data(), version.data(), nullptr};
  std::vector<char*> envp;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    if (std::strncmp(*variable, "LD_PRELOAD=", 11) != 0) envp.push_back(*variable);
  }
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3);
  EXPECT_TRUE(dir.file_names().empty());
}

}  // namespace
