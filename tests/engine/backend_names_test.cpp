// Backend names live in one table (entry.h): every backend round-trips through it, and the catalog
// and the user profile read names through it, never through the order of the enum.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/entry.h"
#include "llmsize/machine/profile.h"
#include "../machine/temp_config.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using llmsize::engine::Backend;
using llmsize::engine::kBackendNames;

namespace {

// A GPU entry listing `backends` (a JSON array), in a catalog overlay named test.json.
std::string gpu_with_backends(const std::string& backends) {
  return R"({"schema_version": 1, "gpus": [{"id": "g", "name": "G", "source": "s", "vendor": "nvidia",
    "form_factor": "desktop", "memory_type": "GDDR6", "memory_gib": 12, "bandwidth_gb_per_s": 360,
    "tdp_watts": 170, "launch_year": 2021, "pcie_gen": 4, "pcie_lanes": 16, "backends": )" +
         backends + "}]}";
}

}  // namespace

TEST_CASE("every backend round-trips through the one name table", "[engine][backend]") {
  std::set<int> values;
  std::set<std::string> ids;
  for (const llmsize::engine::BackendName& row : kBackendNames) {
    values.insert(static_cast<int>(row.backend));
    ids.insert(row.id);
    CHECK(std::string(llmsize::engine::to_string(row.backend)) == row.id);
    CHECK(llmsize::engine::backend_from_id(row.id) == row.backend);
  }
  // One row per enum value 0..N-1, no value twice, no id twice.
  CHECK(values.size() == kBackendNames.size());
  CHECK(*values.rbegin() == static_cast<int>(kBackendNames.size()) - 1);
  CHECK(ids.size() == kBackendNames.size());
  CHECK(std::string(llmsize::engine::to_string(Backend::rocm)) == "rocm");
  CHECK_FALSE(llmsize::engine::backend_from_id("CUDA"));  // ids are exact; labels are for people
  CHECK_FALSE(llmsize::engine::backend_from_id("cann"));
  CHECK(llmsize::engine::backend_labels() == "CUDA, ROCm, Vulkan, SYCL, Metal, CPU");
}

TEST_CASE("the catalog reads every backend id to its backend, by name", "[catalog][backend]") {
  std::string all = "[";
  for (const llmsize::engine::BackendName& row : kBackendNames) all += std::string(all.size() > 1 ? ", " : "") + "\"" + row.id + "\"";
  all += "]";
  const auto loaded = llmsize::catalog::load({{"test.json", gpu_with_backends(all)}}, {});
  REQUIRE(loaded.ok());
  REQUIRE(loaded.catalog.gpus.size() == 1);
  const std::vector<Backend>& got = loaded.catalog.gpus[0].backends;
  REQUIRE(got.size() == kBackendNames.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == kBackendNames[i].backend);
}

TEST_CASE("the catalog rejects an unknown backend and suggests the nearest", "[catalog][backend]") {
  const auto loaded = llmsize::catalog::load({{"test.json", gpu_with_backends(R"(["vulkan", "cudda"])")}}, {});
  REQUIRE(loaded.errors.size() == 1);
  CHECK(loaded.errors[0].to_string() ==
        "test.json: /gpus/0/backends/1: \"cudda\" is not one of \"cuda\", \"rocm\", \"vulkan\", \"sycl\", \"metal\" or "
        "\"cpu\" (did you mean \"cuda\"?)");
}

TEST_CASE("the user profile stores and reads back every backend by id", "[machine][profile][backend]") {
  const TempConfig config;
  llmsize::machine::MachineProfile profile;
  for (const llmsize::engine::BackendName& row : kBackendNames) {
    llmsize::engine::Efficiency e;
    e.backend = row.backend;
    profile.efficiencies.push_back(e);
  }
  llmsize::machine::save_profile(config.path(), profile);
  const auto loaded = llmsize::machine::load_profile(config.path());
  REQUIRE(loaded.efficiencies.size() == kBackendNames.size());
  for (std::size_t i = 0; i < kBackendNames.size(); ++i) CHECK(loaded.efficiencies[i].backend == kBackendNames[i].backend);
}

TEST_CASE("every form factor round-trips through its name table, and the catalog reads it by name", "[engine][catalog]") {
  std::set<int> values;
  for (const auto& row : llmsize::engine::kFormFactorNames) {
    values.insert(static_cast<int>(row.value));
    CHECK(std::string(llmsize::engine::to_string(row.value)) == row.id);
  }
  CHECK(values.size() == llmsize::engine::kFormFactorNames.size());
  CHECK(*values.rbegin() == static_cast<int>(llmsize::engine::kFormFactorNames.size()) - 1);
  // "laptop" in a catalog entry is FormFactor::laptop, whatever the order of the table.
  std::string gpu = gpu_with_backends(R"(["cuda"])");
  gpu.replace(gpu.find("\"desktop\""), 9, "\"laptop\"");
  const auto loaded = llmsize::catalog::load({{"test.json", gpu}}, {});
  REQUIRE(loaded.ok());
  CHECK(loaded.catalog.gpus.at(0).form_factor == llmsize::engine::FormFactor::laptop);
}
