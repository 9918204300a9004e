#include "llmsize/engine/buffers.h"

#include <algorithm>

namespace llmsize::engine {
namespace {

using u64 = std::uint64_t;

constexpr u64 kLogitsBytesPerVocab = 4;      // f32 logits per micro-batch row
constexpr u64 kActivationBytesPerEmbd = 8;   // two f32 activations of n_embd per row
constexpr u64 kScoreBytes = 4;               // f32 KQ score per head, cell and row
constexpr u64 kMaskBytes = 4;                // f32 mask per cell and row
constexpr u64 kNoFlashBytesPerEmbd = 22;     // fitted: other live tensors without flash attention
// Flash attention at long context: the f32 KQ mask and its f16 copy (4 + 2 bytes per cell and row)
// outgrow the logits once cells pass about 2/3 of the vocabulary; with two f32 rows of n_embd and
// two of n_head × head_dim. Published ROCm log (Llama-3.2-3B, 131072 cells, ubatch 512): 408.01 MiB
// logged, 408.00 from this term (docs/research/gpu-compute-buffers.md, row 9).
constexpr u64 kFlashMaskBytesPerCell = 6;
constexpr u64 kFlashBytesPerEmbd = 8;
constexpr u64 kFlashBytesPerQueryWidth = 8;
// Host-side buffer with every layer on GPUs: the f32 mask (4 bytes per cell and row) and one f32
// row of n_embd; fits 7 of 8 published CUDA/ROCm/Vulkan logs to 0.01 MiB (same document).
constexpr u64 kHostBytesPerEmbd = 4;
constexpr u64 kHostMaskBytesPerCell = 4;

// Driver contexts and library workspaces measured outside llama.cpp's own buffers.
constexpr u64 kCudaOverhead = 300 * units::kMiB;    // CUDA context + cuBLAS workspace (estimate)
constexpr u64 kRocmOverhead = 300 * units::kMiB;    // HIP context + hipBLAS workspace (estimate)
constexpr u64 kVulkanOverhead = 150 * units::kMiB;  // driver + pipeline caches (estimate)
constexpr u64 kSyclOverhead = 300 * units::kMiB;    // Level Zero context + oneMKL (estimate)
constexpr u64 kMetalOverhead = 100 * units::kMiB;   // command queues and pipelines (estimate)
constexpr u64 kCpuOverhead = 150 * units::kMiB;     // oracle: peak RSS - base - buffers = 111..157 MiB

u64 attention_scores_bytes(const Model& m, const RuntimeSettings& s, u64 cells) {
  return u64{s.ubatch} * (kScoreBytes * m.n_heads * cells + kMaskBytes * cells +
                          kNoFlashBytesPerEmbd * m.hidden_size);
}

u64 flash_mask_bytes(const Model& m, const RuntimeSettings& s, u64 cells) {
  const u64 query_width = max_query_width(m);
  return u64{s.ubatch} * (kFlashMaskBytesPerCell * cells + kFlashBytesPerEmbd * m.hidden_size +
                          kFlashBytesPerQueryWidth * query_width);
}

}  // namespace

u64 compute_buffer_bytes(const Model& m, const RuntimeSettings& s, u64 cells) {
  const u64 logits = u64{s.ubatch} * (kLogitsBytesPerVocab * m.vocab_size + kActivationBytesPerEmbd * m.hidden_size);
  if (s.flash_attention) return std::max(logits, flash_mask_bytes(m, s, cells));
  return std::max(logits, attention_scores_bytes(m, s, cells));
}

u64 compute_buffer_bytes_no_output(const Model& m, const RuntimeSettings& s, u64 cells) {
  const u64 activations = u64{s.ubatch} * kActivationBytesPerEmbd * m.hidden_size;
  if (s.flash_attention) return std::max(activations, flash_mask_bytes(m, s, cells));
  return std::max(activations, attention_scores_bytes(m, s, cells));
}

u64 host_compute_buffer_bytes(const Model& m, const RuntimeSettings& s, u64 cells) {
  return u64{s.ubatch} * (kHostBytesPerEmbd * m.hidden_size + kHostMaskBytesPerCell * cells);
}

u64 output_buffer_bytes(const Model& m, std::uint32_t n_sequences) {
  return u64{m.vocab_size} * kLogitsBytesPerVocab * std::max<u64>(n_sequences, 1);
}

u64 backend_overhead_bytes(Backend b) {
  switch (b) {
    case Backend::cuda: return kCudaOverhead;
    case Backend::rocm: return kRocmOverhead;
    case Backend::vulkan: return kVulkanOverhead;
    case Backend::sycl: return kSyclOverhead;
    case Backend::metal: return kMetalOverhead;
    case Backend::cpu: return kCpuOverhead;
  }
  return 0;
}

}  // namespace llmsize::engine
