// One error type, caught once: what reaches run() becomes one stderr line and exit 2, never an abort.
#include <catch2/catch.hpp>

#include <new>
#include <sstream>
#include <stdexcept>
#include <string>

#include "cli/report_errors.h"
#include "llmsize/cli/run.h"
#include "llmsize/error.h"
#include "llmsize/machine/profile.h"
#include "llmsize/modelfile/gguf.h"
#include "run_cli.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace {

struct Reported {
  int code = 0;
  std::string err;
};

template <class Body>
Reported report(Body body) {
  std::ostringstream err;
  const int code = llmsize::cli::report_errors(err, body);
  return {code, err.str()};
}

}  // namespace

TEST_CASE("run()'s handler: input errors, bugs and non-exceptions each give one line and exit 2", "[cli][errors]") {
  CHECK(report([]() -> int { throw llmsize::Error("--context \"4q\" has an unknown suffix"); }).err ==
        "llmsize: error: --context \"4q\" has an unknown suffix\n");
  // Every layer's error is the one type, so each reaches the same handler unchanged.
  const Reported model = report([]() -> int { throw llmsize::modelfile::ModelFileError("m.gguf: offset 8: truncated"); });
  CHECK(model.code == 2);
  CHECK(model.err == "llmsize: error: m.gguf: offset 8: truncated\n");
  const Reported profile = report([]() -> int {
    throw llmsize::machine::ProfileError(llmsize::machine::ProfileError::Kind::invalid, "machine.json: expected a JSON object");
  });
  CHECK(profile.code == 2);
  CHECK(profile.err == "llmsize: error: machine.json: expected a JSON object\n");

  // A standard exception is a bug in llmsize, reported as such instead of `terminate called ...`, exit 134.
  const Reported bug = report([]() -> int { throw std::invalid_argument("stod"); });
  CHECK(bug.code == 2);
  CHECK(bug.err == "llmsize: internal error: stod\n");
  const Reported alloc = report([]() -> int { throw std::bad_alloc(); });
  CHECK(alloc.code == 2);
  CHECK(alloc.err == "llmsize: internal error: std::bad_alloc\n");
  const Reported unknown = report([]() -> int { throw 42; });
  CHECK(unknown.code == 2);
  CHECK(unknown.err == "llmsize: internal error: unknown exception\n");
}

TEST_CASE("run()'s handler passes the command's own exit code through and prints nothing", "[cli][errors]") {
  const Reported does_not_fit = report([] { return llmsize::cli::kExitDoesNotFit; });
  CHECK(does_not_fit.code == 1);
  CHECK(does_not_fit.err.empty());
}

TEST_CASE("a model-file error reaches the user as one line through run(), exit 2", "[cli][errors]") {
  const std::string path = std::string(LLMSIZE_FIXTURES) + "/no-such-model.gguf";
  const llmsize::test::CliResult r = llmsize::test::run({"memory", "--model", path});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "llmsize: error: " + path + ": cannot open (No such file or directory)\n");
}
