// The catalog's layer_kinds / layer_pattern and per_layer_inputs: what they parse into, the errors a
// malformed entry gets (word for word), and data/models-h.json's entries against published GGUF sizes.
#include <catch2/catch.hpp>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/kv.h"
#include "llmsize/engine/weights.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

namespace {

catalog::LoadResult load_text(const std::string& text) { return catalog::load({{"test.json", text}}, {}); }

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& d : load_text(text).errors) out.push_back(d.to_string());
  return out;
}

// A 4-layer Nemotron-H-like model; `layers` is spliced in as the layer keys.
std::string hybrid(const std::string& layers) {
  return R"({"schema_version": 1, "models": [{"id": "h", "name": "H", "source": "s", "family": "nemotron",
    "arch": "nemotron_h", "params_total": 1000000, "n_layers": 4, "hidden_size": 64, "n_heads": 4, "n_kv_heads": 2,
    "ffn_size": 96, "ffn_gated": false, "vocab_size": 100, "context_length": 4096,
    "ssm": {"kind": "mamba2", "d_inner": 128, "d_state": 16, "d_conv": 4, "n_groups": 1, "n_heads": 8}, )" +
         layers + "}]}";
}

const std::string kKinds = R"("layer_kinds": [{"symbol": "M", "mixer": "recurrent", "ffn": "none"},
    {"symbol": "*", "ffn": "none"}, {"symbol": "-", "mixer": "none", "ffn_size": 96}])";

const catalog::Catalog& shipped() {
  static const catalog::Catalog cat = [] {
    auto r = catalog::load(catalog::embedded_files(), {});
    REQUIRE(r.ok());
    return r.catalog;
  }();
  return cat;
}

double file_gb(const char* model, const char* quant) {
  const auto& cat = shipped();
  const Model* m = catalog::find(cat.models, model);
  const Quant* q = catalog::find(cat.quants, quant);
  REQUIRE(m != nullptr);
  REQUIRE(q != nullptr);
  return static_cast<double>(weight_bytes(*m, *q, cat.tensor_types).total_bytes) / 1e9;
}

}  // namespace

TEST_CASE("layer_pattern gives each layer its kind's shape", "[catalog][layers]") {
  // "M-*-": a Mamba layer, an MLP, an attention layer, an MLP. The count is not checked here
  // (params_total is far off), only the shapes.
  const auto r = load_text(hybrid(kKinds + R"(, "layer_pattern": "M-*-")"));
  REQUIRE(r.catalog.models.size() == 1);
  const Model& m = r.catalog.models[0];
  REQUIRE(m.layers.size() == 4);
  CHECK(mixer_kind(m, 0) == MixerKind::recurrent);
  CHECK(ffn_kind(m, 0) == FfnKind::none);
  CHECK(mixer_kind(m, 1) == MixerKind::none);
  CHECK(ffn_size(m, 1) == 96);
  CHECK(is_attention_layer(m, 2));
  CHECK_FALSE(is_recurrent_layer(m, 2));
  CHECK(is_recurrent_layer(m, 0));
  CHECK_FALSE(is_recurrent_layer(m, 1));
}

TEST_CASE("layer_kinds and layer_pattern errors, word for word", "[catalog][layers]") {
  // The shape error comes first; the parameter check that follows it (params_total no longer matches a
  // broken pattern) is not the subject here.
  const auto first = [](const std::string& layers) { return errors_of(hybrid(layers)).front(); };
  CHECK(first(kKinds + R"(, "layer_pattern": "M-*")") == "test.json: /models/0/layer_pattern: has 3 layers, n_layers is 4");
  CHECK(first(kKinds + R"(, "layer_pattern": "M-*E")") ==
        "test.json: /models/0/layer_pattern: layer 3: no layer_kinds entry has the symbol \"E\"");
  CHECK(first(kKinds) == "test.json: /models/0/layer_kinds: needs \"layer_pattern\"");
  CHECK(first(R"("layer_kinds": [{"symbol": "E", "mixer": "none", "ffn": "moe"}], "layer_pattern": "EEEE")") ==
        "test.json: /models/0/layer_pattern: layer 0 has experts and the model has no \"moe\" block");
  CHECK(first(R"("layer_kinds": [{"symbol": "MM"}], "layer_pattern": "MMMM")") ==
        "test.json: /models/0/layer_kinds/0/symbol: must be one character");
  CHECK(first(kKinds + R"(, "layer_pattern": "M-*-", "attention_layers": [2])") ==
        "test.json: /models/0/attention_layers: cannot be given with \"layer_pattern\" (the pattern says which layers attend)");
}

TEST_CASE("Llama-3.3-Nemotron-Super-49B against bartowski's GGUF files", "[accuracy][weights][layers]") {
  // bartowski/nvidia_Llama-3_3-Nemotron-Super-49B-v1-GGUF (llama.cpp b4915): bf16 99.74 GB, Q8_0 52.99 GB,
  // Q4_K_M 30.22 GB (file sizes include a few MB of tokenizer metadata).
  CHECK(file_gb("llama-3.3-nemotron-super-49b", "f16") == Approx(99.74).epsilon(0.002));
  CHECK(file_gb("llama-3.3-nemotron-super-49b", "q8_0") == Approx(52.99).epsilon(0.002));
  CHECK(file_gb("llama-3.3-nemotron-super-49b", "q4_k_m") == Approx(30.22).epsilon(0.005));
}

TEST_CASE("Gemma 4 31B and Nemotron Nano 9B v2 against published files", "[accuracy][weights][layers]") {
  // Gemma 4 31B: an F16 GGUF of 61.4 GB (KikoCis/gemma-4-31b-it-IQ3_XS-GGUF's comparison table) and a
  // Q4_K_M of 18.7e9 bytes (steampunque/gemma-4-31B-it-MP-GGUF). Nemotron Nano 9B v2: its bf16 checkpoint,
  // 17.78 GB (weathermanj/Nemotron-nano-9b-fp8's card), is what an F16 GGUF holds.
  CHECK(file_gb("gemma-4-31b", "f16") == Approx(61.4).epsilon(0.002));
  CHECK(file_gb("gemma-4-31b", "q4_k_m") == Approx(18.7).epsilon(0.005));
  CHECK(file_gb("nemotron-nano-9b-v2", "f16") == Approx(17.78).epsilon(0.002));
}

TEST_CASE("Nemotron 3 Nano 30B-A3B: the cache is a fraction of a dense model's", "[catalog][layers][kv]") {
  // 6 attention layers × 2 KV heads × 128 × 2 (K, V) × 2 B = 6 KiB per token: 768 MiB at 131,072 tokens,
  // plus 23 Mamba-2 states of 2,170,880 B (49,930,240 B) that do not grow.
  const Model* m = catalog::find(shipped().models, "nemotron-3-nano");
  REQUIRE(m != nullptr);
  KvSettings s;
  s.type_k = find_type(shipped().tensor_types, "f16");
  s.type_v = s.type_k;
  s.context_tokens = 131072;
  const KvResult kv = kv_cache(*m, s);
  CHECK(kv.k_bytes + kv.v_bytes == 768ULL * 1024 * 1024);
  CHECK(kv.recurrent_bytes == 49930240);
}
