// Writes the checked-in schedule_v1.* and schedule_v3.* files of tests/test_versioning.cpp: the
// test's Schedule as an older release (version 1: the member learning_rate was called "lr", and a
// member dropout existed) and a newer one (version 3 added label_smoothing and milestones) defined
// it. Kept so the files can be remade; not built by default:
//   for v in 1 3; do g++ -std=c++17 -I../../../include -DSCHEDULE_VERSION=$v
//     make_schedule_files.cpp -o /tmp/schedule_v$v && /tmp/schedule_v$v .; done
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/xml.hpp>

#include <string>
#include <vector>

#ifndef SCHEDULE_VERSION
#error define SCHEDULE_VERSION (1 or 3)
#endif

namespace versioning {

#if SCHEDULE_VERSION == 1
struct Schedule {
  int steps = 0;
  double lr = 0;
  float dropout = 0;
  double decay = 0;
  PICKLEJAR_FIELDS(steps, lr, dropout, decay)
};
#else
struct Schedule {
  int steps = 0;
  double learning_rate = 0;
  double decay = 0;
  int warmup = 0;
  double label_smoothing = 0;
  std::vector<double> milestones;
  PICKLEJAR_FIELDS(steps, learning_rate, dropout, decay)
  PICKLEJAR_FIELDS_SINCE(2, warmup)
  PICKLEJAR_FIELDS_SINCE(3, label_smoothing, milestones)
  PICKLEJAR_RENAMED(2, lr, learning_rate)
  PICKLEJAR_REMOVED(2, dropout, float)
};
#endif
PICKLEJAR_VERSION(Schedule, SCHEDULE_VERSION)

}  // namespace versioning

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  versioning::Schedule schedule;
  schedule.steps = 1000 + SCHEDULE_VERSION;
#if SCHEDULE_VERSION == 1
  schedule.lr = 0.25;
  schedule.dropout = 0.5f;
#else
  schedule.learning_rate = 0.25;
  schedule.warmup = 30;
  schedule.label_smoothing = 0.1;
  schedule.milestones = {100, 200, 300};
#endif
  schedule.decay = 0.75;
  for (auto fmt : {picklejar::format::binary, picklejar::format::portable_binary, picklejar::format::json,
                   picklejar::format::xml}) {
    picklejar::save(schedule, dir + "/schedule_v" + std::to_string(SCHEDULE_VERSION) + "." + picklejar::to_string(fmt),
                    fmt);
  }
}
