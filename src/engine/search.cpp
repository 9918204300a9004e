#include "llmsize/engine/search.h"

#include <algorithm>
#include <optional>

namespace llmsize::engine {
namespace {

bool meets(const Placement& p, FitTarget target) {
  return target == FitTarget::gpu_only ? p.verdict == Verdict::fits : p.verdict != Verdict::does_not_fit;
}

}  // namespace

std::uint64_t max_context_that_fits(const Model& model, const Quant& quant, const std::vector<TensorType>& types,
                                    const KvSettings& kv, const PlacementRequest& request, FitTarget target) {
  const WeightsResult weights = weight_bytes(model, quant, types);
  auto fits_at = [&](std::uint64_t tokens) {
    KvSettings trial = kv;
    trial.context_tokens = tokens;
    return meets(place(model, weights, kv_cache(model, trial), request), target);
  };
  std::uint64_t lo = 1;  // in units of kKvCellPadding
  std::uint64_t hi = std::max<std::uint64_t>(model.context_length / kKvCellPadding, 1);
  std::uint64_t best = 0;
  while (lo <= hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (fits_at(mid * kKvCellPadding)) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best * kKvCellPadding;
}

QuantChoice best_quant_that_fits(const Model& model, const std::vector<const Quant*>& candidates,
                                 const std::vector<TensorType>& types, const KvSettings& kv,
                                 const PlacementRequest& request, FitTarget target) {
  // The rungs by their bytes, counted kind by kind; the full totals only for those placed.
  struct Rung {
    const Quant* quant;
    std::uint64_t total_bytes;
  };
  std::vector<Rung> ladder;
  const ModelTensors tensors = classify_tensors(model);  // once for all the rungs
  for (const Quant* q : candidates) {
    if (const std::optional<std::uint64_t> bytes = weight_total_bytes(tensors, *q, types)) ladder.push_back({q, *bytes});
  }
  std::sort(ladder.begin(), ladder.end(), [](const Rung& a, const Rung& b) { return a.total_bytes > b.total_bytes; });
  QuantChoice choice;
  choice.kv = kv_cache(model, kv);
  for (const Rung& rung : ladder) {
    Placement p = place(model, weight_totals(tensors, *rung.quant, types), choice.kv, request);
    if (meets(p, target)) {
      choice.quant = rung.quant;
      choice.weights = weight_bytes(tensors, *rung.quant, types);  // the same totals, with the tensor list
      choice.placement = std::move(p);
      return choice;
    }
  }
  return choice;
}

}  // namespace llmsize::engine
