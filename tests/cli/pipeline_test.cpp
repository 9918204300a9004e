// The command pipeline (issue 12): regression tests named after the wrong output it shipped, and the
// contract run() keeps for every command: one format, checked before any work; exit codes; no abort.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "cli/formulas.h"
#include "run_cli.h"

using llmsize::test::json_of;
using llmsize::test::run;

TEST_CASE("check --json: memory.total_bytes is the sum of devices[].used_bytes for a tied model (was 12% short)",
          "[cli][pipeline][regression]") {
  // Llama 3.2 1B ties its output head to token_embd; the GPU holds a copy of it (205.5 MiB at Q4_K_M's
  // Q6_K head). Before: total_bytes 1,832,698,880 against devices adding up to 2,048,168,960.
  for (const char* model : {"llama-3.2-1b", "llama-3.1-8b"}) {
    CAPTURE(model);
    const auto doc = json_of(run({"--json", "check", "--model", model, "--gpu", "rtx-3090"}));
    std::uint64_t devices = 0;
    for (const auto& d : doc["result"]["devices"]) devices += d["used_bytes"].get<std::uint64_t>();
    CHECK(doc["result"]["memory"]["total_bytes"].get<std::uint64_t>() == devices);
  }
  const auto tied = json_of(run({"--json", "check", "--model", "llama-3.2-1b", "--gpu", "rtx-3090"}));
  CHECK(tied["result"]["memory"]["total_bytes"].get<std::uint64_t>() == 2'048'168'960ULL);
}

TEST_CASE("recommend's footer states the usage profile the Month column uses (was always 24 h/day)",
          "[cli][pipeline][regression]") {
  const auto r = run({"recommend", "--model", "8b", "--hours-per-day", "8", "--utilisation", "0.5", "--top", "1"});
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("the month assumes 8 h/day, 50% generating at 0.16 USD/kWh"));
  CHECK_THAT(r.out, !Catch::Contains("24 h/day"));
}

TEST_CASE("csv output on a command without a table is an error naming those that take it (was ignored)",
          "[cli][pipeline][regression]") {
  for (const char* command : {"memory", "check", "cost"}) {
    CAPTURE(command);
    std::vector<std::string> args = {"--csv", command, "--model", "8b"};
    if (std::string(command) != "memory") args.insert(args.end(), {"--gpu", "rtx-3090"});
    const auto r = run(args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith(std::string("llmsize: error: --csv does not apply to `llmsize ") + command +
                                        "` (it prints no table); it works with: recommend, models, kv, speed"));
  }
  const auto both = run({"--json", "--csv", "kv", "--model", "8b"});
  CHECK(both.code == 2);
  CHECK(both.err == "llmsize: error: --json and --csv exclude each other; choose one\n");
}

TEST_CASE("the csv format is decided before any work: a bad model name is not even looked up", "[cli][pipeline]") {
  const auto r = run({"--csv", "memory", "--model", "no-such-model"});
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("--csv does not apply"));
  CHECK_THAT(r.err, !Catch::Contains("no-such-model"));
}

TEST_CASE("every --explain formula line is verbatim in docs/formulas.md", "[cli][pipeline][docs]") {
  std::ifstream in(std::string(LLMSIZE_FIXTURES) + "/../../docs/formulas.md");
  REQUIRE(in);
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::string_view line : llmsize::cli::formulas::kAll) {
    CAPTURE(line);
    CHECK(doc.find(line) != std::string::npos);
  }
}

TEST_CASE("memory --explain prints the compute formula the code uses (was the one without the KQ-mask term)",
          "[cli][pipeline][regression]") {
  const auto fa = run({"memory", "--model", "8b", "--explain"});
  REQUIRE(fa.code == 0);
  CHECK_THAT(fa.out, Catch::Contains(std::string(llmsize::cli::formulas::kComputeFlash)));
  CHECK_THAT(fa.out, !Catch::Contains("n_ubatch × (4·n_vocab + 8·n_embd) bytes with flash attention"));
  const auto no_fa = run({"memory", "--model", "8b", "--explain", "--no-flash-attn"});
  CHECK_THAT(no_fa.out, Catch::Contains(std::string(llmsize::cli::formulas::kComputeNoFlash)));
}

TEST_CASE("assumptions are {key, value, source, text} records with stable keys (since schema_version 2)", "[cli][pipeline]") {
  const auto doc = json_of(run({"--json", "memory", "--model", "8b"}));
  CHECK(doc["schema_version"] == 4);
  const auto& a = doc["assumptions"];
  REQUIRE(a.size() == 5);
  CHECK(a[0] == nlohmann::json{{"key", "model"}, {"value", "llama-3.1-8b"}, {"source", "alias"},
                               {"text", "\"8b\" is llama-3.1-8b"}});
  CHECK(a[1] == nlohmann::json{{"key", "quant"}, {"value", "Q4_K_M"}, {"source", "default"},
                               {"text", "quantization not given: Q4_K_M"}});
  CHECK(a[2]["key"] == "context_tokens");
  CHECK(a[2]["value"] == "8192");
  CHECK(a[3]["key"] == "kv_type");
  CHECK(a[4]["key"] == "flash_attention");
  const auto capped = json_of(run({"--json", "memory", "--model", "llama-2-7b", "--context", "1m"}));
  bool found = false;
  for (const auto& x : capped["assumptions"]) {
    if (x["key"] == "context_tokens") {
      found = true;
      CHECK(x["source"] == "capped");
      CHECK(x["value"] == "4096");
      CHECK(x["text"] == "context capped at the model's maximum, 4096 tokens");
    }
  }
  CHECK(found);
}

TEST_CASE("check's placement reason is a stable code beside its sentence", "[cli][pipeline]") {
  const auto doc = json_of(run({"--json", "check", "--model", "llama-3.1-70b", "--gpu", "rtx-3090", "--ram", "128"}));
  CHECK(doc["result"]["verdict"] == "fits_with_offload");
  CHECK(doc["result"]["reason_code"] == "layers_in_ram");
  const auto& placement = doc["result"]["placement"];
  const unsigned in_ram = 81 - placement["gpu_layers"].get<unsigned>();
  CHECK(doc["result"]["reason"] == std::to_string(in_ram) + " of 81 layers in system RAM");
}

TEST_CASE("kv --explain prints the KV formula lines of docs/formulas.md (was a hand-written paraphrase)",
          "[cli][pipeline][docs]") {
  const auto r = run({"kv", "--model", "8b", "--explain"});
  REQUIRE(r.code == 0);
  for (std::string_view line : {llmsize::cli::formulas::kCells, llmsize::cli::formulas::kCellsSliding,
                                llmsize::cli::formulas::kKvRow, llmsize::cli::formulas::kKvCache}) {
    CHECK_THAT(r.out, Catch::Contains(std::string(line)));
  }
}

// run() first parses with only the named command's flags bound (the others are bare names) and hands
// anything else to the parser with every command's flags: these pin that the two agree.
TEST_CASE("a command's name as a global option's value does not pick the command", "[cli][pipeline]") {
  // "kv" is guessed as the command, but it is --catalog's FILE and the command is quants, whose flags
  // the first parser did not bind: the full parser runs quants, which then cannot read the file "kv".
  const auto r = run({"--catalog", "kv", "quants"});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "llmsize: error: cannot read \"kv\"; check the path\n");
}

TEST_CASE("help and errors come from the parser with every command's flags", "[cli][pipeline]") {
  const auto help = run({"--help"});
  REQUIRE(help.code == 0);
  for (const char* command : {"recommend", "check", "models", "memory", "kv", "speed", "cost", "inspect", "hardware",
                              "quants", "catalog", "detect", "probe", "calibrate"}) {
    CAPTURE(command);
    CHECK_THAT(help.out, Catch::Contains(std::string("  ") + command + " "));
  }
  // A subcommand's help shows its own flags.
  const auto kv = run({"kv", "--help"});
  REQUIRE(kv.code == 0);
  CHECK_THAT(kv.out, Catch::Contains("--context"));
  CHECK_THAT(kv.out, !Catch::Contains("--budget"));
  // A flag of another command is an error naming it.
  const auto wrong = run({"kv", "--model", "8b", "--budget", "500"});
  CHECK(wrong.code == 2);
  CHECK(wrong.err == "llmsize: error: The following arguments were not expected: 500 --budget; run `llmsize --help` "
                     "(or `llmsize COMMAND --help`)\n");
  CHECK(run({"kv", "--version"}).out == "0.1.0\n");
}
