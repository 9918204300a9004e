// The quant facts the model-file readers and the CLI share: llama_ftype (the GGUF general.file_type
// number) and quality_rank (the `models --gpu` ladder), read strictly and unique across quants.
#include <catch2/catch.hpp>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/weights.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

namespace {

std::vector<std::string> errors_of(const std::string& quants) {
  const std::string text = R"({"schema_version": 1, "tensor_types": [{"id": "f16", "name": "F16", "source": "s",
      "block_weights": 1, "block_bytes": 2, "ggml_type": 1}], "quants": [)" + quants + "]}";
  const auto r = catalog::load({{"test.json", text}}, {});
  std::vector<std::string> out;
  for (const auto& d : r.errors) out.push_back(d.to_string());
  return out;
}

// A valid quant entry with fields added.
std::string quant(const std::string& id, const std::string& extra, const std::string& format = "gguf") {
  return R"({"id": ")" + id + R"(", "name": "Q", "source": "s", "format": ")" + format +
         R"(", "default_type": "f16", "vector_type": "f16", "quality_note": "n")" + (extra.empty() ? "" : ", " + extra) + "}";
}

}  // namespace

TEST_CASE("shipped quants: llama_ftype numbers as in llama.h, the ladder in its order", "[catalog][quant]") {
  const auto r = catalog::load(catalog::embedded_files(), {});
  REQUIRE(r.ok());
  const auto ftype = [&](const char* id) { return catalog::find(r.catalog.quants, id)->llama_ftype; };
  // include/llama.h: LLAMA_FTYPE_ALL_F32 = 0, MOSTLY_Q8_0 = 7, MOSTLY_Q4_K_M = 15, MOSTLY_BF16 = 32,
  // MOSTLY_MXFP4_MOE = 38; GPTQ is not a GGUF recipe.
  CHECK(ftype("f32") == 0U);
  CHECK(ftype("q8-0") == 7U);
  CHECK(ftype("q4-k-m") == 15U);
  CHECK(ftype("bf16") == 32U);
  CHECK(ftype("mxfp4-moe") == 38U);
  CHECK_FALSE(ftype("gptq-4bit"));
  std::vector<std::pair<std::uint32_t, std::string>> ladder;
  for (const Quant& q : r.catalog.quants) {
    if (q.quality_rank) ladder.emplace_back(*q.quality_rank, q.meta.id);
  }
  std::sort(ladder.begin(), ladder.end());
  std::vector<std::string> ids;
  for (const auto& [rank, id] : ladder) ids.push_back(id);
  CHECK(ids == std::vector<std::string>{"f16", "q8-0", "q6-k", "q5-k-m", "q4-k-m", "iq4-xs", "q3-k-m", "iq3-xxs", "q2-k",
                                        "iq2-m", "iq2-xxs", "iq1-m"});
  CHECK(ladder.front().first == 1U);
  CHECK(ladder.back().first == 12U);
}

TEST_CASE("quant facts: loader errors, word for word", "[catalog][quant]") {
  CHECK(errors_of(quant("a", R"("llama_ftype": 15, "quality_rank": 3)")).empty());
  CHECK(errors_of(quant("a", R"("llama_ftype": 1024)")) ==
        std::vector<std::string>{"test.json: /quants/0/llama_ftype: 1024 is out of range [0, 1023]"});
  CHECK(errors_of(quant("a", R"("llama_ftype": 15.5)")) ==
        std::vector<std::string>{"test.json: /quants/0/llama_ftype: expected an integer, got 15.5"});
  CHECK(errors_of(quant("a", R"("llama_ftype": 15)", "safetensors")) ==
        std::vector<std::string>{"test.json: /quants/0/llama_ftype: only a gguf quant has a llama_ftype (this one is safetensors)"});
  CHECK(errors_of(quant("a", R"("quality_rank": 0)")) ==
        std::vector<std::string>{"test.json: /quants/0/quality_rank: 0 is out of range [1, 1000]"});
  CHECK(errors_of(quant("a", R"("quality_rnak": 1)")) ==
        std::vector<std::string>{"test.json: /quants/0/quality_rnak: unknown key (did you mean \"quality_rank\"?)"});
}

TEST_CASE("quant facts: a llama_ftype or quality_rank names one quant only", "[catalog][quant]") {
  CHECK(errors_of(quant("a", R"("llama_ftype": 15, "quality_rank": 2)") + "," + quant("b", R"("llama_ftype": 15, "quality_rank": 2)")) ==
        std::vector<std::string>{"test.json: /quants/1/llama_ftype: llama_ftype 15 is already used by \"a\"",
                                 "test.json: /quants/1/quality_rank: quality_rank 2 is already used by \"a\""});
}

TEST_CASE("shipped tensor types: cpu_matmul_speed relative to Q8_0, 1 where unmeasured", "[catalog][quant][cpu]") {
  const auto r = catalog::load(catalog::embedded_files(), {});
  REQUIRE(r.ok());
  const auto speed = [&](const char* id) { return find_type(r.catalog.tensor_types, id)->cpu_matmul_speed; };
  // Ryzen 9 7950X, mainline llama.cpp 14b699ec, Llama 3.1 8B pp512 at 16 threads (ik_llama.cpp discussion
  // #164): Q8_0 147.92 t/s, Q4_K_S 108.4 (0.73), IQ3_S 30.2 (0.20).
  CHECK(speed("q8-0") == 1.0);
  CHECK(speed("q4-k") == Approx(108.4 / 147.92).margin(0.005));
  CHECK(speed("iq3-s") == Approx(30.2 / 147.92).margin(0.005));
  CHECK(speed("nvfp4") == 1.0);  // no CPU measurement: the default
}

TEST_CASE("tensor_types cpu_matmul_speed out of range is an error", "[catalog][quant][cpu]") {
  const std::string text = R"({"schema_version": 1, "tensor_types": [{"id": "f16", "name": "F16", "source": "s",
      "block_weights": 1, "block_bytes": 2, "ggml_type": 1, "cpu_matmul_speed": 0}], "quants": []})";
  const auto r = catalog::load({{"test.json", text}}, {});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string().find("/tensor_types/0/cpu_matmul_speed") != std::string::npos);
}

TEST_CASE("shipped tensor types: each GGUF quantized and float type names its GPU kernel family", "[catalog][quant][speed]") {
  const auto r = catalog::load(catalog::embedded_files(), {});
  REQUIRE(r.ok());
  const auto kernel = [&](const char* id) { return find_type(r.catalog.tensor_types, id)->gpu_kernel; };
  // One MMQ tile loader per block layout (ggml-cuda/mmq.cuh): the 32-weight blocks, the K super-blocks, the
  // codebook types, MXFP4; the float types go to cuBLAS / rocBLAS.
  CHECK(kernel("q4-0") == MatmulKernel::legacy);
  CHECK(kernel("q8-0") == MatmulKernel::legacy);
  CHECK(kernel("q4-k") == MatmulKernel::k_quant);
  CHECK(kernel("q6-k") == MatmulKernel::k_quant);
  CHECK(kernel("iq4-xs") == MatmulKernel::i_quant);
  CHECK(kernel("iq2-xxs") == MatmulKernel::i_quant);
  CHECK(kernel("mxfp4") == MatmulKernel::mxfp4);
  CHECK(kernel("bf16") == MatmulKernel::bf16);
  CHECK(kernel("f16") == MatmulKernel::f16);
  CHECK(kernel("nvfp4") == MatmulKernel::other);  // no family of its own
}

TEST_CASE("tensor_types gpu_kernel outside the families is an error", "[catalog][quant][speed]") {
  const std::string text = R"({"schema_version": 1, "tensor_types": [{"id": "f16", "name": "F16", "source": "s",
      "block_weights": 1, "block_bytes": 2, "ggml_type": 1, "gpu_kernel": "tensor_core"}], "quants": []})";
  const auto r = catalog::load({{"test.json", text}}, {});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string().find("/tensor_types/0/gpu_kernel") != std::string::npos);
}
