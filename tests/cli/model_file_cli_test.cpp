// --model PATH and `llmsize inspect` end to end: a GGUF written in the test and a real config.json.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "../modelfile/gguf_writer.h"
#include "llmsize/cli/run.h"
#include "run_cli.h"

namespace {

using Result = llmsize::test::CliResult;
using llmsize::test::run;
using llmsize::test::json_of_success;

// One Qwen2-shaped block: n_embd 256, 4 heads, 2 KV heads, FFN 512, vocab 1000; F16 matrices.
// `tag` names a directory of its own: CTest runs the test cases as parallel processes, which must not
// rewrite a file another is reading.
std::string write_small_gguf(const std::string& tag) {
  llmsize::test::GgufWriter w;
  w.kv_str("general.architecture", "qwen2");
  w.kv_str("general.name", "small");
  w.kv_u32("general.file_type", 1);
  w.kv_u32("qwen2.block_count", 1);
  w.kv_u32("qwen2.context_length", 32768);
  w.kv_u32("qwen2.embedding_length", 256);
  w.kv_u32("qwen2.feed_forward_length", 512);
  w.kv_u32("qwen2.attention.head_count", 4);
  w.kv_u32("qwen2.attention.head_count_kv", 2);
  const auto f16 = [](std::uint64_t n) { return n * 2; };
  w.tensor("token_embd.weight", {256, 1000}, 1, f16(256000));
  w.tensor("blk.0.attn_q.weight", {256, 256}, 1, f16(65536));
  w.tensor("blk.0.attn_q.bias", {256}, 0, 1024);
  w.tensor("blk.0.attn_k.weight", {256, 128}, 1, f16(32768));
  w.tensor("blk.0.attn_v.weight", {256, 128}, 1, f16(32768));
  w.tensor("blk.0.attn_output.weight", {256, 256}, 1, f16(65536));
  w.tensor("blk.0.ffn_up.weight", {256, 512}, 1, f16(131072));
  w.tensor("blk.0.ffn_down.weight", {512, 256}, 1, f16(131072));
  w.tensor("output.weight", {256, 1000}, 1, f16(256000));
  const std::string dir = (std::filesystem::temp_directory_path() / ("llmsize-cli-gguf-" + tag)).string();
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/small-F16.gguf";
  w.write_sparse(path);
  return path;
}

const std::string kFixtures = LLMSIZE_FIXTURES;

}  // namespace

TEST_CASE("JSON contract: inspect a GGUF file", "[cli][json][gguf]") {
  const std::string path = write_small_gguf("inspect-json");
  const auto j = json_of_success(run({"inspect", path, "--json", "--tensors"}));
  CHECK(j["command"] == "inspect");
  const auto& r = j["result"];
  CHECK(r["format"] == "gguf");
  CHECK(r["gguf_version"] == 3);
  CHECK(r["file_type"] == "F16");
  CHECK(r["tensor_count"] == 9);
  // F16: (256000 × 2 + 65536 × 2 + 32768 × 2 + 131072 × 2) × 2 B + bias 1024 B = 1,941,504 + 1024.
  CHECK(r["tensor_bytes"] == 1942528);
  CHECK(r["model"]["n_kv_heads"] == 2);
  CHECK(r["model"]["vocab_size"] == 1000);
  CHECK(r["model"]["params_total"] == 970752 + 256);
  CHECK(r["tensors"].size() == 9);
  CHECK(r["tensors"][2]["group"] == "attn_q_bias");
  CHECK(r["tensor_types"][0]["type"] == "F16");
}

TEST_CASE("inspect --csv prints one table: the tensor types, or with --tensors every tensor", "[cli][csv][gguf]") {
  const std::string path = write_small_gguf("inspect-csv");
  const Result types = run({"inspect", path, "--csv"});
  CHECK(types.code == 0);
  // F16: 8 tensors, 1,941,504 B; F32: the bias, 1024 B. Shares of 1,942,528 B: 99.95% and 0.05%.
  CHECK(types.out ==
        "Tensor type,Tensors,Size [GB],Share\n"
        "F16,8,0.00,99.9%\n"
        "F32,1,0.00,0.1%\n");
  const Result tensors = run({"inspect", path, "--csv", "--tensors", "--metadata"});
  CHECK(tensors.code == 0);
  CHECK(tensors.out.rfind("Tensor,Type,Values,Bytes\ntoken_embd,F16,256000,512000\n", 0) == 0);
  CHECK(tensors.out.find("\nblk.0.attn_q_bias,F32,256,1024\n") != std::string::npos);  // 256 × 4 B
  CHECK(std::count(tensors.out.begin(), tensors.out.end(), '\n') == 1 + 9);
  // A config.json lists no tensors: no table to print.
  const Result config = run({"inspect", kFixtures + "/hf/llama-3.1-8b", "--csv"});
  CHECK(config.code == 2);
  CHECK(config.out.empty());
  CHECK(config.err == "llmsize: error: --csv prints a GGUF file's tensor table and " + kFixtures +
                          "/hf/llama-3.1-8b is a config.json, which lists no tensors; drop --csv\n");
}

TEST_CASE("A GGUF path as the model: memory and check size the file's own tensors", "[cli][gguf]") {
  const std::string path = write_small_gguf("as-model");
  const auto j = json_of_success(run({"memory", "--model", path, "--context", "4096", "--json"}));
  CHECK(j["result"]["memory"]["weights_bytes"] == 1942528);
  // KV: 1 layer × 4096 cells × (2 × 64 + 2 × 64) × 2 B = 2 MiB.
  CHECK(j["result"]["memory"]["kv_cache_bytes"] == 2097152);
  CHECK(j["result"]["quant"]["id"] == "gguf");
  CHECK(j["result"]["model"]["file"]["format"] == "gguf");
  const Result check = run({"check", "--model", path, "--gpu", "3090"});
  CHECK(check.code == 0);
  // A GGUF file's tensors already have their types.
  const Result quant = run({"memory", "--model", path, "--quant", "q4_k_m"});
  CHECK(quant.code == 2);
  CHECK_THAT(quant.err, Catch::Contains("--quant q4_k_m cannot apply to"));
}

TEST_CASE("A config.json path as the model: sized with a --quant recipe like a catalog model", "[cli][hfconfig]") {
  const auto file = json_of_success(run({"memory", "--model", kFixtures + "/hf/llama-3.1-8b", "--quant", "q4_k_m", "--json"}));
  const auto catalog = json_of_success(run({"memory", "--model", "llama-3.1-8b", "--quant", "q4_k_m", "--json"}));
  CHECK(file["result"]["memory"] == catalog["result"]["memory"]);
  CHECK(file["result"]["model"]["params_total"] == 8030261248ULL);
}

TEST_CASE("model files that are not: exit 2 with one line naming the file", "[cli][gguf]") {
  const Result missing = run({"memory", "--model", "/nonexistent/m.gguf"});
  CHECK(missing.code == 2);
  CHECK(missing.err == "llmsize: error: /nonexistent/m.gguf: cannot open (No such file or directory)\n");
  const Result not_gguf = run({"inspect", kFixtures + "/malformed.json"});
  CHECK(not_gguf.code == 2);
  CHECK(not_gguf.err.rfind("llmsize: error: " + kFixtures + "/malformed.json: ", 0) == 0);
  CHECK(std::count(not_gguf.err.begin(), not_gguf.err.end(), '\n') == 1);
}

TEST_CASE("Regression: a model directory without config.json says it is missing, not larger than 16 MiB", "[cli][hfconfig]") {
  // fs::file_size's error (returned as -1) was compared against the 16 MiB limit.
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "llmsize-empty-model-dir";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const Result r = run({"memory", "--model", dir.string()});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "llmsize: error: " + (dir / "config.json").string() +
                     ": no such file; give a GGUF file, a Hugging Face config.json, or the model directory that holds "
                     "config.json\n");
  // A directory where config.json should be is refused the same way, not read.
  std::filesystem::create_directories(dir / "config.json");
  CHECK(run({"memory", "--model", dir.string()}).err ==
        "llmsize: error: " + (dir / "config.json").string() +
            ": not a regular file; give a GGUF file, a Hugging Face config.json, or the model directory that holds "
            "config.json\n");
  std::filesystem::remove_all(dir);
}
