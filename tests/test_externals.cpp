// External references (pickle's persistent_id): objects that belong to the application are saved
// as their names and resolved to the loading program's live objects.
#include <picklejar/picklejar.hpp>

#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

struct Tokenizer {
  std::vector<std::string> vocabulary;
  PICKLEJAR_FIELDS(vocabulary)
};

struct Dataset {
  virtual ~Dataset() = default;
  std::string path;
  PICKLEJAR_FIELDS(path)
};

struct Model {
  std::shared_ptr<Tokenizer> tokenizer;
  std::shared_ptr<Tokenizer> same_tokenizer;
  std::weak_ptr<Dataset> dataset;
  std::shared_ptr<Tokenizer> own;  // not external: saved in the file
  int steps = 0;
  PICKLEJAR_FIELDS(tokenizer, same_tokenizer, dataset, own, steps)
};

class Externals : public pj_test::FormatTest {
 protected:
  /// A model whose tokenizer is the application's, saved with it as the external "tokenizer".
  std::string saved_with_external_tokenizer() const {
    auto app_tokenizer = std::make_shared<Tokenizer>();
    Model model;
    model.tokenizer = app_tokenizer;
    picklejar::options save_opts = opts();
    save_opts.externals.add("tokenizer", app_tokenizer);
    return picklejar::dumps(model, save_opts);
  }
};

TEST_P(Externals, AreSavedByNameAndResolvedToTheLoadersObjects) {
  auto app_tokenizer = std::make_shared<Tokenizer>();
  app_tokenizer->vocabulary.assign(100, "a word only the application's tokenizer has");
  auto app_dataset = std::make_shared<Dataset>();
  Model model;
  model.tokenizer = model.same_tokenizer = app_tokenizer;
  model.dataset = app_dataset;
  model.own = std::make_shared<Tokenizer>();
  model.own->vocabulary = {"own"};
  model.steps = 3;

  picklejar::options save_opts = opts();
  save_opts.externals.add("tokenizer", app_tokenizer).add("train-set", app_dataset);
  const std::string bytes = picklejar::dumps(model, save_opts);
  EXPECT_EQ(bytes.find("a word only the application"), std::string::npos) << "externals are not in the file";

  auto other_tokenizer = std::make_shared<Tokenizer>();
  auto other_dataset = std::make_shared<Dataset>();
  picklejar::options load_opts;
  load_opts.externals.add("tokenizer", other_tokenizer).add("train-set", other_dataset);
  Model loaded = picklejar::loads<Model>(bytes, load_opts);
  EXPECT_EQ(loaded.tokenizer, other_tokenizer);
  EXPECT_EQ(loaded.same_tokenizer, other_tokenizer);
  EXPECT_EQ(loaded.dataset.lock(), other_dataset);
  ASSERT_TRUE(loaded.own);
  EXPECT_NE(loaded.own, other_tokenizer);
  EXPECT_EQ(loaded.own->vocabulary, std::vector<std::string>{"own"});
  EXPECT_EQ(loaded.steps, 3);
}

TEST_P(Externals, AnUnknownNameOnLoadIsAnErrorNamingIt) {
  const std::string bytes = saved_with_external_tokenizer();
  auto failure = pj_test::expect_error(picklejar::errc::type, [&] { picklejar::loads<Model>(bytes); });
  EXPECT_NE(failure.reason().find("'tokenizer'"), std::string::npos) << failure.what();
  EXPECT_EQ(failure.field_path(), "Model.tokenizer");
}

TEST_P(Externals, AnExternalOfTheWrongTypeIsRefused) {
  const std::string bytes = saved_with_external_tokenizer();
  picklejar::options wrong;
  wrong.externals.add("tokenizer", std::make_shared<Dataset>());
  pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Model>(bytes, wrong); });
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Externals);

TEST(ExternalsTable, RejectsNullAndDuplicateNames) {
  picklejar::externals table;
  table.add("a", std::make_shared<int>(1));
  EXPECT_THROW(table.add("a", std::make_shared<int>(2)), std::invalid_argument);
  EXPECT_THROW(table.add("b", std::shared_ptr<int>()), std::invalid_argument);
  EXPECT_EQ(table.size(), 1u);
}

}  // namespace
