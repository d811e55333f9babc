// Declarations that cannot lose data (issue 15, contract §1): an interface base with no data
// needs no annotation, and a derived class keeps its bases' fields with PICKLEJAR_BASES (or its
// registration).
#include "test_support.hpp"

#include <cereal/archives/binary.hpp>
#include <cereal/archives/json.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace declarations {

// ---- interfaces: only virtual functions, no annotation ----
struct Module {
  virtual ~Module() = default;
};
struct Layer : Module {
  virtual double forward(double x) const = 0;
};
struct Dense : Layer {
  double weight = 1;
  double forward(double x) const override { return weight * x; }
  PICKLEJAR_FIELDS(weight)
};
struct Shift : Layer {
  double by = 0;
  double forward(double x) const override { return x + by; }
  PICKLEJAR_FIELDS(by)
};
struct Net {
  std::vector<std::unique_ptr<Layer>> layers;
  std::shared_ptr<Layer> shared_a, shared_b;
  std::unique_ptr<Module> module;
  PICKLEJAR_FIELDS(layers, shared_a, shared_b, module)
  double forward(double x) const {
    for (const auto& layer : layers) x = layer->forward(x);
    return x;
  }
};

// ---- bases named with PICKLEJAR_BASES ----
struct Optimizer {
  float learning_rate = 0.01f;
  std::string name = "sgd";
  PICKLEJAR_FIELDS(learning_rate, name)
};
struct Adam : Optimizer {
  float beta1 = 0.9f;
  PICKLEJAR_BASES(Optimizer)
  PICKLEJAR_FIELDS(beta1)
};
struct Scheduled {
  int step = 0;
  PICKLEJAR_FIELDS(step)
};
struct AdamW : Adam, Scheduled {  // a chain and a second base
  float decay = 0;
  PICKLEJAR_BASES(Adam, Scheduled)
  PICKLEJAR_FIELDS(decay)
};
template <class T>
struct Tagged : Optimizer {  // a class template
  T tag{};
  PICKLEJAR_BASES(Optimizer)
  PICKLEJAR_FIELDS(tag)
};

// ---- a polymorphic class keeps its base's fields through its registration ----
struct Block {
  virtual ~Block() = default;
  std::string label;
  PICKLEJAR_FIELDS(label)
};
struct Residual : Block {
  int depth = 0;
  PICKLEJAR_FIELDS(depth)
};

// ---- a polymorphic class that forgot its base's fields and is not registered with a base ----
struct Stage {
  virtual ~Stage() = default;
  int order = 0;
  PICKLEJAR_FIELDS(order)
};
struct Forgetful : Stage {
  int width = 0;
  PICKLEJAR_FIELDS(width)
};

}  // namespace declarations

PICKLEJAR_REGISTER(declarations::Dense, declarations::Layer)
PICKLEJAR_REGISTER(declarations::Shift, declarations::Layer)
PICKLEJAR_REGISTER(declarations::Dense, declarations::Module)  // held through a pointer to Module too
PICKLEJAR_REGISTER(declarations::Residual, declarations::Block)

namespace declarations {
namespace {

class Declarations : public pj_test::FormatTest {};

TEST_P(Declarations, AnInterfaceBaseWithNoDataNeedsNoAnnotation) {
  static_assert(picklejar::detail::is_data_free_interface<Layer>);
  static_assert(picklejar::detail::is_data_free_interface<Module>);
  static_assert(!picklejar::detail::is_data_free_interface<Block>);  // it has data: it declares fields
  Net net;
  auto dense = std::make_unique<Dense>();
  dense->weight = 3;
  auto shift = std::make_unique<Shift>();
  shift->by = -1.5;
  net.layers.push_back(std::move(dense));
  net.layers.push_back(std::move(shift));
  net.shared_a = std::make_shared<Dense>();
  net.shared_b = net.shared_a;
  net.module = std::make_unique<Dense>();
  const Net back = picklejar::loads<Net>(picklejar::dumps(net, opts()));
  ASSERT_EQ(back.layers.size(), 2u);
  EXPECT_EQ(back.forward(2.0), net.forward(2.0));
  EXPECT_EQ(back.shared_a, back.shared_b);
  EXPECT_NE(dynamic_cast<const Dense*>(back.module.get()), nullptr);
}

TEST_P(Declarations, NamedBasesAreSavedBeforeTheClassesOwnFields) {
  AdamW original;
  original.learning_rate = 0.5f;
  original.name = "adamw";
  original.beta1 = 0.8f;
  original.step = 42;
  original.decay = 0.25f;
  const std::string bytes = picklejar::dumps(original, opts());
  const AdamW back = picklejar::loads<AdamW>(bytes);
  EXPECT_EQ(back.learning_rate, 0.5f);
  EXPECT_EQ(back.name, "adamw");
  EXPECT_EQ(back.beta1, 0.8f);
  EXPECT_EQ(back.step, 42);
  EXPECT_EQ(back.decay, 0.25f);
  if (GetParam() == picklejar::format::json) {
    EXPECT_NE(bytes.find("\"base\""), std::string::npos) << bytes;
    EXPECT_NE(bytes.find("\"base_2\""), std::string::npos) << bytes;
  }
  Tagged<int> tagged;
  tagged.learning_rate = 2.0f;
  tagged.tag = 7;
  const Tagged<int> tagged_back = picklejar::loads<Tagged<int>>(picklejar::dumps(tagged, opts()));
  EXPECT_EQ(tagged_back.learning_rate, 2.0f);
  EXPECT_EQ(tagged_back.tag, 7);
}

TEST_P(Declarations, ARegisteredClassKeepsItsBasesFieldsThroughTheRegistration) {
  std::unique_ptr<Block> block = std::make_unique<Residual>();
  block->label = "res";
  static_cast<Residual&>(*block).depth = 3;
  const auto back = picklejar::loads<std::unique_ptr<Block>>(picklejar::dumps(block, opts()));
  ASSERT_NE(dynamic_cast<const Residual*>(back.get()), nullptr);
  EXPECT_EQ(back->label, "res");
  EXPECT_EQ(static_cast<const Residual&>(*back).depth, 3);
}

// What the compile-time check that no base's fields are forgotten sees (compile_fail/forgotten_base.cpp
// is the failing case).
static_assert(!picklejar::detail::base_declares_fields_too<Optimizer>);
static_assert(picklejar::detail::base_declares_fields_too<Adam>, "named with PICKLEJAR_BASES: allowed");
static_assert(picklejar::detail::base_declares_fields_too<AdamW>);
static_assert(picklejar::detail::base_declares_fields_too<Tagged<int>>);
static_assert(!picklejar::detail::base_declares_fields_too<Dense>, "an interface base declares nothing");
static_assert(picklejar::detail::base_declares_fields_too<Residual>, "polymorphic: may rely on its registration");

TEST(DeclarationsForgottenBase, InLocalClassesTooTheCheckTellsADerivedClassThatKeepsItsBaseFromOneThatForgets) {
  struct Base {
    int a = 1;
    PICKLEJAR_FIELDS(a)
  };
  struct Kept : Base {
    int b = 2;
    PICKLEJAR_BASES(Base)
    PICKLEJAR_FIELDS(b)
  };
  struct Alone {
    int c = 3;
    PICKLEJAR_FIELDS(c)
  };
  static_assert(picklejar::detail::base_declares_fields_too<Kept>);
  static_assert(!picklejar::detail::base_declares_fields_too<Alone>);
  Kept kept;
  kept.a = 10;
  EXPECT_EQ(picklejar::loads<Kept>(picklejar::dumps(kept)).a, 10);
}

TEST_P(Declarations, APolymorphicClassThatForgotItsBaseAndIsNotRegisteredIsATypeErrorNamingTheFix) {
  Forgetful forgetful;
  auto failure = pj_test::expect_error(picklejar::errc::type, [&] { picklejar::dumps(forgetful, opts()); });
  EXPECT_NE(failure.reason().find("declarations::Forgetful and a base class of it both declare PICKLEJAR_FIELDS"),
            std::string::npos)
      << failure.what();
  EXPECT_NE(failure.reason().find("PICKLEJAR_BASES(Base)"), std::string::npos) << failure.what();
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Declarations);

TEST(DeclarationsInCerealArchives, NamedBasesAndInterfacesWorkInCerealsOwnArchives) {
  AdamW original;
  original.learning_rate = 0.5f;
  original.step = 9;
  std::stringstream stream;
  {
    cereal::BinaryOutputArchive archive(stream);
    archive(original);
  }
  AdamW back;
  {
    cereal::BinaryInputArchive archive(stream);
    archive(back);
  }
  EXPECT_EQ(back.learning_rate, 0.5f);
  EXPECT_EQ(back.step, 9);
  Net net;
  net.layers.push_back(std::make_unique<Shift>());
  std::stringstream json;
  {
    cereal::JSONOutputArchive archive(json);
    archive(net);
  }
  Net net_back;
  {
    cereal::JSONInputArchive archive(json);
    archive(net_back);
  }
  ASSERT_EQ(net_back.layers.size(), 1u);
  EXPECT_NE(dynamic_cast<const Shift*>(net_back.layers[0].get()), nullptr);
}

}  // namespace
}  // namespace declarations
