// A seeded std::mt19937 that can be saved: estimators that draw random numbers while they train
// (k-means++ seeding, dropout masks) keep one, so that a model loaded from a checkpoint draws the
// same numbers the original would have drawn next.
//
// The standard engines are plain picklejar fields (picklejar/random.hpp, included by
// picklejar.hpp): the engine's whole state is saved, so this class needs nothing else.
#pragma once

#include <picklejar/picklejar.hpp>

#include <cstdint>
#include <random>

namespace estimators {

class RandomEngine {
 public:
  using result_type = std::mt19937::result_type;

  explicit RandomEngine(std::uint32_t seed = std::mt19937::default_seed) : engine_(seed) {}

  /// The engine itself, for std::uniform_int_distribution and friends. A distribution kept
  /// between calls (std::normal_distribution caches a value) must be saved too: make it a field.
  std::mt19937& engine() { return engine_; }
  const std::mt19937& engine() const { return engine_; }

  friend bool operator==(const RandomEngine& a, const RandomEngine& b) { return a.engine_ == b.engine_; }
  friend bool operator!=(const RandomEngine& a, const RandomEngine& b) { return !(a == b); }

 private:
  std::mt19937 engine_;
  PICKLEJAR_FIELDS(engine_)
};

}  // namespace estimators
