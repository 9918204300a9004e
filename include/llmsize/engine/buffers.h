#pragma once
/// Runtime buffers besides weights and KV: llama.cpp's compute (graph) buffer, the output (logits)
/// buffer and each backend's fixed overhead. Constants are fitted to llama.cpp's own log lines;
/// docs/formulas.md gives the data and the error.
#include <cstdint>

#include "llmsize/engine/entry.h"
#include "llmsize/engine/model.h"
#include "llmsize/engine/runtime.h"
#include "llmsize/units.h"

namespace llmsize::engine {

/// `context_cells` below: the padded cells of the full-attention layers (KvResult::full_cells).

/// Compute buffer of the device that runs the output layer:
///   flash attention: n_ubatch × (4·n_vocab + 8·n_embd) bytes (the worst-case logits of one
///   micro-batch plus activations; oracle: 258.5 MiB Llama-3.2-1B ... 266.5 MiB Llama-3.1-8B, all
///   within 1%), independent of context;
///   without it, the larger of that and n_ubatch × (4·n_head·n_ctx + 4·n_ctx + 22·n_embd) bytes
///   (the f32 KQ scores and mask; fitted on Llama-3.2-1B/3B at 4096 and 16384: within 1%).
[[nodiscard]] std::uint64_t compute_buffer_bytes(const Model& m, const RuntimeSettings& s,
                                                 std::uint64_t context_cells);

/// Compute buffer of a device that holds only repeating layers (no output head): the same
/// without the logits term.
[[nodiscard]] std::uint64_t compute_buffer_bytes_no_output(const Model& m, const RuntimeSettings& s,
                                                 std::uint64_t context_cells);

/// Host-side compute buffer when every layer is on GPUs (`CUDA_Host compute buffer`): the f32 mask
/// and one f32 row of n_embd per micro-batch row, n_ubatch × (4·n_embd + 4·cells); matches published
/// CUDA/ROCm/Vulkan logs to 0.01 MiB (docs/research/gpu-compute-buffers.md).
[[nodiscard]] std::uint64_t host_compute_buffer_bytes(const Model& m, const RuntimeSettings& s,
                                                 std::uint64_t context_cells);

/// Logits of one token per sequence: n_vocab × 4 bytes × n_seq (oracle: 0.49 MiB for 128256).
[[nodiscard]] std::uint64_t output_buffer_bytes(const Model& m, std::uint32_t n_sequences);

/// Memory a backend takes on its device before llama.cpp allocates anything (driver context,
/// BLAS workspaces). Estimates with sources in docs/formulas.md.
[[nodiscard]] std::uint64_t backend_overhead_bytes(Backend b);

/// llama.cpp's automatic fit (`--fit`) leaves this much free on every GPU (`--fit-target`, MiB).
inline constexpr std::uint64_t kFitMarginBytes = 1024 * units::kMiB;

}  // namespace llmsize::engine
