#pragma once
/// Weight tensors and their bytes, laid out as llama.cpp's GGUF files lay them out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmsize/engine/model.h"
#include "llmsize/engine/quant.h"

namespace llmsize::engine {

/// One weight tensor (an expert tensor holds all experts of its layer, as in GGUF).
struct TensorSpec {
  std::string group;             ///< GGUF name without `blk.N.` and `.weight` (attn_q, ffn_down_exps, ...)
  std::int32_t layer = -1;       ///< block index; -1 for token_embd, output_norm, output
  std::uint64_t row_length = 0;  ///< ne[0], the dimension quant blocks run along
  std::uint64_t n_elements = 0;
  bool is_vector = false;        ///< 1-D (norms, biases): kept in the quant's vector_type
  bool keep_unquantized = false; ///< 2-D but never quantized by llama-quantize (router, conv kernels)
  bool is_routed_expert = false;
  bool not_loaded = false;       ///< in the file but not allocated (llama.cpp TENSOR_SKIP: MTP blocks)
};

/// Every weight tensor of the model, global ones first, then block by block.
[[nodiscard]] std::vector<TensorSpec> enumerate_tensors(const Model& m);

struct ParamCounts {
  std::uint64_t total = 0;
  std::uint64_t routed_expert = 0;  ///< all routed-expert weights
  std::uint64_t active = 0;         ///< touched per token: total - routed × (1 - active/experts)
  /// Per-layer token embeddings (in total and active): a lookup table of which a token reads one
  /// row, not a matrix it multiplies.
  std::uint64_t per_layer_embd = 0;
  std::uint64_t not_loaded = 0;     ///< in the file only (MTP blocks); not in total
};

/// Whether a tensor is one of llama.cpp's input tensors (LLM_TENSOR_LAYER_INPUT: token_embd,
/// per_layer_token_embd), which stay in host memory and are read a row per token.
[[nodiscard]] bool is_input_tensor(std::string_view group);

/// Parameter counts from the architecture (compare with the published `params_total`).
[[nodiscard]] ParamCounts count_params(const Model& m);

/// How the totals count a tensor apart from its layer: the input tables have totals of their own.
enum class TensorRole : std::uint8_t {
  token_embd,
  per_layer_token_embd,
  other,
};

/// The role of a tensor group (TensorSpec::group).
[[nodiscard]] TensorRole tensor_role(std::string_view group);

/// A model's tensors with all that sizing them at a quant reads and no quant changes, worked out once:
/// the tensor list; each distinct group with the name recipe rules know it by and the type the model
/// ships it in; the kinds of tensor a recipe types and sizes alike (a group, a shape and the layer
/// selectors' verdicts at the tensor's position, the same in most layers); the model-wide facts rules
/// test. It copies what it needs and points into nothing: classify a model once, then size it at many
/// quants (weight_totals), typing each kind once instead of each tensor.
struct ModelTensors {
  struct Group {
    std::string name;                        ///< TensorSpec::group
    std::string recipe_name;                 ///< what rules name it by (tied token_embd: "output")
    std::optional<std::string> native_type;  ///< tensor_types id from Model::native_types
  };
  /// Tensors that every quant gives one type and the same bytes.
  struct Kind {
    std::uint32_t group = 0;  ///< index into `groups`
    std::uint64_t row_length = 0;
    std::uint64_t n_elements = 0;
    bool is_vector = false;
    bool keep_unquantized = false;
    bool more_bits = false;     ///< LayerSelector::more_bits matches the tensors' position
    bool first_eighth = false;  ///< LayerSelector::first_eighth does
    std::uint64_t n_loaded = 0;  ///< tensors of this kind that llama.cpp loads (not TensorSpec::not_loaded)
  };
  struct Entry {
    std::uint32_t kind = 0;  ///< index into `kinds`
    TensorRole role = TensorRole::other;
  };
  std::vector<TensorSpec> specs;  ///< enumerate_tensors(m)
  std::vector<Entry> entries;     ///< one per spec, in the same order
  std::vector<Kind> kinds;        ///< in order of first appearance
  std::vector<Group> groups;      ///< in order of first appearance
  std::uint32_t n_layers = 0;
  std::uint32_t gqa = 0;        ///< what QuantRule::min_gqa is compared with (layer 0's when layers differ)
  std::uint32_t n_experts = 0;  ///< what QuantRule::min_experts is compared with
};

/// The model's tensors classified for the quant recipes (see ModelTensors).
[[nodiscard]] ModelTensors classify_tensors(const Model& m);

/// Bytes of `n_elements` stored as `type` in rows of `row_length`: GGML types (those with a
/// `ggml_type`) store each row as whole blocks; other formats pack blocks across the tensor.
[[nodiscard]] std::uint64_t tensor_bytes(const TensorType& type, std::uint64_t row_length,
                                         std::uint64_t n_elements);

/// Looks a tensor type up by id; nullptr when absent.
[[nodiscard]] const TensorType* find_type(const std::vector<TensorType>& types, std::string_view id);

/// A tensor with the type the quant recipe gives it and its bytes.
struct PlacedTensor {
  TensorSpec spec;
  const TensorType* type = nullptr;
  std::uint64_t bytes = 0;
};

struct WeightsResult {
  std::vector<PlacedTensor> tensors;
  std::uint64_t total_bytes = 0;
  std::uint64_t token_embd_bytes = 0;
  std::uint64_t output_bytes = 0;          ///< output head and output_norm (the "output layer")
  /// per_layer_token_embd (Gemma 3n, Gemma 4 E2B/E4B): an input tensor, in host memory with token_embd.
  std::uint64_t per_layer_embd_bytes = 0;
  std::vector<std::uint64_t> layer_bytes;  ///< per block, all tensors
  std::vector<std::uint64_t> layer_expert_bytes;  ///< per block, routed-expert tensors only
  std::uint64_t routed_expert_bytes = 0;
  std::uint64_t cpu_repack_bytes = 0;      ///< matrices (not token_embd) of cpu_repack types
  std::vector<std::uint64_t> layer_cpu_repack_bytes;
  std::vector<std::uint64_t> layer_expert_cpu_repack_bytes;  ///< routed-expert part of the above
  std::uint64_t output_cpu_repack_bytes = 0;
  std::vector<std::string> errors;         ///< unknown tensor types named by the recipe
  /// The CPU's matrix work on these weights, for cpu_matmul_speed(): values (elements) and values ÷ their
  /// type's cpu_matmul_speed, summed over the loaded matrices apart from the input tables, the routed experts
  /// apart (a token reaches n_active / n_experts of them) and token_embd apart (the output head when tied).
  double cpu_matmul_values = 0;
  double cpu_matmul_time = 0;
  double cpu_expert_values = 0;
  double cpu_expert_time = 0;
  double cpu_embd_values = 0;
  double cpu_embd_time = 0;
  /// The same matrices' values by the GPU kernel family their type runs through (TensorType::gpu_kernel), for
  /// prompt_kernel_shares(): other matrices, routed experts and token_embd apart, as above.
  PerKernel kernel_values{};
  PerKernel kernel_expert_values{};
  PerKernel kernel_embd_values{};
  /// Bytes of tensors the file holds but llama.cpp does not load (MTP blocks); in no total above.
  std::uint64_t not_loaded_bytes = 0;
  /// Bytes of tensor data in the file: what is loaded plus what is skipped.
  [[nodiscard]] std::uint64_t file_bytes() const { return total_bytes + not_loaded_bytes; }
  /// Bits per weight over all tensors.
  [[nodiscard]] double bits_per_weight(std::uint64_t params) const {
    return params == 0 ? 0.0 : 8.0 * static_cast<double>(total_bytes) / static_cast<double>(params);
  }
};

/// Adds up tensors whose types and bytes are already known (a GGUF file's tensor table, or the
/// recipe below): totals, per-layer bytes, routed-expert bytes and the CPU repack copy.
/// Tensors with a layer outside [0, n_layers) count with the output layer.
[[nodiscard]] WeightsResult summarize_weights(const Model& m, std::vector<PlacedTensor> tensors);

/// Applies the quant's recipe to every tensor (first matching rule, else default_type; 1-D tensors
/// take vector_type) and adds up the bytes.
[[nodiscard]] WeightsResult weight_bytes(const Model& m, const Quant& q, const std::vector<TensorType>& types);
/// The same, on the model's tensors already classified (classify_tensors(m)).
[[nodiscard]] WeightsResult weight_bytes(const ModelTensors& tensors, const Quant& q,
                                         const std::vector<TensorType>& types);
/// The same totals without the per-tensor list (`tensors` stays empty): for a caller sizing one model
/// at many quants.
[[nodiscard]] WeightsResult weight_totals(const ModelTensors& tensors, const Quant& q,
                                          const std::vector<TensorType>& types);
/// weight_totals(tensors, q, types).total_bytes alone, counted kind by kind instead of tensor by tensor;
/// nullopt when that result has errors (the quant or the model names a type `types` lacks).
[[nodiscard]] std::optional<std::uint64_t> weight_total_bytes(const ModelTensors& tensors, const Quant& q,
                                                              const std::vector<TensorType>& types);

}  // namespace llmsize::engine
