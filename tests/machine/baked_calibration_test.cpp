// The calibration the build bakes in (tools/bake.cpp) and the catalog load that skips the
// benchmark rows when a command does not need them (LoadOptions::benchmarks).
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/baked_case_bands.h"
#include "cli/bench_cases.h"
#include "cli/context.h"
#include "cli/hardware_config.h"
#include "llmsize/catalog/catalog.h"
#include "llmsize/machine/baked_calibration.h"
#include "llmsize/machine/calibrate.h"
#include "temp_config.h"

using namespace llmsize;

namespace {

catalog::LoadResult embedded(bool benchmarks) {
  catalog::LoadOptions options;
  options.benchmarks = benchmarks;
  return catalog::load(catalog::embedded_files(), {}, options);
}

}  // namespace

TEST_CASE("the baked calibration is the fit of the embedded catalog, to the last bit", "[calibration][baked]") {
  // A stale generated file (data/ or the fit changed without the generator rerunning) fails here.
  const catalog::LoadResult loaded = embedded(true);
  REQUIRE(loaded.ok());
  const engine::Calibration fitted = machine::fit_catalog_calibration(loaded.catalog);
  const engine::Calibration& baked = machine::baked_calibration();
  REQUIRE(baked.backends.size() == fitted.backends.size());
  for (std::size_t i = 0; i < fitted.backends.size(); ++i) {
    INFO(to_string(fitted.backends[i].backend));
    CHECK(baked.backends[i] == fitted.backends[i]);
  }
  REQUIRE(baked.classes.size() == fitted.classes.size());
  for (std::size_t i = 0; i < fitted.classes.size(); ++i) {
    INFO(to_string(fitted.classes[i].backend) << " " << fitted.classes[i].device_class);
    CHECK(baked.classes[i] == fitted.classes[i]);
  }
  // Datacenter HBM cards on CUDA have their own factors (their rows stream at a lower share of peak).
  CHECK(baked.get(engine::Backend::cuda, "nvidia hbm").device_class == "nvidia hbm");
  CHECK(baked.get(engine::Backend::cuda, "nvidia hbm").bandwidth_efficiency <
        baked.get(engine::Backend::cuda).bandwidth_efficiency);
  // Not the defaults: CUDA's factors come from its rows.
  CHECK(baked.get(engine::Backend::cuda).decode_rows >= 30);
  CHECK(baked.get(engine::Backend::cuda).bandwidth_efficiency != engine::Efficiency{}.bandwidth_efficiency);
}

TEST_CASE("a load without benchmarks skips the rows and keeps every other entry", "[catalog][baked]") {
  const catalog::LoadResult full = embedded(true);
  const catalog::LoadResult lean = embedded(false);
  REQUIRE(full.ok());
  REQUIRE(lean.ok());
  CHECK(full.catalog.benchmarks.size() >= 1500);
  CHECK(full.catalog.benchmarks_loaded);
  CHECK(lean.catalog.benchmarks.empty());
  CHECK_FALSE(lean.catalog.benchmarks_loaded);
  CHECK(lean.catalog.models.size() == full.catalog.models.size());
  CHECK(lean.catalog.gpus.size() == full.catalog.gpus.size());
  CHECK(lean.catalog.systems.size() == full.catalog.systems.size());
  CHECK(lean.catalog.cpus.size() == full.catalog.cpus.size());
  CHECK(lean.catalog.quants.size() == full.catalog.quants.size());
  CHECK(lean.catalog.tensor_types.size() == full.catalog.tensor_types.size());
  // Fitting on a catalog without its rows is a programming error, not an empty fit.
  CHECK_THROWS_AS(machine::catalog_calibration_points(lean.catalog), std::logic_error);
}

TEST_CASE("only files that hold nothing but benchmarks are skipped", "[catalog][baked]") {
  // A rows-only file is not parsed at all without benchmarks: its syntax error shows only with them.
  const catalog::SourceText rows{"rows.json", R"({"schema_version": 1, "benchmarks": [ {"id": oops} ]})"};
  catalog::LoadOptions without;
  without.benchmarks = false;
  CHECK(catalog::load({rows}, {}, without).ok());
  CHECK_FALSE(catalog::load({rows}, {}, {}).ok());

  // A file with other entries is read; its benchmarks are dropped. Braces, brackets, commas and an
  // escaped quote inside strings do not end a value early, and the word "benchmarks" inside a value
  // is not a key.
  const catalog::SourceText mixed{"mixed.json", R"({"schema_version": 1,
    "benchmarks": [],
    "links": [{"id": "l", "name": "benchmarks\"}],{,", "kind": "pcie", "source": "s", "bandwidth_gb_per_s": 10, "latency_us": 5}]})"};
  const catalog::LoadResult m = catalog::load({mixed}, {}, without);
  INFO((m.errors.empty() ? std::string() : m.errors.front().to_string()));
  REQUIRE(m.ok());
  REQUIRE(m.catalog.links.size() == 1);
  CHECK(m.catalog.links[0].meta.name == "benchmarks\"}],{,");
  CHECK(m.catalog.benchmarks.empty());

  // Malformed text is never skipped: the parse reports it, with or without benchmarks.
  for (const std::string text : {R"({"benchmarks": [)", R"({"benchmarks" [] })", "[]", R"({"benchmarks": [], )"}) {
    INFO(text);
    CHECK_FALSE(catalog::load({{"bad.json", text}}, {}, without).ok());
  }
}

TEST_CASE("with a catalog overlay the CLI fits on the merged rows instead of the baked factors", "[calibration][baked][cli]") {
  // An overlay can replace a row or the hardware a row ran on, so the built-in fit may no longer hold.
  // This one makes the M1 7-core's two Metal prefill rows 10x faster, both fit rows: the Metal prefill factor
  // rises (0.728 -> 0.745; it is fitted on 20-odd Metal rows) and CUDA's stays as baked.
  const catalog::LoadResult full = embedded(true);
  REQUIRE(full.ok());
  std::string rows;
  for (const engine::Benchmark& b : full.catalog.benchmarks) {
    if (b.backend != engine::Backend::metal || b.phase != engine::BenchPhase::prefill) continue;
    if (b.meta.id.rfind("apple-m1-7c-", 0) != 0) continue;
    rows += std::string(rows.empty() ? "" : ",") + R"({"id": ")" + b.meta.id + R"(", "name": "n", "hardware": ")" +
            b.hardware + R"(", "n_devices": 1, "backend": "metal", "model": ")" + b.model + R"(", "quant": ")" +
            b.quant + R"(", "test": "pp)" + std::to_string(b.tokens) + R"(", "tokens_per_s": )" +
            std::to_string(b.tokens_per_s * 10) + R"(, "set": "fit", "source": "test"})";
  }
  REQUIRE_FALSE(rows.empty());
  const TempConfig dir;
  const std::string path = (dir.path() / "faster.json").string();
  std::ofstream(path) << R"({"schema_version": 1, "benchmarks": [)" << rows << "]}";

  std::ostringstream err;
  cli::Context plain(err);
  plain.load_catalog(cli::CatalogUse::loaded);
  CHECK_FALSE(plain.catalog.benchmarks_loaded);
  CHECK(cli::calibration(plain).backends == machine::baked_calibration().backends);

  cli::Context overlaid(err);
  overlaid.catalog_files = {path};
  overlaid.load_catalog(cli::CatalogUse::loaded);
  CHECK(overlaid.catalog.benchmarks_loaded);
  const engine::Efficiency& metal = cli::calibration(overlaid).get(engine::Backend::metal);
  CHECK(metal.prefill_efficiency > 1.02 * machine::baked_calibration().get(engine::Backend::metal).prefill_efficiency);
  // CUDA's factors come from its own rows; only its prefill band may move, pooled over every backend's rows.
  const engine::Efficiency& cuda = cli::calibration(overlaid).get(engine::Backend::cuda);
  const engine::Efficiency& baked_cuda = machine::baked_calibration().get(engine::Backend::cuda);
  CHECK(cuda.prefill_efficiency == baked_cuda.prefill_efficiency);
  CHECK(cuda.bandwidth_efficiency == baked_cuda.bandwidth_efficiency);
  CHECK(cuda.per_token_s == baked_cuda.per_token_s);
  CHECK(cuda.decode_ratio_low == baked_cuda.decode_ratio_low);
  CHECK(cuda.decode_ratio_high == baked_cuda.decode_ratio_high);
}

TEST_CASE("the baked case bands are the fit of the embedded catalog, to the last bit", "[calibration][baked][case]") {
  // tools/bake_bands.cpp predicts the fit rows with the baked factors; a stale generated file fails here.
  std::ostringstream err;
  cli::Context ctx(err);
  ctx.load_catalog(cli::CatalogUse::loaded_with_benchmarks);
  const std::vector<engine::CaseBand> fitted = cli::fit_case_bands(cli::predict_benchmarks(ctx, cli::RowSet::fit));
  CHECK(fitted == cli::baked_case_bands());
  // The calibration commands use carries them; one GPU holding a dense model has bands of both tests.
  CHECK(cli::calibration(ctx).case_bands == cli::baked_case_bands());
  const engine::CaseBand* one_gpu = cli::calibration(ctx).band(engine::SpeedCase::one_gpu_dense);
  REQUIRE(one_gpu != nullptr);
  CHECK(one_gpu->decode_rows >= engine::kMinCaseBandRows);
  CHECK(one_gpu->prefill_rows >= engine::kMinCaseBandRows);
  CHECK(one_gpu->decode_ratio_low < 1.0);
  CHECK(one_gpu->decode_ratio_high > 1.0);
}
