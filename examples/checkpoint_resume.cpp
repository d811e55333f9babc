// picklejar example: a training run is killed half way through, restarts from its checkpoints,
// and ends exactly where a run that was never interrupted ends.
//
//   checkpoint_resume [OUTPUT_DIR]                 the demonstration (what ctest runs)
//   checkpoint_resume --train RUN_DIR KILL_EPOCH   (started by the demonstration) train with
//                                                  checkpoints; SIGKILL itself in epoch KILL_EPOCH
//
// The demonstration
//   1. trains a reference model in this process, without checkpoints and without interruption;
//   2. starts itself again (posix_spawn) to train with a checkpoint_manager that keeps the last two
//      checkpoints and the best three by validation loss; that process kills itself with SIGKILL
//      half way through an epoch, as a crash or a preempted machine would;
//   3. restarts the run here: a new checkpoint_manager on the same directory, load_latest, train
//      the remaining epochs; then load_best;
//   4. exits 0 only if the resumed run ends bit-identical to the reference (weights, Adam moments
//      and step, the shuffling random engine) and the best checkpoint is the reference's best epoch.
// That holds because everything training depends on is in the checkpoint, including the random
// engine that shuffles the mini-batches and the Adam state.
#include <picklejar/checkpoint.hpp>
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "estimators/adam.hpp"
#include "estimators/random_engine.hpp"

extern char** environ;  // POSIX: the environment, passed on to the child process

namespace fs = std::filesystem;

namespace {

constexpr int epochs = 24;
constexpr int kill_epoch = 12;  // the child dies half way through this epoch

struct Data {
  Eigen::MatrixXd x;  // one sample per row
  Eigen::VectorXd y;
};

// y = sin(2 x0) + x1 x2 - 0.5 x3^2 + noise. Few noisy training samples and a network large enough
// to overfit them: the validation loss falls, then rises, so the best epoch comes long before the
// last one (and before the crash), and only keep_best keeps it.
Data make_data(int samples, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> uniform(-1.5, 1.5);
  std::normal_distribution<double> noise(0.0, 0.3);
  Data data{Eigen::MatrixXd(samples, 4), Eigen::VectorXd(samples)};
  for (int i = 0; i < samples; ++i) {
    for (int j = 0; j < 4; ++j) data.x(i, j) = uniform(random);
    data.y(i) = std::sin(2 * data.x(i, 0)) + data.x(i, 1) * data.x(i, 2) - 0.5 * data.x(i, 3) * data.x(i, 3) +
                noise(random);
  }
  return data;
}

/// A one-hidden-layer network (tanh), trained on shuffled mini-batches with Adam.
class Regressor {
 public:
  Regressor() = default;
  Regressor(int inputs, int hidden, std::uint32_t seed) : shuffle_(seed + 1) {
    std::mt19937 random(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    auto draw = [&](double scale) { return normal(random) * scale; };
    w1_ = Eigen::MatrixXd::NullaryExpr(hidden, inputs, [&] { return draw(1.0 / std::sqrt(inputs)); });
    b1_ = Eigen::VectorXd::Zero(hidden);
    w2_ = Eigen::VectorXd::NullaryExpr(hidden, [&] { return draw(1.0 / std::sqrt(hidden)); });
    b2_ = Eigen::VectorXd::Zero(1);
  }

  Eigen::VectorXd predict(const Eigen::MatrixXd& x) const {
    const Eigen::MatrixXd hidden = hidden_layer(x);
    return (hidden * w2_).array() + b2_(0);
  }

  double loss(const Data& data) const {
    return (predict(data.x) - data.y).squaredNorm() / static_cast<double>(data.y.size());
  }

  /// One pass over the shuffled training set, or only its first `max_batches` mini-batches.
  void fit_epoch(const Data& data, int max_batches = -1) {
    std::vector<int> order(static_cast<std::size_t>(data.x.rows()));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), shuffle_.engine());
    int batches = 0;
    for (std::size_t start = 0; start < order.size(); start += batch_size) {
      if (max_batches >= 0 && batches++ == max_batches) return;
      const std::size_t count = std::min<std::size_t>(batch_size, order.size() - start);
      Eigen::MatrixXd x(count, data.x.cols());
      Eigen::VectorXd y(count);
      for (std::size_t i = 0; i < count; ++i) {
        x.row(static_cast<Eigen::Index>(i)) = data.x.row(order[start + i]);
        y(static_cast<Eigen::Index>(i)) = data.y(order[start + i]);
      }
      fit_batch(x, y);
    }
    ++epochs_done_;
  }

  static int batches_per_epoch(const Data& data) {
    return static_cast<int>((static_cast<std::size_t>(data.x.rows()) + batch_size - 1) / batch_size);
  }
  int epochs_done() const { return epochs_done_; }
  long adam_steps() const { return step_; }

  /// Counts the numbers (and random engines) whose bits differ from `other`'s.
  long differences(const Regressor& other, long& compared) const {
    long count = 0;
    auto check = [&](const auto& a, const auto& b) {
      compared += static_cast<long>(a.size());
      if (a.size() != b.size()) {
        count += static_cast<long>(a.size());
        return;
      }
      for (Eigen::Index i = 0; i < a.size(); ++i)
        count += std::memcmp(a.data() + i, b.data() + i, sizeof(double)) != 0;
    };
    check(w1_, other.w1_);
    check(b1_, other.b1_);
    check(w2_, other.w2_);
    check(b2_, other.b2_);
    auto check_moments = [&](const auto& a, const auto& b) {
      check(a.m, b.m);
      check(a.v, b.v);
    };
    check_moments(w1_moments_, other.w1_moments_);
    check_moments(b1_moments_, other.b1_moments_);
    check_moments(w2_moments_, other.w2_moments_);
    check_moments(b2_moments_, other.b2_moments_);
    count += step_ != other.step_;
    count += epochs_done_ != other.epochs_done_;
    count += shuffle_ != other.shuffle_;
    compared += 3;
    return count;
  }

 private:
  static constexpr std::size_t batch_size = 8;

  Eigen::MatrixXd hidden_layer(const Eigen::MatrixXd& x) const {
    return ((x * w1_.transpose()).rowwise() + b1_.transpose()).array().tanh().matrix();
  }

  // Mean squared error, back-propagated by hand.
  void fit_batch(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
    const Eigen::MatrixXd hidden = hidden_layer(x);
    const Eigen::VectorXd error =
        2.0 * ((hidden * w2_).array() + b2_(0) - y.array()).matrix() / static_cast<double>(y.size());
    const Eigen::VectorXd grad_w2 = hidden.transpose() * error;
    const Eigen::VectorXd grad_b2 = Eigen::VectorXd::Constant(1, error.sum());
    const Eigen::MatrixXd grad_hidden =
        ((error * w2_.transpose()).array() * (1.0 - hidden.array().square())).matrix();
    const Eigen::MatrixXd grad_w1 = grad_hidden.transpose() * x;
    const Eigen::VectorXd grad_b1 = grad_hidden.colwise().sum().transpose();
    ++step_;
    w1_moments_.apply(adam_, step_, w1_, grad_w1);
    b1_moments_.apply(adam_, step_, b1_, grad_b1);
    w2_moments_.apply(adam_, step_, w2_, grad_w2);
    b2_moments_.apply(adam_, step_, b2_, grad_b2);
  }

  estimators::Adam adam_{0.05, 0.9, 0.999, 1e-8};
  Eigen::MatrixXd w1_;
  Eigen::VectorXd b1_, w2_, b2_;
  estimators::AdamMoments<Eigen::MatrixXd> w1_moments_;
  estimators::AdamMoments<Eigen::VectorXd> b1_moments_, w2_moments_, b2_moments_;
  long step_ = 0;
  int epochs_done_ = 0;
  estimators::RandomEngine shuffle_;  // draws the order of the mini-batches

  PICKLEJAR_FIELDS(adam_, w1_, b1_, w2_, b2_, w1_moments_, b1_moments_, w2_moments_, b2_moments_, step_,
                   epochs_done_, shuffle_)
};

Regressor make_model() { return Regressor(4, 48, 7); }
Data training_data() { return make_data(16, 1); }
Data validation_data() { return make_data(400, 2); }

picklejar::checkpoint_options checkpoint_policy() {
  picklejar::checkpoint_options opts;
  opts.keep_last = 2;
  opts.keep_best = 3;
  opts.mode = picklejar::metric_mode::min;
  return opts;
}

std::string kept_steps(const picklejar::checkpoint_manager& ckpt) {
  std::string text;
  for (const auto& c : ckpt.checkpoints()) text += (text.empty() ? "" : " ") + std::to_string(c.step);
  return text;
}

/// The training program, the same for the first start and the restart: resume from the latest
/// checkpoint if there is one, train the remaining epochs, checkpoint after each. With
/// kill_at >= 0 the process kills itself half way through that epoch.
Regressor run_training(const fs::path& run_directory, int kill_at) {
  const Data train = training_data();
  const Data validation = validation_data();
  const long pid = static_cast<long>(::getpid());
  picklejar::checkpoint_manager ckpt(run_directory, checkpoint_policy());
  for (const std::string& problem : ckpt.problems())
    std::printf("  [process %ld] note: %s\n", pid, problem.c_str());

  Regressor model = make_model();
  int first_epoch = 0;
  if (ckpt.latest()) {
    const picklejar::checkpoint_info resumed = ckpt.load_latest(model);
    first_epoch = static_cast<int>(resumed.step) + 1;
    std::printf("  [process %ld] resumed from %s (epoch %lld, validation loss %.5f, saved %s)\n", pid,
                resumed.path.filename().string().c_str(), static_cast<long long>(resumed.step),
                resumed.metric, resumed.time.c_str());
  } else {
    std::printf("  [process %ld] no checkpoint in %s: starting from scratch\n", pid,
                run_directory.string().c_str());
  }
  for (int epoch = first_epoch; epoch < epochs; ++epoch) {
    if (epoch == kill_at) {
      const int batches = Regressor::batches_per_epoch(train) / 2;
      model.fit_epoch(train, batches);
      std::printf("  [process %ld] epoch %2d: killed (SIGKILL) after %d of %d mini-batches\n", pid, epoch,
                  batches, Regressor::batches_per_epoch(train));
      std::fflush(stdout);
      ::raise(SIGKILL);
    }
    model.fit_epoch(train);
    const double validation_loss = model.loss(validation);
    const fs::path file = ckpt.save(model, epoch, validation_loss);
    std::printf("  [process %ld] epoch %2d: train %.5f  validation %.5f  -> %s  kept: %s\n", pid, epoch,
                model.loss(train), validation_loss, file.filename().string().c_str(),
                kept_steps(ckpt).c_str());
  }
  std::fflush(stdout);
  return model;
}

/// Runs this program again as `--train RUN_DIR KILL_EPOCH` and waits for it.
int run_child(const std::string& self, const fs::path& run_directory, int kill_at) {
  std::string flag = "--train", directory = run_directory.string(), epoch = std::to_string(kill_at);
  std::string program = self;
  char* child_argv[] = {program.data(), flag.data(), directory.data(), epoch.data(), nullptr};
  std::fflush(stdout);
  pid_t child = 0;
  if (int failure = ::posix_spawn(&child, self.c_str(), nullptr, nullptr, child_argv, environ);
      failure != 0) {
    std::fprintf(stderr, "cannot start %s: %s\n", self.c_str(), std::strerror(failure));
    return -1;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

int demonstrate(const std::string& self, const fs::path& output) {
  const fs::path run_directory = output / "run";
  fs::remove_all(run_directory);  // a fresh run every time
  fs::create_directories(output);
  const Data validation = validation_data();

  // 1. The reference: the same training, never interrupted, no files.
  std::printf("reference run, in process %ld: %d epochs without interruption\n",
              static_cast<long>(::getpid()), epochs);
  const Data train = training_data();
  Regressor reference = make_model();
  Regressor reference_best;
  int reference_best_epoch = -1;
  double reference_best_loss = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    reference.fit_epoch(train);
    const double loss = reference.loss(validation);
    if (reference_best_epoch < 0 || loss < reference_best_loss) {  // ties: the earlier epoch, as the manager
      reference_best = reference;
      reference_best_epoch = epoch;
      reference_best_loss = loss;
    }
  }
  std::printf("  ends with validation loss %.5f; best was epoch %d (%.5f)\n", reference.loss(validation),
              reference_best_epoch, reference_best_loss);

  // 2. The checkpointed run, in a child process that dies half way.
  std::printf("checkpointed run, in a child process killed during epoch %d:\n", kill_epoch);
  const int status = run_child(self, run_directory, kill_epoch);
  if (status < 0 || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
    std::printf("FAILED: the child process did not die of SIGKILL (status %d)\n", status);
    return 1;
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(run_directory))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  std::printf("  the child process died of SIGKILL; the run directory holds:");
  for (const std::string& name : names) std::printf(" %s", name.c_str());
  std::printf("\n");

  // 3. The restart, in this process: the same training program, resuming.
  std::printf("restarted run, in process %ld:\n", static_cast<long>(::getpid()));
  const Regressor resumed = run_training(run_directory, /*kill_at=*/-1);

  picklejar::checkpoint_manager ckpt(run_directory, checkpoint_policy());
  Regressor best;
  const picklejar::checkpoint_info best_info = ckpt.load_best(best);
  std::printf("loaded the best checkpoint: %s (epoch %lld, validation loss %.5f)\n",
              best_info.path.filename().string().c_str(), static_cast<long long>(best_info.step),
              best_info.metric);

  // 4. Bit for bit.
  long compared = 0;
  const long final_differences = resumed.differences(reference, compared);
  std::printf("resumed run vs reference: %ld of %ld weights, Adam moments and counters differ\n",
              final_differences, compared);
  compared = 0;
  const long best_differences = best.differences(reference_best, compared);
  std::printf("best checkpoint vs reference epoch %d: %ld of %ld differ\n", reference_best_epoch,
              best_differences, compared);
  const double best_loss = best.loss(validation);
  const bool same = final_differences == 0 && best_differences == 0 &&
                    best_info.step == reference_best_epoch &&
                    std::memcmp(&best_loss, &reference_best_loss, sizeof best_loss) == 0 &&
                    std::memcmp(&best_info.metric, &reference_best_loss, sizeof best_loss) == 0;
  std::printf(same ? "ok: the killed and resumed run is bit-identical to the uninterrupted one\n"
                   : "FAILED: the resumed run differs from the uninterrupted one\n");
  return same ? 0 : 1;
}

// posix_spawn needs a path: argv[0] if it has one, else what Linux says this program is.
std::string self_path(const char* argv0) {
  if (std::strchr(argv0, '/') != nullptr) return fs::absolute(argv0).string();
  return fs::read_symlink("/proc/self/exe").string();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 4 && std::string(argv[1]) == "--train") {
      run_training(argv[2], std::atoi(argv[3]));
      return 0;
    }
    const fs::path output =
        argc > 1 ? fs::path(argv[1])
                 : (fs::path(argv[0]).parent_path() / "checkpoint-resume-output").lexically_normal();
    return demonstrate(self_path(argv[0]), output);
  } catch (const picklejar::error& failure) {
    std::fprintf(stderr, "picklejar error: %s\n", failure.what());
    return 2;
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "error: %s\n", failure.what());
    return 2;
  }
}
