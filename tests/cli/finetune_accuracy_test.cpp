// Fine-tuning memory against published peak-memory measurements (docs/formulas.md, "Fine-tuning:
// validation"). Each row cites its source; the test reports every row's error and holds the median.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/finetune.h"
#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

namespace {

const catalog::Catalog& shipped() {
  static const catalog::Catalog cat = [] {
    auto r = catalog::load(catalog::embedded_files(), {});
    REQUIRE(r.ok());
    return r.catalog;
  }();
  return cat;
}

/// What a measurement reports.
enum class Metric {
  allocated,  ///< torch.cuda.max_memory_allocated: PyTorch's tensors, no CUDA context
  reserved,   ///< torch.cuda.max_memory_reserved: the same plus the allocator's cache
};

struct Measurement {
  const char* source;
  const char* model;
  FinetuneSettings settings;
  double measured_gib;
  Metric metric;
};

// foundation-model-stack/fms-acceleration scripts/benchmarks/refs/a100_80gb.csv (commit 876e2ed;
// rows added by PR #14 and #106): Hugging Face Trainer (transformers 4.48.1, peft 0.13.2, bitsandbytes
// 0.43.3, torch 2.4.1), A100 80GB, sequences packed to 4096 tokens, gradient checkpointing,
// flash-attention 2, torch_dtype bfloat16, torch AdamW; LoRA r=16 on q,k,v,o; two GPUs run FSDP
// FULL_SHARD (scripts/benchmarks/accelerate.yaml). `mem_peak_torch_mem_alloc_in_bytes` in GiB.
constexpr const char* kFms = "fms-acceleration a100_80gb.csv";
// The same repository's refs/a100_80gb_granite.csv (transformers 4.45.2): rows without fused kernels.
// AnswerDotAI/fsdp_qlora benchmarks_03_2024.md: FSDP (or its DDP mode) over two RTX 3090s, Llama-2 7B,
// context 2048, dummy data, LoRA r=64 on all linear layers (train.py defaults), gradient checkpointing,
// peak reserved memory in GiB.
constexpr const char* kAnswerAi = "AnswerDotAI/fsdp_qlora benchmarks_03_2024.md";

FinetuneSettings fms(FinetuneMethod method, std::uint32_t gpus, std::uint32_t batch) {
  FinetuneSettings s;
  s.method = method;
  s.framework = TrainFramework::transformers;
  s.precision = TrainPrecision::bf16;
  s.optimizer = TrainOptimizer::adamw;
  s.seq_len_tokens = 4096;
  s.micro_batch = batch;
  s.gradient_checkpointing = true;
  s.lora_rank = 16;
  s.lora_targets = LoraTargets::attention;
  s.n_gpus = gpus;
  s.sharding = Sharding::fsdp;
  return s;
}

FinetuneSettings answer_ai(FinetuneMethod method, std::uint32_t batch, Sharding sharding) {
  FinetuneSettings s = fms(method, 2, batch);
  s.seq_len_tokens = 2048;
  s.lora_rank = 64;
  s.lora_targets = LoraTargets::all_linear;
  s.sharding = sharding;
  return s;
}

std::vector<Measurement> measurements() {
  using M = FinetuneMethod;
  return {
      {kFms, "mistral-7b-v0.1", fms(M::full, 1, 4), 67.46, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::full, 1, 8), 67.46, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::full, 2, 2), 33.74, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::full, 2, 4), 33.74, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::lora, 1, 4), 24.87, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::lora, 1, 8), 36.08, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::lora, 2, 2), 14.10, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::lora, 2, 4), 20.45, Metric::allocated},
      {kFms, "mixtral-8x7b", fms(M::lora, 2, 2), 53.60, Metric::allocated},
      {kFms, "mixtral-8x7b", fms(M::lora, 2, 4), 60.40, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::qlora, 1, 4), 19.25, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::qlora, 1, 8), 34.46, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::qlora, 2, 2), 8.78, Metric::allocated},
      {kFms, "mistral-7b-v0.1", fms(M::qlora, 2, 4), 14.87, Metric::allocated},
      {kFms, "mixtral-8x7b", fms(M::qlora, 1, 4), 39.86, Metric::allocated},
      {kFms, "mixtral-8x7b", fms(M::qlora, 1, 8), 56.39, Metric::allocated},
      {kFms, "mixtral-8x7b", fms(M::qlora, 2, 2), 19.68, Metric::allocated},
      {kFms, "mixtral-8x7b", fms(M::qlora, 2, 4), 26.21, Metric::allocated},
      {kFms, "llama-2-70b", fms(M::qlora, 2, 2), 43.48, Metric::allocated},
      {kAnswerAi, "llama-2-7b", answer_ai(M::qlora, 1, Sharding::fsdp), 5.21, Metric::reserved},
      {kAnswerAi, "llama-2-7b", answer_ai(M::qlora, 4, Sharding::fsdp), 11.22, Metric::reserved},
      {kAnswerAi, "llama-2-7b", answer_ai(M::qlora, 10, Sharding::fsdp), 20.97, Metric::reserved},
      {kAnswerAi, "llama-2-7b", answer_ai(M::lora, 4, Sharding::fsdp), 16.14, Metric::reserved},
      {kAnswerAi, "llama-2-7b", answer_ai(M::lora, 6, Sharding::fsdp), 21.35, Metric::reserved},
      {kAnswerAi, "llama-2-7b", answer_ai(M::qlora, 8, Sharding::ddp), 20.94, Metric::reserved},
      {kAnswerAi, "llama-2-7b", answer_ai(M::lora, 4, Sharding::ddp), 22.04, Metric::reserved},
  };
}

double predicted_gib(const Measurement& row) {
  const Model* m = catalog::find(shipped().models, row.model);
  REQUIRE(m != nullptr);
  const FinetuneResult r = finetune_memory(*m, row.settings);
  // Neither PyTorch counter sees the CUDA context.
  const std::uint64_t bytes = r.per_gpu_bytes() - r.peak().framework_overhead_bytes;
  return units::bytes_to_gib(bytes);
}

}  // namespace

TEST_CASE("fine-tuning peak memory within 15% median of published measurements", "[accuracy][finetune]") {
  // At the time of writing: median 5.2% over 26 rows; fms-acceleration's 19 rows (torch's own counter)
  // median 2.2%; Answer.AI's 7 (reserved memory, with the allocator's cache) median 15.8%, all under.
  std::vector<double> errors;
  std::string table;
  for (const Measurement& row : measurements()) {
    const double predicted = predicted_gib(row);
    const double error = (predicted - row.measured_gib) / row.measured_gib;
    errors.push_back(std::abs(error));
    table += std::string(row.model) + " " + name_of(kFinetuneMethodNames, row.settings.method) + " on " +
             std::to_string(row.settings.n_gpus) + " GPU(s), batch " + std::to_string(row.settings.micro_batch) +
             ": measured " + std::to_string(row.measured_gib) + " GiB, predicted " + std::to_string(predicted) + " (" +
             std::to_string(error * 100) + "%) [" + row.source + "]\n";
    // No single row is off by more than 30% (the worst: FSDP QLoRA of Llama-2 70B, -25%).
    CHECK(std::abs(error) <= 0.30);
  }
  std::sort(errors.begin(), errors.end());
  const double median = errors.size() % 2 == 1 ? errors[errors.size() / 2]
                                               : (errors[errors.size() / 2 - 1] + errors[errors.size() / 2]) / 2;
  INFO(table << "median |error| " << median * 100 << "%");
  CHECK(median <= 0.15);
  CHECK(errors.size() == 26);
}
