#pragma once
// Checks shared by the ModelTensors tests: the per-tensor reference (every tensor typed on its own, as
// before tensors of a kind shared one typing) and a field-by-field, byte-exact comparison of totals.
#include <string>

#include "llmsize/engine/weights.h"

namespace llmsize::test {

/// `t` with every tensor its own kind: weight_bytes on it types each tensor alone.
inline engine::ModelTensors one_kind_per_tensor(engine::ModelTensors t) {
  std::vector<engine::ModelTensors::Kind> kinds;
  kinds.reserve(t.entries.size());
  for (std::size_t i = 0; i < t.entries.size(); ++i) {
    engine::ModelTensors::Kind k = t.kinds[t.entries[i].kind];
    k.n_loaded = t.specs[i].not_loaded ? 0 : 1;
    kinds.push_back(k);
    t.entries[i].kind = static_cast<std::uint32_t>(i);
  }
  t.kinds = std::move(kinds);
  return t;
}

/// The first field in which two results' totals differ (doubles compared exactly); empty when none.
inline std::string totals_difference(const engine::WeightsResult& a, const engine::WeightsResult& b) {
  if (a.errors != b.errors) return "errors";
  if (a.total_bytes != b.total_bytes) return "total_bytes";
  if (a.token_embd_bytes != b.token_embd_bytes) return "token_embd_bytes";
  if (a.output_bytes != b.output_bytes) return "output_bytes";
  if (a.per_layer_embd_bytes != b.per_layer_embd_bytes) return "per_layer_embd_bytes";
  if (a.layer_bytes != b.layer_bytes) return "layer_bytes";
  if (a.layer_expert_bytes != b.layer_expert_bytes) return "layer_expert_bytes";
  if (a.routed_expert_bytes != b.routed_expert_bytes) return "routed_expert_bytes";
  if (a.cpu_repack_bytes != b.cpu_repack_bytes) return "cpu_repack_bytes";
  if (a.layer_cpu_repack_bytes != b.layer_cpu_repack_bytes) return "layer_cpu_repack_bytes";
  if (a.layer_expert_cpu_repack_bytes != b.layer_expert_cpu_repack_bytes) return "layer_expert_cpu_repack_bytes";
  if (a.output_cpu_repack_bytes != b.output_cpu_repack_bytes) return "output_cpu_repack_bytes";
  if (a.cpu_matmul_values != b.cpu_matmul_values || a.cpu_matmul_time != b.cpu_matmul_time) return "cpu_matmul";
  if (a.cpu_expert_values != b.cpu_expert_values || a.cpu_expert_time != b.cpu_expert_time) return "cpu_expert";
  if (a.cpu_embd_values != b.cpu_embd_values || a.cpu_embd_time != b.cpu_embd_time) return "cpu_embd";
  if (a.not_loaded_bytes != b.not_loaded_bytes) return "not_loaded_bytes";
  return "";
}

/// The first tensor whose type or bytes differ between two lists; empty when none (and as many).
inline std::string tensors_difference(const engine::WeightsResult& a, const engine::WeightsResult& b) {
  if (a.tensors.size() != b.tensors.size()) return "tensor count";
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    const engine::PlacedTensor& x = a.tensors[i];
    const engine::PlacedTensor& y = b.tensors[i];
    if (x.type != y.type || x.bytes != y.bytes || x.spec.group != y.spec.group || x.spec.layer != y.spec.layer) {
      return "tensor " + std::to_string(i) + " (" + x.spec.group + ", layer " + std::to_string(x.spec.layer) + ")";
    }
  }
  return "";
}

}  // namespace llmsize::test
