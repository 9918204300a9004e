// Properties the engine must keep on every catalog model, checked over GENERATEd models, quants, KV types,
// contexts and memory sizes. Each test's name states the property.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/placement.h"
#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize {
namespace {

const catalog::Catalog& shipped() {
  static const catalog::Catalog c = [] {
    auto r = catalog::load(catalog::embedded_files(), {});
    REQUIRE(r.ok());
    return r.catalog;
  }();
  return c;
}

const Model& model(const std::string& id) {
  const Model* m = catalog::find(shipped().models, id);
  REQUIRE(m != nullptr);
  return *m;
}

const TensorType& type(const std::string& id) {
  const TensorType* t = catalog::find(shipped().tensor_types, id);
  REQUIRE(t != nullptr);
  return *t;
}

const Quant& quant(const std::string& id) {
  const Quant* q = catalog::find(shipped().quants, id);
  REQUIRE(q != nullptr);
  return *q;
}

KvSettings kv_settings(const std::string& kv_type, std::uint64_t context_tokens) {
  KvSettings s;
  s.context_tokens = context_tokens;
  s.type_k = &type(kv_type);
  s.type_v = &type(kv_type);
  s.type_v_without_flash_attention = &type("f16");
  return s;
}

// Bits per weight of a quant's default tensor type (the type most of its weights get): block bytes × 8 /
// block weights, e.g. q4-k 144 × 8 / 256 = 4.5.
double nominal_bits_per_weight(const Quant& q) {
  const TensorType& t = type(q.default_type);
  return static_cast<double>(t.block_bytes) * 8.0 / t.block_weights;
}

int rank(Verdict v) {
  switch (v) {
    case Verdict::does_not_fit: return 0;
    case Verdict::fits_with_offload: return 1;
    case Verdict::fits: return 2;
  }
  return -1;
}

}  // namespace

TEST_CASE("property: a full-attention model's KV cache is linear in context, KV(2c) = 2 KV(c) for c a multiple of "
          "the 256-cell padding",
          "[engine][property][kv]") {
  // Dense GQA, tied GQA, MQA, MoE and MLA (one compressed row per cell): no sliding window, no recurrence.
  const std::string id = GENERATE("llama-3.1-8b", "llama-3.2-1b", "falcon-7b", "mixtral-8x7b", "deepseek-v2-lite",
                                  "qwen2.5-7b", "phi-3-mini");
  const std::string kv_type = GENERATE("f16", "q8-0", "q4-0");
  const std::uint64_t c = GENERATE(256, 4096, 12288, 32768);
  const Model& m = model(id);
  REQUIRE_FALSE(m.sliding_window.has_value());
  REQUIRE_FALSE(m.ssm.has_value());
  CAPTURE(id, kv_type, c);
  const KvResult once = kv_cache(m, kv_settings(kv_type, c));
  const KvResult twice = kv_cache(m, kv_settings(kv_type, 2 * c));
  REQUIRE(once.total_bytes > 0);
  CHECK(once.full_cells == c);
  CHECK(twice.full_cells == 2 * c);
  CHECK(twice.total_bytes == 2 * once.total_bytes);
  CHECK(twice.k_bytes == 2 * once.k_bytes);
  CHECK(twice.v_bytes == 2 * once.v_bytes);
  // Every cell costs the same: the total is cells × bytes per cell.
  CHECK(once.total_bytes == once.full_cells * once.bytes_per_token_full);
}

TEST_CASE("property: a context that is not a multiple of 256 costs what its padded cells cost, KV(c) = KV(pad256(c))",
          "[engine][property][kv]") {
  const std::string id = GENERATE("llama-3.1-8b", "deepseek-v2-lite");
  const std::uint64_t c = GENERATE(1, 255, 257, 1000, 4097);
  const std::uint64_t padded = (c + 255) / 256 * 256;  // 1 -> 256, 257 -> 512, 1000 -> 1024, 4097 -> 4352
  CAPTURE(id, c, padded);
  const KvResult r = kv_cache(model(id), kv_settings("f16", c));
  CHECK(r.full_cells == padded);
  CHECK(r.total_bytes == kv_cache(model(id), kv_settings("f16", padded)).total_bytes);
}

// Weight bytes of `quants` in order on `m`: each step must not shrink. Returns the first step that does, or "".
std::string first_shrinking_step(const Model& m, const std::vector<const Quant*>& quants) {
  std::uint64_t previous = 0;
  std::string previous_id;
  for (const Quant* q : quants) {
    const WeightsResult w = weight_bytes(m, *q, shipped().tensor_types);
    REQUIRE(w.errors.empty());
    if (w.total_bytes < previous) {
      return q->meta.id + " " + std::to_string(w.total_bytes) + " B < " + previous_id + " " + std::to_string(previous) + " B";
    }
    previous = w.total_bytes;
    previous_id = q->meta.id;
  }
  return "";
}

TEST_CASE("property: more bits per weight never gives fewer bytes (one type for every tensor, types ordered by bits)",
          "[engine][property][weights]") {
  // Models whose matrix rows all divide into 256-weight blocks. (DeepSeek-V2-Lite's 576-wide MLA rows send a
  // 1.56-bit IQ1_S to its fallback type and so past a 2.25-bit Q2_0, as llama.cpp does: not this property.)
  const std::string id = GENERATE("llama-3.1-8b", "llama-3.2-1b", "qwen3-30b-a3b", "gemma-3-4b", "mixtral-8x7b",
                                  "phi-3-mini");
  // Every GGUF tensor type as a uniform recipe (its own fallback where a row does not divide into blocks).
  std::vector<Quant> uniform;
  for (const TensorType& t : shipped().tensor_types) {
    if (!t.ggml_type) continue;
    Quant q;
    q.meta.id = t.meta.id;
    q.format = "gguf";
    q.default_type = t.meta.id;
    uniform.push_back(q);
  }
  REQUIRE(uniform.size() >= 20);
  std::stable_sort(uniform.begin(), uniform.end(), [](const Quant& a, const Quant& b) {
    return nominal_bits_per_weight(a) < nominal_bits_per_weight(b);
  });
  // Equal bits may go either way (a fallback type differs); compare only strictly more bits.
  const Model& m = model(id);
  for (std::size_t i = 0; i < uniform.size(); ++i) {
    for (std::size_t j = i + 1; j < uniform.size(); ++j) {
      if (nominal_bits_per_weight(uniform[j]) <= nominal_bits_per_weight(uniform[i])) continue;
      INFO(id << ": " << uniform[j].meta.id << " (" << nominal_bits_per_weight(uniform[j]) << " bits) vs "
              << uniform[i].meta.id << " (" << nominal_bits_per_weight(uniform[i]) << " bits)");
      CHECK(first_shrinking_step(m, {&uniform[i], &uniform[j]}).empty());
    }
  }
}

TEST_CASE("property: more bits per weight never gives fewer bytes (each llama.cpp quant family's ladder, as `llama-quantize` "
          "orders it by bits per weight)",
          "[engine][property][weights]") {
  const std::string id = GENERATE("llama-3.1-8b", "llama-3.2-1b", "qwen3-30b-a3b", "gemma-3-4b", "deepseek-v2-lite",
                                  "mixtral-8x7b", "phi-3-mini");
  // Mixed recipes of different families are not ordered by their main type's bits (Q2_K's upgraded tensors make
  // it larger than IQ3_XXS, as real files are), so each family is a ladder of its own.
  const std::vector<std::vector<std::string>> ladders = {
      // Q2_K_S is left out: on MoE models its recipe comes out larger than Q2_K (DeepSeek-V2-Lite 6,451,380,224 vs
      // 6,432,219,136 B), which needs checking against llama-quantize before it can be called a rule.
      {"q2-k", "q3-k-s", "q3-k-m", "q3-k-l", "q4-k-s", "q4-k-m", "q5-k-s", "q5-k-m", "q6-k", "q8-0", "bf16", "f32"},
      {"q4-0", "q4-1", "q5-0", "q5-1", "q8-0", "f16", "f32"},
      {"iq1-s", "iq1-m", "iq2-xxs", "iq2-xs", "iq2-s", "iq2-m", "iq3-xxs", "iq3-xs", "iq3-s", "iq3-m", "iq4-xs", "iq4-nl"},
      {"tq1-0", "tq2-0"},
  };
  for (const auto& ladder : ladders) {
    std::vector<const Quant*> quants;
    for (const auto& q : ladder) quants.push_back(&quant(q));
    INFO(id << ", ladder from " << ladder.front() << " to " << ladder.back());
    CHECK(first_shrinking_step(model(id), quants) == "");
  }
}

TEST_CASE("property: more GPU memory (or more RAM) never turns \"fits\" into \"does not fit\"",
          "[engine][property][placement]") {
  const std::string id = GENERATE("llama-3.1-8b", "llama-3.1-70b", "qwen3-30b-a3b", "mixtral-8x7b", "gemma-3-27b");
  const std::string quant_id = GENERATE("q4-k-m", "q8-0");
  const std::uint64_t context = GENERATE(8192, 32768);
  const Model& m = model(id);
  const WeightsResult weights = weight_bytes(m, quant(quant_id), shipped().tensor_types);
  const KvSettings kv = kv_settings("f16", context);
  const KvResult cache = kv_cache(m, kv);
  PlacementRequest r;
  r.devices.push_back({"gpu", DeviceKind::gpu, Backend::cuda, 0, std::nullopt});
  const std::uint64_t ram_gib = GENERATE(16, 64);
  CAPTURE(id, quant_id, context, ram_gib);

  SECTION("GPU memory from 1 to 160 GiB, RAM fixed") {
    r.host_ram_bytes = ram_gib * units::kGiB;
    int best = -1;
    for (std::uint64_t gib = 1; gib <= 160; ++gib) {
      r.devices[0].memory_bytes = gib * units::kGiB;
      const int now = rank(place(m, weights, cache, r).verdict);
      INFO("GPU " << gib << " GiB");
      CHECK(now >= best);
      best = std::max(best, now);
    }
    CHECK(best == rank(Verdict::fits));  // 160 GiB holds every case above
  }
  SECTION("RAM from 4 to 256 GiB, a 24 GiB GPU") {
    r.devices[0].memory_bytes = 24 * units::kGiB;
    int best = -1;
    for (std::uint64_t gib = 4; gib <= 256; gib += 4) {
      r.host_ram_bytes = gib * units::kGiB;
      const int now = rank(place(m, weights, cache, r).verdict);
      INFO("RAM " << gib << " GiB");
      CHECK(now >= best);
      best = std::max(best, now);
    }
    CHECK(best >= rank(Verdict::fits_with_offload));  // 256 GiB of RAM takes what the GPU cannot
  }
}

}  // namespace llmsize
