// picklejar-inspect, run as a user runs it (the built program, PICKLEJAR_INSPECT_PATH) on files
// written here in every format: intact, with a flipped byte, truncated, missing; its text and
// JSON output and its exit status (0 all intact, 1 any damaged or unreadable, 2 usage error).
#include <picklejar/eigen.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "test_support.hpp"

namespace inspect_test {

struct Settings {
  int epochs = 3;
  std::string optimizer = "adam";
  PICKLEJAR_FIELDS(epochs)
  PICKLEJAR_FIELDS_SINCE(2, optimizer)
};

struct Model {
  Eigen::MatrixXf weights = Eigen::MatrixXf::Constant(64, 64, 0.5f);
  Settings settings;
  PICKLEJAR_FIELDS(weights, settings)
};

}  // namespace inspect_test

PICKLEJAR_VERSION(inspect_test::Settings, 2)

namespace {

namespace fs = std::filesystem;
using picklejar::format;

struct tool_result {
  int status = -1;  // the exit status, or -1 if the tool did not exit normally
  std::string output;
};

/// Shell quoting for the test's own paths (under the temp directory, never holding a quote).
std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

/// Runs picklejar-inspect with `arguments` (already quoted for the shell) in `directory` (the
/// test's own by default); `with_stderr` merges its standard error into the output.
tool_result run_inspect(const std::string& arguments, bool with_stderr = true, const fs::path& directory = {}) {
  const std::string command = (directory.empty() ? "" : "cd " + quoted(directory) + " && ") +
                              quoted(PICKLEJAR_INSPECT_PATH) + " " + arguments + (with_stderr ? " 2>&1" : "");
  tool_result result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return result;
  }
  char buffer[4096];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) result.output.append(buffer, got);
  const int status = ::pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.status = WEXITSTATUS(status);
  return result;
}

std::string extension(format fmt) { return fmt == format::json ? ".json" : fmt == format::xml ? ".xml" : ".pj"; }

fs::path write_model(const pj_test::temp_dir& dir, format fmt) {
  picklejar::options opts(fmt);
  opts.metadata = {{"epoch", "12"}, {"author", "Ada Lovelace"}};
  const fs::path path = dir / (std::string("model-") + picklejar::to_string(fmt) + extension(fmt));
  picklejar::save(inspect_test::Model{}, path, opts);
  return path;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

/// Changes one byte three quarters into the file, inside the matrix. In a text document the byte
/// is a digit turned into another digit, so the document still parses and only the checksum
/// can tell.
void flip_payload_byte(const fs::path& path, format fmt) {
  std::string bytes = read_bytes(path);
  std::size_t at = bytes.size() * 3 / 4;
  if (fmt == format::json || fmt == format::xml) at = bytes.find_first_of("0123456789", at);
  ASSERT_LT(at, bytes.size());
  bytes[at] = static_cast<char>(bytes[at] ^ 1);  // '0' <-> '1', '4' <-> '5', ...
  write_bytes(path, bytes);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t found = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++found;
  return found;
}

TEST(Inspect, IntactFilesInEveryFormatExitZero) {
  pj_test::temp_dir dir;
  std::string arguments;
  for (const format fmt : pj_test::all_formats) arguments += quoted(write_model(dir, fmt)) + " ";

  const tool_result run = run_inspect(arguments);
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(count(run.output, "status          ok\n"), 4u) << run.output;
  EXPECT_EQ(count(run.output, "root type       inspect_test::Model\n"), 4u) << run.output;
  EXPECT_EQ(count(run.output, "type versions   inspect_test::Settings v2\n"), 4u) << run.output;
  EXPECT_EQ(count(run.output, "author = Ada Lovelace\n"), 4u) << run.output;
  EXPECT_EQ(count(run.output, "epoch = 12\n"), 4u) << run.output;
  EXPECT_EQ(count(run.output, "(verified)\n"), 4u) << run.output;
  const std::string version = ", container version " + std::to_string(picklejar::detail::container_version);
  for (const char* fmt : {"binary", "portable_binary", "json", "xml"}) {
    EXPECT_NE(run.output.find(fmt + version), std::string::npos) << fmt << version << "\n" << run.output;
  }
  // 64 x 64 floats: the binary payload is over 16 KiB, shown in KiB with the exact count.
  EXPECT_NE(run.output.find(" KiB ("), std::string::npos) << run.output;
}

TEST(Inspect, FlippedByteIsAnIntegrityErrorAndTheHeaderIsStillShown) {
  for (const format fmt : pj_test::all_formats) {
    SCOPED_TRACE(picklejar::to_string(fmt));
    pj_test::temp_dir dir;
    const fs::path path = write_model(dir, fmt);
    flip_payload_byte(path, fmt);

    const tool_result run = run_inspect(quoted(path));
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("[picklejar.error.integrity]"), std::string::npos) << run.output;
    EXPECT_EQ(run.output.find("status          ok"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("read without verification"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("inspect_test::Model"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("(not verified)"), std::string::npos) << run.output;
  }
}

TEST(Inspect, TruncatedFileExitsOne) {
  for (const format fmt : pj_test::all_formats) {
    SCOPED_TRACE(picklejar::to_string(fmt));
    pj_test::temp_dir dir;
    const fs::path path = write_model(dir, fmt);
    fs::resize_file(path, fs::file_size(path) / 2);

    const tool_result run = run_inspect(quoted(path));
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("[picklejar.error.integrity]"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find(path.string()), std::string::npos) << run.output;
  }
}

TEST(Inspect, MissingFileExitsOneAndOtherFilesAreStillReported) {
  pj_test::temp_dir dir;
  const fs::path good = write_model(dir, format::binary);
  const fs::path missing = dir / "no-such-model.pj";

  const tool_result run = run_inspect(quoted(missing) + " " + quoted(good));
  EXPECT_EQ(run.status, 1) << run.output;
  EXPECT_NE(run.output.find("[picklejar.error.io] " + missing.string()), std::string::npos) << run.output;
  EXPECT_EQ(count(run.output, "status          ok\n"), 1u) << run.output;
}

// A FIFO named on the command line (or any file that is not a regular file) is reported at once
// as unreadable; the bug: open() blocked on it, waiting for a writer, and the tool hung. The run is
// under timeout(1) so that a regression fails (status 124) instead of hanging the test.
TEST(Inspect, AFifoIsReportedAtOnceNotWaitedOn) {
  pj_test::temp_dir dir;
  const fs::path good = write_model(dir, format::binary);
  const fs::path fifo = dir / "pipe.pj";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  const std::string command =
      "timeout 20 " + quoted(PICKLEJAR_INSPECT_PATH) + " " + quoted(fifo) + " " + quoted(good) + " 2>&1";
  tool_result run;
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.output.append(buffer, got);
  const int status = ::pclose(pipe);
  if (status != -1 && WIFEXITED(status)) run.status = WEXITSTATUS(status);
  ASSERT_NE(run.status, 124) << "picklejar-inspect was still waiting on the FIFO after 20 s";
  EXPECT_EQ(run.status, 1) << run.output;
  EXPECT_NE(run.output.find("[picklejar.error.io] " + fifo.string() + ": not a regular file (a FIFO)"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(count(run.output, "status          ok\n"), 1u) << run.output;
}

TEST(Inspect, JsonOutputParsesAndEscapesStrings) {
  pj_test::temp_dir dir;
  const fs::path good = write_model(dir, format::binary);
  const fs::path damaged = write_model(dir, format::json);
  flip_payload_byte(damaged, format::json);
  const fs::path missing = dir / "missing.pj";
  // Header strings are arbitrary bytes: a quote, a backslash, a tab, a control byte and a byte
  // that is not UTF-8 must still give valid JSON.
  picklejar::options opts;
  opts.metadata = {{"note", "say \"hi\"\\\t\x01 \xff end"}};
  const fs::path odd = dir / "odd.pj";
  picklejar::save(inspect_test::Settings{}, odd, opts);

  const tool_result run =
      run_inspect("--json " + quoted(good) + " " + quoted(damaged) + " " + quoted(missing) + " " + quoted(odd),
                  /*with_stderr=*/false);
  EXPECT_EQ(run.status, 1) << run.output;

  picklejar::detail::text_node array;
  try {
    array = picklejar::detail::parse_json(run.output, 8);
  } catch (const picklejar::error& failure) {
    FAIL() << "not JSON: " << failure.what() << "\n" << run.output;
  }
  ASSERT_EQ(array.kind, picklejar::detail::node_kind::array) << run.output;
  ASSERT_EQ(array.children.size(), 4u) << run.output;
  const auto member = [](const picklejar::detail::text_node& object, const std::string& name) {
    for (const auto& child : object.children) {
      if (child.name == name) return child;
    }
    ADD_FAILURE() << "no member " << name;
    return picklejar::detail::text_node{};
  };
  using picklejar::detail::node_kind;

  const auto& intact = array.children[0];
  EXPECT_EQ(member(intact, "file").text, good.string());
  EXPECT_EQ(member(intact, "intact").text, "true");
  EXPECT_EQ(member(intact, "error").kind, node_kind::null);
  const auto header = member(intact, "header");
  EXPECT_EQ(member(header, "format").text, "binary");
  EXPECT_EQ(member(header, "container_version").text, std::to_string(picklejar::detail::container_version));
  EXPECT_EQ(member(header, "type_name").text, "inspect_test::Model");
  EXPECT_EQ(member(member(header, "type_versions"), "inspect_test::Settings").text, "2");
  EXPECT_EQ(member(member(header, "metadata"), "author").text, "Ada Lovelace");
  EXPECT_EQ(member(header, "checksum").text.rfind("xxh3-64:", 0), 0u);
  EXPECT_EQ(member(header, "file_bytes").text, std::to_string(fs::file_size(good)));
  EXPECT_EQ(std::stoull(member(header, "header_bytes").text) + std::stoull(member(header, "payload_bytes").text) +
                std::stoull(member(header, "trailer_bytes").text),
            fs::file_size(good));

  const auto& broken = array.children[1];
  EXPECT_EQ(member(broken, "intact").text, "false");
  EXPECT_EQ(member(broken, "error_kind").text, "integrity");
  EXPECT_EQ(member(member(broken, "header"), "format").text, "json");

  const auto& absent = array.children[2];
  EXPECT_EQ(member(absent, "intact").text, "false");
  EXPECT_EQ(member(absent, "error_kind").text, "io");
  EXPECT_EQ(member(absent, "header").kind, node_kind::null);

  const auto& escaped = array.children[3];
  EXPECT_EQ(member(escaped, "intact").text, "true");
  EXPECT_EQ(member(member(member(escaped, "header"), "metadata"), "note").text,
            "say \"hi\"\\\t\x01 \xEF\xBF\xBD end");  // the lone 0xff became U+FFFD
}

TEST(Inspect, ControlCharactersInTheHeaderAreEscapedInTheTable) {
  pj_test::temp_dir dir;
  picklejar::options opts;
  opts.metadata = {{"note", "\x1b[31mred"}};
  const fs::path path = dir / "escape.pj";
  picklejar::save(inspect_test::Settings{}, path, opts);

  const tool_result run = run_inspect(quoted(path));
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("note = \\x1b[31mred"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find('\x1b'), std::string::npos) << run.output;
}

TEST(Inspect, UsageErrorsExitTwo) {
  const tool_result none = run_inspect("");
  EXPECT_EQ(none.status, 2) << none.output;
  EXPECT_NE(none.output.find("no files given"), std::string::npos) << none.output;

  const tool_result unknown = run_inspect("--frobnicate some.pj");
  EXPECT_EQ(unknown.status, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("unknown option '--frobnicate'"), std::string::npos) << unknown.output;

  const tool_result help = run_inspect("--help");
  EXPECT_EQ(help.status, 0) << help.output;
  EXPECT_NE(help.output.find("usage: picklejar-inspect"), std::string::npos) << help.output;
}

TEST(Inspect, DoubleDashEndsOptions) {
  pj_test::temp_dir dir;
  picklejar::save(inspect_test::Settings{}, dir / "--json");
  const tool_result run = run_inspect("-- --json", /*with_stderr=*/true, dir.path());
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("status          ok"), std::string::npos) << run.output;
}

}  // namespace

TEST(Inspect, TensorsListsTheIndexOfBinaryAndSafetensorsFiles) {
  pj_test::temp_dir dir;
  const fs::path binary = write_model(dir, format::binary);
  const fs::path json = write_model(dir, format::json);
  // A .safetensors file by hand: one F16 tensor [2, 3] and one U8 tensor [1].
  const std::string header = R"({"h":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},"u":{"dtype":"U8","shape":[1],"data_offsets":[12,13]}})";
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(header.size());
  write_bytes(dir / "w.safetensors", bytes + header + std::string(13, '\0'));

  const tool_result run = run_inspect("--tensors " + quoted(binary) + " " + quoted(dir / "w.safetensors"));
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("  1 tensors\n  weights"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("F32   [64, 64]"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("16.0 KiB (16384 bytes)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("F16   [2, 3]"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("U8    [1]"), std::string::npos) << run.output;

  const tool_result listed = run_inspect("--tensors --json " + quoted(dir / "w.safetensors"), false);
  EXPECT_EQ(listed.status, 0) << listed.output;
  EXPECT_NE(listed.output.find(R"({"name": "h", "dtype": "F16", "shape": [2, 3], "bytes": 12})"), std::string::npos)
      << listed.output;

  const tool_result text = run_inspect("--tensors " + quoted(json));
  EXPECT_EQ(text.status, 1) << text.output;
  EXPECT_NE(text.output.find("no tensor index"), std::string::npos) << text.output;
}
