// config.json of the 2025-2026 families: each fixture (tests/fixtures/hf/SOURCES.md) gives, field by
// field, the architecture of the catalog entry that cites that config, and so the same parameter count.
#include <catch2/catch.hpp>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/kv.h"
#include "llmsize/engine/weights.h"
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

void check_same_moe(const std::optional<MoeDims>& a, const std::optional<MoeDims>& b) {
  REQUIRE(a.has_value() == b.has_value());
  if (!a) return;
  CHECK(a->n_experts == b->n_experts);
  CHECK(a->n_active_experts == b->n_active_experts);
  CHECK(a->expert_ffn_size == b->expert_ffn_size);
  CHECK(a->n_shared_experts == b->n_shared_experts);
  CHECK(a->shared_expert_ffn_size == b->shared_expert_ffn_size);
  CHECK(a->n_dense_leading_layers == b->n_dense_leading_layers);
  CHECK(a->moe_layer_step == b->moe_layer_step);
  CHECK(a->expert_bias == b->expert_bias);
  CHECK(a->router_bias == b->router_bias);
  CHECK(a->shared_expert_gate == b->shared_expert_gate);
}

void check_same_ssm(const std::optional<SsmDims>& a, const std::optional<SsmDims>& b) {
  REQUIRE(a.has_value() == b.has_value());
  if (!a) return;
  CHECK(a->kind == b->kind);
  CHECK(a->d_inner == b->d_inner);
  CHECK(a->d_state == b->d_state);
  CHECK(a->d_conv == b->d_conv);
  CHECK(a->n_groups == b->n_groups);
  CHECK(a->n_heads == b->n_heads);
  CHECK(a->head_dim == b->head_dim);
}

void check_same_layers(const std::vector<LayerShape>& a, const std::vector<LayerShape>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t il = 0; il < a.size(); ++il) {
    INFO("layer " << il);
    CHECK(a[il].mixer == b[il].mixer);
    CHECK(a[il].ffn == b[il].ffn);
    CHECK(a[il].ffn_size == b[il].ffn_size);
    CHECK(a[il].n_heads == b[il].n_heads);
    CHECK(a[il].n_kv_heads == b[il].n_kv_heads);
    CHECK(a[il].head_dim == b[il].head_dim);
    CHECK(a[il].sliding == b[il].sliding);
    CHECK(a[il].v_from_k == b[il].v_from_k);
  }
}

// Every field of the record that shapes tensors or caches (all but names, sources and counts).
void check_same_architecture(const Model& m, const Model& ref) {
  CHECK(m.arch == ref.arch);
  CHECK(m.family == ref.family);
  CHECK(m.n_layers == ref.n_layers);
  CHECK(m.hidden_size == ref.hidden_size);
  CHECK(m.n_heads == ref.n_heads);
  CHECK(m.n_kv_heads == ref.n_kv_heads);
  CHECK(m.n_kv_heads_per_layer == ref.n_kv_heads_per_layer);
  CHECK(head_dim_k(m) == head_dim_k(ref));
  CHECK(head_dim_v(m) == head_dim_v(ref));
  CHECK(m.ffn_size == ref.ffn_size);
  CHECK(m.ffn_gated == ref.ffn_gated);
  CHECK(m.vocab_size == ref.vocab_size);
  CHECK(m.tied_embeddings == ref.tied_embeddings);
  CHECK(m.context_length == ref.context_length);
  CHECK(m.attention_bias == ref.attention_bias);
  CHECK(m.attention_output_bias == ref.attention_output_bias);
  CHECK(m.qk_norm == ref.qk_norm);
  CHECK(m.norm == ref.norm);
  CHECK(m.sliding_window == ref.sliding_window);
  CHECK(m.sliding_window_pattern == ref.sliding_window_pattern);
  REQUIRE(m.mla.has_value() == ref.mla.has_value());
  if (m.mla) {
    CHECK(m.mla->q_lora_rank == ref.mla->q_lora_rank);
    CHECK(m.mla->kv_lora_rank == ref.mla->kv_lora_rank);
    CHECK(m.mla->qk_rope_head_dim == ref.mla->qk_rope_head_dim);
    CHECK(m.mla->qk_nope_head_dim == ref.mla->qk_nope_head_dim);
    CHECK(m.mla->v_head_dim == ref.mla->v_head_dim);
  }
  check_same_moe(m.moe, ref.moe);
  check_same_ssm(m.ssm, ref.ssm);
  CHECK(m.attention_layers == ref.attention_layers);
  CHECK(m.kv_shared_from_layer == ref.kv_shared_from_layer);
  check_same_layers(m.layers, ref.layers);
  REQUIRE(m.per_layer_inputs.has_value() == ref.per_layer_inputs.has_value());
  if (m.per_layer_inputs) {
    CHECK(m.per_layer_inputs->size == ref.per_layer_inputs->size);
    CHECK(m.per_layer_inputs->altup_inputs == ref.per_layer_inputs->altup_inputs);
    CHECK(m.per_layer_inputs->laurel_rank == ref.per_layer_inputs->laurel_rank);
  }
  CHECK(m.attention_output_gate == ref.attention_output_gate);
  CHECK(m.native_types.size() == ref.native_types.size());
  REQUIRE(m.indexer.has_value() == ref.indexer.has_value());
  if (m.indexer) {
    CHECK(m.indexer->n_heads == ref.indexer->n_heads);
    CHECK(m.indexer->head_dim == ref.indexer->head_dim);
    CHECK(m.indexer->top_k == ref.indexer->top_k);
  }
  CHECK(m.nextn_layers == ref.nextn_layers);
}

}  // namespace

TEST_CASE("config.json of the 2025-2026 families gives the catalog entry's architecture", "[hfconfig][families]") {
  // fixture directory, catalog id
  const std::pair<const char*, const char*> pairs[] = {
      {"qwen3-next-80b-a3b", "qwen3-next-80b-a3b"},   // qwen3_next: full_attention_interval
      {"qwen3.5-27b", "qwen3.5-27b"},                 // qwen3_5 (text_config qwen3_5_text): layer_types, MTP
      {"qwen3.5-35b-a3b", "qwen3.5-35b-a3b"},         // qwen3_5_moe (qwen3_5_moe_text)
      {"glm-4.5", "glm-4.5"},                         // glm4_moe: use_qk_norm true, nextn
      {"glm-4.5-air", "glm-4.5-air"},                 // glm4_moe: use_qk_norm false
      {"deepseek-v3.2", "deepseek-v3.2"},             // deepseek_v32: indexer, nextn kept
      {"kimi-k2", "kimi-k2"},                         // kimi_k2: the DeepSeek-V3 layout
      {"glm-4.7-flash", "glm-4.7-flash"},             // glm4_moe_lite: MLA, deepseek2
      {"nemotron-nano-9b-v2", "nemotron-nano-9b-v2"}, // nemotron_h: M, *, -
      {"nemotron-3-nano-30b-a3b", "nemotron-3-nano-30b-a3b"},  // nemotron_h with E blocks: nemotron_h_moe
      {"granite-4.0-h-small", "granite-4.0-h-small"}, // granitemoehybrid: MoE + shared expert
      {"granite-4.0-h-micro", "granite-4.0-h-micro"}, // granitemoehybrid: dense
      {"lfm2-1.2b", "lfm2-1.2b"},                     // lfm2: block_ff_dim auto-adjusted, tie_embedding
      {"exaone-4.0-32b", "exaone-4.0-32b"},           // exaone4: sliding_window_pattern "LLLG"
      {"exaone-4.0-1.2b", "exaone-4.0-1.2b"},         // exaone4: no window
      {"olmo-2-7b", "olmo-2-7b"},                     // olmo2
      {"olmo-3-7b", "olmo-3-7b"},                     // olmo3: layer_types
      {"ernie-4.5-21b-a3b", "ernie-4.5-21b-a3b"},     // ernie4_5_moe
      {"ernie-4.5-0.3b", "ernie-4.5-0.3b"},           // ernie4_5
      {"hunyuan-a13b", "hunyuan-a13b"},               // hunyuan_v1_moe: per-layer lists, 256K
      {"hunyuan-7b", "hunyuan-7b"},                   // hunyuan_v1_dense
      {"dots.llm1", "dots.llm1"},                     // dots1
      {"seed-oss-36b", "seed-oss-36b"},               // seed_oss
      {"minimax-m2", "minimax-m2"},                   // minimax_m2
      {"smollm3-3b", "smollm3-3b"},                   // smollm3
      {"phi-4", "phi-4"},                             // phi3: Phi-4 and Phi-4-reasoning
      {"phi-4-mini", "phi-4-mini"},                   // phi3: tied, 200K vocabulary
      {"gemma-3n-e4b", "gemma-3n-e4b"},               // gemma3n (gemma3n_text): per-layer inputs, KV sharing
      {"gemma-3n-e2b", "gemma-3n-e2b"},
      {"gemma-4-e2b", "gemma-4-e2b"},                 // gemma4 (gemma4_text): double-wide MLP on shared layers
      {"gemma-4-e4b", "gemma-4-e4b"},
      {"gemma-4-31b", "gemma-4-31b"},                 // attention_k_eq_v, num_global_key_value_heads
      {"gemma-4-26b-a4b", "gemma-4-26b-a4b"},         // enable_moe_block: experts beside the MLP
      // The catalog's remaining architectures.
      {"apertus-8b", "apertus-8b"},                   // apertus: xIELU MLP (ungated), q/k norms
      {"afm-4.5b", "afm-4.5b"},                       // arcee: ReLU² MLP (ungated)
      {"ling-mini-2.0", "ling-mini-2.0"},             // bailing_moe + BailingMoeV2ForCausalLM: bailingmoe2
      {"glm-4-9b-chat", "glm-4-9b-chat"},             // chatglm: num_layers, multi_query_group_num, kv_channels, ...
      {"command-r7b", "command-r7b"},                 // cohere2: LayerNorm, window 4096 on 3 of 4 layers
      {"command-r", "command-r"},                     // cohere: model_max_length before max_position_embeddings
      {"command-r-plus", "command-r-plus"},           // cohere: use_qk_norm
      {"llama-3.3-nemotron-super-49b", "llama-3.3-nemotron-super-49b"},  // nemotron-nas: block_configs (Hub copy)
      {"llama-3.1-nemotron-ultra-253b", "llama-3.1-nemotron-ultra-253b"},  // with dummy blocks (no attention, no FFN)
      {"exaone-3.5-7.8b", "exaone-3.5-7.8b"},         // exaone: num_layers
      {"falcon-7b", "falcon-7b"},                     // falcon: multi-query, FFN 4 × hidden, 2048 context
      {"falcon-40b", "falcon-40b"},                   // falcon: num_kv_heads 8
      {"gemma-2b", "gemma-2b"},                       // gemma: tied by default
      {"glm-4-9b-0414", "glm-4-9b-0414"},             // glm4: q/k/v biases
      {"glm-4-32b-0414", "glm-4-32b-0414"},           // glm4: attention_bias false
      {"granite-3.1-1b-a400m", "granite-3.1-1b-a400m"},  // granitemoe
      {"internlm2.5-7b", "internlm2.5-7b"},           // internlm2: bias
      {"jamba-mini-1.7", "jamba-mini-1.7"},           // jamba: attn / expert layer period and offset
      {"lfm2-8b-a1b", "lfm2-8b-a1b"},                 // lfm2_moe
      {"llama-4-scout", "llama-4-scout"},             // llama4 (llama4_text): every layer MoE, chunked attention
      {"llama-4-maverick", "llama-4-maverick"},       // interleave_moe_layer_step 2
      {"ministral-3-3b", "ministral-3-3b"},           // mistral3 (text_config ministral3)
      {"olmoe-1b-7b", "olmoe-1b-7b"},                 // olmoe
      {"phi-2", "phi-2"},                             // phi: biases everywhere, GELU, LayerNorm
      {"phi-3.5-moe", "phi-3.5-moe"},                 // phimoe
      {"qwen2.5-vl-3b", "qwen2.5-vl-3b"},             // qwen2_5_vl: the text keys at the top level
      {"qwen3-vl-8b", "qwen3-vl-8b"},                 // qwen3_vl (qwen3_vl_text)
      {"qwen3-vl-30b-a3b", "qwen3-vl-30b-a3b"},       // qwen3_vl_moe (qwen3_vl_moe_text)
      {"starcoder2-15b", "starcoder2-15b"},           // starcoder2: use_bias, window not used
  };
  const Quant* q4km = catalog::find(cat().quants, "q4-k-m");
  REQUIRE(q4km != nullptr);
  for (const auto& [dir, id] : pairs) {
    INFO(dir);
    const ModelFile f = modelfile::load_config(fixture(dir));
    const Model* ref = catalog::find(cat().models, id);
    REQUIRE(ref != nullptr);
    check_same_architecture(f.model, *ref);
    // The same tensors: the count the catalog validates against params_total (minus the vision
    // encoder), the same bytes at Q4_K_M and the same KV cache and recurrent state at 8192 tokens.
    const ParamCounts counted = count_params(f.model);
    CHECK(counted.total == count_params(*ref).total);
    CHECK(counted.not_loaded == count_params(*ref).not_loaded);
    CHECK(static_cast<double>(counted.total) == Approx(static_cast<double>(ref->params_total - ref->params_vision)).epsilon(0.02));
    CHECK(weight_bytes(f.model, *q4km, cat().tensor_types).total_bytes == weight_bytes(*ref, *q4km, cat().tensor_types).total_bytes);
    KvSettings s;
    s.type_k = find_type(cat().tensor_types, "f16");
    s.type_v = s.type_k;
    s.context_tokens = 8192;
    CHECK(kv_cache(f.model, s).total_bytes == kv_cache(*ref, s).total_bytes);
  }
}

TEST_CASE("config.json counts of the gated-attention and hybrid families are the checkpoints' exact counts", "[hfconfig][families]") {
  // The catalog's params_total of these entries is the exact count of the checkpoint's tensors
  // (data/models-*.json notes): the config reads to the same number, not merely within 2%.
  const std::pair<const char*, const char*> exact[] = {
      {"qwen3-next-80b-a3b", "qwen3-next-80b-a3b"}, {"qwen3.5-27b", "qwen3.5-27b"},
      {"qwen3.5-35b-a3b", "qwen3.5-35b-a3b"},       {"nemotron-nano-9b-v2", "nemotron-nano-9b-v2"},
      {"lfm2-1.2b", "lfm2-1.2b"},                   {"exaone-4.0-1.2b", "exaone-4.0-1.2b"},
      {"afm-4.5b", "afm-4.5b"},                     {"glm-4-9b-chat", "glm-4-9b-chat"},
      {"exaone-3.5-7.8b", "exaone-3.5-7.8b"},       {"gemma-2b", "gemma-2b"},
      {"granite-3.1-1b-a400m", "granite-3.1-1b-a400m"}, {"internlm2.5-7b", "internlm2.5-7b"},
      {"lfm2-8b-a1b", "lfm2-8b-a1b"},               {"ministral-3-3b", "ministral-3-3b"},
      {"qwen2.5-vl-3b", "qwen2.5-vl-3b"},           {"qwen3-vl-8b", "qwen3-vl-8b"},
      {"qwen3-vl-30b-a3b", "qwen3-vl-30b-a3b"},
      // Nemotron Super / Ultra from the Hub config's block_configs: the Hub's safetensors totals.
      {"llama-3.3-nemotron-super-49b", "llama-3.3-nemotron-super-49b"},
      {"llama-3.1-nemotron-ultra-253b", "llama-3.1-nemotron-ultra-253b"},
  };
  for (const auto& [dir, id] : exact) {
    INFO(dir);
    const Model* ref = catalog::find(cat().models, id);
    REQUIRE(ref != nullptr);
    CHECK(count_params(modelfile::load_config(fixture(dir)).model).total == ref->params_total - ref->params_vision);
  }
  // Qwen3.5-27B: 26,895,998,464 in the language model; its MTP block (424,699,392) is in the file only.
  const ModelFile q = modelfile::load_config(fixture("qwen3.5-27b"));
  CHECK(count_params(q.model).total == 26'895'998'464ULL);
  CHECK(count_params(q.model).not_loaded == 424'699'392ULL);
  // DeepSeek-V3.2: the V3 tensors plus 61 indexers of 13,959,424, less the 58 × 256 router biases
  // the engine does not list (as for the catalog entry).
  const ModelFile d = modelfile::load_config(fixture("deepseek-v3.2"));
  CHECK(count_params(d.model).total == 671'026'419'200ULL + 61ULL * 13'959'424 - 58ULL * 256);
  // Nemotron Super 49B: 49,867,145,216, the Hub's safetensors total for v1 and v1.5 (catalog source).
  CHECK(count_params(modelfile::load_config(fixture("llama-3.3-nemotron-super-49b")).model).total == 49'867'145'216ULL);
}

TEST_CASE("config.json: Mamba-Codestral reads as the catalog entry, context as llama.cpp writes it", "[hfconfig][families]") {
  // Mamba2Config has no maximum context. The catalog records the 256K Mistral tested; the reader
  // takes the 2^20 convert_hf_to_gguf.py writes (Mamba2Model), said so. The family is the config
  // class's (mamba), where the catalog names the vendor (mistral). Nothing else differs.
  const ModelFile f = modelfile::load_config(fixture("mamba-codestral-7b"));
  const Model* ref = catalog::find(cat().models, "mamba-codestral-7b");
  REQUIRE(ref != nullptr);
  CHECK(f.model.context_length == 1'048'576U);
  CHECK(ref->context_length == 262'144U);
  Model same_context = f.model;
  same_context.context_length = ref->context_length;
  CHECK(f.model.family == "mamba");
  same_context.family = ref->family;
  check_same_architecture(same_context, *ref);
  CHECK(count_params(f.model).total == 7'285'403'648ULL);  // the catalog's exact count
  CHECK(std::find(f.inferred.begin(), f.inferred.end(),
                  "Mamba-2 has no maximum context; 1048576 tokens, the value convert_hf_to_gguf.py writes, is used as the cap") != f.inferred.end());
}

TEST_CASE("config.json: what the new families derive, spelled out", "[hfconfig][families]") {
  // LFM2: block_ff_dim 12288 auto-adjusted: int(2 × 12288 / 3) = 8192, × 1.0, rounded up to 256.
  CHECK(modelfile::load_config(fixture("lfm2-1.2b")).model.ffn_size == 8192U);
  // Qwen3-Next: layer i attends when (i + 1) % 4 == 0: 12 of 48 layers.
  const ModelFile n = modelfile::load_config(fixture("qwen3-next-80b-a3b"));
  REQUIRE(n.model.attention_layers);
  CHECK(n.model.attention_layers->size() == 12U);
  CHECK(n.model.attention_layers->back() == 47U);
  // Nemotron 3 Nano: 23 Mamba-2, 23 MoE and 6 attention blocks.
  const ModelFile h = modelfile::load_config(fixture("nemotron-3-nano-30b-a3b"));
  CHECK(h.model.arch == "nemotron_h_moe");
  CHECK(std::count_if(h.model.layers.begin(), h.model.layers.end(), [](const LayerShape& s) { return s.ffn == FfnKind::moe; }) == 23);
  // Hunyuan: llama.cpp's 256K for the NTK-scaled RoPE, said so.
  const ModelFile y = modelfile::load_config(fixture("hunyuan-a13b"));
  CHECK(y.model.context_length == 262144U);
  CHECK(std::find(y.inferred.begin(), y.inferred.end(),
                  "rope_scaling dynamic (NTK alpha): context 262144, as convert_hf_to_gguf.py writes it") != y.inferred.end());
  // ERNIE 4.5: the shared experts' width is intermediate_size / num_key_value_heads (12288 / 4).
  const ModelFile e = modelfile::load_config(fixture("ernie-4.5-21b-a3b"));
  REQUIRE(e.model.moe);
  CHECK(e.model.moe->shared_expert_ffn_size == 3072U);
}

TEST_CASE("config.json: the new families' missing and malformed keys are named", "[hfconfig][families]") {
  const std::string base = R"("num_hidden_layers": 4, "hidden_size": 64, "vocab_size": 10, "num_attention_heads": 4, )";
  CHECK(error_of(R"({"model_type": "qwen3_next", )" + base +
                 R"("num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 8, "linear_num_key_heads": 2,
                     "linear_num_value_heads": 4, "linear_key_head_dim": 8, "linear_value_head_dim": 8, "linear_conv_kernel_dim": 4})") ==
        "c.json: full_attention_interval: missing (required to size the model)");
  CHECK(error_of(R"({"model_type": "qwen3_next", )" + base +
                 R"("num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 8})") ==
        "c.json: linear_num_key_heads: missing (required to size the model)");
  CHECK(error_of(R"({"model_type": "qwen3_5", "text_config": {"model_type": "qwen3_5_text", )" + base +
                 R"("linear_num_key_heads": 2, "linear_num_value_heads": 4, "linear_key_head_dim": 8, "linear_value_head_dim": 8,
                     "linear_conv_kernel_dim": 4, "layer_types": ["linear_attention", "full_attention"]}})") ==
        "c.json: text_config: layer_types: has 2 entries for 4 layers");
  CHECK(error_of(R"({"model_type": "nemotron_h", )" + base + R"("hybrid_override_pattern": "M*-"})") ==
        "c.json: hybrid_override_pattern: has 3 letters for 4 layers");
  CHECK(error_of(R"({"model_type": "nemotron_h", )" + base +
                 R"("hybrid_override_pattern": "M*-X", "mamba_num_heads": 2, "mamba_head_dim": 8, "ssm_state_size": 8,
                     "conv_kernel": 4, "n_groups": 1})") ==
        "c.json: hybrid_override_pattern: layer 3: 'X' is not M, *, - or E");
  CHECK(error_of(R"({"model_type": "nemotron_h", )" + base + R"("hybrid_override_pattern": "M*-E", "mamba_num_heads": 2,
                     "mamba_head_dim": 8, "ssm_state_size": 8, "conv_kernel": 4, "n_groups": 1})") ==
        "c.json: n_routed_experts: missing (required to size the model)");
  CHECK(error_of(R"({"model_type": "granitemoehybrid", )" + base +
                 R"("mamba_n_heads": 2, "mamba_d_head": 8, "mamba_d_state": 8, "mamba_d_conv": 4, "mamba_n_groups": 1})") ==
        "c.json: layer_types: missing (required to tell Mamba-2 layers from attention layers)");
  CHECK(error_of(R"({"model_type": "lfm2", )" + base + R"("layer_types": ["conv", "conv", "full_attention", "conv"]})") ==
        "c.json: conv_L_cache: missing (required to size the model)");
  CHECK(error_of(R"({"model_type": "lfm2", )" + base + R"("conv_L_cache": 3, "layer_types": ["conv", "conv", "attention", "conv"]})") ==
        R"(c.json: layer_types: entry 2: "attention" is not a layer type llmsize knows)");
  CHECK(error_of(R"({"model_type": "deepseek_v32", )" + base +
                 R"("kv_lora_rank": 16, "qk_rope_head_dim": 8, "qk_nope_head_dim": 8, "v_head_dim": 8,
                     "index_n_heads": 4, "index_head_dim": 8})") ==
        "c.json: index_topk: missing (required to size the model)");
  CHECK(error_of(R"({"model_type": "hunyuan_v1_moe", )" + base + R"("num_experts": 4, "moe_topk": [2, 2, 1, 2]})") ==
        "c.json: moe_topk: differs between layers; llama.cpp takes one value for every layer");
  CHECK(error_of(R"({"model_type": "exaone4", )" + base + R"("sliding_window": 16, "sliding_window_pattern": "LGLL"})") ==
        R"(c.json: sliding_window_pattern: "LGLL" is not a run of L (local) ending in one G (global))");
  CHECK(error_of(R"({"model_type": "gemma4", )" + base + R"("sliding_window": 16})") ==
        "c.json: layer_types: missing (required: one layer type per layer)");
  CHECK(error_of(R"({"model_type": "nemotron_h", )" + base + R"("hybrid_override_pattern": "M*-M", "mamba_num_heads": 65536,
                     "mamba_head_dim": 65536, "ssm_state_size": 8, "conv_kernel": 4, "n_groups": 1})") ==
        "c.json: mamba_num_heads: × the head size is 4294967296, more than 1048576");
  CHECK(error_of(R"({"model_type": "ernie4_5_moe", )" + base + R"("moe_num_experts": 4})") ==
        "c.json: moe_k: missing (required for a mixture of experts)");
}

}  // namespace llmsize
