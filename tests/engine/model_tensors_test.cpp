// classify_tensors: a model's tensors worked out once for every quant (ModelTensors), and the sizes
// read from it, which must be byte for byte those of typing every tensor on its own.
#include <catch2/catch.hpp>

#include "llmsize/engine/weights.h"
#include "model_tensors_support.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

namespace {

// The kind of the tensor of `group` in block `layer`.
const ModelTensors::Kind& kind_of(const ModelTensors& t, std::string_view group, std::int32_t layer) {
  for (std::size_t i = 0; i < t.specs.size(); ++i) {
    if (t.specs[i].group == group && t.specs[i].layer == layer) return t.kinds[t.entries[i].kind];
  }
  FAIL("no tensor " << group << " in layer " << layer);
  return t.kinds.front();
}

// A Q4_K_M-like recipe: attn_v and ffn_down at Q6_K on the more_bits layers, attn_k at Q8_0 on the first
// eighth, the output head at Q6_K, ffn_down_exps at Q8_0 from 8 experts, attn_q at Q5_0 from GQA 4.
Quant mixed_quant() {
  Quant q = test::uniform_quant("q4-k");
  q.meta.id = "mixed";
  q.rules.push_back({{"attn_v", "ffn_down"}, "q6-k", LayerSelector::more_bits, std::nullopt, std::nullopt});
  q.rules.push_back({{"attn_k"}, "q8-0", LayerSelector::first_eighth, std::nullopt, std::nullopt});
  q.rules.push_back({{"output"}, "q6-k", LayerSelector::all, std::nullopt, std::nullopt});
  q.rules.push_back({{"ffn_down_exps"}, "q8-0", LayerSelector::all, std::nullopt, 8});
  q.rules.push_back({{"attn_q"}, "q5-0", LayerSelector::all, 4, std::nullopt});
  q.keeps_native_types = true;
  return q;
}

}  // namespace

TEST_CASE("classify_tensors: Llama-3.1-8B's 291 tensors are 30 kinds, split by the more_bits layers",
          "[weights][model_tensors]") {
  // token_embd, output_norm, output, then 32 blocks of attn_norm, attn_q/k/v/output, ffn_norm,
  // ffn_gate/up/down: 3 + 32 × 9 = 291 tensors in 3 + 9 = 12 groups.
  const ModelTensors t = classify_tensors(test::llama_3_1_8b());
  CHECK(t.specs.size() == 291);
  CHECK(t.entries.size() == 291);
  CHECK(t.groups.size() == 12);
  CHECK(t.n_layers == 32);
  CHECK(t.gqa == 4);  // 32 heads / 8 KV heads
  CHECK(t.n_experts == 0);
  // use_more_bits(i, 32): i < 4, i >= 28, or (i - 4) % 3 == 2 (6, 9, ..., 27): 16 layers, of which the
  // first four are also the first eighth. Each block group splits three ways; the 3 globals stay whole.
  CHECK(t.kinds.size() == 3 + 9 * 3);
  const ModelTensors::Kind& v0 = kind_of(t, "attn_v", 0);
  const ModelTensors::Kind& v5 = kind_of(t, "attn_v", 5);
  const ModelTensors::Kind& v6 = kind_of(t, "attn_v", 6);
  CHECK((v0.more_bits && v0.first_eighth));
  CHECK((!v5.more_bits && !v5.first_eighth));
  CHECK((v6.more_bits && !v6.first_eighth));
  CHECK(&kind_of(t, "attn_v", 31) == &v6);
  CHECK(v0.n_loaded == 4);
  CHECK(v6.n_loaded == 4 + 8);  // 6, 9, ..., 27 and 28..31
  CHECK(v5.n_loaded == 32 - 4 - 12);
  const ModelTensors::Kind& embd = kind_of(t, "token_embd", -1);
  CHECK((!embd.more_bits && !embd.first_eighth));  // a global tensor: only `all` selects it
  CHECK(t.groups[embd.group].recipe_name == "token_embd");
  CHECK(t.entries.front().role == TensorRole::token_embd);
  CHECK(t.entries.back().role == TensorRole::other);
}

TEST_CASE("classify_tensors: a tied token_embd is the output head to the recipe, and native types go by group",
          "[weights][model_tensors]") {
  Model m = test::llama_3_1_8b();
  m.tied_embeddings = true;
  m.native_types = {{{"ffn_up"}, "q8-0"}, {{"ffn_up", "ffn_down"}, "q4-0"}};
  const ModelTensors t = classify_tensors(m);
  CHECK(t.specs.size() == 290);  // no output tensor
  CHECK(t.groups[kind_of(t, "token_embd", -1).group].recipe_name == "output");
  CHECK(t.groups[kind_of(t, "ffn_up", 0).group].native_type == "q8-0");  // the first entry naming it
  CHECK(t.groups[kind_of(t, "ffn_down", 0).group].native_type == "q4-0");
  CHECK_FALSE(t.groups[kind_of(t, "ffn_gate", 0).group].native_type.has_value());
}

TEST_CASE("weight_total_bytes: Llama-3.1-8B at Q4_0 and at a more_bits recipe, counted by hand",
          "[weights][model_tensors]") {
  const auto types = test::ggml_types();
  const ModelTensors t = classify_tensors(test::llama_3_1_8b());
  // Q4_0: 8,029,995,008 matrix weights × 18/32 + 266,240 norm values × 4 B (as weight_bytes).
  CHECK(weight_total_bytes(t, test::uniform_quant("q4-0"), types) == 8'029'995'008ULL / 32 * 18 + 266'240ULL * 4);
  // The mixed recipe: attn_v 4096 × 1024 is 1024 rows of 16 blocks, 3,440,640 B at Q6_K (210 B a block)
  // on the 16 more_bits layers, 2,359,296 B at Q4_K (144 B) on the others.
  const WeightsResult w = weight_bytes(t, mixed_quant(), types);
  REQUIRE(w.errors.empty());
  std::uint64_t v6 = 0;
  std::uint64_t v5 = 0;
  for (const PlacedTensor& p : w.tensors) {
    if (p.spec.group == "attn_v" && p.spec.layer == 6) v6 = p.bytes;
    if (p.spec.group == "attn_v" && p.spec.layer == 5) v5 = p.bytes;
  }
  CHECK(v6 == 3'440'640);
  CHECK(v5 == 2'359'296);
  CHECK(weight_total_bytes(t, mixed_quant(), types) == w.total_bytes);
  // A recipe naming a type the catalog lacks has no total.
  Quant broken = mixed_quant();
  broken.rules[1].type = "q9-9";  // the more_bits rule (rules[0] is uniform_quant's router rule)
  CHECK_FALSE(weight_total_bytes(t, broken, types).has_value());
  CHECK(weight_totals(t, broken, types).errors.size() == 2 * 16);  // one per more_bits attn_v and ffn_down
}

TEST_CASE("weight_bytes on shared kinds equals typing every tensor on its own, for several models and quants",
          "[weights][model_tensors]") {
  const auto types = test::ggml_types();
  Model tied = test::llama_3_1_8b();
  tied.tied_embeddings = true;
  Model native_moe = test::deepseek_v3();
  native_moe.nextn_layers = 1;
  native_moe.native_types = {{{"ffn_up_exps", "ffn_gate_exps"}, "q4-0"}, {{"ffn_down_exps"}, "mxfp4"}};  // mxfp4: unknown here
  const std::vector<Model> models = {test::llama_3_1_8b(), tied,        test::gemma_2_2b(),
                                     test::deepseek_v3(),  native_moe,  test::granite_4_h_micro(),
                                     test::gemma_3n_e2b_attention(), test::rwkv7_191m()};
  Quant uniform_k = test::uniform_quant("q4-k");  // with fallbacks where rows are not 256-multiples
  Quant uniform_0 = test::uniform_quant("q4-0");
  Quant missing_default = test::uniform_quant("q4-0");
  missing_default.default_type = "q9-9";
  const std::vector<Quant> quants = {uniform_k, uniform_0, mixed_quant(), missing_default};
  for (const Model& m : models) {
    const ModelTensors shared = classify_tensors(m);  // one classification for every quant
    const ModelTensors alone = test::one_kind_per_tensor(shared);
    for (const Quant& q : quants) {
      INFO("model " << m.n_layers << " layers, quant " << q.meta.id);
      const WeightsResult listed = weight_bytes(shared, q, types);
      const WeightsResult reference = weight_bytes(alone, q, types);
      CHECK(test::totals_difference(listed, reference).empty());
      CHECK(test::tensors_difference(listed, reference).empty());
      CHECK(test::totals_difference(weight_totals(shared, q, types), reference).empty());
      CHECK(test::totals_difference(weight_bytes(m, q, types), reference).empty());
      const std::optional<std::uint64_t> total = weight_total_bytes(shared, q, types);
      CHECK(total.has_value() == reference.errors.empty());
      if (total) CHECK(*total == reference.total_bytes);
    }
  }
}
