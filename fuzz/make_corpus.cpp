// Writes the seed corpora of the fuzz targets: dumps of several variants of the reference model
// (tests/reference_model.hpp) in every format, plus the files in older layouts that tests/data
// holds, and a libFuzzer dictionary per format. Every file is loaded back and checked before it
// is written, so a seed is always a valid file.
//
//   picklejar_fuzz_make_corpus OUT_DIR
//
// writes OUT_DIR/{binary,portable_binary,json,xml}/*, OUT_DIR/container/* (all of them),
// OUT_DIR/zoo/* (zoo models, fuzz/zoo_model.hpp, every format), OUT_DIR/untrusted/* (the reference
// and zoo files together) and OUT_DIR/{binary,json,xml,any}.dict. Nothing is checked in: scripts/fuzz.sh and scripts/coverage.sh
// run this program.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/tensors.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "reference_model.hpp"
#include "tensor_model.hpp"
#include "zoo_model.hpp"

namespace {

namespace fs = std::filesystem;
namespace detail = picklejar::detail;
using reference_model::Model;

// ---- model variants ----

/// A model with every optional part empty: null pointers, empty containers, default config.
Model empty_model() { return Model{}; }

/// Only an owned head layer (a Relu), no network and no tokenizer.
Model head_only_model() {
  Model model;
  model.name = "head only";
  auto head = std::make_unique<reference_model::Relu>();
  head->name = "relu-head";
  model.head = std::move(head);
  model.loss_history = {1.0};
  return model;
}

/// The network is reached only through the layers' weak back-pointers and the head's: the
/// file holds it, and after loading nothing owns it, so the weak pointers are empty.
Model weak_network_model(std::shared_ptr<reference_model::Network>& keep_alive) {
  Model model = reference_model::make_reference_model();
  keep_alive = model.network;
  model.network = nullptr;
  return model;
}

/// The tokenizer is owned only by the embedding layer; the head is an Embedding too.
Model embedding_head_model() {
  Model model = reference_model::make_reference_model();
  model.tokenizer = nullptr;
  auto head = std::make_unique<reference_model::Embedding>();
  head->name = "head-embedding";
  head->table.resize(3, 2);
  head->table.insert(0, 1) = 7.0f;
  head->table.makeCompressed();
  head->tokenizer = std::make_shared<reference_model::Tokenizer>(std::vector<std::string>{"x", "y"}, false);
  model.head = std::move(head);
  return model;
}

/// Bigger arrays and more layers (still a few KiB).
Model larger_model() {
  Model model = reference_model::make_reference_model();
  auto wide = std::make_shared<reference_model::Dense>();
  wide->name = "wide";
  wide->weights = Eigen::MatrixXf::NullaryExpr(
      12, 16, [](Eigen::Index i, Eigen::Index j) { return static_cast<float>(i * 16 + j) / 7.0f - 10.0f; });
  wide->bias = Eigen::VectorXf::LinSpaced(12, -1.0f, 1.0f);
  wide->network = model.network;
  model.network->layers.push_back(wide);
  model.network->layers.push_back(model.network->layers.front());
  std::vector<std::string> tokens;
  for (int i = 0; i < 40; ++i) tokens.push_back("token" + std::to_string(i));
  model.tokenizer->set_state(reference_model::Tokenizer::State{tokens, false});
  model.optimizer.first_moments["wide.weights"] = std::vector<float>(wide->weights.data(), wide->weights.data() + 64);
  for (int i = 0; i < 30; ++i) model.loss_history.push_back(1.0 / (i + 1));
  return model;
}

/// Edge values: empty strings and matrices, extreme numbers.
Model edge_values_model() {
  Model model = reference_model::make_reference_model();
  model.name.clear();
  model.config.epochs = std::numeric_limits<int>::min();
  model.config.learning_rate = std::numeric_limits<double>::denorm_min();
  model.config.optimizer = std::string("a\0b\r\n\t\x01\x7f\xff", 9);
  model.config.hidden_sizes.clear();
  model.config.early_stopping_patience.reset();
  model.config.schedule.clear();
  model.normalizer.mean.resize(0);
  model.normalizer.scale.resize(0);
  model.optimizer.step = std::numeric_limits<std::int64_t>::max();
  model.optimizer.epsilon = -std::numeric_limits<double>::infinity();
  model.optimizer.first_moments.clear();
  model.tags.clear();
  model.loss_history = {-0.0, std::numeric_limits<double>::max(), -std::nan("")};
  auto& hidden = static_cast<reference_model::Dense&>(*model.network->layers[1]);
  hidden.weights.resize(0, 3);
  hidden.bias.resize(0);
  auto& embedding = static_cast<reference_model::Embedding&>(*model.network->layers[0]);
  embedding.table.resize(0, 0);
  embedding.table.makeCompressed();
  return model;
}

struct variant {
  std::string name;
  std::function<Model()> make;
  std::map<std::string, std::string> metadata;
};

// ---- older layouts ----

detail::text_node* child(detail::text_node& parent, std::string_view name) {
  for (auto& node : parent.children)
    if (node.name == name) return &node;
  return nullptr;
}

/// A text document rewritten as if TrainingConfig were at `version`: the version table says so
/// and the members added later are gone.
std::string with_config_version(const std::string& document, picklejar::format fmt, int version) {
  const bool json = fmt == picklejar::format::json;
  detail::text_node root = json ? detail::parse_json(document, 1000) : detail::parse_xml(document, 1000);
  detail::text_node& header = *child(root, "header");
  child(header, "checksum")->text = detail::checksum_to_text(0);
  for (auto& entry : child(header, "versions")->children) {
    if (child(entry, "type")->text == detail::type_name<reference_model::TrainingConfig>())
      child(entry, "version")->text = std::to_string(version);
  }
  auto& config = child(*child(root, "value"), "config")->children;
  for (const char* newer : {"schedule", "early_stopping_patience", "dropout"}) {
    if (std::strcmp(newer, "dropout") == 0 && version >= 2) continue;
    for (auto it = config.begin(); it != config.end(); ++it) {
      if (it->name == newer) {
        config.erase(it);
        break;
      }
    }
  }
  std::string out;
  if (json) detail::write_json(root, out);
  else detail::write_xml(root, out);
  detail::seal_text_document(out, 0);
  return out;
}

Model at_config_version(Model model, int version) {
  const reference_model::TrainingConfig defaults;
  if (version < 2) model.config.dropout = defaults.dropout;
  if (version < 3) {
    model.config.schedule = defaults.schedule;
    model.config.early_stopping_patience = defaults.early_stopping_patience;
  }
  return model;
}

// ---- dictionaries ----

std::string dictionary_entry(std::string_view token) {
  std::string out = "\"";
  for (unsigned char c : token) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  return out + "\"";
}

void collect_tokens(const detail::text_node& node, std::set<std::string>& names, std::set<std::string>& strings) {
  if (!node.name.empty()) names.insert(node.name);
  if (node.kind == detail::node_kind::string && node.text.size() <= 40) strings.insert(node.text);
  for (const auto& item : node.children) collect_tokens(item, names, strings);
}

void write_dictionary(const fs::path& path, const std::set<std::string>& tokens) {
  std::ofstream out(path, std::ios::binary);
  out << "# libFuzzer dictionary written by picklejar_fuzz_make_corpus\n";
  for (const auto& token : tokens) {
    if (!token.empty()) out << dictionary_entry(token) << "\n";  // libFuzzer refuses empty entries
  }
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string length_prefixed(std::string_view text) {
  std::string out;
  detail::put_le(out, text.size(), 4);
  return out + std::string(text);
}

// ---- output ----

const char* extension(picklejar::format fmt) {
  switch (fmt) {
    case picklejar::format::json: return ".json";
    case picklejar::format::xml: return ".xml";
    default: return ".pj";
  }
}

class corpus_writer {
 public:
  explicit corpus_writer(fs::path root) : root_(std::move(root)) {
    for (const char* dir : {"binary", "portable_binary", "json", "xml", "container", "zoo", "untrusted", "safetensors",
                            "tensor_index"})
      fs::create_directories(root_ / dir);
  }

  /// Checks that `bytes` load as `expected`, then writes them to the format's corpus and to the
  /// container corpus.
  void add(picklejar::format fmt, const std::string& name, const std::string& bytes, const Model& expected) {
    const Model loaded = picklejar::loads<Model>(bytes);
    const std::string where = reference_model::difference(expected, loaded);
    if (!where.empty()) throw std::runtime_error(name + " does not load back: " + where);
    const std::string file = name + extension(fmt);
    write(root_ / picklejar::to_string(fmt) / file, bytes);
    write(root_ / "container" / (std::string(picklejar::to_string(fmt)) + "-" + file), bytes);
    write(root_ / "untrusted" / (std::string(picklejar::to_string(fmt)) + "-" + file), bytes);
    ++count_;
  }

  /// Checks that `bytes` load as `expected`, then writes them to the zoo and untrusted corpora.
  void add_zoo(picklejar::format fmt, const std::string& name, const std::string& bytes, const zoo::Zoo& expected) {
    if (zoo::describe(picklejar::loads<zoo::Zoo>(bytes)) != zoo::describe(expected))
      throw std::runtime_error(name + " does not load back");
    const std::string file = std::string(picklejar::to_string(fmt)) + "-" + name + extension(fmt);
    write(root_ / "zoo" / file, bytes);
    write(root_ / "untrusted" / ("zoo-" + file), bytes);
    ++count_;
  }
  /// Checks that the file at `path` is intact and in an older container layout, then writes it
  /// to the container and untrusted corpora.
  void add_older_layout(const fs::path& path) {
    const picklejar::file_info info = picklejar::verify(path);
    if (info.container_version >= detail::container_version)
      throw std::runtime_error(path.string() + " is not in an older layout");
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string file = "older-layout-" + path.filename().string();
    write(root_ / "container" / file, bytes);
    write(root_ / "untrusted" / file, bytes);
    ++count_;
  }
  /// Writes a tensor file to the safetensors or the tensor_index corpus, once open_tensors reads it.
  void add_tensor_file(const char* target, const std::string& name, const std::string& bytes) {
    const fs::path path = root_ / target / name;
    write(path, bytes);
    (void)picklejar::open_tensors(path);
    ++count_;
  }
  const fs::path& root() const { return root_; }
  int count() const { return count_; }

 private:
  static void write(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
  }

  fs::path root_;
  int count_ = 0;
};

void make_corpus(const fs::path& root) {
  corpus_writer corpus(root);
  std::shared_ptr<reference_model::Network> kept_network;
  const std::vector<variant> variants = {
      {"reference", reference_model::make_reference_model, {}},
      {"empty", empty_model, {}},
      {"head-only", head_only_model, {}},
      {"weak-network", [&kept_network] { return weak_network_model(kept_network); }, {}},
      {"embedding-head", embedding_head_model, {}},
      {"larger", larger_model, {}},
      {"edge-values", edge_values_model, {}},
      {"metadata", reference_model::make_reference_model, {{"author", "Ada"}, {"epoch", "12"}, {"", "<&>\"'"}}},
  };
  const picklejar::format formats[] = {picklejar::format::binary, picklejar::format::portable_binary,
                                       picklejar::format::json, picklejar::format::xml};
  std::set<std::string> json_tokens, xml_tokens;
  for (const variant& v : variants) {
    const Model model = v.make();
    // What loading gives: weak pointers to objects nothing else owns come back empty.
    const std::string reference_bytes = picklejar::dumps(model);
    const Model expected = picklejar::loads<Model>(reference_bytes);
    for (const picklejar::format fmt : formats) {
      picklejar::options opts(fmt);
      opts.metadata = v.metadata;
      const std::string bytes = picklejar::dumps(model, opts);
      corpus.add(fmt, v.name, bytes, expected);
      if (fmt == picklejar::format::json || fmt == picklejar::format::xml) {
        if (v.name == "reference") {
          for (int version : {1, 2}) {
            corpus.add(fmt, v.name + "-config-v" + std::to_string(version),
                       with_config_version(bytes, fmt, version), at_config_version(picklejar::loads<Model>(reference_bytes), version));
          }
        }
        std::set<std::string> names, strings;
        const bool json = fmt == picklejar::format::json;
        collect_tokens(json ? detail::parse_json(bytes, 1000) : detail::parse_xml(bytes, 1000), names, strings);
        for (const auto& name : names) {
          if (json) json_tokens.insert("\"" + name + "\"");
          else {
            xml_tokens.insert("<" + name + ">");
            xml_tokens.insert("</" + name + ">");
          }
        }
        for (const auto& text : strings) (json ? json_tokens : xml_tokens).insert(json ? "\"" + text + "\"" : text);
      }
    }
  }
  // Older layouts: the checked-in files that releases before this one wrote (a file rewritten into
  // an older layout here would not be one: the payload changed with the container version too).
  for (const char* name : {"versioning/experiment_v0", "versioning/experiment_v9", "versioning/hyperparameters_v2",
                           "compat/cereal_class_v2"}) {
    for (const char* ext : {".binary", ".portable_binary", ".json", ".xml"})
      corpus.add_older_layout(fs::path(PICKLEJAR_TEST_DATA_DIR) / (std::string(name) + ext));
  }
  for (unsigned seed = 0; seed < 5; ++seed) {
    const zoo::Zoo model = zoo::make_zoo(seed);
    for (const picklejar::format fmt : formats)
      corpus.add_zoo(fmt, "zoo-" + std::to_string(seed), picklejar::dumps(model, picklejar::options(fmt)), model);
  }
  // Tensor files: save_safetensors's, odd foreign ones, and binary files with a tensor index.
  for (int seed = 0; seed < 3; ++seed) {
    const tensor_model::Small small = tensor_model::make_small(seed);
    const fs::path file = corpus.root() / "safetensors" / ("small-" + std::to_string(seed) + ".safetensors");
    picklejar::options opts;
    if (seed == 1) opts.metadata = {{"format", "pt"}};
    picklejar::save_safetensors(small, file, opts);
    for (const picklejar::format fmt : {picklejar::format::binary, picklejar::format::portable_binary}) {
      corpus.add_tensor_file("tensor_index", "small-" + std::to_string(seed) + extension(fmt),
                             picklejar::dumps(small, picklejar::options(fmt)));
    }
  }
  auto safetensors = [](const std::string& json, const std::string& data) {
    std::string bytes;
    detail::put_le(bytes, json.size(), 8);
    return bytes + json + data;
  };
  corpus.add_tensor_file("safetensors", "unaligned.safetensors",
                         safetensors(R"({"flag":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                                     R"("w":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}})",
                                     std::string(9, '\1')));
  corpus.add_tensor_file("safetensors", "empty.safetensors", safetensors("{}", ""));
  corpus.add_tensor_file("safetensors", "three-dimensions.safetensors",
                         safetensors(R"({"__metadata__":{"a":"b"},"t":{"dtype":"BF16","shape":[1,2,2],"data_offsets":[0,8]}})",
                                     std::string(8, '\0')));
  corpus.add_tensor_file("tensor_index", "reference.binary", picklejar::dumps(reference_model::make_reference_model()));
  for (const char* ext : {".binary", ".portable_binary"}) {
    std::ifstream in(fs::path(PICKLEJAR_TEST_DATA_DIR) / (std::string("compat/tensors_v4") + ext), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const fs::path path = corpus.root() / "tensor_index" / (std::string("older-layout-tensors_v4") + ext);
    std::ofstream(path, std::ios::binary) << bytes;  // "no tensor index": kept as a seed all the same
  }
  for (const char* token : {"NaN", "-NaN", "NaN:0x", "Infinity", "-Infinity", "xxh3-64:0000000000000000"}) {
    json_tokens.insert(std::string("\"") + token + "\"");
    xml_tokens.insert(token);
  }
  for (const char* token : {"\\u", "\\uD800\\uDC00", "null", "true", "false", "1e308", "-0", "{}", "[]"})
    json_tokens.insert(token);
  for (const char* token : {"<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<item>", "</item>", "<![CDATA[", "]]>",
                            "<!--", "-->", "&lt;", "&amp;", "&#x", "&#", "<!DOCTYPE", "/>", "<?"})
    xml_tokens.insert(token);

  std::set<std::string> binary_tokens = {std::string(detail::binary_magic, sizeof detail::binary_magic)};
  for (const std::string& name : {detail::type_name<Model>(), detail::type_name<reference_model::TrainingConfig>(),
                                  std::string("reference_model.Dense"), std::string("reference_model.Relu"),
                                  std::string("reference_model.Embedding"), detail::type_name<zoo::Zoo>(),
                                  detail::type_name<zoo::GraphNode>(), detail::type_name<zoo::Frozen>()}) {
    binary_tokens.insert(length_prefixed(name));
  }
  for (std::uint64_t value : {std::uint64_t{0xFFFFFFFF}, std::uint64_t{0x7FFFFFFF}, std::uint64_t{0x80000000}}) {
    std::string bytes;
    detail::put_le(bytes, value, 4);
    binary_tokens.insert(bytes);
  }
  for (std::uint64_t value : {std::uint64_t{0xFFFFFFFFFFFFFFFF}, std::uint64_t{1} << 32, std::uint64_t{1} << 63}) {
    std::string bytes;
    detail::put_le(bytes, value, 8);
    binary_tokens.insert(bytes);
  }
  write_dictionary(root / "binary.dict", binary_tokens);
  write_dictionary(root / "json.dict", json_tokens);
  write_dictionary(root / "xml.dict", xml_tokens);
  // The zoo and untrusted targets meet every format.
  std::set<std::string> any_tokens = binary_tokens;
  any_tokens.insert(json_tokens.begin(), json_tokens.end());
  any_tokens.insert(xml_tokens.begin(), xml_tokens.end());
  write_dictionary(root / "any.dict", any_tokens);
  std::set<std::string> tensor_tokens = binary_tokens;
  for (const char* token : {"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F64\"", "\"F32\"",
                            "\"F16\"", "\"BF16\"", "\"I64\"", "\"I32\"", "\"I16\"", "\"I8\"", "\"U8\"", "\"BOOL\"", "PJTI"})
    tensor_tokens.insert(token);
  write_dictionary(root / "tensors.dict", tensor_tokens);
  std::printf("make_corpus: wrote %d seed files and 5 dictionaries to %s\n", corpus.count(), root.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    make_corpus(argv[1]);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "make_corpus: %s\n", failure.what());
    return 1;
  }
  return 0;
}
