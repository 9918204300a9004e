#include "wording.h"

#include <fmt/format.h>

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {

std::string reason_text(const Placement& p) {
  switch (p.reason) {
    case PlacementReason::none: return "";
    case PlacementReason::experts_in_ram:
      return fmt::format("routed experts of the first {} layers in system RAM", p.n_cpu_moe);
    case PlacementReason::layers_in_ram:
      return fmt::format("{} of {} layers in system RAM", p.layers_in_ram(), p.n_layers + 1);
    case PlacementReason::host_ram_short: return "needs more system RAM than is available";
    case PlacementReason::gpus_full_host_short: return "the GPUs hold every layer, but system RAM cannot hold the rest";
    case PlacementReason::gpu_memory_short: return "the model does not fit in GPU memory";
    case PlacementReason::offload_ram_short: return "offloaded layers need more system RAM than is available";
    case PlacementReason::output_layer_too_big: return "not even the output layer fits in GPU memory";
    case PlacementReason::tensor_share_too_big: return "each GPU's share of the weights and KV cache does not fit";
    case PlacementReason::given_layers_too_big:
      return fmt::format("the placement given (-ngl {}, --n-cpu-moe {}) overfills a GPU: lower -ngl or raise --n-cpu-moe",
                         p.gpu_layers, p.n_cpu_moe);
    case PlacementReason::extras_too_big:
      return "the draft model or the vision projector alone overfills a GPU: a smaller draft, --draft-ngl, or no --mmproj";
  }
  return "";
}

}  // namespace llmsize::cli
