// config.json of the catalog's remaining architectures: what their family readers derive (Jamba's
// periods, Llama 4's interleave and chunks, DeciLM's block_configs, ...) and the keys their errors name.
// The fixtures' field-by-field comparison with the catalog is in hf_families_test.cpp.
#include <catch2/catch.hpp>

#include <algorithm>

#include "llmsize/engine/model.h"
#include "llmsize/modelfile/model_file.h"
#include "hf_test_support.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize {
namespace {

using modelfile::ModelFile;
using modelfile::ModelFileError;

std::string fixture(const std::string& name) { return test::hf_fixture(name); }

std::string error_of(const std::string& text) { return test::hf_error_of(text); }

}  // namespace

TEST_CASE("config.json: what the remaining families derive, spelled out", "[hfconfig][families]") {
  // Jamba Mini: attention on layer 4 and every 8th after it; experts on odd layers (offset 1, period 2).
  const Model j = modelfile::load_config(fixture("jamba-mini-1.7")).model;
  CHECK(j.attention_layers == std::vector<std::uint32_t>{4, 12, 20, 28});
  CHECK(is_moe_layer(j, 1));
  CHECK_FALSE(is_moe_layer(j, 2));
  CHECK(is_recurrent_layer(j, 0));
  REQUIRE(j.ssm);
  CHECK(j.ssm->d_inner == 8192U);  // mamba_expand 2 × 4096
  // Experts from offset 0 every 2nd layer: not the engine's "last layer of each period", so per-layer shapes.
  const std::string jamba_base = R"({"model_type": "jamba", "num_hidden_layers": 4, "hidden_size": 64, "vocab_size": 10,
      "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 32, "mamba_expand": 2, "num_experts": 4,
      "num_experts_per_tok": 2, "attn_layer_period": 2, "attn_layer_offset": 1, "expert_layer_period": 2, )";
  const Model j0 = modelfile::model_from_config("c.json", jamba_base + R"("expert_layer_offset": 0})", std::nullopt).model;
  REQUIRE(j0.layers.size() == 4U);
  CHECK(ffn_kind(j0, 0) == FfnKind::moe);
  CHECK(ffn_kind(j0, 1) == FfnKind::dense);
  CHECK(mixer_kind(j0, 1) == MixerKind::attention);
  CHECK(mixer_kind(j0, 2) == MixerKind::recurrent);

  // Llama 4 Maverick: experts on odd layers, a dense MLP of intermediate_size_mlp on even ones;
  // 8192-token chunks on three of every four layers.
  const Model mav = modelfile::load_config(fixture("llama-4-maverick")).model;
  CHECK(is_moe_layer(mav, 1));
  CHECK_FALSE(is_moe_layer(mav, 0));
  CHECK(ffn_size(mav, 0) == 16384U);
  CHECK(is_sliding_layer(mav, 2));
  CHECK_FALSE(is_sliding_layer(mav, 3));
  // Every layer full attention (MobileLLM-style): no window, as convert_hf_to_gguf.py writes 0.
  const Model dense4 = modelfile::model_from_config("c.json", R"({"model_type": "llama4_text", "num_hidden_layers": 2,
      "hidden_size": 64, "vocab_size": 10, "num_attention_heads": 4, "intermediate_size": 32, "intermediate_size_mlp": 96,
      "layer_types": ["full_attention", "full_attention"]})", std::nullopt).model;
  CHECK_FALSE(dense4.sliding_window);
  CHECK_FALSE(dense4.moe);
  CHECK(dense4.ffn_size == 96U);

  // Nemotron Super: 49 attention blocks and 31 without; block 0's FFN find_multiple(int(2 × 2.625 × 8192 / 3), 256) = 14336.
  const Model sup = modelfile::load_config(fixture("llama-3.3-nemotron-super-49b")).model;
  CHECK(std::count_if(sup.layers.begin(), sup.layers.end(), [](const LayerShape& s) { return s.mixer == MixerKind::attention; }) == 49);
  CHECK(ffn_size(sup, 0) == 14336U);
  CHECK(sup.n_kv_heads == 8U);  // 64 heads / n_heads_in_group 8
  // Nemotron Ultra: blocks with neither attention nor FFN (ffn_mult null).
  const Model ult = modelfile::load_config(fixture("llama-3.1-nemotron-ultra-253b")).model;
  CHECK(std::count_if(ult.layers.begin(), ult.layers.end(), [](const LayerShape& s) { return s.mixer == MixerKind::none && s.ffn == FfnKind::none; }) > 0);
  // A linear block (replace_with_linear) and another group size.
  const Model lin = modelfile::model_from_config("c.json", R"({"model_type": "nemotron-nas", "num_hidden_layers": 2,
      "hidden_size": 64, "vocab_size": 10, "num_attention_heads": 4, "block_configs": [
      {"attention": {"n_heads_in_group": 2}, "ffn": {"ffn_mult": 1.5}},
      {"attention": {"n_heads_in_group": null, "replace_with_linear": true}, "ffn": {"ffn_mult": 1.0}}]})", std::nullopt).model;
  CHECK(lin.n_kv_heads == 2U);
  CHECK(mixer_kind(lin, 1) == MixerKind::linear);
  CHECK(ffn_size(lin, 0) == 256U);  // int(2 × 1.5 × 64 / 3) = 64, rounded up to 256

  // Falcon 7B: no num_kv_heads (one KV head), FFN 4 × 4544, llama.cpp's 2048 context, each said.
  const ModelFile fal = modelfile::load_config(fixture("falcon-7b"));
  CHECK(fal.model.n_kv_heads == 1U);
  CHECK(fal.model.ffn_size == 18176U);
  CHECK(fal.model.context_length == 2048U);
  CHECK(std::find(fal.inferred.begin(), fal.inferred.end(),
                  "num_kv_heads missing: 1 KV head (multi-query), as convert_hf_to_gguf.py's FalconModel") != fal.inferred.end());
  // Command R: model_max_length (131072) before max_position_embeddings (8192), as convert_hf_to_gguf.py.
  CHECK(modelfile::load_config(fixture("command-r")).model.context_length == 131072U);
  // ChatGLM without multi-query attention: as many KV groups as heads.
  CHECK(modelfile::model_from_config("c.json", R"({"model_type": "chatglm", "num_layers": 2, "hidden_size": 64,
      "padded_vocab_size": 10, "num_attention_heads": 4, "multi_query_attention": false, "multi_query_group_num": 2,
      "ffn_hidden_size": 96})", std::nullopt).model.n_kv_heads == 4U);
  // Ling 2.0: a shared expert wider than the routed ones keeps its own width.
  const Model ling = modelfile::model_from_config("c.json", R"({"model_type": "bailing_moe_v2", "num_hidden_layers": 2,
      "hidden_size": 64, "vocab_size": 10, "num_attention_heads": 4, "intermediate_size": 96, "num_experts": 4,
      "num_experts_per_tok": 2, "moe_intermediate_size": 16, "num_shared_experts": 1,
      "moe_shared_expert_intermediate_size": 32})", std::nullopt).model;
  REQUIRE(ling.moe);
  CHECK(ling.moe->shared_expert_ffn_size == 32U);
  // Mamba-2: the vocabulary padded to a multiple of 16, as Mamba2Model.set_vocab does.
  CHECK(modelfile::model_from_config("c.json", R"({"model_type": "mamba2", "num_hidden_layers": 2, "hidden_size": 64,
      "vocab_size": 50277, "num_heads": 4, "head_dim": 32, "state_size": 16, "conv_kernel": 4, "n_groups": 1})",
      std::nullopt).model.vocab_size == 50288U);
}

TEST_CASE("config.json: the remaining families' missing and malformed keys are named", "[hfconfig][families]") {
  const std::string base = R"("num_hidden_layers": 4, "hidden_size": 64, "vocab_size": 10, "num_attention_heads": 4, )";
  CHECK(error_of(R"({"model_type": "jamba", )" + base + R"("intermediate_size": 32, "mamba_expand": 2})") ==
        "c.json: attn_layer_period: missing (required to size the model)");
  CHECK(error_of(R"({"model_type": "jamba", )" + base + R"("intermediate_size": 32, "mamba_expand": 2, "mamba_dt_rank": 8})") ==
        "c.json: mamba_dt_rank: differs from ceil(hidden_size / 16), the rank llmsize sizes");
  CHECK(error_of(R"({"model_type": "llama4", "text_config": {"model_type": "llama4_text", )" + base + R"("intermediate_size": 32}})") ==
        "c.json: text_config: intermediate_size_mlp: missing (required to size the model)");
  CHECK(error_of(R"({"model_type": "nemotron-nas", )" + base + R"("block_configs": []})") ==
        "c.json: block_configs: has 0 blocks for 4 layers");
  CHECK(error_of(R"({"model_type": "nemotron-nas", "num_hidden_layers": 1, "hidden_size": 64, "vocab_size": 10,
                     "num_attention_heads": 4, "block_configs": [{"attention": {"n_heads_in_group": 3}, "ffn": {"ffn_mult": 1.0}}]})") ==
        "c.json: block_configs: block 0: n_heads_in_group 3 does not divide num_attention_heads");
  CHECK(error_of(R"({"model_type": "nemotron-nas", )" + base + R"("num_key_value_heads": null})") ==
        "c.json: block_configs: missing (required to size each block)");
  CHECK(error_of(R"({"model_type": "mamba2", )" + base + R"("num_heads": 4, "head_dim": 16, "state_size": 16, "conv_kernel": 4, "n_groups": 1})") ==
        "c.json: num_heads: × head_dim is not the inner width (expand × hidden_size)");
  CHECK(error_of(R"({"model_type": "lfm2_moe", )" + base + R"("intermediate_size": 32, "conv_L_cache": 3,
                     "layer_types": ["conv", "full_attention", "conv", "conv"], "num_experts": 4, "num_experts_per_tok": 2,
                     "moe_intermediate_size": 8})") ==
        "c.json: num_dense_layers: missing (required to size the model)");
  // The config class's own spelling is named beside the common one.
  CHECK(error_of(R"({"model_type": "chatglm", "hidden_size": 64, "padded_vocab_size": 10, "num_attention_heads": 4})") ==
        "c.json: num_hidden_layers (or num_layers): missing (required to size the model)");
  CHECK(error_of(R"({"model_type": "falcon", "hidden_size": 64, "vocab_size": 10, "n_layer": 2})") ==
        "c.json: num_attention_heads (or n_head): missing (required to size the model)");
  // Ling 1 shares the model_type; only the V2 class is read.
  CHECK(error_of(R"({"model_type": "bailing_moe", "architectures": ["BailingMoeForCausalLM"], )" + base + R"("num_experts": 4})").starts_with(
        R"(c.json: model_type: "bailing_moe" is not supported ()"));
}

}  // namespace llmsize
