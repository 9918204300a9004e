#pragma once
/// Where every byte lives on a hardware configuration, and whether it fits: llama.cpp's layer
/// placement (`-ngl`, `--tensor-split`, `--n-cpu-moe`), tensor parallelism, unified memory, CPU only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/engine/buffers.h"
#include "llmsize/engine/kv.h"
#include "llmsize/engine/weights.h"

namespace llmsize {

enum class DeviceKind { gpu, unified };
enum class SplitMode { layer, tensor };
enum class Verdict { fits, fits_with_offload, does_not_fit };

[[nodiscard]] const char* to_string(Verdict v);
[[nodiscard]] const char* to_string(SplitMode s);

struct DeviceSpec {
  std::string id;
  DeviceKind kind = DeviceKind::gpu;
  Backend backend = Backend::cuda;
  std::uint64_t memory_bytes = 0;  ///< what the backend may allocate (unified: the GPU's share)
  /// Memory the runtime holds on the device besides llama.cpp's buffers (driver context): a value
  /// fitted by `llmsize calibrate` from the user's load logs; nullopt = backend_overhead_bytes(backend).
  std::optional<std::uint64_t> overhead_bytes;
  [[nodiscard]] std::uint64_t runtime_overhead_bytes() const { return overhead_bytes.value_or(backend_overhead_bytes(backend)); }
};

/// Operating-system reserve kept out of system RAM (estimate: an idle Linux or Windows desktop).
inline constexpr std::uint64_t kOsReserveBytes = 2 * units::kGiB;

struct PlacementRequest {
  const Model* model = nullptr;
  const WeightsResult* weights = nullptr;
  const KvResult* kv = nullptr;
  ComputeSettings compute;
  std::vector<DeviceSpec> devices;               ///< GPUs (or one unified-memory GPU); empty = CPU only
  std::optional<std::uint64_t> host_ram_bytes;   ///< system RAM; nullopt = unknown (no offload judged)
  bool unified_memory = false;                   ///< devices[0] shares host RAM
  SplitMode split = SplitMode::layer;
  bool allow_offload = true;
  bool mmap = true;
  bool cpu_repack = true;                        ///< x86 host: llama.cpp keeps repacked copies
  std::uint64_t fit_margin_bytes = kFitMarginBytes;
  std::uint64_t os_reserve_bytes = kOsReserveBytes;
};

struct DevicePlacement {
  std::string id;
  DeviceKind kind = DeviceKind::gpu;
  std::uint64_t memory_bytes = 0;
  std::uint64_t weights_bytes = 0;
  std::uint64_t kv_cache_bytes = 0;
  std::uint64_t compute_buffer_bytes = 0;
  std::uint64_t overhead_bytes = 0;
  std::uint64_t margin_bytes = 0;
  std::uint32_t layers = 0;       ///< repeating layers held
  bool holds_output = false;      ///< the output layer (counts in -ngl)
  std::uint64_t expert_bytes = 0; ///< routed-expert weights held
  [[nodiscard]] std::uint64_t used_bytes() const {
    return weights_bytes + kv_cache_bytes + compute_buffer_bytes + overhead_bytes;
  }
};

struct HostPlacement {
  std::uint64_t available_bytes = 0;   ///< RAM minus the OS reserve (0 when RAM is unknown)
  std::uint64_t weights_bytes = 0;     ///< token_embd, CPU layers, CPU experts (mapped or loaded)
  /// CPU_REPACK copies. With mmap both the mapped file and the copy are resident while RAM
  /// allows (oracle: 8B Q4_0 = 4438 MiB mapped + 3744 MiB repacked), but the mapped pages of
  /// repacked matrices are file cache the kernel can drop, so fitting needs them only once.
  std::uint64_t repack_bytes = 0;
  std::uint64_t kv_cache_bytes = 0;
  std::uint64_t compute_buffer_bytes = 0;
  std::uint64_t overhead_bytes = 0;    ///< output buffer + runtime
  std::uint32_t layers = 0;            ///< repeating layers run on the CPU
  bool holds_output = false;
  std::uint64_t expert_bytes = 0;      ///< routed-expert weights in RAM
  /// Resident memory when RAM is plentiful (what `top` shows).
  [[nodiscard]] std::uint64_t used_bytes() const {
    return weights_bytes + repack_bytes + kv_cache_bytes + compute_buffer_bytes + overhead_bytes;
  }
  /// Memory that must fit: the repacked matrices once.
  [[nodiscard]] std::uint64_t required_bytes() const { return used_bytes() - repack_bytes; }
};

struct Placement {
  Verdict verdict = Verdict::does_not_fit;
  SplitMode split = SplitMode::layer;    ///< tensor: every GPU holds 1/N of every layer
  std::vector<DevicePlacement> devices;
  HostPlacement host;
  std::uint32_t gpu_layers = 0;          ///< llama.cpp -ngl (repeating layers + output layer)
  std::uint32_t n_cpu_moe = 0;           ///< llama.cpp --n-cpu-moe
  std::vector<std::uint32_t> tensor_split;  ///< layers per GPU (llama.cpp -ts proportions)
  double offloaded_weight_fraction = 0;  ///< share of weight bytes that live in system RAM
  std::string reason;                    ///< why it does not fit, or how it was made to fit
};

[[nodiscard]] Placement place(const PlacementRequest& r);

/// The largest context (tokens per sequence, a multiple of 256) whose placement is not
/// `does_not_fit` (or, with `require_gpu`, is `fits`); 0 when even 256 tokens do not fit.
struct ContextSearch {
  const Model* model = nullptr;
  const Quant* quant = nullptr;
  const std::vector<TensorType>* types = nullptr;
  KvSettings kv;
  PlacementRequest request;  ///< model/weights/kv/compute are filled in per trial
  bool require_gpu = true;
};
[[nodiscard]] std::uint64_t max_context_that_fits(const ContextSearch& s);

}  // namespace llmsize

namespace llmsize {

/// The quant of `candidates` with the most bytes (the highest quality on the ladder) whose
/// placement is `fits` (or, without `require_gpu`, at least `fits_with_offload`).
struct QuantSearch {
  const Model* model = nullptr;
  std::vector<const Quant*> candidates;
  const std::vector<TensorType>* types = nullptr;
  KvSettings kv;
  PlacementRequest request;
  bool require_gpu = true;
};
struct QuantChoice {
  const Quant* quant = nullptr;  ///< nullptr when none fits
  WeightsResult weights;
  KvResult kv;
  Placement placement;
};
[[nodiscard]] QuantChoice best_quant_that_fits(const QuantSearch& s);

}  // namespace llmsize
