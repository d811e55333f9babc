// A seeded std::mt19937 that can be saved: estimators that draw random numbers while they train
// (k-means++ seeding, dropout masks) keep one, so that a model loaded from a checkpoint draws the
// same numbers the original would have drawn next.
//
// std::mt19937 is not a cereal type, but the standard gives every engine a text form
// (operator<< and operator>>) that holds its whole state. The state hooks below save that text
// form as a list of numbers, which reads well in JSON and XML and stays compact in binary.
#pragma once

#include <picklejar/picklejar.hpp>

#include <cstdint>
#include <random>
#include <sstream>
#include <vector>

namespace estimators {

class RandomEngine {
 public:
  using result_type = std::mt19937::result_type;

  explicit RandomEngine(std::uint32_t seed = std::mt19937::default_seed) : engine_(seed) {}

  /// The engine itself, for std::uniform_int_distribution and friends. Build distributions where
  /// they are used: some (std::normal_distribution) cache values that would not be saved.
  std::mt19937& engine() { return engine_; }
  const std::mt19937& engine() const { return engine_; }

  // What picklejar saves: the numbers of the engine's text form, in order.
  std::vector<std::uint32_t> get_state() const {
    std::stringstream text;
    text << engine_;
    std::vector<std::uint32_t> words;
    for (std::uint32_t word = 0; text >> word;) words.push_back(word);
    return words;
  }

  void set_state(const std::vector<std::uint32_t>& words) {
    std::stringstream text;
    for (std::uint32_t word : words) text << word << ' ';
    text >> engine_;
    // A short or garbled list would silently leave a half-read engine: refuse it.
    if (text.fail()) throw picklejar::error(picklejar::errc::format, "not the state of a std::mt19937");
  }

  friend bool operator==(const RandomEngine& a, const RandomEngine& b) { return a.engine_ == b.engine_; }
  friend bool operator!=(const RandomEngine& a, const RandomEngine& b) { return !(a == b); }

 private:
  std::mt19937 engine_;
};

}  // namespace estimators
