#pragma once
// Models whose layers differ (engine::Model::layers), built in code for engine tests. Values from
// each model's config.json as copied in public code (docs/research/models-h-sources.md).
#include <map>
#include <string_view>

#include "llmsize/engine/model.h"

namespace llmsize::test {

/// One layer shape per character of `pattern` (as the catalog's layer_pattern and layer_kinds).
inline std::vector<engine::LayerShape> layers_from(std::string_view pattern,
                                                   const std::map<char, engine::LayerShape>& kinds) {
  std::vector<engine::LayerShape> out;
  for (char c : pattern) out.push_back(kinds.at(c));
  return out;
}

/// Nemotron-H's four block kinds (hybrid_override_pattern): Mamba-2 mixer, attention, ReLU² MLP,
/// MoE; each layer is exactly one of them.
inline std::map<char, engine::LayerShape> nemotron_h_kinds() {
  using engine::FfnKind;
  using engine::MixerKind;
  engine::LayerShape mamba{.mixer = MixerKind::recurrent, .ffn = FfnKind::none};
  engine::LayerShape attention{.mixer = MixerKind::attention, .ffn = FfnKind::none};
  engine::LayerShape mlp{.mixer = MixerKind::none, .ffn = FfnKind::dense};
  engine::LayerShape moe{.mixer = MixerKind::none, .ffn = FfnKind::moe};
  return {{'M', mamba}, {'*', attention}, {'-', mlp}, {'E', moe}};
}

// nvidia/NVIDIA-Nemotron-Nano-9B-v2: Megatron-Bridge NemotronNanoModelProvider9Bv2 and a test copy
// of its config.json (hybrid_override_pattern, 4480, 40/8 heads of 128, FFN 15680, vocab 131072,
// Mamba-2 128 heads × 80, 8 groups, state 128, conv 4).
inline engine::Model nemotron_nano_9b_v2() {
  engine::Model m;
  m.meta.id = "nemotron-nano-9b-v2";
  m.arch = "nemotron_h";
  m.n_layers = 56;
  m.hidden_size = 4480;
  m.n_heads = 40;
  m.n_kv_heads = 8;
  m.head_dim = 128;
  m.ffn_size = 15680;
  m.ffn_gated = false;  // ReLU² MLP: up and down only
  m.vocab_size = 131072;
  m.context_length = 131072;
  m.ssm = engine::SsmDims{.kind = engine::SsmKind::mamba2, .d_inner = 10240, .d_state = 128, .d_conv = 4,
                          .n_groups = 8, .n_heads = 128, .head_dim = 80};
  m.layers = layers_from("M-M-M-MM-M-M-M*-M-M-M*-M-M-M-M*-M-M-M-M*-M-MM-M-M-M-M-M-", nemotron_h_kinds());
  return m;
}

// nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B: Megatron-Bridge Nemotron3NanoProvider (2688, 32/2 heads of
// 128, 128 experts of 1856, top 6, one shared expert of 3712, sigmoid router with a score bias;
// Mamba-2 64 heads × 64, 8 groups, state 128).
inline engine::Model nemotron_3_nano_30b_a3b() {
  engine::Model m = nemotron_nano_9b_v2();
  m.meta.id = "nemotron-3-nano-30b-a3b";
  m.n_layers = 52;
  m.hidden_size = 2688;
  m.n_heads = 32;
  m.n_kv_heads = 2;
  m.ffn_size = 1856;
  m.context_length = 262144;
  m.ssm = engine::SsmDims{.kind = engine::SsmKind::mamba2, .d_inner = 4096, .d_state = 128, .d_conv = 4,
                          .n_groups = 8, .n_heads = 64, .head_dim = 64};
  m.moe = engine::MoeDims{.n_experts = 128, .n_active_experts = 6, .expert_ffn_size = 1856, .n_shared_experts = 1,
                          .shared_expert_ffn_size = 3712, .router_bias = true};
  m.layers = layers_from("MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME", nemotron_h_kinds());
  return m;
}

// nvidia/Llama-3_3-Nemotron-Super-49B-v1 (DeciLMForCausalLM, llama.cpp `deci`): block_configs of its
// config.json (copy in NVIDIA NeMo llama_nemotron_config.py). Per block: attention with 8 KV heads
// (n_heads_in_group 8) or none (no_op); FFN width from ffn_mult: find_multiple(int(2 × mult × 8192 / 3), 256).
// Kinds: A = attention + 28672 (mult 5.25), a = attention + 14336 (2.625), then attention-free layers
// with FFN b 14336, c 17920 (3.28125), d 7168, e 28672, f 5632, g 2816.
inline engine::Model nemotron_super_49b() {
  using engine::FfnKind;
  using engine::MixerKind;
  engine::Model m;
  m.meta.id = "llama-3.3-nemotron-super-49b";
  m.arch = "deci";
  m.n_layers = 80;
  m.hidden_size = 8192;
  m.n_heads = 64;
  m.n_kv_heads = 8;
  m.ffn_size = 28672;
  m.vocab_size = 128256;
  m.context_length = 131072;
  const auto ffn_only = [](std::uint32_t width) {
    return engine::LayerShape{.mixer = MixerKind::none, .ffn = FfnKind::dense, .ffn_size = width};
  };
  const std::map<char, engine::LayerShape> kinds = {
      {'A', {.ffn_size = 28672}}, {'a', {.ffn_size = 14336}}, {'b', ffn_only(14336)}, {'c', ffn_only(17920)},
      {'d', ffn_only(7168)},      {'e', ffn_only(28672)},     {'f', ffn_only(5632)},  {'g', ffn_only(2816)}};
  m.layers = layers_from(
      "aAAAAAbbAAAcAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAdbbdedbdddAdffdfffddggffggfggAAAAAAAAA", kinds);
  return m;
}

// google/gemma-3n-E2B: text_config of its config.json (2048, 30 layers, 8/2 heads of 256, FFN 8192,
// vocab 262400, tied; sliding window 512 on four of every five layers; the last 10 layers reuse the
// cache of layers 18 and 19; hidden_size_per_layer_input 256, altup_num_inputs 4, laurel_rank 64).
inline engine::Model gemma_3n_e2b() {
  engine::Model m;
  m.meta.id = "gemma-3n-e2b";
  m.arch = "gemma3n";
  m.n_layers = 30;
  m.hidden_size = 2048;
  m.n_heads = 8;
  m.n_kv_heads = 2;
  m.head_dim = 256;
  m.ffn_size = 8192;
  m.vocab_size = 262400;
  m.tied_embeddings = true;
  m.context_length = 32768;
  m.sliding_window = 512;
  m.sliding_window_pattern = 5;
  m.qk_norm = true;
  m.kv_shared_from_layer = 20;
  m.per_layer_inputs = engine::PerLayerInputs{.size = 256, .altup_inputs = 4, .laurel_rank = 64};
  return m;
}

}  // namespace llmsize::test
