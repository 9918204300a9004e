#pragma once
// The config.json keys of families whose layers differ or carry extra parts (arch_traits.cpp's
// HfAlias::family_reader). Each runs after the common keys are read and completes mf.model.
// Private to src/modelfile.
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
/// A number, or a per-layer list whose entries are all that number (Hunyuan's moe_topk, Gemma 3n's
/// intermediate_size); a list that differs is an error naming the key.
[[nodiscard]] std::uint64_t uniform_value(const Reader& r, const char* key, std::uint64_t lo, std::uint64_t hi);
/// DeepSeek-V3.2: the sparse-attention indexer.
void read_dsa_indexer(const Reader& r, ModelFile& mf);

}  // namespace llmsize::modelfile
