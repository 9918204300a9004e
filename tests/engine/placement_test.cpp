#include <catch2/catch.hpp>

#include "llmsize/engine/placement.h"
#include "llmsize/engine/search.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using llmsize::units::kGiB;
using llmsize::units::kMiB;

namespace {

struct Setup {
  std::vector<TensorType> types = test::ggml_types();
  Model model;
  WeightsResult weights;
  KvResult kv;
  PlacementRequest request;

  Setup(Model m, const char* quant, std::uint64_t ctx) : model(std::move(m)) {
    Quant q = test::uniform_quant(quant);
    // As llama-quantize does for Q4_0 files, the output head is Q6_K.
    q.rules.push_back({{"output"}, "q6-k", LayerSelector::all, std::nullopt, std::nullopt});
    weights = weight_bytes(model, q, types);
    KvSettings s;
    s.context_tokens = ctx;
    s.type_k = find_type(types, "f16");
    s.type_v = s.type_k;
    kv = kv_cache(model, s);
  }
  [[nodiscard]] Placement place() const { return llmsize::engine::place(model, weights, kv, request); }
  void gpus(std::initializer_list<double> gib) {
    request.devices.clear();
    int i = 0;
    for (double g : gib) request.devices.push_back({"gpu" + std::to_string(i++), DeviceKind::gpu, Backend::cuda, units::gib_to_bytes(g), std::nullopt});
  }
};

}  // namespace

TEST_CASE("Llama-3.1-8B Q4_0 fits one 24 GiB GPU, token_embd stays in RAM", "[placement]") {
  Setup s(test::llama_3_1_8b(), "q4-0", 8192);
  s.gpus({24});
  s.request.host_ram_bytes = 32 * kGiB;
  const Placement p = s.place();
  REQUIRE(p.verdict == Verdict::fits);
  CHECK(p.gpu_layers == 33);  // 32 layers + output
  const DevicePlacement& d = p.devices[0];
  CHECK(d.weights_bytes == s.weights.total_bytes - s.weights.token_embd_bytes);
  CHECK(d.kv_cache_bytes == 1024 * kMiB);
  CHECK(d.compute_buffer_bytes == 266 * kMiB + kMiB / 2);
  CHECK(p.host.weights_bytes == s.weights.token_embd_bytes);
  CHECK(p.offloaded_weight_fraction == 0.0);
}

TEST_CASE("partial offload keeps the last layers on the GPU, the output layer first", "[placement]") {
  Setup s(test::llama_3_1_8b(), "q8-0", 8192);  // ~8.5 GB of weights
  s.gpus({6});
  s.request.host_ram_bytes = 64 * kGiB;
  const Placement p = s.place();
  REQUIRE(p.verdict == Verdict::fits_with_offload);
  const DevicePlacement& d = p.devices[0];
  CHECK(d.holds_output);
  CHECK(p.gpu_layers == d.layers + 1);
  CHECK(p.host.layers == 32 - d.layers);
  CHECK(d.used_bytes() + d.margin_bytes <= d.memory_bytes);
  // One more layer would not fit: adding the next layer's weights and KV crosses the limit.
  const std::uint32_t next = 32 - d.layers - 1;
  CHECK(d.used_bytes() + s.weights.layer_bytes[next] + s.kv.layer_bytes[next] + d.margin_bytes > d.memory_bytes);
}

TEST_CASE("two GPUs split layers in proportion to memory, memory adds up", "[placement][multi-gpu]") {
  Setup s(test::llama_3_1_8b(), "f16", 8192);  // ~16 GB
  s.gpus({12, 12});
  s.request.host_ram_bytes = 32 * kGiB;
  const Placement p = s.place();
  REQUIRE(p.verdict == Verdict::fits);
  CHECK(p.devices[0].layers + p.devices[1].layers == 32);
  CHECK(p.devices[1].holds_output);
  CHECK(p.devices[0].layers >= 15);
  CHECK(p.devices[0].layers <= 17);
  s.gpus({12});
  CHECK(s.place().verdict == Verdict::fits_with_offload);
}

TEST_CASE("MoE: the smallest --n-cpu-moe that fits", "[placement][moe]") {
  Setup s(test::deepseek_v3(), "q4-0", 4096);  // ~380 GB
  s.gpus({24});
  s.request.host_ram_bytes = 512 * kGiB;
  const Placement p = s.place();
  REQUIRE(p.verdict == Verdict::fits_with_offload);
  CHECK(p.gpu_layers == 62);
  CHECK(p.n_cpu_moe > 0);
  CHECK(p.devices[0].used_bytes() + p.devices[0].margin_bytes <= p.devices[0].memory_bytes);
  // One fewer CPU-MoE layer would put layer (n_cpu_moe - 1)'s experts on the GPU and overflow it.
  const std::uint64_t back = s.weights.layer_expert_bytes[p.n_cpu_moe - 1];
  CHECK(p.devices[0].used_bytes() + back + p.devices[0].margin_bytes > p.devices[0].memory_bytes);
}

TEST_CASE("CPU only: everything in RAM, with the repacked copy of Q4_0 matrices", "[placement][cpu]") {
  // Oracle: Llama-3.1-8B Q4_0 with mmap: CPU_Mapped 4437.8 MiB + CPU_REPACK 3744.0 MiB.
  Setup s(test::llama_3_1_8b(), "q4-0", 8192);
  s.request.host_ram_bytes = 32 * kGiB;
  Placement p = s.place();
  REQUIRE(p.verdict == Verdict::fits);
  // Repacked: every Q4_0 matrix except token_embd: 32 layers × 218,103,808 weights × 18/32 = 3744 MiB.
  CHECK(p.host.repack_bytes == 3744 * kMiB);
  s.request.mmap = false;
  CHECK(s.place().host.repack_bytes == 0);
  // Required: 4.44 GiB weights + 1 GiB KV + 0.26 compute + 0.15 runtime ≈ 5.9 GiB (the repacked
  // copy counts once); 8 GiB − 2 GiB OS reserve = 6 GiB fits, 6 − 2 = 4 GiB does not.
  s.request.mmap = true;
  s.request.host_ram_bytes = 8 * kGiB;
  CHECK(s.place().verdict == Verdict::fits);
  s.request.host_ram_bytes = 6 * kGiB;
  CHECK(s.place().verdict == Verdict::does_not_fit);
}

TEST_CASE("unified memory: the GPU share and the OS reserve both limit", "[placement][unified]") {
  // F16 with a Q6_K head: 13.4 GiB on the GPU + 1 GiB KV + 0.36 GiB buffers + 1 GiB margin ≈ 15.8 GiB.
  Setup s(test::llama_3_1_8b(), "f16", 8192);
  s.request.unified_memory = true;
  s.request.host_ram_bytes = 20 * kGiB;
  s.request.devices = {{"mac", DeviceKind::unified, Backend::metal, 20 * kGiB / 3 * 2, std::nullopt}};  // 2/3 of 20 GiB
  CHECK(s.place().verdict != Verdict::fits);
  s.request.host_ram_bytes = 32 * kGiB;
  s.request.devices[0].memory_bytes = 24 * kGiB;  // 3/4 of 32 GiB
  CHECK(s.place().verdict == Verdict::fits);
}

TEST_CASE("more memory never turns fits into does-not-fit", "[placement][property]") {
  Setup s(test::llama_3_1_8b(), "q8-0", 16384);
  s.request.host_ram_bytes = 16 * kGiB;
  int previous = 0;  // 0 does_not_fit, 1 offload, 2 fits
  for (double g = 2; g <= 32; g += 0.5) {
    s.gpus({g});
    const Verdict v = s.place().verdict;
    const int rank = v == Verdict::fits ? 2 : v == Verdict::fits_with_offload ? 1 : 0;
    CHECK(rank >= previous);
    previous = rank;
  }
  CHECK(previous == 2);
}

TEST_CASE("tensor parallel: each GPU holds 1/N of the weights and KV", "[placement][multi-gpu]") {
  Setup s(test::llama_3_1_8b(), "f16", 8192);
  s.gpus({12, 12});
  s.request.split = SplitMode::tensor;
  const Placement p = s.place();
  REQUIRE(p.verdict == Verdict::fits);
  // Everything but token_embd (kept in RAM) is split in halves.
  CHECK(p.devices[0].weights_bytes == (s.weights.total_bytes - s.weights.token_embd_bytes) / 2);
  CHECK(p.devices[1].weights_bytes == p.devices[0].weights_bytes);
  CHECK(p.devices[0].kv_cache_bytes == 512 * kMiB);
}

TEST_CASE("the largest context that fits a GPU", "[placement]") {
  Setup s(test::llama_3_1_8b(), "q4-0", 8192);
  s.gpus({12});
  s.request.host_ram_bytes = 32 * kGiB;
  const Quant q = test::uniform_quant("q4-0");
  KvSettings kv;
  kv.type_k = find_type(s.types, "f16");
  kv.type_v = kv.type_k;
  const std::uint64_t best = max_context_that_fits(s.model, q, s.types, kv, s.request, FitTarget::gpu_only);
  // 12 GiB − 1 GiB margin − 300 MiB CUDA − 266.5 MiB compute − ~4.1 GiB weights ≈ 6.3 GiB → ~51K tokens at 128 KiB.
  CHECK(best % 256 == 0);
  CHECK(best > 40000);
  CHECK(best < 60000);
}

TEST_CASE("the placement records its split mode", "[placement][multi-gpu]") {
  Setup s(test::llama_3_1_8b(), "q4-0", 8192);
  s.gpus({24, 24});
  CHECK(s.place().split == SplitMode::layer);
  s.request.split = SplitMode::tensor;
  CHECK(s.place().split == SplitMode::tensor);
  s.gpus({24});  // one GPU: nothing to split
  CHECK(s.place().split == SplitMode::layer);
}

TEST_CASE("placement: -ngl as given: the last N layers on the GPU, the output layer counted, no --fit margin", "[placement][given]") {
  Setup s(test::llama_3_1_8b(), "q4-0", 8192);
  s.gpus({24});
  s.request.host_ram_bytes = 64 * kGiB;
  s.request.choice.gpu_layers = 9;  // the output layer + blocks 24..31
  const Placement p = s.place();
  REQUIRE(p.verdict == Verdict::fits_with_offload);
  CHECK(p.reason == PlacementReason::layers_in_ram);
  CHECK(p.chosen_by_user);
  CHECK(p.gpu_layers == 9);
  CHECK(p.devices[0].layers == 8);
  CHECK(p.devices[0].holds_output);
  CHECK(p.host.layers == 24);
  CHECK(p.devices[0].margin_bytes == 0);
  // The same model all on the GPU when -ngl covers every layer (99 as people type it).
  s.request.choice.gpu_layers = 99;
  const Placement all = s.place();
  CHECK(all.verdict == Verdict::fits);
  CHECK(all.gpu_layers == 33);
  // A given placement is judged, never changed: all 33 layers of the F16 model on 12 GiB overfill it.
  Setup big(test::llama_3_1_8b(), "f16", 8192);
  big.gpus({12});
  big.request.host_ram_bytes = 64 * kGiB;
  big.request.choice.gpu_layers = 33;
  const Placement over = big.place();
  CHECK(over.verdict == Verdict::does_not_fit);
  CHECK(over.reason == PlacementReason::given_layers_too_big);
  CHECK(over.gpu_layers == 33);
}

TEST_CASE("placement: --n-cpu-moe as given keeps exactly the first N layers' experts in RAM", "[placement][given][moe]") {
  Setup s(test::deepseek_v3(), "q4-0", 4096);
  s.gpus({24});
  s.request.host_ram_bytes = 1024 * kGiB;
  s.request.choice.n_cpu_moe = 61;  // every layer (--cpu-moe)
  const Placement p = s.place();
  CHECK(p.n_cpu_moe == 61);
  CHECK(p.chosen_by_user);
  CHECK(p.reason == PlacementReason::experts_in_ram);
  std::uint64_t experts = 0;
  for (std::uint64_t b : s.weights.layer_expert_bytes) experts += b;
  CHECK(p.host.expert_bytes == experts);
  CHECK(p.devices[0].expert_bytes == 0);
}

TEST_CASE("placement: -ts as given splits the layers in its proportions", "[placement][given][multi-gpu]") {
  Setup s(test::llama_3_1_8b(), "q4-0", 8192);
  s.gpus({24, 24});
  s.request.host_ram_bytes = 64 * kGiB;
  s.request.choice.tensor_split = {3, 1};
  const Placement p = s.place();
  REQUIRE(p.verdict == Verdict::fits);
  // 33 layers (32 + output) at 3:1: positions 0..24 (l/33 < 0.75) on GPU 0, the rest on GPU 1.
  CHECK(p.devices[0].layers == 25);
  CHECK(p.devices[1].layers == 7);
  CHECK(p.devices[1].holds_output);
}

TEST_CASE("placement: -sm row keeps the KV cache on the main GPU, -sm tensor splits it", "[placement][multi-gpu]") {
  Setup s(test::llama_3_1_8b(), "q4-0", 8192);
  s.gpus({24, 24});
  s.request.host_ram_bytes = 64 * kGiB;
  s.request.split = SplitMode::row;
  const Placement row = s.place();
  CHECK(row.split == SplitMode::row);
  CHECK(row.devices[0].kv_cache_bytes == 1024 * kMiB);
  CHECK(row.devices[1].kv_cache_bytes == 0);
  CHECK(row.devices[0].weights_bytes == row.devices[1].weights_bytes);
  s.request.split = SplitMode::tensor;
  const Placement tensor = s.place();
  CHECK(tensor.devices[0].kv_cache_bytes == 512 * kMiB);
  CHECK(tensor.devices[1].kv_cache_bytes == 512 * kMiB);
}
