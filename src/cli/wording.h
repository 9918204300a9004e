#pragma once
// Sentences made from typed results at render time. The data (placement reasons, assumptions) is
// what commands compute and what --json prints; these functions only word it.
#include <string>

#include "llmsize/engine/placement.h"

namespace llmsize::cli {

/// Why a placement does not fit, or how it was made to fit; "" when it fits entirely.
/// Example: "14 of 33 layers in system RAM".
[[nodiscard]] std::string reason_text(const engine::Placement& p);

}  // namespace llmsize::cli
