// Models whose layers are not all alike (engine::Model::layers, per_layer_inputs): the tensors
// llama.cpp's load_tensors creates for LLM_ARCH_NEMOTRON_H / NEMOTRON_H_MOE, LLM_ARCH_DECI and
// LLM_ARCH_GEMMA3N, the KV cache and recurrent state per layer, llama-quantize's layer selectors,
// and where the per-layer embedding table lives. Each number is worked out in the comment above it.
#include <catch2/catch.hpp>

#include <algorithm>

#include "llmsize/engine/kv.h"
#include "llmsize/engine/placement.h"
#include "llmsize/engine/speed.h"
#include "llmsize/engine/weights.h"
#include "llmsize/units.h"
#include "test_models.h"
#include "test_models_layers.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using llmsize::units::kGiB;
using llmsize::units::kMiB;

namespace {

struct Types {
  std::vector<TensorType> all = test::ggml_types();
  const TensorType* get(const char* id) const { return find_type(all, id); }
};

KvSettings f16(const Types& t, std::uint64_t ctx) {
  KvSettings s;
  s.context_tokens = ctx;
  s.type_k = t.get("f16");
  s.type_v = t.get("f16");
  s.type_v_without_flash_attention = t.get("f16");
  return s;
}

std::vector<std::string> groups_of(const Model& m, std::int32_t layer) {
  std::vector<std::string> out;
  for (const TensorSpec& s : enumerate_tensors(m)) {
    if (s.layer == layer) out.push_back(s.group);
  }
  return out;
}

const TensorSpec& tensor(const std::vector<TensorSpec>& all, std::string_view group, std::int32_t layer) {
  const auto it = std::find_if(all.begin(), all.end(), [&](const TensorSpec& s) { return s.group == group && s.layer == layer; });
  REQUIRE(it != all.end());
  return *it;
}

}  // namespace

TEST_CASE("Nemotron Nano 9B v2: each layer is one Mamba-2 mixer, attention or MLP block", "[layers][nemotron-h]") {
  // hybrid_override_pattern "M-M-M-MM-…": 27 Mamba-2 layers, 25 MLP layers, 4 attention layers (14, 21, 30, 39).
  const Model m = test::nemotron_nano_9b_v2();
  using V = std::vector<std::string>;
  CHECK(groups_of(m, 0) == V{"attn_norm", "ssm_in", "ssm_conv1d", "ssm_conv1d_b", "ssm_dt_b", "ssm_a", "ssm_d", "ssm_norm", "ssm_out"});
  CHECK(groups_of(m, 1) == V{"ffn_norm", "ffn_up", "ffn_down"});  // ReLU²: no gate
  CHECK(groups_of(m, 14) == V{"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output"});
  const std::vector<TensorSpec> all = enumerate_tensors(m);
  // ssm_in: 4480 × (2 × 10240 + 2 × 8 × 128 + 128) = 4480 × 22656; the MLP 4480 × 15680.
  CHECK(tensor(all, "ssm_in", 0).n_elements == 4480ULL * 22656);
  CHECK(tensor(all, "ffn_up", 1).n_elements == 4480ULL * 15680);
  CHECK(tensor(all, "attn_k", 14).n_elements == 4480ULL * 8 * 128);

  // Per layer: Mamba 4480 (norm) + 101,498,880 (in) + 4 × 12,288 (conv) + 12,288 (conv bias) + 3 × 128
  // (dt bias, A, D) + 10,240 (norm) + 45,875,200 (out) = 147,450,624; MLP 4480 + 2 × 4480 × 15680 =
  // 140,497,280; attention 4480 + 2 × 4480 × 5120 + 2 × 4480 × 1024 = 55,054,720. With the embeddings and
  // the untied output (2 × 4480 × 131,072) and output_norm: 27 × 147,450,624 + 25 × 140,497,280
  // + 4 × 55,054,720 + 1,174,409,600 = 8,888,227,328, the Hub's safetensors total to the parameter.
  CHECK(count_params(m).total == 8'888'227'328ULL);
}

TEST_CASE("Nemotron Nano 9B v2: KV cells on the 4 attention layers, Mamba-2 state on the 27 mixers, none on MLPs",
          "[layers][nemotron-h][kv]") {
  // Attention: 8 KV heads × 128 = 1024 values of f16 for K and for V: 4096 B per cell per layer.
  // 8192 cells × 4 layers × 4096 B = 134,217,728 B (128 MiB).
  // Mamba-2 state (llama_hparams::n_embd_r / n_embd_s), f32: conv (4 − 1) × (10240 + 2 × 8 × 128) = 36,864
  // values, SSM 128 × 10240 = 1,310,720 values: 1,347,584 × 4 B = 5,390,336 B per layer; × 27 = 145,539,072 B.
  Types t;
  const Model m = test::nemotron_nano_9b_v2();
  const KvResult r = kv_cache(m, f16(t, 8192));
  CHECK(r.k_bytes + r.v_bytes == 128 * kMiB);
  CHECK(r.recurrent_bytes == 27ULL * 5390336);
  CHECK(r.total_bytes == 134217728ULL + 145539072ULL);
  CHECK(r.layer_bytes[0] == 5390336);   // Mamba
  CHECK(r.layer_bytes[1] == 0);         // MLP: no cache, no state
  CHECK(r.layer_bytes[14] == 8192ULL * 4096);
  CHECK(r.bytes_per_token_full == 4ULL * 4096);
  // A decode step at depth 4000 reads 4 × 4000 × 4096 B of cache and the 27 states once.
  CHECK(kv_bytes_read_at_depth(m, f16(t, 8192), 4000) == 4ULL * 4000 * 4096 + 27ULL * 5390336);
}

TEST_CASE("Nemotron 3 Nano 30B-A3B: MoE layers with a shared expert and a router bias", "[layers][nemotron-h][moe]") {
  // Pattern "MEMEM*EMEMEM*…": 23 Mamba-2, 23 MoE, 6 attention layers. A MoE layer: ffn_norm 2688,
  // router 2688 × 128, exp_probs_b 128, up/down experts 2 × 128 × 2688 × 1856, shared expert 2 × 2688 × 3712.
  const Model m = test::nemotron_3_nano_30b_a3b();
  using V = std::vector<std::string>;
  CHECK(groups_of(m, 1) ==
        V{"ffn_norm", "ffn_gate_inp", "exp_probs_b", "ffn_up_exps", "ffn_down_exps", "ffn_up_shexp", "ffn_down_shexp"});
  const ParamCounts c = count_params(m);
  // The Hub's safetensors total is 31,577,937,344: 2,944 = 23 × 128 fewer, the 23 score-bias vectors
  // llama.cpp loads as exp_probs_b (a required tensor of LLM_ARCH_NEMOTRON_H_MOE).
  CHECK(c.total == 31'577'937'344ULL + 23 * 128);
  // Routed experts: 23 layers × 2 × 128 × 2688 × 1856 = 29,373,759,488; active = total − routed × 122/128.
  CHECK(c.routed_expert == 23ULL * 2 * 128 * 2688 * 1856);
  CHECK(c.active == c.total - c.routed_expert / 128 * 122);

  // KV: 6 layers × 2 heads × 128 × 2 B × 2 (K, V) = 1024 B per cell per layer; state per Mamba layer
  // (3 × (4096 + 2048) + 128 × 4096) × 4 B = 542,720 × 4 = 2,170,880 B.
  Types t;
  const KvResult r = kv_cache(m, f16(t, 65536));
  CHECK(r.k_bytes + r.v_bytes == 6ULL * 65536 * 1024);
  CHECK(r.recurrent_bytes == 23ULL * 2170880);
}

TEST_CASE("Llama-3.3-Nemotron-Super-49B: per-layer FFN widths and attention-free layers", "[layers][deci]") {
  // 49 layers attend (8 KV heads), 31 are FFN-only; FFN widths 2816 to 28672 from ffn_mult.
  const Model m = test::nemotron_super_49b();
  using V = std::vector<std::string>;
  CHECK(groups_of(m, 6) == V{"ffn_norm", "ffn_gate", "ffn_up", "ffn_down"});  // attention no_op
  CHECK(groups_of(m, 0) == V{"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"});
  const std::vector<TensorSpec> all = enumerate_tensors(m);
  CHECK(tensor(all, "ffn_down", 0).n_elements == 14336ULL * 8192);  // ffn_mult 2.625
  CHECK(tensor(all, "ffn_down", 62).n_elements == 2816ULL * 8192);  // ffn_mult 0.5
  // Equal to the Hub's safetensors total of nvidia/Llama-3_3-Nemotron-Super-49B-v1 (and v1.5).
  CHECK(count_params(m).total == 49'867'145'216ULL);

  // KV: 49 attention layers × 8 heads × 128 × 2 B × 2 = 4096 B per cell: 49 × 4096 × 8192 = 1568 MiB,
  // against 2560 MiB for the 80 layers of Llama-3.3-70B.
  Types t;
  const KvResult r = kv_cache(m, f16(t, 8192));
  CHECK(r.total_bytes == 49ULL * 4096 * 8192);
  CHECK(r.total_bytes == 1568 * kMiB);
  CHECK(r.layer_bytes[6] == 0);
}

TEST_CASE("DeciLM linear-attention layers hold one n_embd × n_embd matrix and no cache", "[layers][deci]") {
  // Llama-3_1-Nemotron-51B's "replace_with_linear": attn_norm and attn_output [8192, 8192] only.
  Model m = test::nemotron_super_49b();
  m.layers[3].mixer = MixerKind::linear;
  using V = std::vector<std::string>;
  CHECK(groups_of(m, 3) == V{"attn_norm", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"});
  const std::vector<TensorSpec> all = enumerate_tensors(m);
  CHECK(tensor(all, "attn_output", 3).n_elements == 8192ULL * 8192);
  Types t;
  CHECK(kv_cache(m, f16(t, 8192)).layer_bytes[3] == 0);
}

TEST_CASE("layer selectors count the tensors a recipe names, as llama-quantize does", "[layers][quant]") {
  // llama-quant.cpp: attn_v is the i_attention_wv-th of n_attention_wv; without experts ffn_down is
  // the i_ffn_down-th of n_layer. Nemotron Nano 9B v2 has attn_v on layers 14, 21, 30, 39 (i = 0..3 of 4):
  // use_more_bits(i, 4) holds for i ≥ 7 × 4 / 8 = 3 and for (i − 0) % 3 == 2: layers 30 and 39.
  // (By layer index of 56 it would be 21, 30 and 39.) ffn_down sits on 25 MLP layers, counted 0..24 of
  // n_layer 56: first_eighth is i < 7, the first seven MLP layers (1, 3, 5, 8, 10, 12, 15).
  Types t;
  const Model m = test::nemotron_nano_9b_v2();
  // (Rows of 4480 are not whole K-quant blocks, so the recipe names 32-value types.)
  Quant q = test::uniform_quant("f16");
  q.rules.push_back({{"attn_v"}, "q8-0", LayerSelector::more_bits, std::nullopt, std::nullopt});
  q.rules.push_back({{"ffn_down"}, "q4-0", LayerSelector::first_eighth, std::nullopt, std::nullopt});
  const WeightsResult w = weight_bytes(m, q, t.all);
  std::vector<std::int32_t> more_bits, first_eighth;
  for (const PlacedTensor& p : w.tensors) {
    if (p.spec.group == "attn_v" && p.type->meta.id == "q8-0") more_bits.push_back(p.spec.layer);
    if (p.spec.group == "ffn_down" && p.type->meta.id == "q4-0") first_eighth.push_back(p.spec.layer);
  }
  CHECK(more_bits == std::vector<std::int32_t>{30, 39});
  CHECK(first_eighth == std::vector<std::int32_t>{1, 3, 5, 8, 10, 12, 15});
}

TEST_CASE("Gemma 3n E2B: per-layer embeddings, AltUp and Laurel as llama.cpp loads them", "[layers][gemma3n]") {
  // Globals beyond Gemma 3's: per_layer_token_embd [256 × 30, 262400] (llama.cpp pads the table to
  // n_vocab), per_layer_model_proj [2048, 7680], per_layer_proj_norm 256, altup_proj and
  // altup_unembd_proj [2048, 2048, 3]. Per layer: inp_gate [2048, 256], proj [256, 2048], post_norm,
  // altup_correct_coef [4, 4], altup_correct_scale, altup_predict_coef [4, 16], altup_router [2048, 4],
  // altup_router_norm, laurel_l [2048, 64], laurel_r [64, 2048], laurel_post_norm.
  const Model m = test::gemma_3n_e2b();
  const std::vector<TensorSpec> all = enumerate_tensors(m);
  CHECK(tensor(all, "per_layer_token_embd", -1).n_elements == 7680ULL * 262400);
  CHECK(tensor(all, "altup_proj", -1).keep_unquantized);
  CHECK(tensor(all, "laurel_l", 5).keep_unquantized);
  CHECK_FALSE(tensor(all, "inp_gate", 5).keep_unquantized);
  // Per layer: attention 2048 + 2 × 2048 × 2048 + 2 × 2048 × 512 + 2 × 256 = 10,488,320; FFN
  // 2048 + 3 × 2048 × 8192 = 50,333,696; per-layer inputs 2 × 524,288 + 2048 + 16 + 2048 + 64 + 8192
  // + 2048 + 2 × 131,072 + 2048 = 1,329,232: 62,151,248 × 30 = 1,864,537,440.
  // Globals: 2048 × 262400 + 2048 + 7680 × 262400 + 2048 × 7680 + 256 + 2 × 3 × 2048² = 2,593,462,528.
  const ParamCounts c = count_params(m);
  CHECK(c.total == 1'864'537'440ULL + 2'593'462'528ULL);
  CHECK(c.per_layer_embd == 7680ULL * 262400);
}

TEST_CASE("Gemma 3n E2B: the per-layer embedding table stays in host memory, as token_embd", "[layers][gemma3n][placement]") {
  // llama-arch.cpp gives per_layer_token_embd the class LLM_TENSOR_LAYER_INPUT: the CPU holds it and a
  // token reads one row. At F16: 7680 × 262400 × 2 B = 4,030,464,000 B outside every GPU.
  Types t;
  const Model m = test::gemma_3n_e2b();
  Quant q = test::uniform_quant("f16");
  const WeightsResult w = weight_bytes(m, q, t.all);
  CHECK(w.per_layer_embd_bytes == 4'030'464'000ULL);
  CHECK(w.token_embd_bytes == 2048ULL * 262400 * 2);
  std::uint64_t in_layers = 0;
  for (std::uint64_t b : w.layer_bytes) in_layers += b;
  CHECK(w.total_bytes == w.token_embd_bytes + w.per_layer_embd_bytes + w.output_bytes + in_layers);

  const KvResult kv = kv_cache(m, f16(t, 8192));
  PlacementRequest r;
  r.devices.push_back({"gpu0", DeviceKind::gpu, Backend::cuda, 24 * kGiB, std::nullopt});
  r.host_ram_bytes = 32 * kGiB;
  const Placement p = place(m, w, kv, r);
  REQUIRE(p.verdict == Verdict::fits);
  CHECK(p.host.weights_bytes == w.token_embd_bytes + w.per_layer_embd_bytes);
  // The tied output head duplicates token_embd on the GPU, never the per-layer table.
  CHECK(p.devices[0].weights_bytes == w.total_bytes - w.per_layer_embd_bytes);
  CHECK(p.offloaded_weight_fraction == 0.0);
  // A token multiplies by every weight but the lookup tables (one row each): the FLOPs count
  // 2 × (total − per-layer table) parameters, the tied head included; a decode step reads all the
  // weights but the per-layer table (token_embd is read whole as the tied output head).
  CHECK(prefill_flops_per_token(m, 0, 0) == Approx(2.0 * static_cast<double>(count_params(m).total - 7680ULL * 262400)));
  CHECK(decode_weight_bytes_per_token(m, w) == Approx(static_cast<double>(w.total_bytes - w.per_layer_embd_bytes)));
}

TEST_CASE("a model without layer shapes gives the same tensors as before", "[layers][property]") {
  // Shapes equal to the model-wide fields change nothing: Llama 3.1 8B with 32 explicit attention + dense layers.
  Model plain = test::llama_3_1_8b();
  Model shaped = plain;
  shaped.layers.assign(32, LayerShape{});
  const std::vector<TensorSpec> a = enumerate_tensors(plain);
  const std::vector<TensorSpec> b = enumerate_tensors(shaped);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].group == b[i].group);
    CHECK(a[i].n_elements == b[i].n_elements);
  }
  Types t;
  CHECK(kv_cache(plain, f16(t, 4096)).total_bytes == kv_cache(shaped, f16(t, 4096)).total_bytes);
}
