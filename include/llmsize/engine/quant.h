#pragma once
/// Tensor storage types and quantization recipes (docs/catalog.md, `tensor_types`, `quants`).
/// The engine reads these fields; it never switches on a quantization's name.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/engine/entry.h"

namespace llmsize::engine {

/// The family of GPU matrix-multiplication kernels llama.cpp runs a prompt's matrices of a type through: types of
/// one family share a code path (CUDA/HIP mmq.cuh: one MMQ tile loader per block layout; Vulkan mul_mm.comp: one
/// dequantizing loader), and the families reach different shares of a GPU's peak (docs/calibration.md "Kernels
/// by weight type"): `legacy` Q4_0–Q8_0 blocks of 32 with one scale, `k_quant` Q2_K–Q6_K super-blocks of 256
/// with sub-block scales, `i_quant` the IQ codebook and non-linear types, `mxfp4` (its own MMQ path and FP4
/// tensor-core instructions on Blackwell), and the float types, which go to cuBLAS/hipBLAS/rocBLAS or the
/// backend's float GEMM (BF16 on AMD without BF16 matrix instructions: a scalar path, docs/research/bf16-amd.md).
/// `other`: a type without a family of its own (ternary, NVFP4, non-GGUF formats).
enum class MatmulKernel : std::uint8_t { other, legacy, k_quant, i_quant, mxfp4, f16, bf16, f32 };
inline constexpr std::size_t kMatmulKernels = 8;
inline constexpr std::array<EnumName<MatmulKernel>, kMatmulKernels> kMatmulKernelNames = {{
    {MatmulKernel::other, "other"},
    {MatmulKernel::legacy, "legacy"},
    {MatmulKernel::k_quant, "k_quant"},
    {MatmulKernel::i_quant, "i_quant"},
    {MatmulKernel::mxfp4, "mxfp4"},
    {MatmulKernel::f16, "f16"},
    {MatmulKernel::bf16, "bf16"},
    {MatmulKernel::f32, "f32"},
}};
/// A value per kernel family, indexed by static_cast<std::size_t>(MatmulKernel).
using PerKernel = std::array<double, kMatmulKernels>;

struct TensorType {
  EntryMeta meta;
  std::uint32_t block_weights = 1;
  std::uint32_t block_bytes = 4;
  std::optional<std::uint32_t> ggml_type;
  std::string fallback;   ///< tensor_types id, empty when none
  bool kv_cache = false;  ///< usable as a KV-cache type
  bool cpu_repack = false;  ///< llama.cpp's x86 CPU backend keeps a repacked copy (CPU_REPACK)
  /// Prompt-processing (matrix multiplication) throughput of llama.cpp's CPU backend on weights of this
  /// type, relative to Q8_0 (= 1): the kernel each type takes (repacked GEMM, llamafile sgemm, or a q8
  /// vec_dot with its unpacking and codebook lookups) sets it. 1 where the catalog has no measurement.
  double cpu_matmul_speed = 1.0;
  /// The GPU matrix-multiplication kernels a prompt's matrices of this type run through.
  MatmulKernel gpu_kernel = MatmulKernel::other;
  friend bool operator==(const TensorType&, const TensorType&) = default;
};

/// Which layers a recipe rule applies to.
enum class LayerSelector {
  all,
  more_bits,     ///< llama.cpp use_more_bits(i, n): i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2
  first_eighth,  ///< i < n/8
};

struct QuantRule {
  std::vector<std::string> tensors;  ///< tensor group names (token_embd, attn_v, ffn_down_exps, ...)
  std::string type;                  ///< tensor_types id
  LayerSelector layers = LayerSelector::all;
  std::optional<std::uint32_t> min_gqa;      ///< rule applies when n_heads / n_kv_heads >= this
  std::optional<std::uint32_t> min_experts;  ///< rule applies when n_experts >= this
  friend bool operator==(const QuantRule&, const QuantRule&) = default;
};

struct Quant {
  EntryMeta meta;
  std::string format;
  std::string default_type;
  std::string vector_type = "f32";
  std::vector<QuantRule> rules;
  std::string quality_note;
  /// The general.file_type a GGUF file made with this recipe records (llama.cpp include/llama.h
  /// enum llama_ftype); GGUF recipes only, unique in the catalog.
  std::optional<std::uint32_t> llama_ftype;
  /// Place on the quality ladder `models --gpu` picks from, 1 = best (llama.cpp
  /// tools/quantize/README.md perplexity ranking); unique; absent: not offered there.
  std::optional<std::uint32_t> quality_rank;
  /// Tensors a model ships in a native type (Model::native_types) keep it under this recipe
  /// (every GGUF recipe: the converter and llama-quantize leave them as shipped).
  bool keeps_native_types = false;
  friend bool operator==(const Quant&, const Quant&) = default;
};

}  // namespace llmsize::engine
