// The device-ordering score of `catalog calibration --cases` (issue 13: recommend users act on the order).
#include <catch2/catch.hpp>

#include <sstream>

#include "cli/bench_cases.h"
#include "cli/context.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace {

Benchmark row(const char* hardware, double measured) {
  Benchmark b;
  b.hardware = hardware;
  b.model = "llama-3.1-8b";
  b.quant = "q4-k-m";
  b.phase = BenchPhase::decode;
  b.tokens = 128;
  b.tokens_per_s = measured;
  return b;
}

llmsize::cli::CasePrediction predicted(const Benchmark& b, double tokens_per_s) {
  llmsize::cli::CasePrediction p;
  p.bench = &b;
  p.case_name = "one GPU, dense";
  p.predicted = true;
  p.tokens_per_s = tokens_per_s;
  return p;
}

}  // namespace

TEST_CASE("device order: pairs measured more than 5% apart, scored by the predicted order", "[cli][calibration]") {
  const Benchmark a = row("rtx-4090", 150);
  const Benchmark b = row("rtx-3090", 110);
  const Benchmark c = row("rtx-3080", 108);  // within 5% of the 3090: a tie, not scored against it
  const Benchmark d = row("rtx-4090", 151);  // the same card again: never a pair with the other 4090 row
  // Predicted: 4090 > 3090 (right), 3080 > 4090 (wrong); 3080 vs 3090 is a tie; 4090 vs 4090 skipped.
  const std::vector<llmsize::cli::CasePrediction> rows = {predicted(a, 140), predicted(b, 100), predicted(c, 145),
                                                          predicted(d, 141)};
  const auto s = llmsize::cli::score_ordering(rows);
  // Pairs: (a,b) right, (a,c) wrong, (d,b) right, (d,c) wrong; (b,c) tie; (a,d) same hardware.
  CHECK(s.pairs == 4);
  CHECK(s.agree_share == Approx(0.5));
  // A row of another test is another group.
  Benchmark e = row("rtx-3060-12gb", 60);
  e.phase = BenchPhase::prefill;
  const std::vector<llmsize::cli::CasePrediction> more = {predicted(a, 140), predicted(e, 500)};
  CHECK(llmsize::cli::score_ordering(more).pairs == 0);
}

TEST_CASE("a prediction's engine case is the case its benchmark row is scored in", "[cli][calibration][case]") {
  // The band a prediction prints is its placement's case (engine::speed_case); the per-case table groups
  // rows by their stated configuration. For every predicted llama.cpp row the two name the same case.
  std::ostringstream err;
  llmsize::cli::Context ctx(err);
  ctx.load_catalog(llmsize::cli::CatalogUse::loaded_with_benchmarks);
  std::size_t compared = 0;
  std::size_t differ = 0;
  std::string which;
  for (const llmsize::cli::CasePrediction& p : llmsize::cli::predict_benchmarks(ctx)) {
    if (!p.predicted || p.bench->engine != Engine::llama_cpp) continue;
    REQUIRE(p.speed_case.has_value());
    ++compared;
    if (p.case_name != to_string(*p.speed_case)) {
      ++differ;
      which += p.bench->meta.id + ": row " + p.case_name + ", engine " + to_string(*p.speed_case) + "\n";
    }
  }
  CHECK(compared >= 1000);
  INFO(which);
  CHECK(differ == 0);
}
