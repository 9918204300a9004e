// totals(placement): every renderer's one source for memory sums. The invariant the review asked for
// (design-review problem 2): the devices' used bytes add up to the total, tied embeddings included.
#include <catch2/catch.hpp>

#include <numeric>

#include "llmsize/engine/placement.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using llmsize::units::kGiB;

namespace {

struct Case {
  const char* name;
  Model (*model)();
  const char* quant;
};

Placement place_on(const Model& m, const char* quant, const std::vector<double>& gpu_gib, std::uint64_t ram_bytes,
                   bool unified) {
  const std::vector<TensorType> types = test::ggml_types();
  const WeightsResult w = weight_bytes(m, test::uniform_quant(quant), types);
  KvSettings s;
  s.context_tokens = 8192;
  s.type_k = find_type(types, "f16");
  s.type_v = s.type_k;
  PlacementRequest r;
  int i = 0;
  for (double g : gpu_gib) {
    r.devices.push_back({"gpu" + std::to_string(i++), unified ? DeviceKind::unified : DeviceKind::gpu, Backend::cuda,
                         units::gib_to_bytes(g), std::nullopt});
  }
  r.host_ram_bytes = ram_bytes;
  r.unified_memory = unified;
  return place(m, w, kv_cache(m, s), r);
}

}  // namespace

TEST_CASE("the devices' used bytes add up to totals(), for tied and untied models on every kind of build",
          "[placement][totals][property]") {
  const Case c = GENERATE(Case{"Llama-3.1-8B (untied)", test::llama_3_1_8b, "q4-0"},
                          Case{"Llama-3.2-1B (tied)", test::llama_3_2_1b, "q8-0"},
                          Case{"Gemma-3-1B (tied, sliding window)", test::gemma_3_1b, "q4-0"},
                          Case{"DeepSeek-V3 (MoE, MLA)", test::deepseek_v3, "q4-0"});
  const std::vector<double> gpus = GENERATE(std::vector<double>{}, std::vector<double>{24}, std::vector<double>{6},
                                            std::vector<double>{24, 24}, std::vector<double>{4, 8, 12});
  const std::uint64_t ram = GENERATE(16 * kGiB, 512 * kGiB);
  CAPTURE(c.name, gpus, ram);
  const Placement p = place_on(c.model(), c.quant, gpus, ram, false);
  const PlacementTotals t = totals(p);
  std::uint64_t devices = p.host.required_bytes();
  std::uint64_t weights = p.host.weights_bytes;
  for (const DevicePlacement& d : p.devices) {
    devices += d.used_bytes();
    weights += d.weights_bytes;
  }
  CHECK(t.with_host.used_bytes == devices);
  CHECK(t.with_host.used_bytes == t.gpus.used_bytes + t.host.used_bytes);
  CHECK(t.with_host.weights_bytes == weights);
  CHECK(t.with_host.used_bytes == t.with_host.weights_bytes + t.with_host.kv_cache_bytes +
                                      t.with_host.compute_buffer_bytes + t.with_host.overhead_bytes);
  CHECK(t.host.repack_bytes == p.host.repack_bytes);
  CHECK(&t.deciding(p) == (gpus.empty() ? &t.with_host : &t.gpus));
}

TEST_CASE("a tied model on one GPU: the total counts token_embd twice, in RAM and as the GPU's output layer",
          "[placement][totals]") {
  const Model m = test::llama_3_2_1b();
  const std::vector<TensorType> types = test::ggml_types();
  const WeightsResult w = weight_bytes(m, test::uniform_quant("q8-0"), types);
  const Placement p = place_on(m, "q8-0", {24}, 32 * kGiB, false);
  REQUIRE(p.verdict == Verdict::fits);
  // token_embd: 128256 × 2048 values in Q8_0 = 128256 × 64 blocks × 34 B = 279,085,056 B, once in RAM
  // (the input embedding) and once on the GPU as the tied output head (TENSOR_DUPLICATED).
  REQUIRE(w.token_embd_bytes == 279'085'056);
  CHECK(totals(p).with_host.weights_bytes == w.total_bytes + w.token_embd_bytes);
  // The GPU holds every tensor but the input embedding, plus the embedding's copy as the output head.
  CHECK(totals(p).gpus.weights_bytes == w.total_bytes);
}

TEST_CASE("a unified system's pool is RAM less the OS reserve, shared by its GPU and CPU", "[placement][totals]") {
  const Placement p = place_on(test::llama_3_1_8b(), "q4-0", {48}, 64 * kGiB, true);
  REQUIRE(p.verdict == Verdict::fits);
  const PlacementTotals t = totals(p);
  CHECK(t.with_host.capacity_bytes == 64 * kGiB - kOsReserveBytes);
  CHECK(&t.deciding(p) == &t.with_host);
}

TEST_CASE("one_device_totals: weights + KV + compute with the output layer + logits", "[placement][totals]") {
  const Model m = test::llama_3_1_8b();
  const std::vector<TensorType> types = test::ggml_types();
  const WeightsResult w = weight_bytes(m, test::uniform_quant("q4-0"), types);
  KvSettings s;
  s.context_tokens = 8192;
  s.type_k = find_type(types, "f16");
  s.type_v = s.type_k;
  const KvResult kv = kv_cache(m, s);
  const MemoryTotals t = one_device_totals(m, w, kv);
  CHECK(t.kv_cache_bytes == 1024 * units::kMiB);
  // 512 × (4 × 128256 + 8 × 4096) = 279,445,504 B (266.5 MiB, the oracle's CPU compute buffer).
  CHECK(t.compute_buffer_bytes == 279'445'504);
  CHECK(t.overhead_bytes == 128256 * 4);  // one sequence's f32 logits
  CHECK(t.used_bytes == w.total_bytes + 1024 * units::kMiB + 279'445'504 + 128256 * 4);
}
