// Polymorphic types: PICKLEJAR_REGISTER and PICKLEJAR_REGISTER_AS, multi-level hierarchies, base
// fields saved with the derived object, registrations in a static library, and the errors for
// unregistered types, unknown names and conflicting registrations.
#include <picklejar/picklejar.hpp>

#include <memory>
#include <string>
#include <vector>

#include "layers_library/layers_library.hpp"
#include "test_support.hpp"

namespace zoo {

class Layer {
 public:
  virtual ~Layer() = default;
  virtual std::string kind() const = 0;
  std::string name;
  bool trainable = true;
  PICKLEJAR_FIELDS(name, trainable)
};

class Dense : public Layer {
 public:
  std::string kind() const override { return "dense"; }
  std::vector<float> weights;
  PICKLEJAR_FIELDS(weights)
};

class ReLU : public Layer {  // nothing of its own: only the base's fields
 public:
  std::string kind() const override { return "relu"; }
};

// Two levels: an abstract middle class with fields of its own.
class Convolution : public Layer {
 public:
  int kernel = 3;
  PICKLEJAR_FIELDS(kernel)
};

class Conv2D : public Convolution {
 public:
  std::string kind() const override { return "conv2d"; }
  int channels = 0;
  PICKLEJAR_FIELDS(channels)
};

class Pooling : public Layer {  // registered, but not a Convolution
 public:
  std::string kind() const override { return "pooling"; }
};

class Unregistered : public Layer {
 public:
  std::string kind() const override { return "unregistered"; }
  int secret = 0;
  PICKLEJAR_FIELDS(secret)
};

// A base that only its subtypes may create (a protected constructor, not abstract).
class Module {
 public:
  virtual ~Module() = default;
  int id = 0;
  PICKLEJAR_FIELDS(id)

 protected:
  Module() = default;
};

class Block : public Module {
 public:
  int depth = 0;
  PICKLEJAR_FIELDS(depth)
};

// A middle level with no fields of its own: a Swish is saved with Layer's fields, through
// Activation's registration.
class Activation : public Layer {};

class Swish : public Activation {
 public:
  std::string kind() const override { return "swish"; }
  double beta = 1.0;
  PICKLEJAR_FIELDS(beta)
};

struct Sequential {
  std::vector<std::unique_ptr<Layer>> layers;
  std::shared_ptr<Layer> shared;
  std::shared_ptr<Layer> shared_again;
  std::shared_ptr<Dense> shared_as_dense;
  PICKLEJAR_FIELDS(layers, shared, shared_again, shared_as_dense)
};

// Registered in the namespace of the types...
PICKLEJAR_REGISTER(Dense, Layer)
PICKLEJAR_REGISTER_AS(ReLU, Layer, "zoo.ReLU");
PICKLEJAR_REGISTER_AS(Pooling, Layer, "zoo.Pooling")
PICKLEJAR_REGISTER(Block, Module)
PICKLEJAR_REGISTER_AS(Activation, Layer, "zoo.Activation")
PICKLEJAR_REGISTER_AS(Swish, Activation, "zoo.Swish")

}  // namespace zoo

// ...and in the global namespace.
PICKLEJAR_REGISTER(zoo::Convolution, zoo::Layer)
PICKLEJAR_REGISTER(zoo::Conv2D, zoo::Convolution)

namespace {

using picklejar::errc;
using pj_test::expect_error;

zoo::Sequential make_model() {
  zoo::Sequential model;
  auto dense = std::make_unique<zoo::Dense>();
  dense->name = "dense_1";
  dense->weights = {0.5f, -1.5f};
  model.layers.push_back(std::move(dense));
  auto relu = std::make_unique<zoo::ReLU>();
  relu->name = "relu_1";
  relu->trainable = false;
  model.layers.push_back(std::move(relu));
  auto conv = std::make_unique<zoo::Conv2D>();
  conv->name = "conv_1";
  conv->kernel = 5;
  conv->channels = 16;
  model.layers.push_back(std::move(conv));
  model.layers.push_back(nullptr);
  auto shared = std::make_shared<zoo::Dense>();
  shared->weights = {42};
  model.shared = shared;
  model.shared_again = shared;
  model.shared_as_dense = shared;
  return model;
}

class Registration : public pj_test::FormatTest {};

TEST_P(Registration, LayersLoadWithTheirDynamicTypesAndBaseFields) {
  zoo::Sequential loaded = pj_test::round_trip(make_model(), GetParam());
  ASSERT_EQ(loaded.layers.size(), 4u);
  auto* dense = dynamic_cast<zoo::Dense*>(loaded.layers[0].get());
  ASSERT_NE(dense, nullptr);
  EXPECT_EQ(dense->name, "dense_1");
  EXPECT_EQ(dense->weights, (std::vector<float>{0.5f, -1.5f}));
  auto* relu = dynamic_cast<zoo::ReLU*>(loaded.layers[1].get());
  ASSERT_NE(relu, nullptr);
  EXPECT_EQ(relu->name, "relu_1");
  EXPECT_FALSE(relu->trainable);
  auto* conv = dynamic_cast<zoo::Conv2D*>(loaded.layers[2].get());
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->name, "conv_1");
  EXPECT_EQ(conv->kernel, 5);
  EXPECT_EQ(conv->channels, 16);
  EXPECT_EQ(loaded.layers[3], nullptr);
}

TEST_P(Registration, AMiddleLevelWithoutFieldsOfItsOwnKeepsTheFieldsAboveIt) {
  zoo::Sequential original;
  auto swish = std::make_unique<zoo::Swish>();
  swish->name = "swish_1";
  swish->trainable = false;
  swish->beta = 1.5;
  original.layers.push_back(std::move(swish));
  zoo::Sequential loaded = pj_test::round_trip(original, GetParam());
  ASSERT_EQ(loaded.layers.size(), 1u);
  auto* swish_loaded = dynamic_cast<zoo::Swish*>(loaded.layers[0].get());
  ASSERT_NE(swish_loaded, nullptr);
  EXPECT_EQ(swish_loaded->name, "swish_1");
  EXPECT_FALSE(swish_loaded->trainable);
  EXPECT_EQ(swish_loaded->beta, 1.5);
}

TEST_P(Registration, SharedPolymorphicObjectsStayOneObject) {
  zoo::Sequential loaded = pj_test::round_trip(make_model(), GetParam());
  ASSERT_TRUE(loaded.shared);
  EXPECT_EQ(loaded.shared, loaded.shared_again);
  EXPECT_EQ(loaded.shared.get(), static_cast<zoo::Layer*>(loaded.shared_as_dense.get()));
  EXPECT_EQ(loaded.shared_as_dense->weights, std::vector<float>{42});
}

TEST_P(Registration, FilesUseTheRegisteredNames) {
  const std::string bytes = picklejar::dumps(make_model(), opts());
  EXPECT_NE(bytes.find("zoo.ReLU"), std::string::npos);
  EXPECT_NE(bytes.find("zoo::Conv2D"), std::string::npos);
  EXPECT_EQ(bytes.find("zoo::ReLU"), std::string::npos) << "registered under another name";
}

TEST_P(Registration, AnUnregisteredTypeIsATypeErrorOnSaveNamingIt) {
  zoo::Sequential model;
  model.layers.push_back(std::make_unique<zoo::Unregistered>());
  auto failure = expect_error(errc::type, [&] { picklejar::dumps(model, opts()); });
  EXPECT_NE(failure.reason().find("zoo::Unregistered"), std::string::npos) << failure.what();
  EXPECT_NE(failure.reason().find("PICKLEJAR_REGISTER(zoo::Unregistered, zoo::Layer)"), std::string::npos) << failure.what();
}

TEST_P(Registration, AnUnknownNameOnLoadIsATypeErrorNamingIt) {
  // "zoo.ReLU" and "zoo.Evil" have the same length, so the binary stays well formed
  std::string bytes = picklejar::dumps(make_model(), opts());
  const auto at = bytes.find("zoo.ReLU");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 8, "zoo.Evil");
  auto failure = expect_error(errc::type, [&] { picklejar::loads<zoo::Sequential>(pj_test::reseal(bytes)); });
  EXPECT_NE(failure.reason().find("'zoo.Evil'"), std::string::npos) << failure.what();
  EXPECT_EQ(failure.field_path(), "Sequential.layers[1]") << failure.what();
}

TEST_P(Registration, ARegisteredTypeOutsideThePointersHierarchyIsRefused) {
  // a registered name that is not a subtype of the pointer's type: never created as one
  struct Other {
    std::unique_ptr<zoo::Convolution> conv;
    PICKLEJAR_FIELDS(conv)
  } other;
  auto conv = std::make_unique<zoo::Conv2D>();
  other.conv = std::move(conv);
  std::string bytes = picklejar::dumps(other, opts());
  const auto at = bytes.find("zoo::Conv2D");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 11, "zoo.Pooling");  // the same length, so the binary stays well formed
  expect_error(errc::format, [&] { picklejar::loads<decltype(other)>(pj_test::reseal(bytes)); });
}

TEST_P(Registration, ABaseWithAProtectedConstructorIsCreatedOnlyAsASubtype) {
  struct Holder {
    std::unique_ptr<zoo::Module> module;
    std::shared_ptr<zoo::Module> shared;
    PICKLEJAR_FIELDS(module, shared)
  } holder;
  auto block = std::make_unique<zoo::Block>();
  block->id = 4;
  block->depth = 9;
  holder.module = std::move(block);
  auto loaded = pj_test::round_trip(holder, GetParam());
  auto* loaded_block = dynamic_cast<zoo::Block*>(loaded.module.get());
  ASSERT_NE(loaded_block, nullptr);
  EXPECT_EQ(loaded_block->id, 4);
  EXPECT_EQ(loaded_block->depth, 9);
  EXPECT_FALSE(loaded.shared);
}

TEST_P(Registration, RegistrationsInAStaticLibrary) {
  struct Holder {
    std::vector<std::unique_ptr<layers_library::Layer>> layers;
    PICKLEJAR_FIELDS(layers)
  } holder;
  holder.layers.push_back(layers_library::make_source_registered(7));
  holder.layers.back()->name = "from the library's .cpp";
  auto header_layer = std::make_unique<layers_library::HeaderRegistered>();
  header_layer->weights = {1.0, 2.0};
  holder.layers.push_back(std::move(header_layer));
  auto loaded = pj_test::round_trip(holder, GetParam());
  ASSERT_EQ(loaded.layers.size(), 2u);
  EXPECT_EQ(loaded.layers[0]->kind(), "source");
  EXPECT_EQ(loaded.layers[0]->name, "from the library's .cpp");
  EXPECT_EQ(static_cast<layers_library::SourceRegistered&>(*loaded.layers[0]).units, 7);
  EXPECT_EQ(loaded.layers[1]->kind(), "header");
  EXPECT_EQ(static_cast<layers_library::HeaderRegistered&>(*loaded.layers[1]).weights, (std::vector<double>{1.0, 2.0}));
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Registration);

TEST(RegistrationCrafted, AbstractPointerWithoutATypeIsAFormatError) {  // crafted as JSON
  std::string text = picklejar::dumps(make_model(), {picklejar::format::json});
  const auto type_at = text.find("\"type\": \"Dense\"");
  ASSERT_NE(type_at, std::string::npos);
  const auto comma = text.rfind(',', type_at);
  text.erase(comma, type_at + std::string("\"type\": \"Dense\"").size() - comma);
  expect_error(errc::format, [&] { picklejar::loads<zoo::Sequential>(pj_test::reseal(text)); });
}


// Two types under one name: using either is an error that names both.
struct Twin1 : zoo::Layer {
  std::string kind() const override { return "twin1"; }
};
struct Twin2 : zoo::Layer {
  std::string kind() const override { return "twin2"; }
};

}  // namespace

PICKLEJAR_REGISTER_AS(Twin1, zoo::Layer, "twin")
PICKLEJAR_REGISTER_AS(Twin2, zoo::Layer, "twin")

namespace {

TEST(RegistrationConflicts, OneNameForTwoTypesIsReportedWhenUsed) {
  zoo::Sequential model;
  model.layers.push_back(std::make_unique<Twin1>());
  auto failure = expect_error(errc::type, [&] { picklejar::dumps(model); });
  EXPECT_NE(failure.reason().find("registered for two types"), std::string::npos) << failure.what();
}

TEST(RegistrationConflicts, RegisteringTheSamePairAgainIsHarmless) {
  // the header-registered layer was registered by every translation unit that includes the header
  using picklejar::detail::register_subtype;
  EXPECT_TRUE((register_subtype<layers_library::HeaderRegistered, layers_library::Layer>(
      "layers_library::HeaderRegistered")));
  std::unique_ptr<layers_library::Layer> pointer = std::make_unique<layers_library::HeaderRegistered>();
  EXPECT_NO_THROW(picklejar::loads<std::unique_ptr<layers_library::Layer>>(picklejar::dumps(pointer)));
}

}  // namespace
