#pragma once
// The config.json keys of families whose layers differ or carry extra parts (arch_traits.cpp's
// HfAlias::family_reader). Each runs after the common keys are read and completes mf.model.
// Private to src/modelfile.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "hf_reader.h"

namespace llmsize::modelfile {

/// Qwen3-Next, Qwen3.5 / 3.6: Gated DeltaNet layers between gated full-attention layers.
void read_gated_deltanet_hybrid(const Reader& r, ModelFile& mf);
/// Granite 4.0 H: Mamba-2 layers and attention layers, an MoE with a shared expert or a dense MLP.
void read_granite_hybrid(const Reader& r, ModelFile& mf);
/// Nemotron-H / Nemotron 3: one Mamba-2, attention, MLP or MoE part per block (hybrid_override_pattern).
void read_nemotron_h(const Reader& r, ModelFile& mf);
/// LFM2: short-convolution layers and attention layers.
void read_lfm2(const Reader& r, ModelFile& mf);
/// ERNIE 4.5 MoE: the shared experts' width as convert_hf_to_gguf.py writes it.
void read_ernie_moe(const Reader& r, ModelFile& mf);
/// Hunyuan-A13B: per-layer MoE lists and the 256K context llama.cpp gives its NTK scaling.
void read_hunyuan_moe(const Reader& r, ModelFile& mf);
/// Hunyuan dense: the 256K context llama.cpp gives its NTK scaling.
void read_hunyuan_dense(const Reader& r, ModelFile& mf);
/// Gemma 3n: KV-shared tail, per-layer inputs, AltUp and Laurel.
void read_gemma3n(const Reader& r, ModelFile& mf);
/// Gemma 4: per-layer shapes (global heads, double-wide MLP, MoE beside the MLP), KV sharing, per-layer inputs.
void read_gemma4(const Reader& r, ModelFile& mf);
/// A per-layer string list such as layer_types: n_layers strings, each one of `known`.
[[nodiscard]] std::vector<std::string> layer_strings(const Reader& r, const char* key, std::uint32_t n_layers,
                                                     std::initializer_list<std::string_view> known);
/// The layers whose type is `type`.
[[nodiscard]] std::vector<std::uint32_t> indices_of(const std::vector<std::string>& types, std::string_view type);
/// A list of layer indices (LFM2 full_attn_idxs, Granite attn_layer_indices), each below n_layers.
[[nodiscard]] std::vector<std::uint32_t> index_list(const Reader& r, const char* key, std::uint32_t n_layers);
/// LFM2's short-convolution state (conv_L_cache) and its attention layers (layer_types or full_attn_idxs).
void read_shortconv_layers(const Reader& r, ModelFile& mf);
/// A number, or a per-layer list whose entries are all that number (Hunyuan's moe_topk, Gemma 3n's
/// intermediate_size); a list that differs is an error naming the key.
[[nodiscard]] std::uint64_t uniform_value(const Reader& r, const char* key, std::uint64_t lo, std::uint64_t hi);
/// DeepSeek-V3.2: the sparse-attention indexer.
void read_dsa_indexer(const Reader& r, ModelFile& mf);

// The catalog's remaining architectures (hf_families_more.cpp).
/// Falcon: the FFN 4 × hidden_size, one KV head unless stated, and the 2048-token context
/// convert_hf_to_gguf.py writes.
void read_falcon(const Reader& r, ModelFile& mf);
/// ChatGLM: multi_query_attention false means as many KV groups as heads.
void read_chatglm(const Reader& r, ModelFile& mf);
/// Ling / Ring 2.0: the shared experts' width when it is not n_shared × moe_intermediate_size.
void read_bailing_moe2(const Reader& r, ModelFile& mf);
/// LFM2-MoE: LFM2's convolution layers, dense leading layers, then experts.
void read_lfm2_moe(const Reader& r, ModelFile& mf);
/// Llama 4: experts of intermediate_size plus one shared expert, dense layers of intermediate_size_mlp
/// between them (interleave_moe_layer_step), and the chunked-attention layout (no_rope_layers).
void read_llama4(const Reader& r, ModelFile& mf);
/// Jamba: Mamba layers with attention every attn_layer_period from attn_layer_offset, experts every
/// expert_layer_period from expert_layer_offset.
void read_jamba(const Reader& r, ModelFile& mf);
/// Mamba-2 (Mamba-Codestral): every layer a Mamba-2 block, no attention, no MLP.
void read_mamba2(const Reader& r, ModelFile& mf);
/// DeciLM / Nemotron-NAS: block_configs -> per-layer attention (GQA, linear or none) and FFN widths.
void read_deci(const Reader& r, ModelFile& mf);

}  // namespace llmsize::modelfile
