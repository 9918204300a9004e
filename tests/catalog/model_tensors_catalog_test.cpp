// Every catalog model at every catalog quant: the sizes read from one classification of the model
// (classify_tensors, shared by all quants, kinds typed once) are byte for byte those of typing every
// tensor on its own, and the totals re-add the same from the tensor list (summarize_weights).
#include <catch2/catch.hpp>

#include "../engine/model_tensors_support.h"
#include "llmsize/catalog/compiled.h"
#include "llmsize/engine/weights.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

TEST_CASE("catalog: sizes from one classification per model equal typing each tensor alone, every model and quant",
          "[weights][model_tensors][catalog]") {
  const catalog::Catalog cat = catalog::compiled_catalog();
  REQUIRE(cat.models.size() > 200);
  REQUIRE(cat.quants.size() > 10);
  std::size_t compared = 0;
  for (const Model& m : cat.models) {
    const ModelTensors shared = classify_tensors(m);
    const ModelTensors alone = test::one_kind_per_tensor(shared);
    for (const Quant& q : cat.quants) {
      const WeightsResult listed = weight_bytes(shared, q, cat.tensor_types);
      const WeightsResult reference = weight_bytes(alone, q, cat.tensor_types);
      const std::optional<std::uint64_t> total = weight_total_bytes(shared, q, cat.tensor_types);
      std::string difference = test::totals_difference(listed, reference);
      if (difference.empty()) difference = test::tensors_difference(listed, reference);
      if (difference.empty()) difference = test::totals_difference(weight_totals(shared, q, cat.tensor_types), reference);
      if (difference.empty() && reference.errors.empty()) {
        difference = test::totals_difference(summarize_weights(m, reference.tensors), reference);
      }
      if (difference.empty() && total.has_value() != reference.errors.empty()) difference = "weight_total_bytes errors";
      if (difference.empty() && total && *total != reference.total_bytes) difference = "weight_total_bytes";
      INFO(m.meta.id << " at " << q.meta.id << ": " << difference);
      REQUIRE(difference.empty());
      ++compared;
    }
  }
  CHECK(compared == cat.models.size() * cat.quants.size());
}
