// llmsize inspect FILE: what llmsize read from a GGUF file or a Hugging Face config.json.
#include <fmt/format.h>

#include <map>
#include <variant>

#include "pipeline.h"
#include "render.h"
#include "sizing.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

struct InspectOptions {
  std::string file;
  bool tensors = false;
  bool metadata = false;
};

/// The tensors of one type in a GGUF file.
struct TypeShare {
  std::string type;
  std::uint64_t tensors = 0;
  std::uint64_t bytes = 0;
};

/// What `inspect` shows of a model file, computed once.
struct InspectReport {
  InspectOptions options;
  const modelfile::ModelFile* file = nullptr;  ///< owned by the context, which outlives the result
  const hub::ModelSource* source = nullptr;    ///< a remote model: what was fetched (owned by the context)
  std::string file_type;                       ///< the GGUF file's quantization, as llama.cpp names it
  std::vector<TypeShare> types;                ///< per tensor type, by name (GGUF)
  std::uint64_t tensor_bytes = 0;              ///< all tensors together (GGUF)

  [[nodiscard]] bool gguf() const { return file->format == "gguf"; }
};


std::string value_text(const modelfile::GgufValue& v) {
  using modelfile::GgufType;
  if (v.type == GgufType::array) {
    std::string s = fmt::format("[{} × {}]", v.array_length, modelfile::to_string(v.element_type));
    if (v.numbers_kept && v.array_length <= 8) {
      s += " {";
      for (std::size_t i = 0; i < v.numbers.size(); ++i) s += (i > 0 ? ", " : "") + fmt::format("{}", v.numbers[i]);
      s += "}";
    }
    return s;
  }
  if (const std::string* str = v.as_string()) {
    std::string shown = str->size() > 60 ? str->substr(0, 57) + "..." : *str;
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return "\"" + shown + "\"";
  }
  if (const auto* b = std::get_if<bool>(&v.scalar)) return *b ? "true" : "false";
  if (const auto* d = std::get_if<double>(&v.scalar)) return fmt::format("{}", *d);
  if (const auto* i = std::get_if<std::int64_t>(&v.scalar)) return fmt::format("{}", *i);
  return fmt::format("{}", std::get<std::uint64_t>(v.scalar));
}

Json value_json(const modelfile::GgufValue& v) {
  using modelfile::GgufType;
  if (v.type == GgufType::array) {
    Json j = {{"type", "array"}, {"element_type", modelfile::to_string(v.element_type)}, {"length", v.array_length}};
    if (v.numbers_kept) j["values"] = v.numbers;
    return j;
  }
  Json j = {{"type", modelfile::to_string(v.type)}};
  std::visit([&j](const auto& x) { j["value"] = x; }, v.scalar);
  return j;
}

Json model_json(const Model& m) {
  Json model = {{"arch", m.arch},
                {"name", m.meta.name},
                {"n_layers", m.n_layers},
                {"hidden_size", m.hidden_size},
                {"n_heads", m.n_heads},
                {"n_kv_heads", m.n_kv_heads},
                {"head_dim_k", head_dim_k(m)},
                {"head_dim_v", head_dim_v(m)},
                {"ffn_size", m.ffn_size},
                {"vocab_size", m.vocab_size},
                {"context_length", m.context_length},
                {"tied_embeddings", m.tied_embeddings},
                {"params_total", m.params_total}};
  if (!m.n_kv_heads_per_layer.empty()) model["n_kv_heads_per_layer"] = m.n_kv_heads_per_layer;
  if (m.attention_layers) model["attention_layers"] = *m.attention_layers;
  if (m.sliding_window) model["sliding_window"] = {{"window", *m.sliding_window}, {"pattern", m.sliding_window_pattern.value_or(1)}};
  if (m.mla) {
    model["mla"] = {{"q_lora_rank", m.mla->q_lora_rank}, {"kv_lora_rank", m.mla->kv_lora_rank},
                    {"qk_rope_head_dim", m.mla->qk_rope_head_dim}, {"qk_nope_head_dim", m.mla->qk_nope_head_dim},
                    {"v_head_dim", m.mla->v_head_dim}};
  }
  if (m.moe) {
    model["moe"] = {{"n_experts", m.moe->n_experts}, {"n_active_experts", m.moe->n_active_experts},
                    {"expert_ffn_size", m.moe->expert_ffn_size}, {"n_shared_experts", m.moe->n_shared_experts},
                    {"n_dense_leading_layers", m.moe->n_dense_leading_layers}};
    model["params_active"] = m.params_active.value_or(0);
  }
  if (m.ssm) {
    model["ssm"] = {{"d_inner", m.ssm->d_inner}, {"d_state", m.ssm->d_state}, {"d_conv", m.ssm->d_conv},
                    {"n_groups", m.ssm->n_groups}, {"n_heads", m.ssm->n_heads}};
  }
  return model;
}

// The GGUF-only keys of result (docs/json.md "inspect").
void add_gguf_json(const InspectReport& r, Json& result) {
  const modelfile::ModelFile& f = *r.file;
  result["gguf_version"] = f.gguf_version;
  result["file_type"] = r.file_type;
  result["tensor_count"] = f.tensors.size();
  result["tensor_bytes"] = r.tensor_bytes;
  Json types = Json::array();
  for (const TypeShare& t : r.types) types.push_back({{"type", t.type}, {"tensors", t.tensors}, {"bytes", t.bytes}});
  result["tensor_types"] = types;
  result["metadata_count"] = f.metadata.size();
  if (r.options.metadata) {
    Json meta = Json::object();
    for (const auto& kv : f.metadata) meta[kv.key] = value_json(kv.value);
    result["metadata"] = meta;
  }
  if (r.options.tensors) {
    Json list = Json::array();
    for (const PlacedTensor& t : f.tensors) {
      list.push_back({{"layer", t.spec.layer}, {"group", t.spec.group}, {"type", t.type->meta.id},
                      {"n_elements", t.spec.n_elements}, {"bytes", t.bytes}});
    }
    result["tensors"] = list;
  }
}

// "Read 1.2 MB of 4.92 GB (0.02%) from URL" or "from the cache": what a remote model cost.
std::string source_text(const hub::ModelSource& s) {
  std::uint64_t file_bytes = 0;
  for (const hub::FetchedFile& f : s.files) file_bytes += f.file_bytes.value_or(0);
  if (s.from_cache()) return fmt::format("Read from the cache (--offline works): {}", s.url);
  const double share = file_bytes > 0 ? 100.0 * static_cast<double>(s.bytes_fetched()) / static_cast<double>(file_bytes) : 100.0;
  return fmt::format("Fetched {} bytes of {} ({}%) from {}", s.bytes_fetched(), file_bytes, fixed(share, share < 1 ? 3 : 1), s.url);
}

Table hyperparameter_table(const Model& m) {
  Table arch({{"Hyperparameter", Align::left}, {"Value", Align::right}});
  arch.add_row({"layers", std::to_string(m.n_layers)});
  arch.add_row({"hidden size", std::to_string(m.hidden_size)});
  arch.add_row({"heads / KV heads", fmt::format("{} / {}", m.n_heads, m.n_kv_heads)});
  arch.add_row({"head dim K / V", fmt::format("{} / {}", head_dim_k(m), head_dim_v(m))});
  arch.add_row({"vocabulary", std::to_string(m.vocab_size)});
  arch.add_row({"max context [tokens]", std::to_string(m.context_length)});
  if (m.sliding_window) arch.add_row({"sliding window / pattern", fmt::format("{} / {}", *m.sliding_window, m.sliding_window_pattern.value_or(1))});
  if (m.mla) arch.add_row({"MLA kv_lora_rank + rope", fmt::format("{} + {}", m.mla->kv_lora_rank, m.mla->qk_rope_head_dim)});
  if (m.moe) arch.add_row({"experts (active)", fmt::format("{} ({})", m.moe->n_experts, m.moe->n_active_experts)});
  if (m.ssm) arch.add_row({"recurrent d_inner / d_state", fmt::format("{} / {}", m.ssm->d_inner, m.ssm->d_state)});
  if (m.attention_layers) arch.add_row({"attention layers", std::to_string(m.attention_layers->size())});
  arch.add_row({"parameters", fmt::format("{:.3f} B", units::to_billions(static_cast<double>(m.params_total)))});
  return arch;
}

Table types_table(const InspectReport& r) {
  Table types({{"Tensor type", Align::left}, {"Tensors", Align::right}, {"Size [GB]", Align::right}, {"Share", Align::right}});
  const double all_bytes = static_cast<double>(std::max<std::uint64_t>(r.tensor_bytes, 1));
  for (const TypeShare& t : r.types) {
    types.add_row({t.type, std::to_string(t.tensors), gb(t.bytes), fixed(100.0 * static_cast<double>(t.bytes) / all_bytes, 1) + "%"});
  }
  return types;
}

Table tensors_table(const modelfile::ModelFile& f) {
  Table list({{"Tensor", Align::left}, {"Type", Align::left}, {"Values", Align::right}, {"Bytes", Align::right}});
  for (const PlacedTensor& t : f.tensors) {
    list.add_row({t.spec.layer >= 0 ? fmt::format("blk.{}.{}", t.spec.layer, t.spec.group) : t.spec.group,
                  t.type->meta.name, std::to_string(t.spec.n_elements), std::to_string(t.bytes)});
  }
  return list;
}

// The GGUF section of the text: totals, the per-type table, then --metadata and --tensors.
std::string gguf_text(const InspectReport& r, bool color) {
  const modelfile::ModelFile& f = *r.file;
  std::string text = fmt::format("\n{} tensors, {} GB ({} GiB) of weights, file type {}\n\n", f.tensors.size(),
                                 gb(r.tensor_bytes), gib(r.tensor_bytes), r.file_type);
  text += types_table(r).text(color);
  if (r.options.metadata) {
    text += "\n";
    for (const auto& kv : f.metadata) text += fmt::format("  {} = {}\n", kv.key, value_text(kv.value));
  }
  if (r.options.tensors) text += "\n" + tensors_table(f).text(color);
  return text;
}

class InspectResult final : public Result {
 public:
  explicit InspectResult(InspectReport r) : r_(std::move(r)) {}

  [[nodiscard]] std::string text(const Style& style) const override {
    const modelfile::ModelFile& f = *r_.file;
    std::string text = fmt::format("{} · {}{} · {} · {} GB {} ({} part{})\n\n", f.path, f.format,
                                   r_.gguf() ? fmt::format(" v{}", f.gguf_version) : "", f.model.arch, gb(f.file_bytes),
                                   r_.source != nullptr ? "remote" : "on disk",
                                   f.parts.size(), f.parts.size() == 1 ? "" : "s");
    if (r_.source != nullptr) text += source_text(*r_.source) + "\n";
    text += hyperparameter_table(f.model).text(style.color);
    if (r_.gguf()) {
      text += gguf_text(r_, style.color);
    } else {
      text += "\nWeights follow a --quant recipe: `llmsize memory --model " + f.path + " --quant q4_k_m`\n";
    }
    if (!f.inferred.empty()) {
      text += "\nNot in the file, inferred:\n";
      for (const std::string& note : f.inferred) text += "  - " + note + "\n";
    }
    return text;
  }

  [[nodiscard]] Json json() const override {
    const modelfile::ModelFile& f = *r_.file;
    Json result = {{"format", f.format}, {"parts", f.parts}, {"file_bytes", f.file_bytes}, {"model", model_json(f.model)}};
    if (r_.gguf()) add_gguf_json(r_, result);
    result["inferred"] = f.inferred;
    Assumptions inferred;
    for (const std::string& note : f.inferred) inferred.push_back({"model_file", note, AssumptionSource::model_file, f.path});
    Json inputs = {{"file", r_.options.file}};
    if (r_.source != nullptr) inputs["model_source"] = model_source_json(*r_.source);
    return envelope("inspect", inputs, result, assumptions_json(inferred));
  }

  /// One table: the tensor types, or with --tensors every tensor. A config.json has neither.
  [[nodiscard]] std::string csv() const override {
    if (!r_.gguf()) {
      throw InputError("--csv prints a GGUF file's tensor table and " + r_.file->path +
                       " is a config.json, which lists no tensors; drop --csv");
    }
    return r_.options.tensors ? tensors_table(*r_.file).csv() : types_table(r_).csv();
  }

 private:
  InspectReport r_;
};

std::unique_ptr<Result> run_inspect(const Context& ctx, const InspectOptions& o) {
  InspectReport r{o, &model_file(ctx, o.file), model_source(ctx, o.file), "", {}, 0};
  if (r.gguf()) r.file_type = file_type_name(ctx.catalog, *r.file);  // the catalog names llama_ftype
  std::map<std::string, TypeShare> by_type;
  for (const PlacedTensor& t : r.file->tensors) {
    TypeShare& share = by_type[t.type->meta.name];
    share.type = t.type->meta.name;
    share.tensors += 1;
    share.bytes += t.bytes;
    r.tensor_bytes += t.bytes;
  }
  for (auto& [name, share] : by_type) r.types.push_back(std::move(share));
  return std::make_unique<InspectResult>(std::move(r));
}

}  // namespace

CommandSpec inspect_command() {
  return {"inspect",
          "Show what llmsize reads from a GGUF file (header only) or a Hugging Face config.json, local or on the Hub. --csv prints one "
          "table: the tensor types, or with --tensors every tensor (GGUF only)",
          true,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<InspectOptions>();
            cmd.add_option("file", o->file,
                           "A .gguf file (split parts are found beside the first), a config.json, or its directory; or a "
                           "remote model, read without downloading it: hf:ORG/REPO[@REVISION][:QUANT | /FILE.gguf] or "
                           "https://.../FILE.gguf (docs/hub.md)")
                ->required();
            cmd.add_flag("--tensors", o->tensors, "List every tensor with its type and bytes (GGUF; with --csv, only this list)");
            cmd.add_flag("--metadata", o->metadata, "List every metadata key and value (GGUF; long arrays are summarised)");
            return [o](Context& ctx) { return run_inspect(ctx, *o); };
          },
          {}};
}

}  // namespace llmsize::cli
