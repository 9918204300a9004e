#pragma once
/// Searches over placements: the largest context that fits a configuration, and the
/// highest-quality quant that does.
#include <cstdint>
#include <vector>

#include "llmsize/engine/placement.h"

namespace llmsize::engine {

/// What a search counts as fitting.
enum class FitTarget {
  gpu_only,      ///< Verdict::fits: everything in the devices' memory
  with_offload,  ///< anything but Verdict::does_not_fit
};

/// The largest context (tokens per sequence, a multiple of 256, at most the model's maximum) whose
/// placement meets `target`; 0 when even 256 tokens do not. `kv.context_tokens` is ignored.
[[nodiscard]] std::uint64_t max_context_that_fits(const Model& model, const Quant& quant,
                                                  const std::vector<TensorType>& types, const KvSettings& kv,
                                                  const PlacementRequest& request, FitTarget target);

struct QuantChoice {
  const Quant* quant = nullptr;  ///< nullptr when none fits
  WeightsResult weights;
  KvResult kv;
  Placement placement;
};

/// The quant of `candidates` with the most weight bytes (the highest quality) whose placement
/// meets `target`.
[[nodiscard]] QuantChoice best_quant_that_fits(const Model& model, const std::vector<const Quant*>& candidates,
                                               const std::vector<TensorType>& types, const KvSettings& kv,
                                               const PlacementRequest& request, FitTarget target);

}  // namespace llmsize::engine
