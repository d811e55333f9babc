// The program the fault tests run under fault_shim.so: it makes one save of fault_test::Model
// (version <version>) with the shim armed around that save only, and prints what happened:
//
//   picklejar_fault_saver <scenario> <directory> <version>
//     binary              picklejar::save to <directory>/model.pj
//     json                picklejar::save to <directory>/model.json, format::json
//     checkpoint-new      checkpoint_manager(<directory>, keep_last 2).save(model, step 3, metric 0.3)
//     binary-async        picklejar::save_async to <directory>/model.pj, then the future's get()
//     checkpoint-async    as checkpoint-new with save_async(model, 3, 0.3), then wait(): the
//                         background writer makes the calls the shim fails
//     checkpoint-resume   no save: a run resuming, armed around opening checkpoint_manager(<directory>)
//                         and load_latest (memory_map off, so that the load reads: the shim fails
//                         reads, not a mapping's page faults)
//
// Output, one "key value" per line:
//   result ok | result error <errc> | result exception
//   file <the file the picklejar::error names>      (after an error)
//   what <what()>                                   (after an error or exception)
//   counts <the shim's summary: calls of each kind while armed, and the injected fault>
//   manager steps=<steps it lists> problems=<count> (checkpoint scenarios)
//   loaded step=<step> version=<the model's version>   (checkpoint-resume, after a load)
// Exit status 0 when it could run the save (whatever the save did), 2 for a usage error, 3 when
// the shim is not loaded.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>

#include <picklejar/checkpoint.hpp>
#include <picklejar/json.hpp>
#include <picklejar/xml.hpp>

#include "fault_model.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s binary|json|binary-async|checkpoint-new|checkpoint-async|checkpoint-resume DIRECTORY VERSION\n", argv[0]);
    return 2;
  }
  const std::string scenario = argv[1];
  const std::filesystem::path directory = argv[2];
  const auto version = static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10));
  const bool resume = scenario == "checkpoint-resume";
  const bool checkpoint = scenario == "checkpoint-new" || scenario == "checkpoint-async" || resume;
  if (!checkpoint && scenario != "binary" && scenario != "json" && scenario != "binary-async") {
    std::fprintf(stderr, "unknown scenario %s\n", scenario.c_str());
    return 2;
  }

  using arm_function = void (*)(int);
  using summary_function = const char* (*)();
  const auto arm = reinterpret_cast<arm_function>(dlsym(RTLD_DEFAULT, "picklejar_fault_arm"));
  const auto summary = reinterpret_cast<summary_function>(dlsym(RTLD_DEFAULT, "picklejar_fault_summary"));
  if (arm == nullptr || summary == nullptr) {
    std::printf("result exception\nwhat the fault shim is not loaded (LD_PRELOAD=fault_shim.so)\n");
    return 3;
  }

  const fault_test::Model model = fault_test::make_model(version);
  std::optional<picklejar::checkpoint_manager> manager;
  std::string loaded_line;
  try {
    picklejar::checkpoint_options opts;
    opts.keep_last = 2;
    opts.keep_best = 1;
    if (resume) {
      opts.file_options.memory_map = false;
      arm(1);
      manager.emplace(directory, opts);
      fault_test::Model loaded;
      const picklejar::checkpoint_info info = manager->load_latest(loaded);
      arm(0);
      loaded_line = "loaded step=" + std::to_string(info.step) + " version=" + std::to_string(loaded.version) + "\n";
    } else {
      if (checkpoint) manager.emplace(directory, opts);  // opened before arming: only the save is counted
      arm(1);
      if (scenario == "binary") picklejar::save(model, directory / "model.pj");
      else if (scenario == "binary-async") picklejar::save_async(model, directory / "model.pj").get();
      else if (scenario == "checkpoint-async") {
        manager->save_async(model, 3, 0.3);
        manager->wait();
      } else if (scenario == "json") picklejar::save(model, directory / "model.json", picklejar::options(picklejar::format::json));
      else manager->save(model, 3, 0.3);
      arm(0);
    }
    std::printf("result ok\n%s", loaded_line.c_str());
  } catch (const picklejar::error& failure) {
    arm(0);
    std::printf("result error %s\nfile %s\nwhat %s\n", picklejar::to_string(failure.code()), failure.file().c_str(),
                failure.what());
  } catch (const std::exception& failure) {
    arm(0);
    std::printf("result exception\nwhat %s\n", failure.what());
  }
  std::printf("counts %s\n", summary());
  if (manager) {
    std::string steps;
    for (const picklejar::checkpoint_info& info : manager->checkpoints()) {
      steps += (steps.empty() ? "" : ",") + std::to_string(info.step);
    }
    std::printf("manager steps=%s problems=%zu\n", steps.c_str(), manager->problems().size());
  }
  return 0;
}
