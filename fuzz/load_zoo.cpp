// picklejar_fuzz::load_zoo and load_untrusted: the bodies of the zoo and untrusted targets.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_targets.hpp"
#include "reference_model.hpp"
#include "zoo_model.hpp"

namespace picklejar_fuzz {
namespace {

[[noreturn]] void report(const char* property, const std::string& detail) {
  std::fprintf(stderr, "picklejar fuzz finding: %s: %s\n", property, detail.c_str());
  std::abort();
}

/// The format a loaded zoo is saved again in: varied by the input, so that every writer meets
/// what every reader accepted.
picklejar::format resave_format_for(std::string_view bytes) {
  static constexpr picklejar::format formats[] = {picklejar::format::binary, picklejar::format::portable_binary,
                                                  picklejar::format::json, picklejar::format::xml};
  return formats[bytes.size() % 4];
}

/// `loaded`, saved in `fmt` and loaded back, must describe the same.
void check_saves_again(const zoo::Zoo& loaded, picklejar::format fmt) {
  std::string saved;
  try {
    saved = picklejar::dumps(loaded, picklejar::options(fmt));
  } catch (const picklejar::error& failure) {
    report("a loaded zoo cannot be saved again", failure.what());
  }
  try {
    const zoo::Zoo reloaded = picklejar::loads<zoo::Zoo>(saved);
    if (zoo::describe(reloaded) != zoo::describe(loaded)) report("saved and loaded again, the zoo differs", "");
  } catch (const picklejar::error& failure) {
    report("a saved zoo does not load again", failure.what());
  }
}

/// Default options, except that ownership cycles are refused: default options load a cycle of
/// shared_ptrs as saved and leave breaking it to the program (contract §3), which this harness
/// cannot do for a graph it did not build. Without this, a crafted cycle is a leak report, also
/// from a load that fails after the cycle was closed (docs/reliability.md, "Known gaps").
picklejar::options zoo_options() {
  picklejar::options opts;
  opts.refuse_ownership_cycles = true;
  return opts;
}

}  // namespace

void load_zoo(std::string_view bytes) {
  zoo::Zoo loaded;
  try {
    loaded = picklejar::loads<zoo::Zoo>(bytes, zoo_options());
  } catch (const picklejar::error&) {
    return;  // rejected, as it should be; anything else escapes and is a finding
  }
  check_saves_again(loaded, resave_format_for(bytes));

  zoo::Zoo existing = zoo::make_zoo(3);
  try {
    picklejar::loads(existing, bytes, zoo_options());
  } catch (const picklejar::error& failure) {
    report("the bytes load as a new zoo but not into an existing one", failure.what());
  }
  if (zoo::describe(existing) != zoo::describe(loaded))
    report("loaded into an existing zoo, the result differs from a new one", "");
}

void load_untrusted(std::string_view bytes) {
  const picklejar::options untrusted = picklejar::options::untrusted();
  // Whatever the stranger's options accept, the default options accept too, and to the same value.
  try {
    const zoo::Zoo loaded = picklejar::loads<zoo::Zoo>(bytes, untrusted);
    const zoo::Zoo again = picklejar::loads<zoo::Zoo>(bytes);
    if (zoo::describe(loaded) != zoo::describe(again)) report("untrusted and default loads of a zoo differ", "");
  } catch (const picklejar::error&) {
  }
  try {
    const reference_model::Model loaded = picklejar::loads<reference_model::Model>(bytes, untrusted);
    const reference_model::Model again = picklejar::loads<reference_model::Model>(bytes);
    if (std::string where = reference_model::difference(loaded, again); !where.empty())
      report("untrusted and default loads of a model differ", where);
  } catch (const picklejar::error&) {
  }
}

}  // namespace picklejar_fuzz
