// Hugging Face config.json: each family read from a real (or faithfully shaped) config gives the
// same architecture, and so the same bytes, as the catalog entry that cites that config.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/kv.h"
#include "llmsize/modelfile/model_file.h"
#include "hf_test_support.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize {
namespace {

using modelfile::ModelFile;
using modelfile::ModelFileError;

const catalog::Catalog& cat() { return test::hf_catalog(); }

std::string fixture(const std::string& name) { return test::hf_fixture(name); }

std::string error_of(const std::string& text) { return test::hf_error_of(text); }

}  // namespace

TEST_CASE("config.json: every family matches its catalog entry", "[hfconfig]") {
  const std::pair<const char*, const char*> pairs[] = {
      {"llama-3.1-8b", "llama-3.1-8b"},     {"mistral-7b-v0.3", "mistral-7b-v0.3"},
      {"mixtral-8x7b", "mixtral-8x7b"},     {"qwen2.5-7b", "qwen2.5-7b"},
      {"qwen3-8b", "qwen3-8b"},             {"qwen3-30b-a3b", "qwen3-30b-a3b"},
      {"gemma-2-9b", "gemma-2-9b"},         {"gemma-3-4b", "gemma-3-4b"},
      {"phi-3-mini-4k", "phi-3-mini"},      {"deepseek-v3", "deepseek-v3"},
      {"deepseek-v2-lite", "deepseek-v2-lite"}, {"gpt-oss-20b", "gpt-oss-20b"},
      {"granite-3.3-8b", "granite-3.3-8b"}, {"mamba-2.8b", "mamba-2.8b"},
  };
  const Quant* q4km = catalog::find(cat().quants, "q4-k-m");
  REQUIRE(q4km != nullptr);
  for (const auto& [dir, id] : pairs) {
    INFO(dir);
    const ModelFile f = modelfile::load_config(fixture(dir));
    const Model* ref = catalog::find(cat().models, id);
    REQUIRE(ref != nullptr);
    const Model& m = f.model;
    CHECK(m.arch == ref->arch);
    CHECK(m.n_layers == ref->n_layers);
    CHECK(m.hidden_size == ref->hidden_size);
    CHECK(m.n_heads == ref->n_heads);
    CHECK(m.n_kv_heads == ref->n_kv_heads);
    CHECK(head_dim_k(m) == head_dim_k(*ref));
    CHECK(head_dim_v(m) == head_dim_v(*ref));
    CHECK(m.vocab_size == ref->vocab_size);
    CHECK(m.tied_embeddings == ref->tied_embeddings);
    CHECK(m.context_length == ref->context_length);
    CHECK(m.sliding_window == ref->sliding_window);
    CHECK(m.sliding_window_pattern == ref->sliding_window_pattern);
    // Same tensors, so the same bytes at Q4_K_M, and the same KV cache at 8192 tokens.
    CHECK(weight_bytes(m, *q4km, cat().tensor_types).total_bytes == weight_bytes(*ref, *q4km, cat().tensor_types).total_bytes);
    KvSettings s;
    s.type_k = find_type(cat().tensor_types, "f16");
    s.type_v = s.type_k;
    s.context_tokens = 8192;
    CHECK(kv_cache(m, s).total_bytes == kv_cache(*ref, s).total_bytes);
  }
}

TEST_CASE("config.json: the safetensors index gives the exact weight count", "[hfconfig]") {
  // gemma-2-9b-it's index: total_size 18,483,411,968 bytes of bfloat16 = 9,241,705,984 weights,
  // Google's published count (and the catalog's params_total).
  const ModelFile g = modelfile::load_config(fixture("gemma-2-9b"));
  CHECK(g.model.params_total == 9241705984ULL);
  CHECK(g.parts.size() == 2);
  // gpt-oss-20b ships MXFP4 experts (quantization_config): total_size is not 2 bytes a weight, so
  // the architecture's count is kept.
  const ModelFile o = modelfile::load_config(fixture("gpt-oss-20b"));
  CHECK(o.model.params_total == count_params(o.model).total);
  // Without an index: counted from the architecture, and said so.
  const ModelFile l = modelfile::load_config(fixture("llama-3.1-8b") + "/config.json");
  CHECK(l.model.params_total == 8030261248ULL);
  CHECK(std::find(l.inferred.begin(), l.inferred.end(), "no model.safetensors.index.json: parameters counted from the architecture") !=
        l.inferred.end());
}

TEST_CASE("config.json: families without a catalog entry", "[hfconfig]") {
  // Qwen1.5-MoE-A2.7B: published as 14.3 B parameters, 2.7 B active.
  const ModelFile q = modelfile::load_config(fixture("qwen1.5-moe-a2.7b"));
  REQUIRE(q.model.moe);
  CHECK(q.model.moe->n_shared_experts == 1);
  CHECK(q.model.moe->shared_expert_ffn_size == 5632U);
  CHECK(q.model.attention_bias);
  CHECK(static_cast<double>(q.model.params_total) == Approx(14.3e9).epsilon(0.02));
  CHECK(static_cast<double>(*q.model.params_active) == Approx(2.7e9).epsilon(0.05));
  // Gemma 3 defaults are filled in and reported.
  const ModelFile g = modelfile::load_config(fixture("gemma-3-4b"));
  CHECK(std::find(g.inferred.begin(), g.inferred.end(), "num_attention_heads missing: 8, Gemma3TextConfig's default") !=
        g.inferred.end());
  // Phi-3's sliding_window is not used by llama.cpp.
  const ModelFile p = modelfile::load_config(fixture("phi-3-mini-4k"));
  CHECK_FALSE(p.model.sliding_window);
}

TEST_CASE("config.json: hostile and broken configs are one-line errors", "[hfconfig]") {
  CHECK(error_of("{\"model_type\": \"llama\"") == "c.json: offset 23: not valid JSON");
  CHECK(error_of("[1, 2]") == "c.json: expected a JSON object");
  CHECK_THAT(error_of(R"({"model_type": "bert"})"), Catch::StartsWith("c.json: model_type: \"bert\" is not supported (llama, mistral,"));
  CHECK(error_of(R"({"model_type": "llama", "hidden_size": 64, "vocab_size": 10, "num_attention_heads": 4})") ==
        "c.json: num_hidden_layers: missing (required to size the model)");
  CHECK(error_of(R"({"model_type": "llama", "num_hidden_layers": 0})") ==
        "c.json: num_hidden_layers: 0 is outside the plausible range 1..4096");
  CHECK(error_of(R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64, "vocab_size": 10,
                     "num_attention_heads": 1099511627776})") ==
        "c.json: num_attention_heads: 1099511627776 is outside the plausible range 1..65536");
  CHECK(error_of(R"({"model_type": "llama", "num_hidden_layers": "32"})") ==
        "c.json: num_hidden_layers: expected an integer, found string");
  CHECK(error_of(R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64, "vocab_size": 10,
                     "num_attention_heads": 4, "num_key_value_heads": 8})") ==
        "c.json: num_key_value_heads: is more than num_attention_heads");
  CHECK(error_of(R"({"model_type": "mixtral", "num_hidden_layers": 2, "hidden_size": 64, "vocab_size": 10,
                     "num_attention_heads": 4})") == "c.json: num_local_experts: missing (required for a mixture of experts)");
  CHECK(error_of(R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 1e300})") ==
        "c.json: hidden_size: 1e+300 is outside the plausible range 1..1048576");
  // Found by the fuzzer: a number too large for a double is nlohmann's out_of_range, not a parse_error.
  CHECK_THAT(error_of(R"({"model_type": "llama", "rms_norm_eps": 1e1000000})"), Catch::StartsWith("c.json: not usable JSON ("));
  CHECK(error_of(R"({"model_type": "llama", "torch_dtype": 5, "num_hidden_layers": 0})") ==
        "c.json: num_hidden_layers: 0 is outside the plausible range 1..4096");
  CHECK(error_of(R"({"model_type": "llama", "num_hidden_layers": 2.5})") ==
        "c.json: num_hidden_layers: expected an integer, found number");
}

}  // namespace llmsize
