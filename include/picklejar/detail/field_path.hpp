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

  // Objects behind pointers are read after the object that points at them (see object_graph.hpp).
  // Each remembers where it was first pointed at, relative to the object being read then, so a
  // path inside it still reads "Model.layers_[2].weights".

  /// Remembers the current position as where the object with the next index is pointed at.
  void note_object() {
    locations_.push_back(location{current_object_, std::vector<frame>(frames_.begin() + static_cast<std::ptrdiff_t>(base_depth_ + 1), frames_.end())});
  }
  struct object_context {
    std::size_t object;
    std::size_t base_depth;
  };
  /// Reading the contents of object `index` (0-based, in note_object() order) starts here.
  object_context enter_object(std::size_t index) {
    object_context saved{current_object_, base_depth_};
    current_object_ = index;
    base_depth_ = frames_.size();
    clear_pending();
    return saved;
  }
  void leave_object(object_context saved) noexcept {
    current_object_ = saved.object;
    base_depth_ = saved.base_depth;
  }

  std::string str() const {
    std::string text = object_prefix(current_object_);
    for (std::size_t i = base_depth_ + 1; i < frames_.size(); ++i) append(text, frames_[i].name, frames_[i].index);
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

  struct location {
    std::size_t parent;  // the object being read when this one was first pointed at
    std::vector<frame> frames;
  };
  static constexpr std::size_t no_object = static_cast<std::size_t>(-1);

  // The path to an object: its pointing object's path, then where in it. Long chains (a linked
  // list) keep their last hops only.
  std::string object_prefix(std::size_t object) const {
    constexpr std::size_t shown_hops = 16;
    std::vector<std::size_t> chain;
    for (std::size_t at = object; at != no_object && chain.size() <= shown_hops; at = locations_[at].parent)
      chain.push_back(at);
    const bool cut = chain.size() > shown_hops;
    if (cut) chain.pop_back();
    std::string text = cut ? "..." : root_name_;
    for (auto hop = chain.rbegin(); hop != chain.rend(); ++hop) {
      for (const frame& f : locations_[*hop].frames) append(text, f.name, f.index);
    }
    return text;
  }

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
  std::vector<location> locations_;
  std::size_t current_object_ = no_object;
  std::size_t base_depth_ = 1;  // frames up to here belong to outer objects; the next is this one's
  const char* pending_name_ = nullptr;
  std::size_t pending_index_ = 0;
  bool has_pending_index_ = false;
};

}  // namespace picklejar::detail
