#include "finetune_render.h"

#include <fmt/format.h>

#include <algorithm>

#include "formulas.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

const char* method_label(FinetuneMethod m) {
  switch (m) {
    case FinetuneMethod::full: return "full fine-tuning";
    case FinetuneMethod::lora: return "LoRA";
    case FinetuneMethod::qlora: return "QLoRA (NF4 base, double quantization)";
  }
  return "?";
}

const char* framework_label(TrainFramework f) {
  switch (f) {
    case TrainFramework::transformers: return "Transformers + PEFT";
    case TrainFramework::unsloth: return "Unsloth";
    case TrainFramework::torchtune: return "torchtune";
  }
  return "?";
}

const char* optimizer_label(TrainOptimizer o) {
  switch (o) {
    case TrainOptimizer::adamw: return "AdamW";
    case TrainOptimizer::adamw_8bit: return "8-bit AdamW";
    case TrainOptimizer::paged_adamw_8bit: return "paged 8-bit AdamW (may page to RAM under pressure)";
  }
  return "?";
}

const char* sharding_label(Sharding s) {
  switch (s) {
    case Sharding::ddp: return "DDP";
    case Sharding::fsdp: return "FSDP";
    case Sharding::zero2: return "ZeRO-2";
    case Sharding::zero3: return "ZeRO-3";
  }
  return "?";
}

std::string billions(std::uint64_t n) {
  if (n >= 1'000'000'000) return fmt::format("{:.2f}B", static_cast<double>(n) / 1e9);
  return fmt::format("{:.1f}M", static_cast<double>(n) / 1e6);
}

// "Llama 3.1 8B · QLoRA (...), rank 16 on all linear layers · Transformers + PEFT"
std::string headline(const FinetunePlan& plan, const FinetuneSettings& s, const TrainParams& p) {
  std::string out = fmt::format("{} · {}", plan.model.model->meta.name, method_label(s.method));
  if (s.method != FinetuneMethod::full) {
    out += fmt::format(", rank {} on {}", s.lora_rank,
                       s.lora_targets == LoraTargets::all_linear ? "all linear layers" : "the attention projections");
  } else {
    out += s.precision == TrainPrecision::mixed ? ", mixed precision" : ", bf16";
  }
  out += fmt::format(" · {}\n", framework_label(s.framework));
  out += fmt::format("{} of {} parameters trained · {} tokens × {} sequence(s) per GPU · gradient checkpointing {} · {}\n",
                     billions(p.trainable), billions(p.total), s.seq_len_tokens, s.micro_batch,
                     s.gradient_checkpointing ? "on" : "off", optimizer_label(s.optimizer));
  if (s.n_gpus > 1) out += fmt::format("{} GPUs with {}\n", s.n_gpus, sharding_label(s.sharding));
  return out;
}

struct Term {
  const char* name;
  std::uint64_t FinetuneBreakdown::*field;
};

constexpr Term kTerms[] = {
    {"weights", &FinetuneBreakdown::weights_bytes},
    {"master weights (fp32)", &FinetuneBreakdown::master_weights_bytes},
    {"adapter weights", &FinetuneBreakdown::adapter_weights_bytes},
    {"gradients", &FinetuneBreakdown::gradients_bytes},
    {"optimizer states", &FinetuneBreakdown::optimizer_states_bytes},
    {"step temporaries", &FinetuneBreakdown::optimizer_step_bytes},
    {"activations", &FinetuneBreakdown::activations_bytes},
    {"logits", &FinetuneBreakdown::logits_bytes},
    {"communication", &FinetuneBreakdown::communication_bytes},
    {"CUDA context", &FinetuneBreakdown::framework_overhead_bytes},
};

std::string phase_table(const FinetuneResult& res, bool color) {
  const FinetuneBreakdown* phases[] = {&res.loss, &res.backward, &res.step};
  const TrainPhase ids[] = {TrainPhase::loss, TrainPhase::backward, TrainPhase::optimizer_step};
  Table t({{"Per GPU [GiB]", Align::left}, {"Loss", Align::right}, {"End of backward", Align::right},
           {"Optimizer step", Align::right}});
  for (const Term& term : kTerms) {
    const bool shown = std::any_of(std::begin(phases), std::end(phases), [&](const FinetuneBreakdown* b) { return b->*term.field > 0; });
    if (!shown) continue;
    std::vector<std::string> row{term.name};
    for (const FinetuneBreakdown* b : phases) row.push_back(gib(b->*term.field));
    t.add_row(std::move(row));
  }
  std::vector<std::string> total{"total"};
  for (std::size_t i = 0; i < 3; ++i) {
    total.push_back(gib(phases[i]->total_bytes()) + (ids[i] == res.peak_phase ? " (peak)" : ""));
  }
  t.add_row(std::move(total));
  return t.text(color);
}

std::string verdict_text(const FinetuneReport& r) {
  if (!r.hardware) return "";
  const std::uint64_t peak = r.result.per_gpu_bytes();
  std::string out = fmt::format("\non {}: {}\n", hardware_label(*r.hardware), *r.fits() ? "FITS" : "DOES NOT FIT");
  for (const DeviceSpec& d : r.hardware->devices) {
    out += fmt::format("  {:<16} {} {:>6} / {:>6} GiB\n", d.id,
                       bar(static_cast<double>(peak) / static_cast<double>(std::max<std::uint64_t>(d.memory_bytes, 1)), 20),
                       gib(peak), gib(d.memory_bytes));
  }
  out += fmt::format("  (each GPU keeps {} GiB free for the allocator's fragmentation)\n", gib(kFitMarginBytes));
  return out;
}

std::string explain(const FinetuneReport& r) {
  const ActivationFacts& a = r.result.activations;
  std::string out = "\nHow (docs/formulas.md, \"Fine-tuning\"):\n";
  for (std::string_view line : {formulas::kFtWeights, formulas::kFtAdapters, formulas::kFtStates, formulas::kFtStep,
                                formulas::kFtSaved, formulas::kFtLayer, formulas::kFtLogits, formulas::kFtShards,
                                formulas::kFtPeak}) {
    out += fmt::format("  {}\n", line);
  }
  out += fmt::format("  here: {} tokens per GPU; saved {} B, largest layer {} B, logits {} B per token over {} tokens at once\n",
                     a.tokens, a.saved_bytes_per_token, a.layer_bytes_per_token, a.logits_bytes_per_token, a.logits_tokens);
  return out + assumptions_text(r.assumptions);
}

Json breakdown_json(const FinetuneBreakdown& b) {
  return {{"weights_bytes", b.weights_bytes},
          {"master_weights_bytes", b.master_weights_bytes},
          {"adapter_weights_bytes", b.adapter_weights_bytes},
          {"gradients_bytes", b.gradients_bytes},
          {"optimizer_states_bytes", b.optimizer_states_bytes},
          {"optimizer_step_bytes", b.optimizer_step_bytes},
          {"activations_bytes", b.activations_bytes},
          {"logits_bytes", b.logits_bytes},
          {"communication_bytes", b.communication_bytes},
          {"framework_overhead_bytes", b.framework_overhead_bytes}};
}

Json inputs_json(const FinetuneReport& r) {
  Json j = finetune_settings_json(r.plan, r.settings);
  j["hardware"] = r.hardware ? hardware_json(*r.hardware) : Json::array();
  return j;
}

}  // namespace

Json finetune_settings_json(const FinetunePlan& plan, const FinetuneSettings& s) {
  const bool lora = s.method != FinetuneMethod::full;
  Json j = Json::object();
  j["model"] = plan.model.model->meta.id;
  j["method"] = name_of(kFinetuneMethodNames, s.method);
  j["framework"] = name_of(kTrainFrameworkNames, s.framework);
  j["precision"] = lora ? Json() : Json(name_of(kTrainPrecisionNames, s.precision));
  j["optimizer"] = name_of(kTrainOptimizerNames, s.optimizer);
  j["seq_len_tokens"] = s.seq_len_tokens;
  j["micro_batch"] = s.micro_batch;
  j["gradient_checkpointing"] = s.gradient_checkpointing;
  j["lora_rank"] = lora ? Json(s.lora_rank) : Json();
  j["lora_targets"] = lora ? Json(name_of(kLoraTargetsNames, s.lora_targets)) : Json();
  j["n_gpus"] = s.n_gpus;
  j["sharding"] = s.n_gpus > 1 ? Json(name_of(kShardingNames, s.sharding)) : Json();
  return j;
}

std::string finetune_headline(const FinetunePlan& plan, const FinetuneSettings& s, const TrainParams& p) {
  return headline(plan, s, p);
}

namespace {

Json result_json(const FinetuneReport& r) {
  const FinetuneResult& res = r.result;
  const ActivationFacts& a = res.activations;
  const engine::Model& m = *r.plan.model.model;
  Json j = Json::object();
  j["model"] = {{"id", m.meta.id}, {"name", m.meta.name}, {"params_total", m.params_total}, {"n_layers", m.n_layers}};
  j["params"] = {{"total", res.params.total}, {"trainable", res.params.trainable}, {"adapter", res.params.adapter}};
  j["per_gpu_bytes"] = res.per_gpu_bytes();
  j["peak_phase"] = to_string(res.peak_phase);
  j["breakdown"] = breakdown_json(res.peak());
  j["phases"] = {{"loss_bytes", res.loss.total_bytes()},
                 {"backward_bytes", res.backward.total_bytes()},
                 {"optimizer_step_bytes", res.step.total_bytes()}};
  j["activations"] = {{"tokens", a.tokens},
                      {"saved_bytes_per_token", a.saved_bytes_per_token},
                      {"layer_bytes_per_token", a.layer_bytes_per_token},
                      {"logits_bytes_per_token", a.logits_bytes_per_token},
                      {"logits_tokens", a.logits_tokens}};
  const std::optional<bool> fits = r.fits();
  j["fits"] = fits ? Json(*fits) : Json();
  Json devices = Json::array();
  if (r.hardware) {
    for (const DeviceSpec& d : r.hardware->devices) {
      devices.push_back({{"id", d.id}, {"memory_bytes", d.memory_bytes}, {"used_bytes", res.per_gpu_bytes()},
                         {"fits", res.per_gpu_bytes() + kFitMarginBytes <= d.memory_bytes}});
    }
  }
  j["devices"] = devices;
  return j;
}

class FinetuneCommandResult final : public Result {
 public:
  FinetuneCommandResult(FinetuneReport r, std::string command) : r_(std::move(r)), command_(std::move(command)) {}
  [[nodiscard]] std::string text(const Style& style) const override { return finetune_text(r_, style); }
  [[nodiscard]] Json json() const override { return finetune_json(r_, command_); }
  [[nodiscard]] int exit_code() const override { return r_.fits().value_or(true) ? kExitOk : kExitDoesNotFit; }

 private:
  FinetuneReport r_;
  std::string command_;
};

}  // namespace

std::optional<bool> FinetuneReport::fits() const {
  if (!hardware) return std::nullopt;
  const std::uint64_t peak = result.per_gpu_bytes();
  return std::all_of(hardware->devices.begin(), hardware->devices.end(),
                     [&](const DeviceSpec& d) { return peak + kFitMarginBytes <= d.memory_bytes; });
}

FinetuneReport size_finetune(FinetunePlan plan, std::optional<HardwareConfig> hardware) {
  FinetuneReport r;
  std::uint32_t n = 1;
  std::uint64_t memory = 0;
  if (hardware) {
    n = static_cast<std::uint32_t>(hardware->devices.size());
    for (const DeviceSpec& d : hardware->devices) memory = memory == 0 ? d.memory_bytes : std::min(memory, d.memory_bytes);
  }
  r.settings = on_gpus(plan, n, memory);
  r.result = finetune_memory(*plan.model.model, r.settings);
  r.assumptions = plan.assumptions;
  r.plan = std::move(plan);
  r.hardware = std::move(hardware);
  return r;
}

std::string finetune_text(const FinetuneReport& r, const Style& style) {
  std::string out = r.plan.model.note.empty() ? "" : r.plan.model.note + "\n";
  out += headline(r.plan, r.settings, r.result.params) + "\n";
  out += phase_table(r.result, style.color);
  out += verdict_text(r);
  if (style.explain) out += explain(r);
  return out;
}

Json finetune_json(const FinetuneReport& r, const std::string& command) {
  Json inputs = inputs_json(r);
  if (command != "finetune") inputs["task"] = "finetune";
  return envelope(command, inputs, result_json(r), assumptions_json(r.assumptions));
}

std::unique_ptr<Result> finetune_result(FinetuneReport r, std::string command) {
  return std::make_unique<FinetuneCommandResult>(std::move(r), std::move(command));
}

}  // namespace llmsize::cli
