#include "assumption.h"

#include <fmt/format.h>

#include <string_view>

namespace llmsize::cli {
namespace {

struct Wording {
  std::string_view key;
  AssumptionSource source;
  std::string_view format;  ///< fmt format with {value} and {detail}
};

using S = AssumptionSource;

// One sentence per (key, source); docs/json.md lists the keys.
constexpr Wording kWordings[] = {
    {"model", S::alias, "\"{detail}\" is {value}"},
    {"model_file", S::model_file, "{detail}: {value}"},
    {"quant", S::default_value, "quantization not given: {value}"},
    {"context_tokens", S::default_value, "context not given: {value} tokens"},
    {"context_tokens", S::capped, "context capped at the model's maximum, {value} tokens"},
    {"contexts", S::default_value, "contexts not given: {value}"},
    {"kv_type", S::default_value, "KV cache type not given: {value}"},
    {"flash_attention", S::default_value, "flash attention {value} (llama.cpp -fa auto enables it on GPUs and CPUs)"},
    {"v_cache_type", S::capped, "V cache kept in {value}: a quantized V cache needs flash attention"},
    {"ubatch", S::capped, "micro-batch capped at --batch-size, {value} tokens (llama.cpp runs -ub at most -b)"},
    // A draft model and a vision projector (extras.h).
    {"draft_quant", S::default_value, "draft quantization not given: {value} ({detail})"},
    {"draft_kv_type", S::default_value, "draft KV cache {value} (llama.cpp's -ctkd / -ctvd default, whatever -ctk says)"},
    {"draft_max", S::default_value, "--draft-max not given: {value} tokens per step (llama.cpp's default)"},
    {"draft_accept", S::estimate, "--draft-accept not given: {value}, the range of {detail}"},
    {"draft_vocab", S::estimate, "draft vocabulary {value}: {detail}"},
    {"mmproj_type", S::default_value, "--mmproj not given: the catalog's projector in {value}, as mmproj files ship"},
    {"mmproj_file", S::model_file, "{detail}: {value}"},
    {"image_tokens", S::estimate, "{value} tokens per image: {detail}"},
    {"usage", S::default_value, "the month assumes {value}"},
    {"usage", S::catalog, "the month assumes {value}"},
    // Fine-tuning (finetune_options.cpp).
    {"framework", S::default_value, "framework not given: {value}"},
    {"seq_len_tokens", S::default_value, "sequence length not given: {value} tokens"},
    {"micro_batch", S::default_value, "micro-batch not given: {value} sequence(s) per GPU"},
    {"gradient_checkpointing", S::default_value, "gradient checkpointing not given: {value} ({detail})"},
    {"lora_rank", S::default_value, "LoRA rank not given: {value}"},
    {"lora_targets", S::default_value, "LoRA targets not given: {value} ({detail})"},
    {"optimizer", S::default_value, "optimizer not given: {value} ({detail})"},
    {"precision", S::default_value, "precision not given: {value} ({detail})"},
    {"sharding", S::default_value, "sharding not given: {value} ({detail})"},
    {"framework_behaviour", S::estimate, "the numbers assume {detail}"},
    // Hardware (hardware_defaults.h and the detection front end, this_machine.cpp).
    {"ram_gib", S::default_value, "--ram not given: {value} GiB of system RAM"},
    {"cpu", S::default_value, "no --cpu: a {value} CPU of {detail}"},
    {"ram_kind", S::default_value, "RAM kind not given: {value} (fastest the CPU supports)"},
    {"memory_gb", S::default_value, "--memory not given: {value} GB, the largest option"},
    {"gpu_memory_fraction", S::catalog,
     "GPU may use {value} of RAM (macOS default working-set limit; raise it with sudo sysctl iogpu.wired_limit_mb)"},
    {"storage", S::default_value, "--storage not given: {value} for load time"},
    {"tflops", S::estimate,
     "{detail} has no TFLOPS in the catalog: prompt speed assumes {value} (give fp16_tensor_tflops or fp32_tflops in a "
     "--catalog file)"},
    {"storage", S::catalog, "storage {detail}: {value} for load time"},
    {"link", S::default_value, "--link not given: {value} between the machines"},
    {"split", S::capped, "--split row runs as a {value} split on {detail}: llama.cpp splits rows on CUDA, ROCm and SYCL only"},
    {"rpc_overhead_ms", S::estimate,
     "each crossing between machines costs {value} ms of RPC overhead (estimate from llama.cpp PR #6829) plus the "
     "link's {detail} us latency"},
};

}  // namespace

const char* to_string(AssumptionSource s) {
  switch (s) {
    case S::default_value: return "default";
    case S::capped: return "capped";
    case S::alias: return "alias";
    case S::model_file: return "model_file";
    case S::catalog: return "catalog";
    case S::detected: return "detected";
    case S::estimate: return "estimate";
  }
  return "?";
}

std::string assumption_text(const Assumption& a) {
  for (const Wording& w : kWordings) {
    if (w.key == a.key && w.source == a.source) {
      return fmt::format(fmt::runtime(w.format), fmt::arg("value", a.value), fmt::arg("detail", a.detail));
    }
  }
  // Keys without a row: the sentence the front end worded where it read the fact (detection), else
  // every fact in a fixed shape.
  if (!a.detail.empty() && (a.source == S::detected || a.source == S::catalog || a.source == S::default_value)) {
    return a.detail;
  }
  std::string text = a.source == S::default_value ? a.key + " not given: " + a.value
                                                  : a.key + ": " + a.value + " (" + to_string(a.source) + ")";
  if (!a.detail.empty()) text += "; " + a.detail;
  return text;
}

std::string assumptions_text(const Assumptions& assumptions) {
  std::string out = "\nAssumptions\n";
  if (assumptions.empty()) out += "  (none: every input was given)\n";
  for (const Assumption& a : assumptions) out += "  - " + assumption_text(a) + "\n";
  return out;
}

nlohmann::ordered_json assumptions_json(const Assumptions& assumptions) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Assumption& a : assumptions) {
    list.push_back({{"key", a.key}, {"value", a.value}, {"source", to_string(a.source)}, {"text", assumption_text(a)}});
  }
  return list;
}

void append(Assumptions& a, const Assumptions& b) { a.insert(a.end(), b.begin(), b.end()); }

}  // namespace llmsize::cli
