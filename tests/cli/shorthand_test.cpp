// Size shorthands (docs/catalog.md, "Size shorthands"): "30b" is the model whose alias it is, else the one
// model it matches, else an error listing them; every command that takes --model names the others it matches.
#include <catch2/catch.hpp>

#include <algorithm>

#include "llmsize/catalog/catalog.h"
#include "run_cli.h"

using llmsize::test::json_of_success;
using llmsize::test::run;

namespace {

const llmsize::catalog::Catalog& catalog() {
  static const llmsize::catalog::Catalog cat = [] {
    llmsize::catalog::LoadOptions options;
    options.benchmarks = false;
    return llmsize::catalog::load(llmsize::catalog::embedded_files(), {}, options).catalog;
  }();
  return cat;
}

std::vector<std::string> ids_matching(const std::string& shorthand) {
  std::vector<std::string> ids;
  for (const auto* m : llmsize::catalog::size_matches(catalog().models, shorthand)) ids.push_back(m->meta.id);
  return ids;
}

// The catalog's other "30b" models, in catalog order (data/models-*.json).
const std::vector<std::string> kOther30b = {"qwen3-30b-a3b",   "qwen3-coder-30b-a3b", "qwen3-30b-a3b-instruct-2507",
                                            "glm-4.7-flash",   "qwen3-vl-30b-a3b",    "granite-4.1-30b",
                                            "nemotron-3-nano-30b-a3b"};

}  // namespace

TEST_CASE("is_size_shorthand: digits, an optional decimal part, then b or m", "[catalog][shorthand]") {
  using llmsize::catalog::is_size_shorthand;
  for (const char* yes : {"30b", "1.5b", "135M", "70B", "0.5b"}) {
    INFO(yes);
    CHECK(is_size_shorthand(yes));
  }
  for (const char* no : {"b", "30", "30bb", "1.b", ".5b", "30b-a3b", "8x7b", "qwen3-30b", "30k", ""}) {
    INFO(no);
    CHECK_FALSE(is_size_shorthand(no));
  }
}

TEST_CASE("size_matches: the shorthand as a whole word of an id or alias, in catalog order", "[catalog][shorthand]") {
  std::vector<std::string> all30b = {"llama-30b"};
  all30b.insert(all30b.end(), kOther30b.begin(), kOther30b.end());
  CHECK(ids_matching("30b") == all30b);  // glm-4.7-flash by its Ollama tag glm-4.7-flash:30b
  CHECK(ids_matching("30B") == all30b);
  const auto seven = ids_matching("7b");
  CHECK(std::find(seven.begin(), seven.end(), "llama-7b") != seven.end());
  CHECK(std::find(seven.begin(), seven.end(), "mixtral-8x7b") == seven.end());  // 8x7b is one word
  CHECK(ids_matching("120b") == std::vector<std::string>{"gpt-oss-120b"});
  CHECK(ids_matching("qwen3").empty());  // not a shorthand
}

TEST_CASE("a shorthand names the model chosen and the others it matches, in every command", "[cli][shorthand]") {
  const std::string note =
      "\"30b\" is LLaMA 30B (32.5B) (llama-30b); 7 other catalog models match \"30b\": qwen3-30b-a3b, "
      "qwen3-coder-30b-a3b, qwen3-30b-a3b-instruct-2507, glm-4.7-flash, qwen3-vl-30b-a3b, granite-4.1-30b, "
      "nemotron-3-nano-30b-a3b; give one "
      "with --model\n";
  const std::vector<std::vector<std::string>> commands = {
      {"memory"}, {"kv"}, {"check", "--gpu", "rtx-3090"}, {"speed", "--gpu", "rtx-3090"},
      {"cost", "--gpu", "rtx-3090"}, {"recommend", "--top", "1"}};
  for (std::vector<std::string> args : commands) {
    INFO(args.front());
    args.insert(args.end(), {"--model", "30b"});
    const auto text = run(args);
    CHECK(text.out.starts_with(note));
    args.insert(args.begin(), "--json");
    const auto doc = json_of_success(run(args));
    CHECK(doc["inputs"]["model"] == "llama-30b");
    CHECK(doc["inputs"]["model_alternatives"] == kOther30b);
  }
  const auto by_id = run({"memory", "--model", "llama-30b"});
  CHECK(by_id.out.starts_with("LLaMA 30B"));  // no note: the id says it all
  CHECK(json_of_success(run({"--json", "memory", "--model", "llama-30b"}))["inputs"]["model_alternatives"].empty());
}

TEST_CASE("a shorthand no alias chooses: the one model it matches, or an error listing them", "[cli][shorthand][errors]") {
  const auto one = run({"memory", "--model", "120b"});
  CHECK(one.code == 0);
  CHECK(one.out.starts_with("\"120b\" is gpt-oss-120b (gpt-oss-120b)\n"));
  const auto many = run({"memory", "--model", "14b"});
  CHECK(many.code == 2);
  CHECK(many.err ==
        "llmsize: error: \"14b\" names no one model: 9 catalog models are that size by name: phi-3-medium, phi-4, "
        "qwen2.5-14b, qwen2.5-coder-14b, qwen3-14b, deepseek-r1-distill-qwen-14b, phi-4-reasoning, "
        "qwen2.5-14b-instruct-1m, hermes-4-14b; give one with --model\n");
  const auto seven = run({"memory", "--model", "7b"});
  CHECK(seven.out.find("and 18 more (--json lists them); give one with --model\n") != std::string::npos);
  CHECK(json_of_success(run({"--json", "memory", "--model", "7b"}))["inputs"]["model_alternatives"].size() == 26);
}
