// What training holds per parameter: the weights' counts by kind (docs/formulas.md, "Fine-tuning").
// LoRA adapters follow PEFT's LoraLayer (peft/tuners/lora/layer.py): each targeted matrix W (in × out)
// gains A (in × r) and B (r × out), so r × (in + out) weights; an expert tensor gains one pair per expert.
#include <algorithm>
#include <string_view>

#include "llmsize/engine/finetune.h"
#include "llmsize/engine/weights.h"

namespace llmsize::engine {
namespace {

using u64 = std::uint64_t;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// A matrix PyTorch runs as nn.Linear: 2-D, not a convolution kernel or an RWKV low-rank weight.
// The MoE router (ffn_gate_inp) is an nn.Linear too, though llama.cpp keeps it unquantized.
bool is_linear(const TensorSpec& t) {
  return t.layer >= 0 && !t.is_vector && (!t.keep_unquantized || t.group == "ffn_gate_inp");
}

bool is_attention_matrix(const TensorSpec& t) {
  return starts_with(t.group, "attn_") || starts_with(t.group, "time_mix_");
}

bool is_lora_target(const TensorSpec& t, LoraTargets targets) {
  if (!is_linear(t)) return false;
  return targets == LoraTargets::all_linear || is_attention_matrix(t);
}

// Matrices in the tensor: experts are stored as one tensor per layer.
u64 matrices_in(const Model& m, const TensorSpec& t) {
  return t.is_routed_expert && m.moe ? std::max<u64>(m.moe->n_experts, 1) : 1;
}

}  // namespace

TrainParams train_params(const Model& m, const FinetuneSettings& s) {
  TrainParams p;
  std::vector<u64> block(m.n_layers, 0);
  for (const TensorSpec& t : enumerate_tensors(m)) {
    p.total += t.n_elements;
    if (t.layer >= 0 && static_cast<u64>(t.layer) < block.size()) block[static_cast<std::size_t>(t.layer)] += t.n_elements;
    if (is_linear(t) && !t.keep_unquantized) p.block_linear += t.n_elements;
    if (s.method != FinetuneMethod::full && is_lora_target(t, s.lora_targets) && t.row_length > 0) {
      const u64 count = matrices_in(m, t);
      const u64 out = t.n_elements / t.row_length / count;
      p.adapter += u64{s.lora_rank} * (t.row_length + out) * count;
    }
  }
  p.largest_block = block.empty() ? 0 : *std::max_element(block.begin(), block.end());
  u64 in_blocks = 0;
  for (u64 b : block) in_blocks += b;
  p.outside_blocks = p.total - in_blocks;
  p.trainable = s.method == FinetuneMethod::full ? p.total : p.adapter;
  return p;
}

// bitsandbytes quantize_4bit (blocksize 64, compress_statistics=True): two weights per byte, a uint8
// absmax per 64 weights, an fp32 scale per 256 absmax values (QLoRA paper §2, double quantization).
u64 nf4_bytes(u64 n_elements) {
  const u64 blocks = (n_elements + 63) / 64;
  return (n_elements + 1) / 2 + blocks + 4 * ((blocks + 255) / 256);
}

// The compute copy of the model: bf16 for every weight, or NF4 for the block matrices (QLoRA).
u64 compute_weights_bytes(const Model& m, FinetuneMethod method) {
  if (method != FinetuneMethod::qlora) return 2 * count_params(m).total;
  u64 bytes = 0;
  for (const TensorSpec& t : enumerate_tensors(m)) {
    const bool quantized = is_linear(t) && !t.keep_unquantized;
    bytes += quantized ? nf4_bytes(t.n_elements) : 2 * t.n_elements;
  }
  return bytes;
}

}  // namespace llmsize::engine
