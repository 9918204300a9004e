#include "finetune_options.h"

#include <fmt/format.h>

#include "defaults.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

/// Tokens per GPU per step sized at most (keeps every byte count far from overflow).
constexpr std::uint64_t kMaxTokensPerGpu = 1'000'000'000;

template <class E, std::size_t N>
std::vector<std::string> ids(const std::array<EnumName<E>, N>& table) {
  std::vector<std::string> out;
  for (const EnumName<E>& row : table) out.emplace_back(row.id);
  return out;
}

template <class E, std::size_t N>
std::string id_list(const std::array<EnumName<E>, N>& table) {
  std::string out;
  for (const EnumName<E>& row : table) out += (out.empty() ? "" : "|") + std::string(row.id);
  return out;
}

// What each framework's own recipes choose, with where they say so (docs/formulas.md, "Fine-tuning").
struct FrameworkDefaults {
  TrainFramework framework;
  TrainOptimizer optimizer;
  const char* optimizer_source;
  TrainPrecision precision;
  const char* precision_source;
  Sharding sharding;
  const char* sharding_source;
};

constexpr FrameworkDefaults kFrameworkDefaults[] = {
    {TrainFramework::transformers, TrainOptimizer::adamw, "TrainingArguments' optim default, adamw_torch",
     TrainPrecision::mixed, "from_pretrained's float32 weights with bf16=True autocast",
     Sharding::fsdp, "accelerate's FSDP FULL_SHARD"},
    {TrainFramework::unsloth, TrainOptimizer::adamw_8bit, "Unsloth's notebooks set optim=\"adamw_8bit\"",
     TrainPrecision::bf16, "Unsloth loads the model in bf16 (dtype=None picks bfloat16)",
     Sharding::ddp, "Unsloth runs several GPUs as data parallel"},
    {TrainFramework::torchtune, TrainOptimizer::adamw, "torchtune's LoRA configs use torch.optim.AdamW",
     TrainPrecision::bf16, "torchtune's configs set dtype: bf16", Sharding::fsdp,
     "torchtune's distributed recipes shard with FSDP2"},
};

const FrameworkDefaults& framework_defaults(TrainFramework f) {
  for (const FrameworkDefaults& d : kFrameworkDefaults) {
    if (d.framework == f) return d;
  }
  return kFrameworkDefaults[0];
}

// What the numbers assume of each framework, as one sentence (the terms are in docs/formulas.md).
const char* behaviour(TrainFramework f) {
  switch (f) {
    case TrainFramework::transformers:
      return "Transformers Trainer / TRL with PEFT and bitsandbytes: flash attention or SDPA, LoRA adapters in fp32, the "
             "loss on fp32 logits, gradient checkpointing keeping each layer's input; QLoRA on unsharded weights keeps "
             "the norms and residual stream in fp32 (prepare_model_for_kbit_training)";
    case TrainFramework::unsloth:
      return "Unsloth: fused norm, RoPE and MLP kernels, layer inputs offloaded to RAM by its gradient checkpointing, "
             "the loss computed in chunks of at most 4 GiB of fp32 logits (half the free memory on smaller GPUs), "
             "LoRA adapters in fp32";
    case TrainFramework::torchtune:
      return "torchtune recipes: weights, adapters, gradients and optimizer states in bf16, SDPA with k and v expanded "
             "to every head, cross-entropy on 8 chunks of the output";
  }
  return "";
}

template <class E, std::size_t N>
E parse_choice(const std::array<EnumName<E>, N>& table, const std::string& text, const std::string& flag) {
  if (const auto v = value_of(table, text)) return *v;
  throw InputError(flag + " \"" + text + "\": use one of " + id_list(table));
}

}  // namespace

Sharding default_sharding(TrainFramework f) { return framework_defaults(f).sharding; }

void add_finetune_options(CLI::App* cmd, FinetuneOptions& o) {
  cmd->add_option("--method", o.method, "full, lora or qlora (4-bit NF4 base with double quantization)")
      ->check(CLI::IsMember(ids(kFinetuneMethodNames)));
  cmd->add_option("--framework", o.framework,
                  fmt::format("transformers (default: Trainer/TRL + PEFT + bitsandbytes), unsloth or torchtune"))
      ->check(CLI::IsMember(ids(kTrainFrameworkNames)));
  cmd->add_option("--seq-len", o.seq_len,
                  fmt::format("Tokens per training sequence (2048, 4k); default {}", defaults::kFinetuneSeqLen));
  cmd->add_option("--batch", o.batch, fmt::format("Sequences per GPU per step (micro-batch); default {}", defaults::kFinetuneBatch))
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--grad-checkpointing", o.grad_checkpointing, "Gradient checkpointing: on (default) or off")
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--lora-rank", o.lora_rank, fmt::format("LoRA rank r (lora, qlora); default {}", defaults::kLoraRank))
      ->check(CLI::Range(1, 65536));
  cmd->add_option("--lora-targets", o.lora_targets,
                  "attn (attention projections) or all (every linear layer, experts included; default)")
      ->check(CLI::IsMember(ids(kLoraTargetsNames)));
  cmd->add_option("--optimizer", o.optimizer, "adamw, adamw-8bit or paged-adamw-8bit; default the framework's")
      ->check(CLI::IsMember(ids(kTrainOptimizerNames)));
  cmd->add_option("--precision", o.precision,
                  "Full fine-tuning: mixed (fp32 master weights, bf16 compute) or bf16 (everything bf16); default the framework's")
      ->check(CLI::IsMember(ids(kTrainPrecisionNames)));
  cmd->add_option("--sharding", o.sharding,
                  "Several GPUs: ddp, fsdp (FULL_SHARD), zero2 or zero3 (DeepSpeed); default the framework's")
      ->check(CLI::IsMember(ids(kShardingNames)));
}

FinetunePlan resolve_finetune(const Context& ctx, const std::string& model, const FinetuneOptions& o, std::uint32_t n_gpus) {
  if (o.method.empty()) throw InputError("--method is required: full, lora or qlora");
  FinetunePlan plan;
  plan.model = resolve_model(ctx, model);
  plan.assumptions = plan.model.assumptions;
  FinetuneSettings& s = plan.settings;
  Assumptions& a = plan.assumptions;
  s.method = parse_choice(kFinetuneMethodNames, o.method, "--method");
  const bool lora = s.method != FinetuneMethod::full;
  if (!lora && o.lora_rank) throw InputError("--lora-rank applies to --method lora or qlora");
  if (!lora && !o.lora_targets.empty()) throw InputError("--lora-targets applies to --method lora or qlora");
  if (lora && !o.precision.empty()) {
    throw InputError("--precision applies to --method full (LoRA trains bf16 or NF4 base weights with fp32 adapters)");
  }
  if (!o.sharding.empty() && n_gpus < 2) throw InputError("--sharding needs several GPUs, for example --gpu 2x3090");

  s.framework = parse_choice(kTrainFrameworkNames, o.framework.empty() ? defaults::kFramework : o.framework, "--framework");
  if (o.framework.empty()) a.push_back({"framework", defaults::kFramework, AssumptionSource::default_value, ""});
  const FrameworkDefaults& fw = framework_defaults(s.framework);

  s.seq_len_tokens = o.seq_len.empty() ? defaults::kFinetuneSeqLen : parse_tokens(o.seq_len, "--seq-len");
  if (o.seq_len.empty()) a.push_back({"seq_len_tokens", std::to_string(s.seq_len_tokens), AssumptionSource::default_value, ""});
  if (s.seq_len_tokens == 0) throw InputError("--seq-len must be at least 1 token");
  s.micro_batch = o.batch.value_or(defaults::kFinetuneBatch);
  if (!o.batch) a.push_back({"micro_batch", std::to_string(s.micro_batch), AssumptionSource::default_value, ""});
  if (s.seq_len_tokens * s.micro_batch > kMaxTokensPerGpu) {
    throw InputError(fmt::format("--seq-len × --batch is {} tokens per GPU; at most {} are sized",
                                 s.seq_len_tokens * s.micro_batch, kMaxTokensPerGpu));
  }
  s.gradient_checkpointing = o.grad_checkpointing != "off";
  if (o.grad_checkpointing.empty()) {
    a.push_back({"gradient_checkpointing", "on", AssumptionSource::default_value,
                 "Unsloth's and torchtune's defaults, and what Transformers fine-tuning guides set"});
  }
  if (lora) {
    s.lora_rank = o.lora_rank.value_or(defaults::kLoraRank);
    if (!o.lora_rank) a.push_back({"lora_rank", std::to_string(s.lora_rank), AssumptionSource::default_value, ""});
    s.lora_targets = parse_choice(kLoraTargetsNames, o.lora_targets.empty() ? defaults::kLoraTargets : o.lora_targets,
                                  "--lora-targets");
    if (o.lora_targets.empty()) {
      a.push_back({"lora_targets", defaults::kLoraTargets, AssumptionSource::default_value,
                   "every linear layer, as the QLoRA paper and Unsloth's notebooks"});
    }
  }
  s.optimizer = o.optimizer.empty() ? fw.optimizer : parse_choice(kTrainOptimizerNames, o.optimizer, "--optimizer");
  if (o.optimizer.empty()) {
    a.push_back({"optimizer", name_of(kTrainOptimizerNames, s.optimizer), AssumptionSource::default_value, fw.optimizer_source});
  }
  if (!lora) {
    s.precision = o.precision.empty() ? fw.precision : parse_choice(kTrainPrecisionNames, o.precision, "--precision");
    if (o.precision.empty()) {
      a.push_back({"precision", name_of(kTrainPrecisionNames, s.precision), AssumptionSource::default_value,
                   fw.precision_source});
    }
  }
  plan.sharding_given = !o.sharding.empty();
  s.sharding = plan.sharding_given ? parse_choice(kShardingNames, o.sharding, "--sharding") : fw.sharding;
  if (n_gpus > 1 && !plan.sharding_given) {
    a.push_back({"sharding", name_of(kShardingNames, s.sharding), AssumptionSource::default_value, fw.sharding_source});
  }
  s.n_gpus = std::max<std::uint32_t>(n_gpus, 1);
  a.push_back({"framework_behaviour", name_of(kTrainFrameworkNames, s.framework), AssumptionSource::estimate,
               behaviour(s.framework)});
  return plan;
}

FinetuneSettings on_gpus(const FinetunePlan& plan, std::uint32_t n_gpus, std::uint64_t memory_bytes) {
  FinetuneSettings s = plan.settings;
  s.n_gpus = std::max<std::uint32_t>(n_gpus, 1);
  s.gpu_memory_bytes = memory_bytes;
  if (!plan.sharding_given) s.sharding = default_sharding(s.framework);
  return s;
}

}  // namespace llmsize::cli
