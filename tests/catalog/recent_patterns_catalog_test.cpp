// The shipped catalog's recent-architecture entries against published figures: gpt-oss GGUF sizes with
// the experts kept in MXFP4, the exact parameter counts of the gated-attention Qwen models, DeepSeek-V3.2
// with its indexer, MTP blocks; and the loader's errors for the new fields.
#include <catch2/catch.hpp>

#include "../cli/run_cli.h"
#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/weights.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

namespace {

const catalog::Catalog& shipped() {
  static const catalog::LoadResult r = catalog::load(catalog::embedded_files(), {});
  REQUIRE(r.ok());
  return r.catalog;
}

const Model& model(const char* id) {
  const Model* m = catalog::find(shipped().models, id);
  REQUIRE(m != nullptr);
  return *m;
}

std::uint64_t gguf_bytes(const char* model_id, const char* quant_id) {
  const Quant* q = catalog::find(shipped().quants, quant_id);
  REQUIRE(q != nullptr);
  const WeightsResult w = weight_bytes(model(model_id), *q, shipped().tensor_types);
  REQUIRE(w.errors.empty());
  return w.total_bytes;
}

double gib(std::uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0); }

std::vector<std::string> errors_of(const std::string& model_fields) {
  const std::string text = R"({"schema_version": 1, "models": [{"id": "m", "name": "M", "source": "s",
      "family": "f", "arch": "llama", "params_total": 1000000000, "n_layers": 2, "hidden_size": 64,
      "n_heads": 4, "n_kv_heads": 4, "ffn_size": 128, "vocab_size": 100, "context_length": 4096, )" +
                           model_fields + "}]}";
  const auto r = catalog::load(catalog::embedded_files(), {{"extra.json", text}});
  std::vector<std::string> out;
  for (const auto& d : r.errors) {
    // The tiny shape is far from params_total: that check is not what these cases are about.
    if (d.file == "extra.json" && d.location != "/models/0/params_total") out.push_back(d.to_string());
  }
  return out;
}

}  // namespace

TEST_CASE("gpt-oss GGUFs keep the MXFP4 experts: sizes of published files", "[catalog][recent][native]") {
  // Experts: 36 layers × 3 × 2880 × 2880 × 128 = 114,661,785,600 weights × 17/32 B = 60,914,073,600 B.
  // gpt-oss-120b, llama-bench "size" (tensor bytes) of ggml-org/gpt-oss-120b-GGUF (MXFP4_MOE) 59.02 GiB and
  // of unsloth/gpt-oss-120b-GGUF F16 60.87 GiB (https://community.frame.work/t/73280/26); unsloth file sizes
  // Q4_K_M 58.46 GiB and Q8_0 59.03 GiB, each with its ~12 MB header
  // (https://ailocalcheck.com/model/unsloth/gpt-oss-120b-GGUF).
  CHECK(gguf_bytes("gpt-oss-120b", "mxfp4-moe") == 63'374'296'320ULL);  // 59.022 GiB
  CHECK(gguf_bytes("gpt-oss-120b", "f16") == 65'355'966'720ULL);        // 60.867 GiB
  CHECK(gguf_bytes("gpt-oss-120b", "q4-k-m") == 62'755'672'320ULL);     // 58.446 GiB
  CHECK(gguf_bytes("gpt-oss-120b", "q8-0") == 63'374'296'320ULL);       // 59.022 GiB: Q8_0 = MXFP4_MOE here
  CHECK(gib(gguf_bytes("gpt-oss-120b", "mxfp4-moe")) == Approx(59.02).margin(0.005));
  CHECK(gib(gguf_bytes("gpt-oss-120b", "f16")) == Approx(60.87).margin(0.005));
  CHECK(gib(gguf_bytes("gpt-oss-120b", "q4-k-m")) == Approx(58.46).margin(0.02));
  CHECK(gib(gguf_bytes("gpt-oss-120b", "q8-0")) == Approx(59.03).margin(0.02));
  // gpt-oss-20b: experts 10,152,345,600 B; Q4_K_M puts the other matrices in Q5_0 (rows of 2880 are no
  // multiple of 256), attn_v on the more-bits layers and the output head in Q8_0, attn_output (rows of 4096)
  // in Q4_K: 11.61 GB (the issue's ~11.7 GB file); F16 13.78 GB (~13.8 GB).
  CHECK(gguf_bytes("gpt-oss-20b", "q4-k-m") == 11'611'741'440ULL);
  CHECK(gguf_bytes("gpt-oss-20b", "f16") == 13'779'621'120ULL);
  // A BF16 safetensors checkpoint is the dequantized one (unsloth/gpt-oss-20b-BF16): experts in 2 bytes.
  const Quant* bf16 = catalog::find(shipped().quants, "safetensors-bf16");
  REQUIRE(bf16 != nullptr);
  CHECK_FALSE(bf16->keeps_native_types);
  CHECK(weight_bytes(model("gpt-oss-20b"), *bf16, shipped().tensor_types).routed_expert_bytes ==
        24ULL * 3 * 2880 * 2880 * 32 * 2);
}

TEST_CASE("a 96 GB card fits gpt-oss-120b Q8_0", "[catalog][recent][native][cli]") {
  // 59.0 GiB of weights on an RTX PRO 6000 Blackwell (96 GiB): it used to be sized as 116.8B × 8.5 bits.
  const auto r = test::run({"check", "--model", "gpt-oss-120b", "--quant", "q8_0", "--gpu", "rtx-pro-6000-blackwell"});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
}

TEST_CASE("gated attention makes the Qwen3.5/3.6 and Qwen3-Next counts exact", "[catalog][recent]") {
  // params_total is the exact count of each checkpoint's tensors; the engine now gives the same number
  // (it was 1.87% short for the 27B: 16 layers × 5120 × 24 × 256 = 503,316,480 gate weights; the MoE
  // models also gate their shared expert, moe.shared_expert_gate: one n_embd vector per layer).
  for (const char* id : {"qwen3.5-27b", "qwen3.6-27b", "qwen3.5-9b", "qwen3.5-35b-a3b", "qwen3.6-35b-a3b",
                         "qwen3.5-122b-a10b", "qwen3.5-397b-a17b", "qwen3-next-80b-a3b"}) {
    INFO(id);
    const Model& m = model(id);
    CHECK(m.attention_output_gate);
    CHECK(count_params(m).total == m.params_total - m.params_vision);
  }
}

TEST_CASE("MTP blocks of the catalog match the checkpoints' MTP counts", "[catalog][recent][nextn]") {
  // data/models-d.json notes, from the checkpoints' mtp.* tensor shapes.
  CHECK(count_params(model("qwen3.5-27b")).not_loaded == 424'699'392ULL);
  CHECK(count_params(model("qwen3.5-9b")).not_loaded == 243'290'624ULL);
  CHECK(count_params(model("qwen3.5-35b-a3b")).not_loaded == 844'640'768ULL);
  CHECK(count_params(model("qwen3.5-122b-a10b")).not_loaded == 2'523'679'232ULL);
  CHECK(count_params(model("qwen3.5-397b-a17b")).not_loaded == 6'595'568'128ULL);
  // DeepSeek-V3 GGUFs drop the MTP layer (convert_hf_to_gguf.py DeepseekV2Model.skip_mtp).
  CHECK(model("deepseek-v3").nextn_layers == 0);
  CHECK(model("glm-4.5").nextn_layers == 1);
}

TEST_CASE("DeepSeek-V3.2 counts the V3 tensors plus 61 indexers", "[catalog][recent][dsa]") {
  for (const char* id : {"deepseek-v3.2", "deepseek-v3.2-exp"}) {
    INFO(id);
    const Model& m = model(id);
    REQUIRE(m.indexer);
    // params_total is the checkpoint's exact count: DeepSeek-V3.1's 671,026,419,200 plus the indexers.
    CHECK(m.params_total == 671'026'419'200ULL + 61ULL * 13'959'424);
    // The engine lists no ffn_exp_probs_b (the router's score-correction bias, {256} in each of the 58
    // MoE layers), as for every DeepSeek-V3 entry: 14,848 parameters short.
    CHECK(count_params(m).total == m.params_total - 58ULL * 256);
    CHECK(m.nextn_layers == 1);
  }
}

TEST_CASE("the loader checks the new model fields", "[catalog][recent]") {
  CHECK(errors_of(R"("native_types": [{"tensors": ["ffn_down_exp"], "type": "mxfp4"}])") ==
        std::vector<std::string>{
            R"(extra.json: /models/0/native_types/0/tensors/0: unknown tensor group "ffn_down_exp" (did you mean "ffn_down_exps"?))"});
  CHECK(errors_of(R"("native_types": [{"tensors": ["ffn_down_exps"], "type": "mxfp5"}])") ==
        std::vector<std::string>{
            R"(extra.json: /models/0/native_types/0/type: unknown tensor_types id "mxfp5" (did you mean "mxfp4"?))"});
  CHECK(errors_of(R"("indexer": {"n_heads": 64, "head_dim": 128, "top_k": 2048})") ==
        std::vector<std::string>{
            R"(extra.json: /models/0/indexer: needs an "mla" block (the indexer reads the query latent))"});
  CHECK(errors_of(R"("nextn_layers": 65)").size() == 1);
  CHECK(errors_of(R"("attention_output_gate": true, "nextn_layers": 1)").empty());
}
