// Loading branches that neither the other suites nor the fuzz corpora reached (scripts/coverage.sh
// lists them): malformed documents that name the wrong kind of value, crafted object graphs,
// shapes that do not fit a matrix type, streams and files at their limits, and a few save-side
// refusals of the same code. Each test says which branch it is for.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "reference_model.hpp"
#include "test_support.hpp"

namespace loading_branches {

struct Scalars {
  float rate = 0;
  std::string name;
  PICKLEJAR_FIELDS(rate, name)
};

struct Triple {
  std::array<int, 3> values{};
  PICKLEJAR_FIELDS(values)
};

struct Settings {
  int epochs = 0;
  PICKLEJAR_FIELDS(epochs)
};

struct Section {
  Settings settings;
  PICKLEJAR_FIELDS(settings)
};

struct Pointing {
  std::shared_ptr<Settings> settings;
  PICKLEJAR_FIELDS(settings)
};

// A polymorphic base that is itself concrete, two subtypes registered under one name, an abstract
// middle class, and a type registered under another base only.
struct Shape {
  virtual ~Shape() = default;
  int sides = 0;
  PICKLEJAR_FIELDS(sides)
};
struct TwinA : Shape {};
struct TwinB : Shape {};
struct Polygon : Shape {
  virtual double area() const = 0;
};
// Registered under Solid only, and Solid under nothing: a Cube is a Shape that a pointer to
// Shape cannot save.
struct Solid : Shape {};
struct Cube : Solid {};

struct Drawing {
  std::shared_ptr<Shape> shape;
  std::unique_ptr<Shape> owned;
  PICKLEJAR_FIELDS(shape, owned)
};

// Built by from_state() (no default constructor), with a pointer to its own type in its state.
class Link {
 public:
  struct State {
    int value = 0;
    std::shared_ptr<Link> next;
    PICKLEJAR_FIELDS(value, next)
  };
  explicit Link(int value) : value_(value) {}
  State get_state() const { return State{value_, next_}; }
  static Link from_state(State state) {
    Link link(state.value);
    link.next_ = std::move(state.next);
    return link;
  }

 private:
  int value_;
  std::shared_ptr<Link> next_;
};

struct Chain {
  std::shared_ptr<Link> head;
  PICKLEJAR_FIELDS(head)
};

// A type built by from_state() whose state points at an object met before it.
class Tagged {
 public:
  struct State {
    std::shared_ptr<Settings> settings;
    PICKLEJAR_FIELDS(settings)
  };
  explicit Tagged(std::shared_ptr<Settings> settings) : settings_(std::move(settings)) {}
  State get_state() const { return State{settings_}; }
  static Tagged from_state(State state) { return Tagged(std::move(state.settings)); }
  const std::shared_ptr<Settings>& settings() const { return settings_; }

 private:
  std::shared_ptr<Settings> settings_;
};

struct TaggedSettings {
  std::shared_ptr<Settings> settings;
  std::shared_ptr<Tagged> tagged;
  PICKLEJAR_FIELDS(settings, tagged)
};

struct TwoPointers {
  std::shared_ptr<Settings> first;
  std::shared_ptr<Settings> second;
  PICKLEJAR_FIELDS(first, second)
};

// cereal functions that write a value without a name: text formats call it "value0".
struct Unnamed {
  int x = 0;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(x);
  }
};

struct HoldsUnnamed {
  Unnamed unnamed;
  PICKLEJAR_FIELDS(unnamed)
};

// cereal functions that name a value with a character XML does not allow in element names.
struct BadName {
  int x = 0;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(cereal::make_nvp("x~1", x));
  }
};

}  // namespace loading_branches
// Kept out of cereal's own archive (detail/object_io/embedded_cereal.hpp), so the name reaches the XML writer.
CEREAL_SPECIALIZE_FOR_ALL_ARCHIVES(loading_branches::BadName, cereal::specialization::member_serialize);
namespace loading_branches {

struct HoldsBadName {
  BadName bad;
  PICKLEJAR_FIELDS(bad)
};

// A class with its own cereal functions: the objects its pointers meet are read at once, while
// objects met before it are still pending.
struct Foreign {
  std::shared_ptr<Settings> settings;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(cereal::make_nvp("settings", settings));
  }
};

struct Mixed {
  std::shared_ptr<Settings> first;
  Foreign foreign;
  PICKLEJAR_FIELDS(first, foreign)
};

struct Bounded {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor, 4, 4> weights;
  PICKLEJAR_FIELDS(weights)
};

struct RowMajorDense {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> weights;
  PICKLEJAR_FIELDS(weights)
};

struct RowMajorSparse {
  Eigen::SparseMatrix<float, Eigen::RowMajor> table;
  PICKLEJAR_FIELDS(table)
};

struct Configs {
  std::vector<reference_model::TrainingConfig> runs;
  PICKLEJAR_FIELDS(runs)
};

}  // namespace loading_branches

PICKLEJAR_REGISTER_AS(loading_branches::TwinA, loading_branches::Shape, "loading_branches.Twin")
PICKLEJAR_REGISTER_AS(loading_branches::TwinB, loading_branches::Shape, "loading_branches.Twin")
PICKLEJAR_REGISTER_AS(loading_branches::Polygon, loading_branches::Shape, "loading_branches.Polygon")
PICKLEJAR_REGISTER_AS(loading_branches::Cube, loading_branches::Solid, "loading_branches.Cube")

namespace {

using namespace loading_branches;
using picklejar::errc;
using pj_test::expect_error;

/// A JSON document of the root type `type`, without a checksum (loaded unverified).
std::string json_document(const std::string& type, const std::string& value, const std::string& objects = "") {
  std::string document = R"({"header": {"format": "picklejar", "container_version": 2, "type": ")" + type +
                         R"("}, "value": )" + value;
  if (!objects.empty()) document += R"(, "objects": )" + objects;
  return document + "}";
}

std::string xml_document(const std::string& type, const std::string& value) {
  return "<picklejar><header><format>picklejar</format><container_version>2</container_version><type>" + type +
         "</type></header><value>" + value + "</value></picklejar>";
}

/// Loads `document` unverified as a T and expects an error of kind `code`.
template <class T>
picklejar::error load_fails(errc code, const std::string& document) {
  return expect_error(code, [&] { (void)picklejar::loads<T>(document, pj_test::unverified()); });
}

bool mentions(const picklejar::error& failure, const std::string& text) {
  return failure.reason().find(text) != std::string::npos;
}

// ---- text values of the wrong kind (detail/archives/text.hpp) ----

TEST(LoadingBranches, EmptyTextIsNotAFloat) {  // text_to_number: an empty spelling
  const auto failure = load_fails<Scalars>(errc::format, json_document("loading_branches::Scalars", R"({"rate": "", "name": "x"})"));
  EXPECT_EQ(failure.field_path(), "Scalars.rate") << failure.what();
}

TEST(LoadingBranches, BooleanWhereAStringBelongs) {  // kind_name(boolean)
  const auto failure = load_fails<Scalars>(errc::format, json_document("loading_branches::Scalars", R"({"rate": 1, "name": true})"));
  EXPECT_TRUE(mentions(failure, "expected a string, found a boolean")) << failure.what();
}

TEST(LoadingBranches, ObjectsListEntryThatIsNotAnObject) {  // text_input_archive::open_object
  const auto failure = load_fails<Pointing>(
      errc::format, json_document("loading_branches::Pointing", R"({"settings": {"id": 1}})", "[5]"));
  EXPECT_TRUE(mentions(failure, "expected an object, found a number")) << failure.what();
}

TEST(LoadingBranches, XmlTextWhereAnObjectBelongs) {  // start_node: a non-empty leaf in XML
  const auto failure = load_fails<Section>(errc::format, xml_document("loading_branches::Section", "<settings>abc</settings>"));
  EXPECT_TRUE(mentions(failure, "expected an object or array, found a string")) << failure.what();
}

TEST(LoadingBranches, XmlElementWithChildrenWhereAStringBelongs) {  // read_string: lenient, but not for objects
  const auto failure = load_fails<Scalars>(
      errc::format, xml_document("loading_branches::Scalars", "<rate>1</rate><name><first>a</first></name>"));
  EXPECT_TRUE(mentions(failure, "expected a string, found an object")) << failure.what();
}

TEST(LoadingBranches, FixedArrayWithTooFewItems) {  // next_child past the end of an array and an object
  auto failure = load_fails<Triple>(errc::format, json_document("loading_branches::Triple", R"({"values": [1, 2]})"));
  EXPECT_TRUE(mentions(failure, "the array has only 2")) << failure.what();
  failure = load_fails<Triple>(errc::format, json_document("loading_branches::Triple", R"({"values": {"a": 1}})"));
  EXPECT_TRUE(mentions(failure, "the object has only 1")) << failure.what();
}

// ---- document headers (detail/document/container.hpp) ----

TEST(LoadingBranches, HeaderFieldsThatAreContainers) {  // is_leaf: objects and arrays are not leaves
  const std::string value = R"({"epochs": 1})";
  auto failure = load_fails<Settings>(
      errc::format, R"({"header": {"format": {}, "container_version": 2, "type": "loading_branches::Settings"}, "value": )" + value + "}");
  EXPECT_TRUE(mentions(failure, "not a picklejar document")) << failure.what();
  failure = load_fails<Settings>(
      errc::format, R"({"header": {"format": "picklejar", "container_version": 2, "type": []}, "value": )" + value + "}");
  EXPECT_TRUE(mentions(failure, "no root type")) << failure.what();
  failure = load_fails<Settings>(errc::format, R"({"header": {"format": "picklejar", "container_version": 2,
      "type": "loading_branches::Settings", "versions": [{"type": {}, "version": 1}]}, "value": )" + value + "}");
  EXPECT_TRUE(mentions(failure, "version table entry is damaged")) << failure.what();
  failure = load_fails<Settings>(errc::format, R"({"header": {"format": "picklejar", "container_version": 2,
      "type": "loading_branches::Settings", "versions": [{"type": "x", "version": {}}]}, "value": )" + value + "}");
  EXPECT_TRUE(mentions(failure, "version table entry is damaged")) << failure.what();
  failure = load_fails<Settings>(errc::format, R"({"header": {"format": "picklejar", "container_version": 2,
      "type": "loading_branches::Settings", "versions": [{"type": "x", "version": ""}]}, "value": )" + value + "}");
  EXPECT_TRUE(mentions(failure, "version table entry is damaged")) << failure.what();
  failure = load_fails<Settings>(errc::format, R"({"header": {"format": "picklejar", "container_version": 2,
      "type": "loading_branches::Settings", "metadata": [{"key": [], "value": "v"}]}, "value": )" + value + "}");
  EXPECT_TRUE(mentions(failure, "metadata entry is damaged")) << failure.what();
}

// ---- object graphs (detail/graph/pointers.hpp, detail/session/object_graph.hpp) ----

class LoadingBranchesFormats : public pj_test::FormatTest {};

TEST_P(LoadingBranchesFormats, PolymorphicPointerToTheBaseTypeItself) {  // type number 0 / no "type"
  Drawing drawing;
  drawing.shape = std::make_shared<Shape>();
  drawing.shape->sides = 3;
  drawing.owned = std::make_unique<Shape>();
  drawing.owned->sides = 4;
  const Drawing loaded = pj_test::round_trip(drawing, GetParam());
  ASSERT_TRUE(loaded.shape);
  ASSERT_TRUE(loaded.owned);
  const Shape& shape = *loaded.shape;
  EXPECT_EQ(typeid(shape), typeid(Shape));
  EXPECT_EQ(loaded.shape->sides, 3);
  EXPECT_EQ(loaded.owned->sides, 4);
}

TEST_P(LoadingBranchesFormats, PendingObjectsStayPendingWhileAForeignClassReadsItsOwn) {  // drain from a mark
  Mixed mixed;
  mixed.first = std::make_shared<Settings>(Settings{1});
  mixed.foreign.settings = std::make_shared<Settings>(Settings{2});
  const Mixed loaded = pj_test::round_trip(mixed, GetParam());
  ASSERT_TRUE(loaded.first && loaded.foreign.settings);
  EXPECT_EQ(loaded.first->epochs, 1);
  EXPECT_EQ(loaded.foreign.settings->epochs, 2);
}

TEST_P(LoadingBranchesFormats, OneVersionedTypeMetTwice) {  // the file version of a type is looked up once
  Configs configs;
  configs.runs.resize(2);
  configs.runs[1].dropout = 0.5f;
  const Configs loaded = pj_test::round_trip(configs, GetParam());
  ASSERT_EQ(loaded.runs.size(), 2u);
  EXPECT_EQ(loaded.runs[1].dropout, 0.5f);
}

TEST_P(LoadingBranchesFormats, StateOfAFromStateTypePointingAtAnEarlierObject) {  // in-place check, other id
  TaggedSettings graph;
  graph.settings = std::make_shared<Settings>(Settings{4});
  graph.tagged = std::make_shared<Tagged>(graph.settings);
  const TaggedSettings loaded = pj_test::round_trip(graph, GetParam());
  ASSERT_TRUE(loaded.tagged);
  EXPECT_EQ(loaded.tagged->settings(), loaded.settings) << "one object, shared";
}

TEST_P(LoadingBranchesFormats, UnnamedValuesOfACerealClass) {  // "value0" in text formats
  HoldsUnnamed holder;
  holder.unnamed.x = 42;
  EXPECT_EQ(pj_test::round_trip(holder, GetParam()).unnamed.x, 42);
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(LoadingBranchesFormats);

TEST(LoadingBranches, OneAddressThroughTwoOwnersIsRefusedOnSave) {  // graph_writer::share: other owner
  TwoPointers graph;
  graph.first = std::make_shared<Settings>();
  const auto other_owner = std::make_shared<int>(0);
  graph.second = std::shared_ptr<Settings>(other_owner, graph.first.get());
  auto failure = expect_error(errc::type, [&] { (void)picklejar::dumps(graph); });
  EXPECT_TRUE(mentions(failure, "aliasing constructor")) << failure.what();
  std::swap(graph.first, graph.second);  // the other owner met first
  failure = expect_error(errc::type, [&] { (void)picklejar::dumps(graph); });
  EXPECT_TRUE(mentions(failure, "aliasing constructor")) << failure.what();
}

TEST(LoadingBranches, NameThatCannotBeAnXmlElementIsRefusedOnSave) {  // write_xml: is_xml_element_name
  const auto failure = expect_error(errc::format, [&] { (void)picklejar::dumps(HoldsBadName{}, {picklejar::format::xml}); });
  EXPECT_TRUE(mentions(failure, "cannot be an XML element name")) << failure.what();
  EXPECT_NO_THROW((void)picklejar::dumps(HoldsBadName{}, {picklejar::format::json}));
}

TEST(LoadingBranches, NameRegisteredForTwoTypesIsRefusedOnLoad) {  // registered_for: a conflict
  const auto failure = load_fails<Drawing>(
      errc::type, json_document("loading_branches::Drawing",
                                R"({"shape": {"id": 1, "type": "loading_branches.Twin"}, "owned": {"id": 0}})",
                                R"([{"id": 1, "value": {"base": {"sides": 2}}}])"));
  EXPECT_TRUE(mentions(failure, "registered for two types")) << failure.what();
}

TEST(LoadingBranches, AbstractRegisteredTypeIsNeverCreated) {  // registered_for: no make_shared
  const auto failure = load_fails<Drawing>(
      errc::format, json_document("loading_branches::Drawing",
                                  R"({"shape": {"id": 1, "type": "loading_branches.Polygon"}, "owned": {"id": 0}})",
                                  R"([{"id": 1, "value": {}}])"));
  EXPECT_TRUE(mentions(failure, "is an abstract type")) << failure.what();
}

TEST(LoadingBranches, ObjectBuiltByFromStateCannotPointAtItselfBeforeItIsBuilt) {  // target not ready
  const auto failure = load_fails<Chain>(
      errc::format, json_document("loading_branches::Chain", R"({"head": {"id": 1, "value": {"value": 7, "next": {"id": 1}}}})"));
  EXPECT_TRUE(mentions(failure, "points back at itself before from_state()")) << failure.what();
}

TEST(LoadingBranches, SavingThroughABaseTheTypeIsNotRegisteredUnder) {  // contents_writer: no upcast path
  Drawing drawing;
  drawing.shape = std::make_shared<Cube>();
  const auto failure = expect_error(errc::type, [&] { (void)picklejar::dumps(drawing); });
  EXPECT_TRUE(mentions(failure, "not as a subtype of")) << failure.what();
}

// ---- Eigen shapes (eigen.hpp) ----

TEST(LoadingBranches, MatrixWiderThanItsMaximumColumns) {  // checked_dense_size: MaxCols
  const auto failure = load_fails<Bounded>(
      errc::format, json_document("loading_branches::Bounded",
                                  R"({"weights": {"rows": 2, "cols": 5, "row_major": false, "data": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}})"));
  EXPECT_TRUE(mentions(failure, "2x5 matrix cannot be loaded")) << failure.what();
}

TEST(LoadingBranches, ColumnMajorDataIntoARowMajorMatrix) {  // the "column" spelling of the message
  auto failure = load_fails<RowMajorDense>(
      errc::format, json_document("loading_branches::RowMajorDense",
                                  R"({"weights": {"rows": 1, "cols": 2, "row_major": false, "data": [1, 2]}})"));
  EXPECT_TRUE(mentions(failure, "saved from a column-major matrix")) << failure.what();
  failure = load_fails<RowMajorSparse>(
      errc::format, json_document("loading_branches::RowMajorSparse",
                                  R"({"table": {"rows": 1, "cols": 2, "row_major": false, "nonzeros": 0,
                                      "outer_starts": [0, 0, 0], "inner_indices": [], "values": []}})"));
  EXPECT_TRUE(mentions(failure, "saved from a column-major sparse matrix")) << failure.what();
}

// ---- entry points (save_load.hpp, detail/io/file_io.hpp) ----

TEST(LoadingBranches, UnknownFormatCodeIsRefused) {  // is_binary_format
  picklejar::options opts;
  opts.format = static_cast<picklejar::format>(9);
  const auto failure = expect_error(errc::format, [&] { (void)picklejar::dumps(Settings{3}, opts); });
  EXPECT_TRUE(mentions(failure, "unknown format code 9")) << failure.what();
}

TEST(LoadingBranches, SavingToAFailedStream) {  // save(object, ostream): the stream refuses
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  expect_error(errc::io, [&] { picklejar::save(Settings{3}, out); });
}

/// A stream whose reads fail: istream catches the exception and sets badbit.
class failing_buffer : public std::streambuf {
 protected:
  int_type underflow() override { throw std::ios_base::failure("device error"); }
};

TEST(LoadingBranches, StreamsLargerThanOneReadAtTheLimitAndFailing) {  // read_stream
  Scalars large;
  large.name.assign(200000, 'x');  // more than one 64 KiB read
  std::istringstream in(picklejar::dumps(large));
  EXPECT_EQ(picklejar::load<Scalars>(in).name.size(), 200000u);

  std::istringstream again(picklejar::dumps(large));
  picklejar::options small;
  small.max_bytes = 100000;
  expect_error(errc::limit, [&] { (void)picklejar::load<Scalars>(again, small); });

  failing_buffer buffer;
  std::istream broken(&buffer);
  expect_error(errc::io, [&] { (void)picklejar::load<Scalars>(broken); });
}

TEST(LoadingBranches, InspectingATextFileLargerThanTheLimit) {  // read_whole_file: max_bytes
  pj_test::temp_dir dir;
  const auto path = dir / "settings.json";
  picklejar::save(Settings{3}, path, {picklejar::format::json});
  picklejar::options small;
  small.max_bytes = 16;
  const auto failure = expect_error(errc::limit, [&] { (void)picklejar::inspect(path, small); });
  EXPECT_EQ(failure.file(), path.string());
}

TEST(LoadingBranches, SavingARelativePathAndItsStaleTemporaries) {  // atomic_file and remove_stale_temporaries
  pj_test::temp_dir dir;
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  // Stale is decided by the temporary file's lock, not by the pid in its name (issue 12): unlocked
  // ones are removed whatever their name holds, a locked one (a save in progress) is kept.
  const std::string mine = "model.pj.pj-tmp-" + std::to_string(::getpid()) + "-77";
  const std::string unparsable = "model.pj.pj-tmp-none";
  const std::string dead = "model.pj.pj-tmp-999999999-1";  // above any pid_max: no such process
  const std::string live = "model.pj.pj-tmp-999999999-2";  // locked: another namespace's live save
  for (const auto& name : {mine, unparsable, dead, live}) std::ofstream(name) << "partial";
  const int live_lock = ::open(live.c_str(), O_RDONLY | O_CLOEXEC);
  const bool locked = live_lock >= 0 && ::flock(live_lock, LOCK_EX | LOCK_NB) == 0;
  picklejar::save(Settings{5}, "model.pj");  // no directory part: the current one
  const bool stale_removed =
      !std::filesystem::exists(dead) && !std::filesystem::exists(mine) && !std::filesystem::exists(unparsable);
  const bool live_kept = std::filesystem::exists(live);
  if (live_lock >= 0) ::close(live_lock);
  const int epochs = picklejar::load<Settings>("model.pj").epochs;
  std::filesystem::current_path(previous);
  EXPECT_TRUE(locked);
  EXPECT_TRUE(stale_removed) << "an unlocked temporary file is removed";
  EXPECT_TRUE(live_kept) << "a locked temporary file is left alone";
  EXPECT_EQ(epochs, 5);
}

}  // namespace
