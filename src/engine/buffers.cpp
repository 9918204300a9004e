#include "llmsize/engine/buffers.h"

#include <algorithm>

namespace llmsize {
namespace {

using u64 = std::uint64_t;

constexpr u64 kLogitsBytesPerVocab = 4;      // f32 logits per micro-batch row
constexpr u64 kActivationBytesPerEmbd = 8;   // two f32 activations of n_embd per row
constexpr u64 kScoreBytes = 4;               // f32 KQ score per head, cell and row
constexpr u64 kMaskBytes = 4;                // f32 mask per cell and row
constexpr u64 kNoFlashBytesPerEmbd = 22;     // fitted: other live tensors without flash attention
constexpr u64 kHostActivationsPerEmbd = 12;  // 3 f32 rows of n_embd

// Driver contexts and library workspaces measured outside llama.cpp's own buffers.
constexpr u64 kCudaOverhead = 300 * units::kMiB;    // CUDA context + cuBLAS workspace (estimate)
constexpr u64 kRocmOverhead = 300 * units::kMiB;    // HIP context + hipBLAS workspace (estimate)
constexpr u64 kVulkanOverhead = 150 * units::kMiB;  // driver + pipeline caches (estimate)
constexpr u64 kSyclOverhead = 300 * units::kMiB;    // Level Zero context + oneMKL (estimate)
constexpr u64 kMetalOverhead = 100 * units::kMiB;   // command queues and pipelines (estimate)
constexpr u64 kCpuOverhead = 150 * units::kMiB;     // oracle: peak RSS - base - buffers = 111..157 MiB

u64 attention_scores_bytes(const Model& m, const ComputeSettings& s) {
  return u64{s.ubatch} * (kScoreBytes * m.n_heads * s.context_cells + kMaskBytes * s.context_cells +
                          kNoFlashBytesPerEmbd * m.hidden_size);
}

}  // namespace

u64 compute_buffer_bytes(const Model& m, const ComputeSettings& s) {
  const u64 logits = u64{s.ubatch} * (kLogitsBytesPerVocab * m.vocab_size + kActivationBytesPerEmbd * m.hidden_size);
  if (s.flash_attention) return logits;
  return std::max(logits, attention_scores_bytes(m, s));
}

u64 compute_buffer_bytes_no_output(const Model& m, const ComputeSettings& s) {
  const u64 activations = u64{s.ubatch} * kActivationBytesPerEmbd * m.hidden_size;
  if (s.flash_attention) return activations;
  return std::max(activations, attention_scores_bytes(m, s));
}

u64 host_compute_buffer_bytes(const Model& m, const ComputeSettings& s) {
  return u64{s.ubatch} * kHostActivationsPerEmbd * m.hidden_size;
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

}  // namespace llmsize
