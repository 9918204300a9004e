#pragma once
/// Each configuration case's band, fitted once by the build (tools/bake_bands.cpp): it predicts every
/// "fit" row of the built-in catalog as `check` would (bench_cases.h) and runs engine::fit_case_bands on
/// the ratios. Defined in the generated baked_case_bands.cpp (library llmsize_baked_bands), which every
/// program linking llmsize_cli links too; the generator itself defines it as empty. The test "the baked
/// case bands are the fit of the embedded catalog" keeps the two identical.
#include <vector>

#include "llmsize/engine/speed_case.h"

namespace llmsize::cli {

[[nodiscard]] const std::vector<engine::CaseBand>& baked_case_bands();

}  // namespace llmsize::cli
