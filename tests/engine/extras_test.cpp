// A draft model and a vision projector beside the model: llama.cpp's --fit arithmetic (common/fit.cpp,
// add_extra_memory: the draft's model + context + compute buffers join every device's projected use) on
// worked examples, the speculative decode band, and the projector's bytes against published mmproj files.
#include <catch2/catch.hpp>

#include "llmsize/engine/placement.h"
#include "llmsize/engine/projector.h"
#include "llmsize/engine/speculative.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using llmsize::units::kGiB;
using llmsize::units::kMiB;

namespace {

struct Sized {
  Model model;
  WeightsResult weights;
  KvResult kv;
};

Sized sized(Model m, const char* quant, std::uint64_t ctx, const std::vector<TensorType>& types) {
  Sized s{std::move(m), {}, {}};
  s.weights = weight_bytes(s.model, test::uniform_quant(quant), types);
  KvSettings k;
  k.context_tokens = ctx;
  k.type_k = find_type(types, "f16");
  k.type_v = k.type_k;
  s.kv = kv_cache(s.model, k);
  return s;
}

PlacementRequest one_gpu(double gib) {
  PlacementRequest r;
  r.devices.push_back({"gpu0", DeviceKind::gpu, Backend::cuda, units::gib_to_bytes(gib), std::nullopt});
  r.host_ram_bytes = 64 * kGiB;
  return r;
}

}  // namespace

TEST_CASE("a Llama-3.2-1B draft beside Llama-3.1-8B adds its weights, KV and compute buffer to the GPU", "[placement][draft]") {
  const auto types = test::ggml_types();
  const Sized target = sized(test::llama_3_1_8b(), "q4-0", 8192, types);
  const Sized draft = sized(test::llama_3_2_1b(), "q4-0", 8192, types);

  // The draft as llama.cpp loads it: every layer on the GPU (-ngld default), no --fit of its own.
  PlacementRequest dr = one_gpu(24);
  dr.choice.gpu_layers = draft.model.n_layers + 1;
  const Placement dp = place(draft.model, draft.weights, draft.kv, dr);
  REQUIRE(dp.verdict == Verdict::fits);
  // KV at the target's 8192 cells: 16 layers × 8192 × (8 KV heads × 64) × 2 (K and V) × 2 B = 256 MiB.
  CHECK(dp.devices[0].kv_cache_bytes == 256 * kMiB);
  // Compute (flash attention): the logits term, 512 × (4 × 128256 + 8 × 2048) B = 271,056,896 B = 258.5 MiB.
  CHECK(dp.devices[0].compute_buffer_bytes == 271'056'896);

  const ExtraLoad extra = extra_load(dp, ExtraKind::draft);
  // fit.cpp's per-device sum for the extra model: model + context + compute (the runtime is the process's, once).
  REQUIRE(extra.device_bytes.size() == 1);
  CHECK(extra.device_bytes[0] == dp.devices[0].weights_bytes + 256 * kMiB + 271'056'896);
  // In RAM: token_embd (the input lookup stays on the CPU), the CUDA_Host compute buffer
  // 512 × (4 × 2048 + 4 × 8192) B = 20 MiB and the draft's logits buffer 128256 × 4 B.
  CHECK(extra.host_bytes == draft.weights.token_embd_bytes + 20 * kMiB + 128256 * 4);

  PlacementRequest tr = one_gpu(24);
  tr.extras.push_back(extra);
  const Placement p = place(target.model, target.weights, target.kv, tr);
  REQUIRE(p.verdict == Verdict::fits);
  const DevicePlacement& d = p.devices[0];
  CHECK(d.draft_bytes == extra.device_bytes[0]);
  CHECK(d.kv_cache_bytes == 1024 * kMiB);
  // The device holds both models' buffers: used = target (weights + 1 GiB KV + 266.5 MiB compute + runtime) + draft.
  CHECK(d.used_bytes() == d.weights_bytes + 1024 * kMiB + (266 * kMiB + kMiB / 2) + d.overhead_bytes + extra.device_bytes[0]);
  CHECK(p.host.draft_bytes == extra.host_bytes);
  const PlacementTotals t = totals(p);
  CHECK(t.with_host.draft_bytes == extra.device_bytes[0] + extra.host_bytes);
  CHECK(t.with_host.used_bytes == t.with_host.weights_bytes + t.with_host.kv_cache_bytes + t.with_host.compute_buffer_bytes +
                                      t.with_host.overhead_bytes + t.with_host.draft_bytes + t.with_host.projector_bytes);
}

TEST_CASE("the draft's memory takes layers from the model, as --fit fits the model around it", "[placement][draft]") {
  const auto types = test::ggml_types();
  const Sized target = sized(test::llama_3_1_8b(), "q4-0", 8192, types);
  const Sized draft = sized(test::llama_3_2_1b(), "f16", 8192, types);  // ~2.3 GiB of weights
  PlacementRequest dr = one_gpu(8);
  dr.choice.gpu_layers = draft.model.n_layers + 1;
  const ExtraLoad extra = extra_load(place(draft.model, draft.weights, draft.kv, dr), ExtraKind::draft);

  const Placement alone = place(target.model, target.weights, target.kv, one_gpu(8));
  REQUIRE(alone.verdict == Verdict::fits);
  PlacementRequest tr = one_gpu(8);
  tr.extras.push_back(extra);
  const Placement with = place(target.model, target.weights, target.kv, tr);
  REQUIRE(with.verdict == Verdict::fits_with_offload);
  CHECK(with.gpu_layers < alone.gpu_layers);
  const DevicePlacement& d = with.devices[0];
  CHECK(d.used_bytes() + d.margin_bytes <= d.memory_bytes);
  // One more target layer would cross the 1 GiB margin llama.cpp's --fit keeps.
  const std::uint32_t next = with.n_layers - d.layers - 1;
  CHECK(d.used_bytes() + target.weights.layer_bytes[next] + target.kv.layer_bytes[next] + d.margin_bytes > d.memory_bytes);
}

TEST_CASE("a draft larger than the GPU does not fit, whatever the model does", "[placement][draft]") {
  const auto types = test::ggml_types();
  const Sized target = sized(test::llama_3_2_1b(), "q4-0", 4096, types);
  PlacementRequest r = one_gpu(4);
  r.extras.push_back({ExtraKind::draft, {5 * kGiB}, 0});
  const Placement p = place(target.model, target.weights, target.kv, r);
  CHECK(p.verdict == Verdict::does_not_fit);
  CHECK(p.reason == PlacementReason::extras_too_big);
}

TEST_CASE("an unused GPU holding only the projector gets the runtime and the margin", "[placement][projector]") {
  const auto types = test::ggml_types();
  const Sized target = sized(test::llama_3_2_1b(), "q4-0", 4096, types);
  PlacementRequest r;
  r.devices.push_back({"gpu0", DeviceKind::gpu, Backend::cuda, 24 * kGiB, std::nullopt});
  r.devices.push_back({"gpu1", DeviceKind::gpu, Backend::cuda, 24 * kGiB, std::nullopt});
  r.host_ram_bytes = 64 * kGiB;
  r.choice.tensor_split = {1, 0};  // every layer on gpu0
  r.choice.gpu_layers = target.model.n_layers + 1;
  r.extras.push_back({ExtraKind::projector, {0, 900 * kMiB}, 10 * kMiB});
  const Placement p = place(target.model, target.weights, target.kv, r);
  REQUIRE(p.verdict == Verdict::fits);
  CHECK(p.devices[1].layers == 0);
  CHECK(p.devices[1].projector_bytes == 900 * kMiB);
  CHECK(p.devices[1].compute_buffer_bytes == 0);
  CHECK(p.devices[1].used_bytes() == 900 * kMiB + p.devices[1].overhead_bytes);
  CHECK(p.host.projector_bytes == 10 * kMiB);
}

TEST_CASE("speculative decoding: tokens per step and tok/s by hand", "[speculative]") {
  CHECK(tokens_per_step(0.5, 3) == Approx(2.5));
  CHECK(tokens_per_step(0.0, 16) == Approx(1.0));
  SpeculationRequest r;
  r.target_step_s = 0.025;  // 40 tok/s alone
  r.verify_step_s = 0.026;  // a batch of 4 costs a little more than one token
  r.draft_step_s = 0.002;   // 500 tok/s draft
  r.draft_max = 3;
  // One step: 3 × 2 ms + 26 ms = 32 ms and 1 + 0.5 × 3 = 2.5 tokens: 78.125 tok/s, 1.95× the 40 tok/s alone.
  CHECK(speculative_tokens_per_s(r, 0.5) == Approx(78.125));
  const SpeculationResult s = estimate_speculation(r, {0.2, 0.6}, 0.8, 1.2);
  // Low: 1.6 tokens / 32 ms = 50 tok/s × 0.8; high: 2.8 / 32 ms = 87.5 × 1.2. Always a band.
  CHECK(s.decode_low == Approx(40.0));
  CHECK(s.decode_high == Approx(105.0));
  CHECK(s.speedup_low == Approx(1.25));
  CHECK(s.speedup_high == Approx(2.1875));
  CHECK(s.draft_tokens_per_s == Approx(500.0));
  CHECK(s.decode_low < s.decode_high);
}

TEST_CASE("a slow draft makes speculation slower than the model alone", "[speculative]") {
  SpeculationRequest r;
  r.target_step_s = 0.010;
  r.verify_step_s = 0.011;
  r.draft_step_s = 0.008;  // a draft almost as slow as the model
  r.draft_max = 3;
  const SpeculationResult s = estimate_speculation(r, {0.2, 0.2}, 1.0, 1.0);
  // 1.6 tokens per 35 ms = 45.7 tok/s against 100 alone.
  CHECK(s.speedup_high == Approx(1.6 / 0.035 / 100.0));
  CHECK(s.speedup_high < 1.0);
}

namespace {

// Gemma 3 4B's projector (catalog `vision` of gemma-3-4b): SigLIP, 27 layers of 1152, FFN 4304, 16 heads,
// patch 14 at 896 px, projection to 2560.
VisionSpec gemma3_4b_vision() {
  VisionSpec v;
  v.projector_params = 419'816'304;
  v.projector_f32_params = 5'796'720;
  v.embedding_length = 1152;
  v.feed_forward_length = 4304;
  v.head_count = 16;
  v.warmup_image_size = 896;
  v.patch_size = 14;
  v.projection_dim = 2560;
  v.image_tokens = 256;
  return v;
}

}  // namespace

TEST_CASE("Gemma 3 4B's projector: f16 bytes match ggml-org's mmproj-model-f16.gguf", "[projector]") {
  const auto types = test::ggml_types();
  const VisionSpec v = gemma3_4b_vision();
  // (419,816,304 − 5,796,720) × 2 + 5,796,720 × 4 = 851,226,048 B.
  const std::uint64_t bytes = projector_weight_bytes(v, *find_type(types, "f16"));
  CHECK(bytes == 851'226'048);
  // ggml-org/gemma-3-4b-it-GGUF lists mmproj-model-f16.gguf at 851 MB: within 2%.
  CHECK(static_cast<double>(bytes) == Approx(851e6).epsilon(0.02));
  CHECK(projector_weight_bytes(v, *find_type(types, "f32")) == 419'816'304ULL * 4);
}

TEST_CASE("Gemma 3's encoder compute buffer for the 896 px warm-up image", "[projector]") {
  const VisionSpec v = gemma3_4b_vision();
  CHECK(v.warmup_patches() == 4096);  // (896 / 14)²
  // Flash attention: 4096 × 4 × (4304 + 3 × 1152) = 127,139,840 B = 121.25 MiB (measured: 121 MiB,
  // gpustack/gguf-parser-go#44).
  CHECK(projector_compute_bytes(v, true) == 127'139'840);
  // Without: + 4096² × 16 heads × 4 B = 1 GiB of scores: 1145.25 MiB (measured 1132 MiB).
  CHECK(projector_compute_bytes(v, false) == 127'139'840 + 1'073'741'824);
  // The f32 input image in RAM: 896² × 3 × 4 B.
  CHECK(projector_host_compute_bytes(v) == 9'633'792);
  const ProjectorMemory m = projector_memory(v, 851'226'048, true);
  CHECK(m.total_bytes() == 851'226'048 + 127'139'840 + 9'633'792);
}

TEST_CASE("Qwen3.6-27B's projector: bytes and compute buffer against its llama-server load log", "[projector]") {
  const auto types = test::ggml_types();
  VisionSpec v;
  v.projector_params = 460'730'096;
  v.projector_f32_params = 4'833'008;
  v.embedding_length = 1152;
  v.feed_forward_length = 4304;
  v.head_count = 16;
  v.merge = 2;
  v.warmup_image_size = 1472;  // 46 × 46 merged tokens of 32 px
  v.patch_size = 16;
  v.projection_dim = 5120;
  // The log: "model size: 887.99 MiB" (mmproj-BF16), 248.10 MiB CUDA0 and 24.93 MiB CPU compute buffers.
  const std::uint64_t bytes = projector_weight_bytes(v, *find_type(types, "f16"));  // bf16: 2 B a value too
  CHECK(bytes == 931'126'208);  // 887.99 MiB
  CHECK(v.warmup_patches() == 8464);
  CHECK(static_cast<double>(projector_compute_bytes(v, true)) == Approx(248.10 * kMiB).epsilon(0.02));
  CHECK(static_cast<double>(projector_host_compute_bytes(v)) == Approx(24.93 * kMiB).epsilon(0.01));
}
