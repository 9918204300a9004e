#pragma once
/// The per-backend efficiency factors fitted on the built-in catalog's benchmark rows, computed once
/// by the build (tools/bake.cpp runs fit_catalog_calibration on the embedded data/ files
/// and writes them as C++). Commands use these instead of parsing 1.4 MB of rows and fitting on every
/// run; a --catalog or $LLMSIZE_CATALOG overlay can change the rows or the hardware they ran on, so
/// with one the CLI fits again. The test "the baked calibration is the fit of the embedded catalog"
/// keeps the two identical to the last bit.
#include "llmsize/engine/speed.h"

namespace llmsize::machine {

[[nodiscard]] const engine::Calibration& baked_calibration();

}  // namespace llmsize::machine
