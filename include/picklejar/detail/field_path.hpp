// Where an input archive is inside the object, kept as a stack of cheap frames so that an error can
// say "Classifier.optimizer_.m[3]". The text is built only when an error is thrown.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "picklejar/error.hpp"

namespace picklejar::detail {

class field_path {
 public:
  field_path(std::string root_name, std::size_t max_depth)
      : root_name_(std::move(root_name)), max_depth_(max_depth) {
    frames_.push_back(frame{nullptr, 0, 0});
  }

  /// The next value read is the member called `name` (from a name-value pair).
  void name_next(const char* name) noexcept {
    pending_name_ = name;
    has_pending_index_ = false;
  }
  /// The next value read is the unnamed item at `index` of the current array.
  void item_next(std::size_t index) noexcept {
    pending_name_ = nullptr;
    pending_index_ = index;
    has_pending_index_ = true;
  }
  void clear_pending() noexcept {
    pending_name_ = nullptr;
    has_pending_index_ = false;
  }

  /// Entering a nested object: the pending name, or else its position among its unnamed siblings.
  void enter() {
    frame& parent = frames_.back();
    std::size_t index = parent.next_child++;
    frames_.push_back(frame{pending_name_, has_pending_index_ ? pending_index_ : index, 0});
    clear_pending();
    if (frames_.size() > max_depth_ + 1) {
      fail(errc::limit, "nesting deeper than the limit of " + std::to_string(max_depth_) +
                            " levels (options.max_depth)");
    }
  }
  void leave() noexcept {
    if (frames_.size() > 1) frames_.pop_back();
  }
  std::size_t depth() const noexcept { return frames_.size() - 1; }

  /// The next unnamed item's position at the current level (for leaves that push no frame).
  std::string str() const {
    std::string text = root_name_;
    for (std::size_t i = 2; i < frames_.size(); ++i) append(text, frames_[i].name, frames_[i].index);
    if (pending_name_ != nullptr || has_pending_index_) append(text, pending_name_, pending_index_);
    return text;
  }

  [[noreturn]] void fail(errc code, std::string reason) const {
    throw error(code, std::move(reason), {}, str());
  }

 private:
  struct frame {
    const char* name;
    std::size_t index;
    std::size_t next_child;
  };

  static void append(std::string& text, const char* name, std::size_t index) {
    if (name != nullptr) {
      if (!text.empty()) text += '.';
      text += name;
    } else {
      text += '[' + std::to_string(index) + ']';
    }
  }

  std::string root_name_;
  std::size_t max_depth_;
  std::vector<frame> frames_;
  const char* pending_name_ = nullptr;
  std::size_t pending_index_ = 0;
  bool has_pending_index_ = false;
};

}  // namespace picklejar::detail
