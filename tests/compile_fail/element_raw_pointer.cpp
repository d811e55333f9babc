// expect: picklejar: a raw pointer inside a container or wrapper cannot be saved (it does not say who owns the object); hold a std::unique_ptr or std::shared_ptr, or a std::weak_ptr for a reference, or mark the member PICKLEJAR_TRANSIENT
// max-lines: 30
// A raw pointer as a container's element: picklejar's message, not cereal's.
#include <picklejar/picklejar.hpp>

#include <memory>
#include <vector>

struct Buffers {
#ifdef PICKLEJAR_TRIGGER
  std::vector<float*> views;
#else
  std::vector<std::shared_ptr<float>> views;
#endif
  PICKLEJAR_FIELDS(views)
};

inline std::string save_it() { return picklejar::dumps(Buffers{}); }
