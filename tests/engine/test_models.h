#pragma once
// Model shapes and tensor types built in code for engine tests; values from each model's
// config.json (sources in data/models-*.json) and ggml's block layouts.
#include "llmsize/engine/kv.h"
#include "llmsize/engine/model.h"
#include "llmsize/engine/quant.h"
#include "llmsize/engine/weights.h"

namespace llmsize::test {

inline engine::TensorType ggml(const char* id, std::uint32_t block_weights, std::uint32_t block_bytes, std::uint32_t ggml_type,
                       bool kv = false, const char* fallback = "", bool repack = false) {
  engine::TensorType t;
  t.meta.id = id;
  t.meta.name = id;
  t.block_weights = block_weights;
  t.block_bytes = block_bytes;
  t.ggml_type = ggml_type;
  t.kv_cache = kv;
  t.fallback = fallback;
  t.cpu_repack = repack;
  return t;
}

inline std::vector<engine::TensorType> ggml_types() {
  return {ggml("f32", 1, 4, 0, true),       ggml("f16", 1, 2, 1, true),
          ggml("q4-0", 32, 18, 2, true, "f16", true),
          ggml("q5-0", 32, 22, 6, true),    ggml("q8-0", 32, 34, 8, true),
          ggml("q4-k", 256, 144, 12, false, "q5-0", true),
          ggml("q6-k", 256, 210, 14, false, "q8-0")};
}

inline engine::Quant uniform_quant(const char* type) {
  engine::Quant q;
  q.meta.id = type;
  q.format = "gguf";
  q.default_type = type;
  q.rules.push_back({{"ffn_gate_inp"}, "f32", engine::LayerSelector::all, std::nullopt, std::nullopt});
  return q;
}

// https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json
inline engine::Model llama_3_1_8b() {
  engine::Model m;
  m.meta.id = "llama-3.1-8b";
  m.n_layers = 32;
  m.hidden_size = 4096;
  m.n_heads = 32;
  m.n_kv_heads = 8;
  m.ffn_size = 14336;
  m.vocab_size = 128256;
  m.context_length = 131072;
  return m;
}

// https://huggingface.co/meta-llama/Llama-3.2-1B/blob/main/config.json
inline engine::Model llama_3_2_1b() {
  engine::Model m = llama_3_1_8b();
  m.n_layers = 16;
  m.hidden_size = 2048;
  m.head_dim = 64;
  m.ffn_size = 8192;
  m.tied_embeddings = true;
  return m;
}

// https://huggingface.co/google/gemma-3-1b-it/blob/main/config.json
inline engine::Model gemma_3_1b() {
  engine::Model m;
  m.n_layers = 26;
  m.hidden_size = 1152;
  m.n_heads = 4;
  m.n_kv_heads = 1;
  m.head_dim = 256;
  m.ffn_size = 6912;
  m.vocab_size = 262144;
  m.tied_embeddings = true;
  m.context_length = 32768;
  m.sliding_window = 512;
  m.sliding_window_pattern = 6;
  m.qk_norm = true;
  return m;
}

// https://huggingface.co/google/gemma-2-2b/blob/main/config.json
inline engine::Model gemma_2_2b() {
  engine::Model m;
  m.n_layers = 26;
  m.hidden_size = 2304;
  m.n_heads = 8;
  m.n_kv_heads = 4;
  m.head_dim = 256;
  m.ffn_size = 9216;
  m.vocab_size = 256000;
  m.tied_embeddings = true;
  m.context_length = 8192;
  m.sliding_window = 4096;
  m.sliding_window_pattern = 2;
  return m;
}

// https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/config.json
inline engine::Model deepseek_v3() {
  engine::Model m;
  m.n_layers = 61;
  m.hidden_size = 7168;
  m.n_heads = 128;
  m.n_kv_heads = 128;
  m.ffn_size = 18432;
  m.vocab_size = 129280;
  m.context_length = 163840;
  m.mla = engine::MlaDims{1536, 512, 64, 128, 128};
  engine::MoeDims e;
  e.n_experts = 256;
  e.n_active_experts = 8;
  e.expert_ffn_size = 2048;
  e.n_shared_experts = 1;
  e.n_dense_leading_layers = 3;
  m.moe = e;
  return m;
}

// A small hybrid in the shape of IBM Granite 4.0-H-Micro (4 attention layers, Mamba2 elsewhere).
inline engine::Model granite_4_h_micro() {
  engine::Model m;
  m.n_layers = 40;
  m.hidden_size = 2048;
  m.n_heads = 32;
  m.n_kv_heads = 8;
  m.ffn_size = 8192;
  m.vocab_size = 100352;
  m.tied_embeddings = true;
  m.context_length = 131072;
  m.ssm = engine::SsmDims{engine::SsmKind::mamba2, 4096, 128, 4, 1, 64, 64};
  m.attention_layers = std::vector<std::uint32_t>{10, 13, 27, 37};
  return m;
}

// https://huggingface.co/google/gemma-3n-E2B-it/blob/main/config.json (text_config): 30 layers, layer_types
// four sliding then one full (llama.cpp set_swa_pattern(5)), num_kv_shared_layers 10 → llama.cpp's
// n_layer_kv_from_start 20. Attention and FFN only: the per-layer embeddings, AltUp and Laurel
// tensors are not enumerated (tests here use it for the KV cache).
inline engine::Model gemma_3n_e2b_attention() {
  engine::Model m;
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
  return m;
}

// RWKV-7 "Goose" 0.1B (fla-hub/rwkv7-191M-world; llama.cpp LLM_TYPE_190M for 12 layers × 768):
// head size 64, FFN 4 × 768, LoRA ranks decay 64, iclr 64, value mix 32, gate 128 (the reference
// implementation's ranks for C = 768).
inline engine::Model rwkv7_191m() {
  engine::Model m;
  m.arch = "rwkv7";
  m.n_layers = 12;
  m.hidden_size = 768;
  m.n_heads = 12;
  m.n_kv_heads = 12;
  m.ffn_size = 3072;
  m.ffn_gated = false;
  m.vocab_size = 65536;
  m.context_length = 1048576;
  m.norm = engine::NormKind::layernorm;
  engine::SsmDims s;
  s.kind = engine::SsmKind::rwkv7;
  s.d_inner = 768;
  s.head_dim = 64;
  s.lora_decay = 64;
  s.lora_iclr = 64;
  s.lora_value_mix = 32;
  s.lora_gate = 128;
  m.ssm = s;
  return m;
}

/// An f16 K and V cache of `context` tokens, every other setting at its default.
inline engine::KvSettings f16_kv(const std::vector<engine::TensorType>& types, std::uint64_t context) {
  engine::KvSettings s;
  s.context_tokens = context;
  s.type_k = engine::find_type(types, "f16");
  s.type_v = s.type_k;
  return s;
}

}  // namespace llmsize::test
