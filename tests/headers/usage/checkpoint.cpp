// headers.link.picklejar/checkpoint.hpp: a checkpoint manager saves and resumes with this header
// alone.
#include <filesystem>

struct Trainer {
  int step = 0;
  double loss = 0;
  PICKLEJAR_FIELDS(step, loss)
};

int main() {
  const std::filesystem::path dir = "headers_link_checkpoints";
  std::filesystem::remove_all(dir);
  int status = 1;
  {
    picklejar::checkpoint_manager manager(dir);
    manager.save(Trainer{7, 0.25}, 7);
    Trainer resumed;
    status = manager.load_latest(resumed).step == 7 && resumed.step == 7 ? 0 : 1;
  }
  std::filesystem::remove_all(dir);
  return status;
}
