#include "sizing.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "defaults.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {

void add_sizing_options(CLI::App* cmd, SizingOptions& o, bool model_required) {
  auto* model = cmd->add_option("--model,-m", o.model,
                                "Model: catalog id or alias (llama-3.1-8b, 8b, 30b, qwen3-30b-a3b; `llmsize models` lists them) or its "
                                "Hugging Face repository (Qwen/Qwen3-30B-A3B), "
                                "a GGUF file (split parts are found beside the first), a Hugging Face config.json or its "
                                "directory (docs/model-files.md), or a remote model read without downloading it (docs/hub.md): "
                                "hf:ORG/REPO[@REVISION] (its config.json, at --quant), hf:ORG/REPO[@REVISION]:QUANT or "
                                "hf:ORG/REPO[@REVISION]/FILE.gguf (the GGUF header only), https://.../FILE.gguf");
  if (model_required) model->required();
  cmd->add_option("--quant,-q", o.quant, fmt::format("Quantization (q4_k_m, q8_0, iq3_xxs, f16, gptq-4bit, ...); default {}; `llmsize quants` lists them",
                              defaults::kQuant));
  cmd->add_option("--context,-c", o.context,
                  fmt::format("Context length in tokens per sequence (8192, 8k, 128k); default {}, capped at the model's maximum",
                              defaults::kContextTokens));
  cmd->add_option("--kv-type", o.kv_type,
                  fmt::format("KV cache type for K and V (default {}): f16, bf16, q8_0, q5_1, q5_0, q4_1, q4_0, iq4_nl, f32; "
                              "`llmsize quants` lists them",
                              defaults::kKvType));
  cmd->add_option("--ctk", o.ctk, "K cache type (overrides --kv-type), as llama.cpp -ctk");
  cmd->add_option("--ctv", o.ctv, "V cache type (overrides --kv-type), as llama.cpp -ctv; quantized V needs flash attention");
  cmd->add_flag("--no-flash-attn", o.no_flash_attention, "Flash attention off (llama.cpp -fa off): larger compute buffer, V cache stays f16");
  cmd->add_option("--parallel,--np", o.parallel, "Parallel sequences (llama-server -np); each gets --context tokens")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--ubatch", o.ubatch, fmt::format("Micro-batch size in tokens (llama.cpp -ub), default {}", defaults::kUbatch))->check(CLI::Range(1, 65536));
  cmd->add_option("--batch-size", o.batch,
                  fmt::format("Tokens per llama_decode call (llama.cpp -b), default {}; caps --ubatch, and sets how many "
                              "micro-batches overlap across GPUs in a layer split",
                              defaults::kBatch))
      ->check(CLI::Range(1, 1048576));
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
}

std::string file_type_name(const catalog::Catalog& cat, const modelfile::ModelFile& f) {
  if (!f.llama_ftype) return "unknown";
  for (const Quant& q : cat.quants) {
    if (q.llama_ftype && *q.llama_ftype == *f.llama_ftype) return q.meta.name;
  }
  return "file type " + std::to_string(*f.llama_ftype);
}

namespace {

// A GGUF file's weights described as a quant for the renderers; its rules are the file's tensors.
Quant file_weights_quant(const modelfile::ModelFile& f, const std::string& file_type) {
  Quant q;
  q.meta.id = "gguf";
  q.meta.name = file_type + " (from the file)";
  q.meta.source = f.parts.front();
  q.format = "gguf";
  return q;
}

// A shorthand's other matches the text note names: all up to kAlternativesListed, else the first
// kAlternativesNamed and how many more (--json lists them all).
constexpr std::size_t kAlternativesListed = 10;
constexpr std::size_t kAlternativesNamed = 8;

std::string id_list(const std::vector<const Model*>& models, std::size_t at_most) {
  const std::size_t named = models.size() <= kAlternativesListed ? models.size() : at_most;
  std::string out;
  for (std::size_t i = 0; i < models.size() && i < named; ++i) out += (i > 0 ? ", " : "") + models[i]->meta.id;
  if (models.size() > named) out += fmt::format(" and {} more (--json lists them)", models.size() - named);
  return out;
}

// "ORG/REPO" as the Hugging Face Hub writes a repository (one '/', no file extension) that names nothing on this
// machine: a catalog model's hf_repo, or a Hub name written without its hf: prefix.
bool hub_repo_shaped(const std::string& name) {
  if (hub::is_remote_name(name) || name.find(':') != std::string::npos) return false;  // hf:…, https://…
  const auto slash = name.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == name.size() || name.find('/', slash + 1) != std::string::npos) {
    return false;
  }
  if (name.ends_with(".gguf") || name.ends_with(".json")) return false;
  std::error_code ec;
  return !std::filesystem::exists(name, ec);
}

// The catalog model whose Hugging Face repository is `repo` (compared as catalog names are: case ignored, as the
// Hub ignores it); nullptr for none.
const Model* model_of_repo(const std::vector<Model>& models, const std::string& repo) {
  const auto it = std::find_if(models.begin(), models.end(),
                               [&](const Model& m) { return !m.hf_repo.empty() && catalog::same_name(m.hf_repo, repo); });
  return it == models.end() ? nullptr : &*it;
}

}  // namespace

const modelfile::ModelFile& model_file(const Context& ctx, const std::string& path) {
  auto& slot = ctx.model_files[path];
  if (slot) return *slot;
  if (hub::is_remote_name(path)) {
    const hub::Settings settings = hub::settings_from_environment(ctx.offline);
    const auto transport = settings.offline ? nullptr : hub::curl_transport(settings.timeout_ms);
    hub::RemoteModel remote = hub::load_remote_model(path, ctx.catalog.tensor_types, settings, transport.get());
    ctx.model_sources[path] = std::move(remote.source);
    slot = std::make_unique<modelfile::ModelFile>(std::move(remote.file));
  } else {
    if (hub_repo_shaped(path)) {
      throw InputError(fmt::format("\"{}\" is no file or directory here; to read the repository from the Hub, write "
                                   "hf:{} (docs/hub.md)",
                                   path, path));
    }
    slot = std::make_unique<modelfile::ModelFile>(modelfile::load_model_file(path, ctx.catalog.tensor_types));
  }
  return *slot;
}

const hub::ModelSource* model_source(const Context& ctx, const std::string& path) {
  const auto it = ctx.model_sources.find(path);
  return it == ctx.model_sources.end() ? nullptr : &it->second;
}

Json model_source_json(const hub::ModelSource& source) {
  Json files = Json::array();
  for (const hub::FetchedFile& f : source.files) {
    files.push_back({{"url", f.url},
                     {"file_bytes", f.file_bytes ? Json(*f.file_bytes) : Json(nullptr)},
                     {"header_bytes", f.header_bytes ? Json(*f.header_bytes) : Json(nullptr)},
                     {"bytes_fetched", f.bytes_fetched},
                     {"from_cache", f.from_cache}});
  }
  const bool repo = source.kind != hub::NameKind::url;
  return {{"kind", hub::to_string(source.kind)},
          {"name", source.name},
          {"repo", repo ? Json(source.repo) : Json(nullptr)},
          {"revision", repo ? Json(source.revision) : Json(nullptr)},
          {"url", source.url},
          {"bytes_fetched", source.bytes_fetched()},
          {"from_cache", source.from_cache()},
          {"files", files}};
}

ResolvedModel resolve_model(const Context& ctx, const std::string& name) {
  const auto& cat = ctx.catalog;
  ResolvedModel r;
  const bool catalog_name = catalog::find(cat.models, name) != nullptr;
  // "Qwen/Qwen3-30B-A3B": the catalog's model of that repository; without one, model_file says to write hf:.
  const Model* of_repo = !catalog_name && hub_repo_shaped(name) ? model_of_repo(cat.models, name) : nullptr;
  if (of_repo != nullptr) {
    r.model = of_repo;
    r.note = "\"" + name + "\" is " + r.model->meta.name + " (" + r.model->meta.id + "), the catalog model of that Hugging Face repository";
    r.assumptions.push_back({"model", r.model->meta.id, AssumptionSource::alias, name});
    return r;
  }
  if (!catalog_name && (hub::is_remote_name(name) || modelfile::looks_like_path(name))) {
    r.file = &model_file(ctx, name);
    r.model = &r.file->model;
    r.source = model_source(ctx, name);
    for (const std::string& note : r.file->inferred) {
      r.assumptions.push_back({"model_file", note, AssumptionSource::model_file, r.file->path});
    }
    return r;
  }
  // A size shorthand ("30b") is the model whose alias it is, else the one model it matches; the other models
  // it matches are named (docs/catalog.md, "Size shorthands").
  std::vector<const Model*> others = catalog::size_matches(cat.models, name);
  r.model = catalog::find(cat.models, name);
  if (r.model == nullptr && others.size() > 1) {
    throw InputError(fmt::format("\"{}\" names no one model: {} catalog models are that size by name: {}; give one "
                                 "with --model",
                                 name, others.size(), id_list(others, others.size())));
  }
  if (r.model == nullptr && others.size() == 1) r.model = others.front();
  if (r.model == nullptr) r.model = &resolve(cat.models, name, "model", "models");
  std::erase(others, r.model);
  if (catalog::normalize_name(name) == r.model->meta.id) return r;
  r.note = "\"" + name + "\" is " + r.model->meta.name + " (" + r.model->meta.id + ")";
  if (!others.empty()) {
    r.note += fmt::format("; {} other catalog model{} match{} \"{}\": {}; give one with --model", others.size(),
                          others.size() == 1 ? "" : "s", others.size() == 1 ? "es" : "", name,
                          id_list(others, kAlternativesNamed));
  }
  for (const Model* other : others) r.alternatives.push_back(other->meta.id);
  r.assumptions.push_back({"model", r.model->meta.id, AssumptionSource::alias, name});
  return r;
}

Sizing resolve_sizing_without_weights(const Context& ctx, const SizingOptions& o) {
  const auto& cat = ctx.catalog;
  Sizing s;
  s.types = &cat.tensor_types;
  ResolvedModel chosen = resolve_model(ctx, o.model);
  const modelfile::ModelFile* file = chosen.file;
  s.model = chosen.model;
  s.file = file;
  s.source = chosen.source;
  s.model_note = std::move(chosen.note);
  s.model_alternatives = std::move(chosen.alternatives);
  s.assumptions = std::move(chosen.assumptions);
  if (file != nullptr && file->weights_source == modelfile::WeightsSource::file) {
    const std::string file_type = file_type_name(cat, *file);
    if (!o.quant.empty()) {
      const bool from_hub = s.source != nullptr && s.source->kind != hub::NameKind::url;
      throw InputError("--quant " + o.quant + " cannot apply to " + file->path + ": a GGUF file's tensors are already " +
                       file_type + "; drop --quant, or " +
                       (from_hub ? "name the repository's file of another quantization (hf:" + s.source->repo + ":Q8_0)"
                                 : "give the model's config.json to size other quantizations"));
    }
    s.file_quant = std::make_shared<const Quant>(file_weights_quant(*file, file_type));
    s.quant = s.file_quant.get();
  } else {
    const std::string quant_name = o.quant.empty() ? defaults::kQuant : o.quant;
    s.quant = &resolve(cat.quants, quant_name, "quantization", "quants");
    if (o.quant.empty()) s.assumptions.push_back({"quant", s.quant->meta.name, AssumptionSource::default_value, ""});
  }

  std::uint64_t context = defaults::kContextTokens;
  if (o.context.empty()) {
    s.assumptions.push_back({"context_tokens", std::to_string(context), AssumptionSource::default_value, ""});
  } else {
    context = parse_tokens(o.context, "--context");
  }
  if (context > s.model->context_length) {
    context = s.model->context_length;
    s.assumptions.push_back({"context_tokens", std::to_string(context), AssumptionSource::capped, ""});
  }

  const std::string kv = o.kv_type.empty() ? defaults::kKvType : o.kv_type;
  s.kv.type_k = &resolve_kv_type(ctx, o.ctk.empty() ? kv : o.ctk, "--ctk");
  s.kv.type_v = &resolve_kv_type(ctx, o.ctv.empty() ? kv : o.ctv, "--ctv");
  if (o.kv_type.empty() && o.ctk.empty() && o.ctv.empty()) {
    s.assumptions.push_back({"kv_type", s.kv.type_k->meta.id, AssumptionSource::default_value, ""});
  }
  s.kv.type_v_without_flash_attention = &resolve_kv_type(ctx, "f16", "--ctv");
  // llama.cpp runs micro-batches of at most -b tokens (cparams.n_ubatch = min(n_batch, n_ubatch)).
  s.kv.runtime = RuntimeSettings{.ubatch = std::min(o.ubatch, o.batch),
                                 .batch = o.batch,
                                 .flash_attention = !o.no_flash_attention,
                                 .n_sequences = o.parallel};
  if (o.ubatch > o.batch) {
    s.assumptions.push_back({"ubatch", std::to_string(o.batch), AssumptionSource::capped, ""});
  }
  s.kv.swa_full = o.swa_full;
  if (!o.no_flash_attention) s.assumptions.push_back({"flash_attention", "on", AssumptionSource::default_value, ""});

  s.params = count_params(*s.model);
  s.layer_summary = summarize_layers(*s.model);
  set_context(s, context);
  if (s.cache.v_kept_f16) {
    s.assumptions.push_back({"v_cache_type", s.kv.type_v_without_flash_attention->meta.id, AssumptionSource::capped, ""});
  }
  return s;
}

Sizing resolve_sizing(const Context& ctx, const SizingOptions& o) {
  Sizing s = resolve_sizing_without_weights(ctx, o);
  const bool from_file = s.file != nullptr && s.file->weights_source == modelfile::WeightsSource::file;
  s.weights = from_file ? summarize_weights(*s.model, s.file->tensors) : weight_bytes(*s.model, *s.quant, *s.types);
  if (!s.weights.errors.empty()) throw InputError("quantization " + s.quant->meta.id + ": " + s.weights.errors.front());
  return s;
}

std::uint64_t weight_count(const Sizing& s) {
  // A GGUF file's tensors are counted exactly; otherwise the architecture is.
  return s.file != nullptr && s.file->weights_source == modelfile::WeightsSource::file ? s.model->params_total : count_params(*s.model).total;
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
  j["model_alternatives"] = s.model_alternatives;
  j["quant"] = s.quant->meta.id;
  j["context_tokens"] = s.kv.context_tokens;
  j["kv_type_k"] = s.kv.type_k->meta.id;
  j["kv_type_v"] = s.kv.type_v->meta.id;
  j["flash_attention"] = s.kv.runtime.flash_attention;
  j["parallel"] = s.kv.runtime.n_sequences;
  j["ubatch"] = s.kv.runtime.ubatch;
  j["batch"] = s.kv.runtime.batch;
  if (s.source != nullptr) j["model_source"] = model_source_json(*s.source);
  return j;
}

}  // namespace llmsize::cli
