#pragma once
/// The configuration case of a prediction (issue 13): the groups docs/calibration.md scores
/// measurements in, and the key of each case's own uncertainty band (CaseBand).
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "llmsize/engine/entry.h"
#include "llmsize/engine/model.h"
#include "llmsize/engine/placement.h"
#include "llmsize/engine/runtime.h"

namespace llmsize::engine {

/// Which configuration a prediction is for. The first that applies, in this order: a filled context
/// (llama-bench -d), a micro-batch below kSmallUbatch (-ub; prompt kernels at a few rows a step run far
/// below their large-batch rate: an RTX 3090 at -ub 16 measures 0.11-0.27 of the prediction, PR 7716's
/// sweep), no layer on a GPU (none, or -ngl 0), routed experts of GPU layers in system RAM
/// (--n-cpu-moe), layers (or the output layer) in system RAM, several GPUs (by split mode), a
/// unified-memory machine, one GPU; dense or MoE where the model matters.
enum class SpeedCase {
  one_gpu_dense,
  one_gpu_moe,
  unified_dense,
  unified_moe,
  experts_in_ram,
  partial_offload,
  split_layer,
  split_row,
  split_tensor,
  cpu_only,
  depth,
  small_ubatch,
};

/// Micro-batches below this many tokens are their own case (llama.cpp's default -ub is 512).
inline constexpr std::uint32_t kSmallUbatch = 128;

/// The one list of cases and their names, as the per-case table prints them.
inline constexpr std::array<EnumName<SpeedCase>, 12> kSpeedCaseNames = {{
    {SpeedCase::one_gpu_dense, "one GPU, dense"},
    {SpeedCase::one_gpu_moe, "one GPU, MoE"},
    {SpeedCase::unified_dense, "unified memory, dense"},
    {SpeedCase::unified_moe, "unified memory, MoE"},
    {SpeedCase::experts_in_ram, "MoE experts in RAM"},
    {SpeedCase::partial_offload, "partial layer offload"},
    {SpeedCase::split_layer, "multi-GPU, split layer"},
    {SpeedCase::split_row, "multi-GPU, split row"},
    {SpeedCase::split_tensor, "multi-GPU, split tensor"},
    {SpeedCase::cpu_only, "CPU only"},
    {SpeedCase::depth, "depth (context already filled)"},
    {SpeedCase::small_ubatch, "small micro-batch (-ub below 128)"},
}};

[[nodiscard]] const char* to_string(SpeedCase c);

/// The case of a model placed as `p` with `depth_tokens` already in the context, run at micro-batch `ubatch`.
[[nodiscard]] SpeedCase speed_case(const Model& m, const Placement& p, std::uint64_t depth_tokens,
                                   std::uint32_t ubatch = 512);

/// One case's band, as ratios measured / predicted: the 5th and 95th percentile over the case's "fit"
/// rows predicted as `check` predicts them (docs/calibration.md, "Bands per case"). A prediction prints
/// the hull of its case's band and its backend's (Efficiency): a case's own rows widen the band where the
/// configuration scatters more than one device holding the model, never narrow it. A test whose rows
/// count is 0 has no band of its own (fewer than kMinCaseBandRows rows): the backend's band alone. Each engine
/// has its own from its own rows (ik_llama.cpp's scatter is not llama.cpp's); a test an engine has too few rows
/// of takes llama.cpp's band for the case.
struct CaseBand {
  SpeedCase speed_case = SpeedCase::one_gpu_dense;
  Engine engine = Engine::llama_cpp;  ///< whose rows: a prediction for another engine falls back to llama.cpp's
  double decode_ratio_low = 1;
  double decode_ratio_high = 1;
  double prefill_ratio_low = 1;
  double prefill_ratio_high = 1;
  std::size_t decode_rows = 0;   ///< fit rows the decode band comes from (0: none of its own)
  std::size_t prefill_rows = 0;
  friend bool operator==(const CaseBand&, const CaseBand&) = default;
};

/// A case needs this many fit rows of a test for a band of its own: with 10, the 5th and 95th
/// percentiles interpolate between the two lowest and the two highest rows.
inline constexpr std::size_t kMinCaseBandRows = 10;

/// Measured / predicted of one fit row, for fit_case_bands.
struct CaseRatio {
  SpeedCase speed_case = SpeedCase::one_gpu_dense;
  bool decode = true;
  double ratio = 1;
  Engine engine = Engine::llama_cpp;
};

/// Every case's band from the ratios of its fit rows, per engine: the 5th–95th percentile, never narrower
/// than ±10%, for each test with at least kMinCaseBandRows rows. One entry per engine and case with a band of
/// either test, in kEngineNames then kSpeedCaseNames order.
[[nodiscard]] std::vector<CaseBand> fit_case_bands(const std::vector<CaseRatio>& ratios);

}  // namespace llmsize::engine
