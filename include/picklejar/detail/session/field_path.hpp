// Where an input archive is inside the object, kept as a stack of cheap frames so that an error can
// say "Classifier.optimizer_.m[3]". The text is built only when an error is thrown.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "picklejar/detail/session/limits.hpp"
#include "picklejar/detail/session/memory_budget.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {

class field_path {
 public:
  /// `budget` (the load's, if any) is charged for the bookkeeping of objects behind pointers.
  field_path(std::string root_name, std::size_t max_depth, memory_budget* budget = nullptr)
      : root_name_(std::move(root_name)), max_depth_(max_depth), budget_(budget) {
    frames_.push_back(frame{nullptr, 0, 0, no_saved});
  }

  /// The load's memory budget (an unlimited one when none was given).
  memory_budget& budget() noexcept { return budget_ != nullptr ? *budget_ : unlimited_; }

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
    const std::size_t index = frames_.back().next_child++;
    // Member by member into the new frame: a whole frame built first and copied in stalled on
    // store forwarding, which made this a fifth of loading small objects.
    frame& added = frames_.emplace_back();
    added.name = pending_name_;
    added.index = has_pending_index_ ? pending_index_ : index;
    added.next_child = 0;
    added.saved = no_saved;
    clear_pending();
    if (frames_.size() > max_depth_ + 1) fail_too_deep();
  }
  void leave() noexcept {
    if (frames_.size() > 1) frames_.pop_back();
  }
  std::size_t depth() const noexcept { return frames_.size() - 1; }
  std::size_t max_depth() const noexcept { return max_depth_; }

  // Objects behind pointers are read after the object that points at them (see object_graph.hpp).
  // Each remembers where it was first pointed at, relative to the object being read then, so a
  // path inside it still reads "Model.layers_[2].weights".

  /// Remembers the current position as where the object with the next index is pointed at.
  /// The frames are saved once each, as a tree (each saved frame links to the one around it), not
  /// copied per object: 200,000 pointers 240 levels deep save 200,000 frames, not 48 million.
  void note_object() {
    // Save the frames not saved yet, from the innermost out to the first one that is.
    std::size_t first_unsaved = frames_.size();
    while (first_unsaved > 0 && frames_[first_unsaved - 1].saved == no_saved) --first_unsaved;
    charge(frames_.size() - first_unsaved, sizeof(saved_frame));
    charge(1, sizeof(location));
    for (std::size_t i = first_unsaved; i < frames_.size(); ++i) {
      const std::size_t outer = i == 0 ? no_saved : frames_[i - 1].saved;
      frames_[i].saved = saved_frames_.size();
      saved_frames_.push_back(saved_frame{frames_[i].name, frames_[i].index, outer});
    }
    // The path inside the object being read: its frames after base_depth_ (see str()).
    const bool inside = frames_.size() > base_depth_ + 1;
    locations_.push_back(location{current_object_, inside ? frames_.back().saved : no_saved,
                                  inside ? frames_[base_depth_].saved : no_saved});
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

  /// The path, for an error. A deep one keeps its first and last shown_levels levels and says how
  /// many it leaves out between them: 512 levels would be kilobytes of "children[0]".
  std::string str() const {
    std::string text = object_prefix(current_object_);
    const std::size_t first = base_depth_ + 1;
    const std::size_t count = frames_.size() > first ? frames_.size() - first : 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (count > 2 * shown_levels && i == shown_levels) {
        const std::size_t left_out = count - 2 * shown_levels;
        text += "...(" + std::to_string(left_out) + " levels)...";
        i += left_out - 1;
        continue;
      }
      append(text, frames_[first + i].name, frames_[first + i].index);
    }
    if (pending_name_ != nullptr || has_pending_index_) append(text, pending_name_, pending_index_);
    return text;
  }

  [[noreturn]] void fail(errc code, std::string reason) const {
    throw error(code, std::move(reason), {}, str());
  }

  // Out of line, so that the checks calling it stay small enough to inline: they run per value.
  [[noreturn, gnu::noinline, gnu::cold]] void fail_too_deep() const { fail(errc::limit, too_deep(max_depth_)); }

 private:
  static constexpr std::size_t shown_levels = 8;
  static constexpr std::size_t no_object = static_cast<std::size_t>(-1);
  static constexpr std::size_t no_saved = static_cast<std::size_t>(-1);

  struct frame {
    const char* name;
    std::size_t index;
    std::size_t next_child;
    std::size_t saved;  // its copy in saved_frames_, or no_saved
  };
  struct saved_frame {
    const char* name;
    std::size_t index;
    std::size_t outer;  // the saved frame around it, or no_saved
  };

  struct location {
    std::size_t parent;  // the object being read when this one was first pointed at
    std::size_t innermost;  // saved frame where it was pointed at (no_saved: the object itself)
    std::size_t stop;       // saved frame of that object itself, where the path inside it starts
  };

  void charge(std::size_t count, std::size_t each) {
    if (budget_ != nullptr && !budget_->try_charge(count, each)) fail(errc::limit, budget_->refusal(count, each));
  }

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
    std::vector<const saved_frame*> inner;
    for (auto hop = chain.rbegin(); hop != chain.rend(); ++hop) {
      inner.clear();
      const location& where = locations_[*hop];
      for (std::size_t at = where.innermost; at != no_saved && at != where.stop; at = saved_frames_[at].outer)
        inner.push_back(&saved_frames_[at]);
      for (auto f = inner.rbegin(); f != inner.rend(); ++f) append(text, (*f)->name, (*f)->index);
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
  memory_budget* budget_;
  memory_budget unlimited_;
  std::vector<saved_frame> saved_frames_;
  std::vector<location> locations_;
  std::size_t current_object_ = no_object;
  std::size_t base_depth_ = 1;  // frames up to here belong to outer objects; the next is this one's
  const char* pending_name_ = nullptr;
  std::size_t pending_index_ = 0;
  bool has_pending_index_ = false;
};

}  // namespace picklejar::detail
