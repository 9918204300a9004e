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

namespace llmsize::engine {

enum class DeviceKind { gpu, unified };
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

/// Memory another part of the same llama-server process takes on the devices before the model's layers are
/// placed: a draft model (-md) or a vision projector (--mmproj). llama.cpp's --fit measures it with the
/// main model and fits the main model's layers around it (common/fit.cpp, add_extra_memory: the extra
/// model's model, context and compute buffers are added to every device's projected use).
enum class ExtraKind { draft, projector };
struct ExtraLoad {
  ExtraKind kind = ExtraKind::draft;
  std::vector<std::uint64_t> device_bytes;  ///< one per PlacementRequest::devices, same order (missing: 0)
  std::uint64_t host_bytes = 0;             ///< system RAM
};

/// What the user fixed about the placement, with llama.cpp's flags; unset: llmsize chooses (the default).
struct PlacementChoice {
  std::optional<std::uint32_t> gpu_layers;  ///< -ngl: the last N of the n_layers + 1 layers (the output layer counts)
  std::optional<std::uint32_t> n_cpu_moe;   ///< --n-cpu-moe N: routed experts of the first N layers in RAM (--cpu-moe: all)
  std::vector<double> tensor_split;         ///< -ts proportions, one per GPU; empty: by free memory
  [[nodiscard]] bool fixes_layers() const { return gpu_layers.has_value() || n_cpu_moe.has_value(); }
};

/// The hardware and runtime options of one placement. The model, its weights and its KV cache are
/// passed to place() by reference; the compute buffers follow the KV cache's runtime settings and cells
/// (`KvResult::runtime`, `KvResult::full_cells`).
struct PlacementRequest {
  std::vector<DeviceSpec> devices;               ///< GPUs (or one unified-memory GPU); empty = CPU only
  std::optional<std::uint64_t> host_ram_bytes;   ///< system RAM; nullopt = unknown (no offload judged)
  bool unified_memory = false;                   ///< devices[0] shares host RAM
  SplitMode split = SplitMode::layer;
  PlacementChoice choice;                        ///< -ngl, --n-cpu-moe, -ts as given
  std::vector<ExtraLoad> extras;                 ///< a draft model, a projector: placed first, never moved
  bool allow_offload = true;
  bool allow_expert_offload = true;              ///< false: a MoE model offloads whole layers, as a dense one                     ///< false: only "everything on the GPUs" counts as fitting
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
  std::uint64_t draft_bytes = 0;      ///< a draft model's weights, KV cache and compute buffer (ExtraLoad)
  std::uint64_t projector_bytes = 0;  ///< a vision projector's weights and compute buffer (ExtraLoad)
  std::uint64_t margin_bytes = 0;
  std::uint32_t layers = 0;       ///< repeating layers held
  bool holds_output = false;      ///< the output layer (counts in -ngl)
  std::uint64_t expert_bytes = 0; ///< routed-expert weights held
  [[nodiscard]] std::uint64_t used_bytes() const {
    return weights_bytes + kv_cache_bytes + compute_buffer_bytes + overhead_bytes + draft_bytes + projector_bytes;
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
  std::uint64_t draft_bytes = 0;       ///< a draft model's share of system RAM (ExtraLoad)
  std::uint64_t projector_bytes = 0;   ///< a vision projector's share of system RAM (ExtraLoad)
  std::uint32_t layers = 0;            ///< repeating layers run on the CPU
  bool holds_output = false;
  std::uint64_t expert_bytes = 0;      ///< routed-expert weights in RAM
  /// Resident memory when RAM is plentiful (what `top` shows).
  [[nodiscard]] std::uint64_t used_bytes() const {
    return weights_bytes + repack_bytes + kv_cache_bytes + compute_buffer_bytes + overhead_bytes + draft_bytes +
           projector_bytes;
  }
  /// Memory that must fit: the repacked matrices once.
  [[nodiscard]] std::uint64_t required_bytes() const { return used_bytes() - repack_bytes; }
};

/// Why a placement does not fit, or how it was made to fit: data, worded by the renderers.
enum class PlacementReason {
  none,                  ///< fits entirely in the devices' memory
  experts_in_ram,        ///< fits: the routed experts of the first `n_cpu_moe` layers in system RAM
  layers_in_ram,         ///< fits: `layers_in_ram()` of `n_layers + 1` layers in system RAM
  host_ram_short,        ///< does not fit: system RAM cannot hold what the CPU keeps
  gpus_full_host_short,  ///< does not fit: the GPUs hold every layer, system RAM not the rest
  gpu_memory_short,      ///< does not fit: offload not allowed and the GPUs cannot hold it all
  offload_ram_short,     ///< does not fit: the offloaded layers need more system RAM
  output_layer_too_big,  ///< does not fit: not even the output layer fits a GPU
  tensor_share_too_big,  ///< does not fit: each GPU's tensor-parallel share is too big
  given_layers_too_big,  ///< does not fit: the -ngl / --n-cpu-moe / -ts given overfill a GPU
  extras_too_big,        ///< does not fit: the draft model or projector alone overfills a device
};
[[nodiscard]] const char* to_string(PlacementReason r);

struct Placement {
  Verdict verdict = Verdict::does_not_fit;
  PlacementReason reason = PlacementReason::none;
  SplitMode split = SplitMode::layer;    ///< row, tensor: every GPU holds 1/N of every layer's matrices
  bool chosen_by_user = false;           ///< the layers follow the user's -ngl / --n-cpu-moe
  std::vector<DevicePlacement> devices;
  HostPlacement host;
  std::uint32_t gpu_layers = 0;          ///< llama.cpp -ngl (repeating layers + output layer)
  std::uint32_t n_cpu_moe = 0;           ///< llama.cpp --n-cpu-moe
  std::vector<std::uint32_t> tensor_split;  ///< layers per GPU (llama.cpp -ts proportions)
  double offloaded_weight_fraction = 0;  ///< share of weight bytes that live in system RAM
  std::uint32_t n_layers = 0;            ///< the model's repeating layers (the output layer is one more)
  /// Layers (of n_layers + 1, the output layer counted) whose weights stay in system RAM.
  [[nodiscard]] std::uint32_t layers_in_ram() const { return n_layers + 1 - gpu_layers; }
};

/// Places a model's weights, KV cache and buffers on the request's hardware as llama.cpp would.
[[nodiscard]] Placement place(const Model& model, const WeightsResult& weights, const KvResult& kv,
                              const PlacementRequest& r);

/// Sums over a set of memories of one placement.
struct MemoryTotals {
  std::uint64_t weights_bytes = 0;
  std::uint64_t kv_cache_bytes = 0;
  std::uint64_t compute_buffer_bytes = 0;
  std::uint64_t overhead_bytes = 0;  ///< backend runtime, and the host's output buffer
  std::uint64_t draft_bytes = 0;     ///< a draft model (weights + KV + compute), PlacementRequest::extras
  std::uint64_t projector_bytes = 0; ///< a vision projector (weights + compute)
  std::uint64_t repack_bytes = 0;    ///< CPU_REPACK copies (host only; not in used_bytes, see HostPlacement)
  std::uint64_t used_bytes = 0;      ///< weights + KV + compute + overhead + draft + projector (the host: required_bytes())
  std::uint64_t capacity_bytes = 0;  ///< GPUs: memory_bytes; host: available_bytes (RAM − OS reserve
                                     ///< − a unified GPU's use; 0 when RAM is unknown)
};

/// A placement's memory in total, every renderer's one source: `gpus` over the GPU (or unified GPU)
/// devices, `host` system RAM, `with_host` both. `with_host.used_bytes` is what the devices list adds
/// up to, a tied output head's GPU copy included.
struct PlacementTotals {
  MemoryTotals gpus;
  MemoryTotals host;
  MemoryTotals with_host;
  /// The memory the verdict is judged in: the GPUs when there are discrete GPUs, else everything
  /// (CPU only, or a unified system whose GPU and CPU share one pool).
  [[nodiscard]] const MemoryTotals& deciding(const Placement& p) const&;
  /// Not on a temporary: the reference would dangle (`totals(p).deciding(p)`).
  const MemoryTotals& deciding(const Placement& p) const&& = delete;
};
[[nodiscard]] PlacementTotals totals(const Placement& p);

/// What a placed model takes on each device and in system RAM, without the backend runtime (the process
/// that loads it already holds one): the ExtraLoad a draft model adds to the main model's placement.
[[nodiscard]] ExtraLoad extra_load(const Placement& p, ExtraKind kind);

/// One device holding everything (`llmsize memory`): all weights, the KV cache, the compute buffer
/// of the device that runs the output layer and the output (logits) buffer as overhead. This is a
/// CPU-only run without mmap or repacking; a GPU adds its backend runtime (buffers.h) and, for a
/// tied model, a copy of token_embd as the output layer. capacity_bytes is 0.
[[nodiscard]] MemoryTotals one_device_totals(const Model& model, const WeightsResult& weights, const KvResult& kv);

}  // namespace llmsize::engine
