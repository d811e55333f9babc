// expect: picklejar: a pointer to this type cannot be loaded: it needs a default constructor (or state hooks with a static from_state(State))
// max-lines: 24
// A pointee that loading cannot create.
#include <picklejar/picklejar.hpp>

#include <memory>

struct Tokenizer {
#ifdef PICKLEJAR_TRIGGER
  explicit Tokenizer(int size) : vocabulary_size(size) {}
#endif
  int vocabulary_size = 0;
  PICKLEJAR_FIELDS(vocabulary_size)
};

struct Model {
  std::shared_ptr<Tokenizer> tokenizer;
  PICKLEJAR_FIELDS(tokenizer)
};

inline std::string save_it() { return picklejar::dumps(Model{}); }
