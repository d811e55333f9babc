// picklejar_fuzz::load_reference_model: the body of the four format targets.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_targets.hpp"
#include "reference_model.hpp"

namespace picklejar_fuzz {
namespace {

[[noreturn]] void report(const char* property, const std::string& detail) {
  std::fprintf(stderr, "picklejar fuzz finding: %s: %s\n", property, detail.c_str());
  std::abort();
}

/// The object that loading into an existing model starts from: the reference model, with the
/// members that a file of an older TrainingConfig version does not hold at their defaults (such
/// a load leaves them as they are, and a new object has the defaults).
reference_model::Model filled_model() {
  reference_model::Model model = reference_model::make_reference_model();
  const reference_model::TrainingConfig defaults;
  model.config.dropout = defaults.dropout;
  model.config.schedule = defaults.schedule;
  model.config.early_stopping_patience = defaults.early_stopping_patience;
  return model;
}

}  // namespace

void load_reference_model(std::string_view bytes, picklejar::format resave_format) {
  reference_model::Model loaded;
  try {
    loaded = picklejar::loads<reference_model::Model>(bytes);
  } catch (const picklejar::error&) {
    return;  // rejected, as it should be; anything else escapes and is a finding
  }

  std::string saved;
  try {
    saved = picklejar::dumps(loaded, picklejar::options(resave_format));
  } catch (const picklejar::error& failure) {
    report("a loaded model cannot be saved again", failure.what());
  }
  try {
    const reference_model::Model reloaded = picklejar::loads<reference_model::Model>(saved);
    if (std::string where = reference_model::difference(loaded, reloaded); !where.empty())
      report("saved and loaded again, the model differs", where);
  } catch (const picklejar::error& failure) {
    report("a saved model does not load again", failure.what());
  }

  reference_model::Model existing = filled_model();
  try {
    picklejar::loads(existing, bytes);
  } catch (const picklejar::error& failure) {
    report("the bytes load as a new object but not into an existing one", failure.what());
  }
  if (std::string where = reference_model::difference(loaded, existing); !where.empty())
    report("loaded into an existing object, the model differs from a new one", where);
}

}  // namespace picklejar_fuzz
