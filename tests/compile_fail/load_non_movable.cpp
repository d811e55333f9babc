// expect: picklejar: load<T>() returns a T, but T cannot be moved (a std::mutex member?); load into an existing object with picklejar::load(object, path), or hold the mutex as picklejar::transient<std::mutex>
// max-lines: 12
#include <picklejar/picklejar.hpp>

#include <mutex>

struct Model {
  std::vector<float> weights;
  std::mutex mutex_;
  PICKLEJAR_FIELDS(weights)
  PICKLEJAR_TRANSIENT(mutex_)
};

inline void load_it(const std::string& bytes) {
#ifdef PICKLEJAR_TRIGGER
  Model model = picklejar::loads<Model>(bytes);
#else
  Model model;
  picklejar::loads(model, bytes);
#endif
}
