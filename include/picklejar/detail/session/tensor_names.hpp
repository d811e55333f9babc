// What a binary save records of the Eigen blocks it meets: each block's name in PyTorch's
// state_dict style ("layers.2.w"), shape, dtype, memory, and where its data went, for the tensor
// index of a .pj file and for tensors.hpp; and, on the load side, the hook that fills blocks from
// another file (load_safetensors).
//
// Names: members joined by ".", sequence elements by their index, map elements by their key; the
// parts the bridge adds (a base class's part, a state hook's state, the object behind a pointer)
// add no name of their own, so a tensor is named as a Python attribute path would be. An object
// behind pointers is written once, so its tensors are named by the first path that reached it.
//
// Every binary save keeps the frames, so they cost a push and a pop per class value and no
// string: a name is spelled only when a block is recorded, and a pointer's position is kept as a
// tree of saved frames (as field_path does on load), not as text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "picklejar/detail/declare/dtypes.hpp"
#include "picklejar/detail/declare/structural_names.hpp"

namespace picklejar::detail {

/// What is known of one Eigen type, without naming it: one static instance per type (eigen.hpp).
struct tensor_kind {
  bool has_dtype;  // false: a scalar or a layout no tensor format holds (complex, sparse)
  dtype type;
  std::size_t element_size;
  bool row_major;
  bool is_vector;           // a vector or row vector: shape [n]
  std::int64_t fixed_rows;  // -1 when dynamic
  std::int64_t fixed_cols;
  const char* description;  // "an Eigen matrix of float", for messages
  /// Resizes the object (a dynamic one) to rows x cols and returns its data.
  void* (*resize)(void* object, std::int64_t rows, std::int64_t cols);
};

struct recorded_tensor {
  std::string name;
  const tensor_kind* kind;
  const void* data;  // the object's memory, or the recorder's copy of it (see copied_state)
  std::int64_t rows;
  std::int64_t cols;
  std::uint64_t offset;    // where its data starts: in the file, or (depth > 0) in a sized block
  std::size_t depth;       // how many sized blocks were open around it (0 once placed)
  std::uint64_t checksum;  // XXH3-64 of its data as written
};

/// A map key as text, when a key of its type names a tensor (a string or a number).
using key_text_function = std::string (*)(const void* key);

class tensor_recorder {
 public:
  tensor_recorder() : frames_(64) {}

  /// The recorded data pointers are used after the save (tensors.hpp writes from them): blocks
  /// inside a state get_state() returned are then copied, since that state may be a temporary.
  void keep_data() noexcept { keeps_data_ = true; }

  /// Tensors whose data the save leaves out (by their position among all recorded): the load
  /// that follows fills them from elsewhere (tensor_substitution).
  void leave_out(std::vector<bool> ordinals) { left_out_ = std::move(ordinals); }

  void name_next(const char* name) noexcept { pending_ = name; }
  /// The next class value adds no name of its own (the object behind a pointer).
  void next_is_transparent() noexcept { pending_transparent_ = true; }

  void enter() {
    frame& added = push();
    added.name = pending_;
    // The root's own name ("value") is no part of a tensor's name, nor are the bridge's parts, nor
    // the "value" of a map item (named by its key).
    if (pending_transparent_ || depth_ == 1 || (pending_ != nullptr && adds_no_name(pending_)))
      added.kind = frame_kind::transparent;
    pending_ = nullptr;
    pending_transparent_ = false;
  }
  /// A map item; named by its key when `text` can spell it.
  void enter_map_item(const void* key, key_text_function text) {
    frame& added = push();
    added.kind = frame_kind::map_item;
    added.key = static_cast<std::uint32_t>(map_keys_.size());
    map_keys_.push_back(map_key{key, text});
    pending_ = nullptr;
    pending_transparent_ = false;
  }
  void leave() noexcept {
    if (depth_ > 0) {
      if (frames_[depth_].kind == frame_kind::map_item) map_keys_.pop_back();
      --depth_;
    }
    pending_ = nullptr;  // a name given to a number inside names nothing after it
    pending_transparent_ = false;
  }

  /// The object with `id` is pointed at from here: its tensors are named from this path.
  void note_object(std::uint32_t id) {
    if (object_paths_.size() <= id) object_paths_.resize(id + 1, no_saved);
    object_paths_[id] = save_frames();
  }
  /// Writing the object with `id` (from the queue) starts and ends.
  void begin_object(std::uint32_t id) {
    frame& base = push();
    base.kind = frame_kind::base;
    base.saved = id < object_paths_.size() ? object_paths_[id] : no_saved;
    next_is_transparent();
  }
  void end_object() noexcept { leave(); }

  /// The save is inside (+1) or leaves (-1) a state that get_state() may have made as a copy,
  /// which is gone when the save ends (see keep_data).
  void copied_state(int change) noexcept { copied_depth_ += change; }

  /// Records a block at the current position (its data at `offset`, inside `depth` open sized
  /// blocks); true when its data is to be left out.
  bool record(const tensor_kind& kind, const void* data, std::int64_t rows, std::int64_t cols, std::uint64_t offset,
              std::size_t depth, std::uint64_t checksum) {
    const std::size_t ordinal = tensors_.size();
    const std::size_t bytes = static_cast<std::size_t>(rows * cols) * kind.element_size;
    if (keeps_data_ && copied_depth_ > 0 && bytes != 0 && data != nullptr) {
      copies_.emplace_back(new char[bytes]);
      std::memcpy(copies_.back().get(), data, bytes);
      data = copies_.back().get();
    }
    tensors_.push_back(recorded_tensor{current_name(), &kind, data, rows, cols, offset, depth, checksum});
    return ordinal < left_out_.size() && left_out_[ordinal];
  }

  /// A sized block closed and went into the one around it (depth `outer`) at `start`: the blocks
  /// recorded inside it are now at start + their offset there.
  void block_placed(std::size_t outer, std::uint64_t start) noexcept {
    for (auto at = tensors_.rbegin(); at != tensors_.rend() && at->depth > outer; ++at) {
      if (at->depth == outer + 1) {
        at->offset += start;
        at->depth = outer;
      }
    }
  }

  std::vector<recorded_tensor>& tensors() noexcept { return tensors_; }

 private:
  static constexpr std::uint32_t no_saved = static_cast<std::uint32_t>(-1);

  enum class frame_kind : std::uint8_t {
    member,       // named by its member name, or by its position when it has none
    transparent,  // adds nothing to a name
    map_item,     // named by map_keys_[key], or by its position
    base,         // continues the saved path `saved` (the object behind a pointer)
  };
  // Small and without strings: every class value of every binary save pushes one.
  struct frame {
    const char* name = nullptr;
    std::uint32_t index = 0;
    std::uint32_t next_child = 0;
    std::uint32_t saved = no_saved;  // its copy in saved_, or (base) the saved path it continues
    std::uint32_t key = 0;           // map_item: its key in map_keys_
    frame_kind kind = frame_kind::member;
  };
  struct map_key {
    const void* key;  // valid while the item is being written
    key_text_function text;
  };
  // A frame kept after it was left: no strings (a save meets a pointer per object of a graph),
  // except a map key's text, which cannot be spelled once the item is gone.
  struct saved_frame {
    const char* name;
    std::uint32_t index;
    std::uint32_t key;  // its text in saved_keys_, or no_saved
    std::uint32_t outer;
    bool transparent;
  };

  [[gnu::noinline]] bool adds_no_name(const char* name) const {
    return is_structural_name(name) ||
           (frames_[depth_ - 1].kind == frame_kind::map_item && std::strcmp(name, "value") == 0);
  }

  // A new frame on top, its position counted among its parent's children. Frames are kept, not
  // popped: a stack that only moves an index costs a save almost nothing per class value.
  frame& push() {
    if (depth_ + 1 == frames_.size()) frames_.resize(frames_.size() * 2);
    const std::uint32_t index = frames_[depth_].next_child++;
    frame& added = frames_[++depth_];
    added.name = nullptr;
    added.index = index;
    added.next_child = 0;
    added.saved = no_saved;
    added.kind = frame_kind::member;
    return added;
  }

  // One segment of a name: the member, the key, the index; empty for a transparent frame.
  std::string segment_of(const frame& f) const {
    if (f.kind == frame_kind::transparent || f.kind == frame_kind::base) return std::string();
    if (f.kind == frame_kind::map_item) {
      const map_key& key = map_keys_[f.key];
      return key.text != nullptr ? key.text(key.key) : std::to_string(f.index);
    }
    if (f.name != nullptr) return f.name;
    return std::to_string(f.index);
  }
  std::string segment_of(const saved_frame& f) const {
    if (f.transparent) return std::string();
    if (f.key != no_saved) return saved_keys_[f.key];
    if (f.name != nullptr) return f.name;
    return std::to_string(f.index);
  }

  static void prepend(std::string& name, const std::string& segment) {
    if (segment.empty()) return;
    name = name.empty() ? segment : segment + "." + name;
  }

  // Saves the frames not saved yet and returns the innermost one's saved copy.
  std::uint32_t save_frames() {
    std::size_t first_unsaved = depth_ + 1;
    while (first_unsaved > 1 && frames_[first_unsaved - 1].saved == no_saved &&
           frames_[first_unsaved - 1].kind != frame_kind::base)
      --first_unsaved;
    for (std::size_t i = first_unsaved; i <= depth_; ++i) {
      const frame& f = frames_[i];
      std::uint32_t key = no_saved;
      if (f.kind == frame_kind::map_item && map_keys_[f.key].text != nullptr) {
        key = static_cast<std::uint32_t>(saved_keys_.size());
        saved_keys_.push_back(map_keys_[f.key].text(map_keys_[f.key].key));
      }
      const std::uint32_t outer = i > 1 ? frames_[i - 1].saved : no_saved;
      frames_[i].saved = static_cast<std::uint32_t>(saved_.size());
      saved_.push_back(saved_frame{f.kind == frame_kind::member ? f.name : nullptr, f.index, key, outer,
                                   f.kind == frame_kind::transparent || f.kind == frame_kind::base});
    }
    return depth_ > 0 ? frames_[depth_].saved : no_saved;
  }

  std::string current_name() const {
    std::string name;
    std::size_t at = depth_ + 1;
    while (at > 1) {
      const frame& f = frames_[at - 1];
      if (f.kind == frame_kind::base) {
        for (std::uint32_t s = f.saved; s != no_saved; s = saved_[s].outer) prepend(name, segment_of(saved_[s]));
        break;
      }
      prepend(name, segment_of(f));
      --at;
    }
    return name;
  }

  std::vector<frame> frames_;  // frames_[0] is the root; [1, depth_] the ones open
  std::size_t depth_ = 0;
  std::vector<map_key> map_keys_;  // of the map items among frames_, in order
  std::vector<saved_frame> saved_;
  std::vector<std::string> saved_keys_;
  const char* pending_ = nullptr;
  bool pending_transparent_ = false;
  std::vector<std::uint32_t> object_paths_;  // by object id: the saved frame it was pointed at from
  std::vector<recorded_tensor> tensors_;
  std::vector<bool> left_out_;
  int copied_depth_ = 0;
  bool keeps_data_ = false;
  std::vector<std::unique_ptr<char[]>> copies_;
};

/// On a load from a payload whose tensor data was left out: fills those tensors instead, in the
/// order they were recorded. `fill` throws picklejar::error when the source cannot.
struct tensor_substitution {
  const std::vector<bool>* left_out;
  void* source;
  void (*fill)(void* source, std::size_t ordinal, void* object, const tensor_kind& kind);
  std::size_t next = 0;

  /// The next block's position among all blocks, and whether its data was left out.
  bool take_next(std::size_t& ordinal) noexcept {
    ordinal = next++;
    return ordinal < left_out->size() && (*left_out)[ordinal];
  }
};

}  // namespace picklejar::detail
