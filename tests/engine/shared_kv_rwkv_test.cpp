// Layers that reuse an earlier layer's KV cache (Gemma 3n, llama.cpp n_layer_kv_from_start) and the
// RWKV-6/7 recurrent state (llama.cpp llama_hparams::n_embd_r / n_embd_s).
#include <catch2/catch.hpp>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/kv.h"
#include "llmsize/engine/weights.h"
#include "llmsize/units.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using llmsize::units::kMiB;

namespace {

struct Types {
  std::vector<TensorType> all = test::ggml_types();
  const TensorType* get(const char* id) const { return find_type(all, id); }
};

KvSettings f16(const Types& t, std::uint64_t ctx) {
  KvSettings s;
  s.context_tokens = ctx;
  s.type_k = t.get("f16");
  s.type_v = t.get("f16");
  s.type_v_without_flash_attention = t.get("f16");
  return s;
}

}  // namespace

TEST_CASE("Gemma 3n E2B: layers 20-29 reuse the cache of layers 18 and 19 and hold none", "[kv][shared]") {
  // llama.cpp: hparams.n_layer_kv_from_start = 20; reuse(il) = 20 − (is_swa(il) ? 2 : 1).
  // Pattern 5: layer il is sliding when il % 5 < 4, so 4, 9, 14, 19, 24, 29 are full.
  const Model m = test::gemma_3n_e2b_attention();
  CHECK(has_own_kv(m, 19));
  CHECK_FALSE(has_own_kv(m, 20));
  CHECK(kv_source_layer(m, 5) == 5);    // owns its cache
  CHECK(kv_source_layer(m, 20) == 18);  // sliding → layer 18 (sliding)
  CHECK(kv_source_layer(m, 24) == 19);  // full → layer 19 (full)
  CHECK(kv_source_layer(m, 28) == 18);
  CHECK(kv_source_layer(m, 29) == 19);

  // Row: 2 kv heads × 256 = 512 values × 2 B = 1024 B for K and for V: 2048 B per cell per layer.
  // Owning layers 0–19: full 4, 9, 14, 19 (4 layers), sliding 16 layers.
  // 4096 tokens: full 4 × 4096 × 2048 B = 32 MiB; sliding cells min(4096, pad256(512 + 512)) = 1024:
  // 16 × 1024 × 2048 B = 32 MiB. Total 64 MiB.
  Types t;
  const KvResult r = kv_cache(m, f16(t, 4096));
  CHECK(r.shared_kv_layers == 10);
  CHECK(r.sliding_cells == 1024);
  CHECK(r.total_bytes == 64 * kMiB);
  for (std::uint32_t l = 20; l < 30; ++l) CHECK(r.layer_bytes[l] == 0);
  CHECK(r.bytes_per_token_full == 4ULL * 2048);  // only the 4 owning full layers grow

  // Without sharing all 30 layers own cells: 6 full × 4096 × 2048 + 24 sliding × 1024 × 2048 = 48 + 48 MiB.
  Model unshared = m;
  unshared.kv_shared_from_layer.reset();
  CHECK(kv_cache(unshared, f16(t, 4096)).total_bytes == 96 * kMiB);
}

TEST_CASE("shared-KV layers add nothing to the cache as context grows", "[kv][shared][property]") {
  // The 30-layer model with sharing from 20 holds exactly what the first 20 layers alone hold.
  Types t;
  const Model m = test::gemma_3n_e2b_attention();
  Model first20 = m;
  first20.n_layers = 20;
  first20.kv_shared_from_layer.reset();
  std::uint64_t previous = 0;
  for (std::uint64_t ctx = 256; ctx <= 32768; ctx *= 2) {
    for (std::uint32_t n_seq : {1U, 4U}) {
      KvSettings s = f16(t, ctx);
      s.runtime.n_sequences = n_seq;
      CHECK(kv_cache(m, s).total_bytes == kv_cache(first20, s).total_bytes);
    }
    const std::uint64_t now = kv_cache(m, f16(t, ctx)).total_bytes;
    CHECK(now >= previous);
    previous = now;
  }
}

TEST_CASE("a decode step still reads the reused cache once per shared layer", "[kv][shared]") {
  // Shared layers attend over their source layer's cells, so the bytes read per token count all 30
  // layers: full layers 4, 9, 14, 19, 24, 29 read depth cells, the 24 sliding ones min(depth, 512).
  // Depth 4000: 6 × 2048 × 4000 + 24 × 2048 × 512 = 49,152,000 + 25,165,824 = 74,317,824 B.
  Types t;
  const std::uint64_t read = kv_bytes_read_at_depth(test::gemma_3n_e2b_attention(), f16(t, 32768), 4000);
  CHECK(read == 6ULL * 2048 * 4000 + 24ULL * 2048 * 512);
  CHECK(read == 74317824);
}

TEST_CASE("RWKV-7 state: two token shifts and one wkv matrix per head, f32, per sequence", "[kv][ssm][rwkv]") {
  // llama_hparams::n_embd_r() = token_shift_count (2) × n_embd = 2 × 768 = 1536 values;
  // n_embd_s() = n_embd × wkv_head_size = 768 × 64 = 49,152 values (12 heads × 64 × 64).
  // (1536 + 49,152) × 4 B = 202,752 B per layer; × 12 layers = 2,433,024 B per sequence.
  Types t;
  const Model m = test::rwkv7_191m();
  const KvResult small = kv_cache(m, f16(t, 4096));
  CHECK(small.recurrent_bytes == 12ULL * 202752);
  CHECK(small.total_bytes == 2433024);
  CHECK(small.k_bytes == 0);
  // Flat in context, linear in parallel sequences.
  CHECK(kv_cache(m, f16(t, 131072)).total_bytes == 2433024);
  KvSettings four = f16(t, 4096);
  four.runtime.n_sequences = 4;
  CHECK(kv_cache(m, four).total_bytes == 4ULL * 2433024);
  // A decode step reads the state once: 2,433,024 B whatever the depth.
  CHECK(kv_bytes_read_at_depth(m, f16(t, 4096), 0) == 2433024);
  CHECK(kv_bytes_read_at_depth(m, f16(t, 4096), 4000) == 2433024);
}

TEST_CASE("RWKV-6 keeps the same state shape (token shift × 2 + n_embd × head size)", "[kv][ssm][rwkv]") {
  // RWKV-6 7B shape: n_embd 4096, head size 64, 32 layers:
  // (2 × 4096 + 4096 × 64) × 4 B = (8192 + 262,144) × 4 = 1,081,344 B per layer; × 32 = 34,603,008 B (33 MiB).
  Types t;
  Model m = test::rwkv7_191m();
  m.n_layers = 32;
  m.hidden_size = 4096;
  m.ssm->kind = SsmKind::rwkv6;
  m.ssm->d_inner = 4096;
  CHECK(kv_cache(m, f16(t, 8192)).total_bytes == 34603008);
  CHECK(kv_cache(m, f16(t, 8192)).total_bytes == 33 * kMiB);
}

TEST_CASE("RWKV-7 191M counts 191.1M parameters, as its name says", "[weights][rwkv]") {
  // Globals: token_embd and output 2 × 768 × 65,536 = 100,663,296; ln0 and output norm (weight + bias)
  // 4 × 768 = 3072. Sum 100,666,368.
  // Per layer: 2 layernorms 3072; LoRAs w/a/v: 3 × 768 (w0, a0, v0) + 2 × 768 × (64 + 64 + 32) = 248,064;
  // gate 2 × 768 × 128 = 196,608; lerp_fused 6 × 768 = 4608; k_k, k_a, r_k 2304; key, value, receptance,
  // output 4 × 768² = 2,359,296; group norm 1536; channel lerp 768; channel key + value 2 × 768 × 3072 =
  // 4,718,592. Sum 7,534,848; layer 0 has a value LoRA of the iclr rank (64): + 2 × 768 × 32 = 7,584,000.
  // Total 100,666,368 + 11 × 7,534,848 + 7,584,000 = 191,133,696.
  const ParamCounts p = count_params(test::rwkv7_191m());
  CHECK(p.total == 191133696);
  CHECK(p.active == p.total);
  // RWKV's LoRAs stay unquantized (llama-quant.cpp), so a Q8_0 file keeps them in the vector type (f32).
  const Quant q8 = test::uniform_quant("q8-0");
  Types t;
  const WeightsResult w = weight_bytes(test::rwkv7_191m(), q8, t.all);
  std::uint64_t lora_bytes = 0;
  for (const PlacedTensor& pt : w.tensors) {
    if (pt.spec.group == "time_mix_g1" || pt.spec.group == "time_mix_g2") lora_bytes += pt.bytes;
  }
  CHECK(lora_bytes == 12ULL * 196608 * 4);  // 12 layers × 196,608 gate-LoRA values × 4 B
}

namespace {

std::vector<std::string> catalog_errors(const std::string& model_fields) {
  const std::string text = R"({"schema_version": 1, "models": [{"id": "m", "name": "M", "source": "s", "family": "f",
      "context_length": 32768, )" + model_fields + "}]}";
  const auto r = catalog::load({{"test.json", text}}, {});
  std::vector<std::string> out;
  for (const auto& d : r.errors) out.push_back(d.to_string());
  return out;
}

// RWKV-7 0.1B as a catalog entry: published as 191M (fla-hub/rwkv7-191M-world).
const char* kRwkv7 = R"("arch": "rwkv7", "params_total": 191000000, "n_layers": 12, "hidden_size": 768,
    "n_heads": 12, "n_kv_heads": 12, "ffn_size": 3072, "ffn_gated": false, "vocab_size": 65536, "norm": "layernorm",
    "ssm": {"kind": "rwkv7", "d_inner": 768, "head_dim": 64, "lora_decay": 64, "lora_iclr": 64, "lora_value_mix": 32,
            "lora_gate": 128})";

}  // namespace

TEST_CASE("catalog: kv_shared_from_layer and RWKV fields are read strictly", "[catalog][shared][rwkv]") {
  // Gemma 3n E2B's attention and FFN shape (2,362,057,728 parameters; the real model adds per-layer embeddings,
  // AltUp and Laurel, which are not enumerated) with its 20 owning layers reads cleanly.
  const std::string gemma = R"("arch": "gemma3n", "params_total": 2362057728, "n_layers": 30, "hidden_size": 2048,
      "n_heads": 8, "n_kv_heads": 2, "head_dim": 256, "ffn_size": 8192, "vocab_size": 262400, "tied_embeddings": true,
      "sliding_window": 512, "sliding_window_pattern": 5, "qk_norm": true, )";
  const auto ok = catalog::load({{"t.json", R"({"schema_version": 1, "models": [{"id": "m", "name": "M", "source": "s",
      "family": "f", "context_length": 32768, )" + gemma + R"("kv_shared_from_layer": 20}]})"}}, {});
  for (const auto& d : ok.errors) FAIL_CHECK(d.to_string());
  REQUIRE(ok.catalog.models.size() == 1);
  CHECK(ok.catalog.models[0].kv_shared_from_layer == 20U);
  CHECK(catalog_errors(gemma + R"("kv_shared_from_layer": 31)") ==
        std::vector<std::string>{"test.json: /models/0/kv_shared_from_layer: must be 2 to n_layers (30)"});
  CHECK(catalog_errors(gemma + R"("kv_shared_from_layer": 1)") ==
        std::vector<std::string>{"test.json: /models/0/kv_shared_from_layer: must be 2 to n_layers (30)"});

  // RWKV-7 0.1B: 191,133,696 counted against 191M published, within 2%: no errors.
  const auto rwkv = catalog::load({{"r.json", std::string(R"({"schema_version": 1, "models": [{"id": "r", "name": "R",
      "source": "s", "family": "rwkv", "context_length": 1048576, )") + kRwkv7 + "}]}"}}, {});
  for (const auto& d : rwkv.errors) FAIL_CHECK(d.to_string());
  REQUIRE(rwkv.catalog.models.size() == 1);
  CHECK(rwkv.catalog.models[0].ssm->kind == SsmKind::rwkv7);
  CHECK(count_params(rwkv.catalog.models[0]).total == 191133696);
  // The wkv head size is required for RWKV.
  std::string no_head = kRwkv7;
  no_head.replace(no_head.find(R"("head_dim": 64, )"), 16, "");
  CHECK(catalog_errors(no_head) ==
        std::vector<std::string>{"test.json: /models/0/ssm/head_dim: is required for RWKV (the wkv head size)"});
}
