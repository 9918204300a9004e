#include "sizing.h"

#include <fmt/format.h>

#include "render.h"

namespace llmsize::cli {
namespace {

constexpr std::uint64_t kDefaultContextTokens = 8192;
constexpr const char* kDefaultQuant = "q4-k-m";
constexpr const char* kDefaultKvType = "f16";

}  // namespace

void add_sizing_options(CLI::App* cmd, SizingOptions& o, bool model_required) {
  auto* model = cmd->add_option("--model,-m", o.model,
                                "Model: catalog id or alias (llama-3.1-8b, 8b, 30b, qwen3-30b-a3b; `llmsize models` lists them), "
                                "a GGUF file (split parts are found beside the first), or a Hugging Face config.json or its "
                                "directory (docs/model-files.md)");
  if (model_required) model->required();
  cmd->add_option("--quant,-q", o.quant, "Quantization (q4_k_m, q8_0, iq3_xxs, f16, gptq-4bit, ...); default q4_k_m; `llmsize quants` lists them");
  cmd->add_option("--context,-c", o.context,
                  "Context length in tokens per sequence (8192, 8k, 128k); default 8192, capped at the model's maximum");
  cmd->add_option("--kv-type", o.kv_type, "KV cache type for K and V: f16 (default), bf16, q8_0, q5_1, q5_0, q4_1, q4_0, iq4_nl, f32");
  cmd->add_option("--ctk", o.ctk, "K cache type (overrides --kv-type), as llama.cpp -ctk");
  cmd->add_option("--ctv", o.ctv, "V cache type (overrides --kv-type), as llama.cpp -ctv; quantized V needs flash attention");
  cmd->add_flag("--no-flash-attn", o.no_flash_attention, "Flash attention off (llama.cpp -fa off): larger compute buffer, V cache stays f16");
  cmd->add_option("--parallel,--np", o.parallel, "Parallel sequences (llama-server -np); each gets --context tokens")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--ubatch", o.ubatch, "Micro-batch size in tokens (llama.cpp -ub), default 512")->check(CLI::Range(1, 65536));
  cmd->add_flag("--swa-full", o.swa_full, "Sliding-window layers keep the full context (llama.cpp --swa-full)");
}

const TensorType& resolve_kv_type(const Context& ctx, const std::string& name, const std::string& flag) {
  const TensorType& t = resolve(ctx.catalog.tensor_types, name, "KV cache type for " + flag, "quants");
  if (!t.kv_cache) throw InputError(flag + " " + t.meta.name + " is not a KV cache type (use f16, q8_0, q4_0, ...)");
  return t;
}

void set_context(Sizing& s, std::uint64_t context_tokens) {
  s.kv.context_tokens = context_tokens;
  s.cache = kv_cache(*s.model, s.kv);
  s.compute.context_cells = s.cache.full_cells;
}

const modelfile::ModelFile& model_file(const Context& ctx, const std::string& path) {
  auto& slot = ctx.model_files[path];
  if (!slot) slot = std::make_unique<modelfile::ModelFile>(modelfile::load_model_file(path, ctx.catalog.tensor_types));
  return *slot;
}

Sizing resolve_sizing(const Context& ctx, const SizingOptions& o) {
  const auto& cat = ctx.catalog;
  Sizing s;
  s.types = &cat.tensor_types;
  const modelfile::ModelFile* file = nullptr;
  if (catalog::find(cat.models, o.model) == nullptr && modelfile::looks_like_path(o.model)) {
    file = &model_file(ctx, o.model);
    s.model = &file->model;
    s.file = file;
    for (const std::string& note : file->inferred) s.assumptions.push_back(file->path + ": " + note);
  } else {
    s.model = &resolve(cat.models, o.model, "model", "models");
    if (catalog::normalize_name(o.model) != s.model->meta.id) {
      s.model_note = "\"" + o.model + "\" is " + s.model->meta.name + " (" + s.model->meta.id + ")";
      s.assumptions.push_back(s.model_note);
    }
  }
  if (file != nullptr && file->quant) {
    if (!o.quant.empty()) {
      throw InputError("--quant " + o.quant + " cannot apply to " + file->path + ": a GGUF file's tensors are already " +
                       file->file_type + "; drop --quant, or give the model's config.json to size other quantizations");
    }
    s.quant = &*file->quant;
  } else {
    const std::string quant_name = o.quant.empty() ? kDefaultQuant : o.quant;
    if (o.quant.empty()) s.assumptions.push_back("quantization not given: Q4_K_M");
    s.quant = &resolve(cat.quants, quant_name, "quantization", "quants");
  }

  std::uint64_t context = kDefaultContextTokens;
  if (o.context.empty()) {
    s.assumptions.push_back("context not given: 8192 tokens");
  } else {
    context = parse_tokens(o.context, "--context");
  }
  if (context > s.model->context_length) {
    s.assumptions.push_back(fmt::format("context capped at the model's maximum, {} tokens", s.model->context_length));
    context = s.model->context_length;
  }

  const std::string kv = o.kv_type.empty() ? kDefaultKvType : o.kv_type;
  if (o.kv_type.empty() && o.ctk.empty() && o.ctv.empty()) s.assumptions.push_back("KV cache type not given: f16");
  s.kv.type_k = &resolve_kv_type(ctx, o.ctk.empty() ? kv : o.ctk, "--ctk");
  s.kv.type_v = &resolve_kv_type(ctx, o.ctv.empty() ? kv : o.ctv, "--ctv");
  s.kv.type_v_without_flash_attention = &resolve_kv_type(ctx, "f16", "--ctv");
  s.kv.flash_attention = !o.no_flash_attention;
  s.kv.n_sequences = o.parallel;
  s.kv.ubatch = o.ubatch;
  s.kv.swa_full = o.swa_full;
  s.compute.ubatch = o.ubatch;
  s.compute.flash_attention = !o.no_flash_attention;
  s.compute.n_sequences = o.parallel;
  if (!o.no_flash_attention) s.assumptions.push_back("flash attention on (llama.cpp -fa auto enables it on GPUs and CPUs)");

  s.weights = file != nullptr && file->quant ? summarize_weights(*s.model, file->tensors)
                                              : weight_bytes(*s.model, *s.quant, *s.types);
  if (!s.weights.errors.empty()) throw InputError("quantization " + s.quant->meta.id + ": " + s.weights.errors.front());
  set_context(s, context);
  if (s.cache.v_kept_f16) s.assumptions.push_back("V cache kept in f16: a quantized V cache needs flash attention");
  return s;
}

std::uint64_t weight_count(const Sizing& s) {
  // A GGUF file's tensors are counted exactly; otherwise the architecture is.
  return s.file != nullptr && s.file->quant ? s.model->params_total : count_params(*s.model).total;
}

Json model_json(const Sizing& s) {
  const ParamCounts params = count_params(*s.model);
  Json j = Json::object();
  j["id"] = s.model->meta.id;
  j["name"] = s.model->meta.name;
  j["params_total"] = s.model->params_total;
  j["params_active"] = s.model->params_active.value_or(is_moe(*s.model) ? params.active : s.model->params_total);
  j["params_from_architecture"] = params.total;
  j["n_layers"] = s.model->n_layers;
  j["context_length_max"] = s.model->context_length;
  if (s.file != nullptr) {
    j["file"] = Json{{"path", s.file->path}, {"format", s.file->format}, {"parts", s.file->parts},
                     {"file_bytes", s.file->file_bytes}, {"inferred", s.file->inferred}};
  }
  return j;
}

Json quant_json(const Sizing& s) {
  Json j = Json::object();
  j["id"] = s.quant->meta.id;
  j["name"] = s.quant->meta.name;
  j["format"] = s.quant->format;
  j["bits_per_weight"] = s.weights.bits_per_weight(weight_count(s));
  return j;
}

Json inputs_json(const Sizing& s) {
  Json j = Json::object();
  j["model"] = s.model->meta.id;
  j["quant"] = s.quant->meta.id;
  j["context_tokens"] = s.kv.context_tokens;
  j["kv_type_k"] = s.kv.type_k->meta.id;
  j["kv_type_v"] = s.kv.type_v->meta.id;
  j["flash_attention"] = s.kv.flash_attention;
  j["parallel"] = s.kv.n_sequences;
  j["ubatch"] = s.kv.ubatch;
  return j;
}

}  // namespace llmsize::cli
