// JSON and XML are opt-in (contract §4): this program includes neither picklejar/json.hpp nor
// picklejar/xml.hpp, so saving or loading them is errc::format naming the header, wherever the
// document comes from. Its own executable (picklejar_opt_in_formats): the unit tests include both
// headers, and whether a program includes them is a property of the whole program.
#include <picklejar/checkpoint.hpp>
#include <picklejar/picklejar.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace opt_in {

struct Settings {
  std::string name;
  std::vector<int> sizes;
  PICKLEJAR_FIELDS(name, sizes)
};

// What json.hpp and xml.hpp would let this program write, spelled out.
const std::string json_document =
    R"({"header": {"format": "picklejar", "container_version": 3, "type": "opt_in::Settings"}, )"
    R"("value": {"name": "a", "sizes": [1, 2]}})";
const std::string xml_document =
    "<picklejar><header><format>picklejar</format><container_version>3</container_version>"
    "<type>opt_in::Settings</type></header><value><name>a</name><sizes><item>1</item></sizes></value></picklejar>";

picklejar::error refusal(const std::function<void()>& action) {
  try {
    action();
  } catch (const picklejar::error& failure) {
    return failure;
  }
  ADD_FAILURE() << "no picklejar::error";
  return picklejar::error(picklejar::errc::io, "none");
}

void expect_names_header(const picklejar::error& failure, const std::string& header) {
  EXPECT_EQ(failure.code(), picklejar::errc::format) << failure.what();
  EXPECT_NE(std::string(failure.what()).find("#include <" + header + ">"), std::string::npos) << failure.what();
}

TEST(OptInFormats, SavingJsonOrXmlWithoutTheirHeaderNamesTheHeader) {
  const Settings settings{"a", {1, 2}};
  expect_names_header(refusal([&] { (void)picklejar::dumps(settings, {picklejar::format::json}); }),
                      "picklejar/json.hpp");
  expect_names_header(refusal([&] { (void)picklejar::dumps(settings, {picklejar::format::xml}); }),
                      "picklejar/xml.hpp");
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "picklejar_opt_in.json";
  std::filesystem::remove(file);
  const picklejar::error to_file =
      refusal([&] { picklejar::save(settings, file.string(), {picklejar::format::json}); });
  expect_names_header(to_file, "picklejar/json.hpp");
  EXPECT_EQ(to_file.file(), file.string());
  EXPECT_FALSE(std::filesystem::exists(file));  // nothing half-written
  // The binary formats need nothing more.
  for (picklejar::format fmt : {picklejar::format::binary, picklejar::format::portable_binary}) {
    EXPECT_EQ(picklejar::loads<Settings>(picklejar::dumps(settings, {fmt})).sizes, settings.sizes);
  }
}

TEST(OptInFormats, LoadingJsonOrXmlWithoutTheirHeaderNamesTheHeader) {
  Settings loaded;
  expect_names_header(refusal([&] { picklejar::loads(loaded, json_document); }), "picklejar/json.hpp");
  expect_names_header(refusal([&] { picklejar::loads(loaded, xml_document); }), "picklejar/xml.hpp");
  std::istringstream stream(json_document);
  expect_names_header(refusal([&] { picklejar::load(loaded, stream); }), "picklejar/json.hpp");
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "picklejar_opt_in_read.xml";
  std::ofstream(file) << xml_document;
  const picklejar::error from_file = refusal([&] { picklejar::load(loaded, file.string()); });
  expect_names_header(from_file, "picklejar/xml.hpp");
  EXPECT_EQ(from_file.file(), file.string());
  expect_names_header(refusal([&] { (void)picklejar::inspect(file.string()); }), "picklejar/xml.hpp");
  std::filesystem::remove(file);
}

TEST(OptInFormats, ACheckpointManagerSavingJsonNamesTheHeader) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "picklejar_opt_in_checkpoints";
  std::filesystem::remove_all(dir);
  picklejar::checkpoint_options opts;
  opts.format = picklejar::format::json;
  picklejar::checkpoint_manager manager(dir, opts);
  expect_names_header(refusal([&] { manager.save(Settings{"a", {1}}, 1); }), "picklejar/json.hpp");
  EXPECT_FALSE(manager.latest().has_value());
  std::filesystem::remove_all(dir);
}

}  // namespace opt_in
