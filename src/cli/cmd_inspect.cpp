// llmsize inspect FILE: what llmsize read from a GGUF file or a Hugging Face config.json.
#include <fmt/format.h>

#include <map>
#include <variant>

#include "render.h"
#include "sizing.h"

namespace llmsize::cli {
namespace {

struct InspectOptions {
  std::string file;
  bool tensors = false;
  bool metadata = false;
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

void run_inspect(Context& ctx, const InspectOptions& o) {
  const modelfile::ModelFile& f = model_file(ctx, o.file);
  const Model& m = f.model;
  const bool gguf = f.format == "gguf";
  // Per tensor type: count and bytes (GGUF); the engine's weights for the file's own tensors.
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> by_type;
  std::uint64_t tensor_bytes = 0;
  for (const PlacedTensor& t : f.tensors) {
    auto& slot = by_type[t.type->meta.name];
    slot.first += 1;
    slot.second += t.bytes;
    tensor_bytes += t.bytes;
  }

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
  Json result = {{"format", f.format}, {"parts", f.parts}, {"file_bytes", f.file_bytes}, {"model", model}};
  if (gguf) {
    result["gguf_version"] = f.gguf_version;
    result["file_type"] = file_type_name(ctx.catalog, f);
    result["tensor_count"] = f.tensors.size();
    result["tensor_bytes"] = tensor_bytes;
    Json types = Json::array();
    for (const auto& [name, v] : by_type) types.push_back({{"type", name}, {"tensors", v.first}, {"bytes", v.second}});
    result["tensor_types"] = types;
    result["metadata_count"] = f.metadata.size();
    if (o.metadata) {
      Json meta = Json::object();
      for (const auto& kv : f.metadata) meta[kv.key] = value_json(kv.value);
      result["metadata"] = meta;
    }
    if (o.tensors) {
      Json list = Json::array();
      for (std::size_t i = 0; i < f.tensors.size(); ++i) {
        const PlacedTensor& t = f.tensors[i];
        list.push_back({{"layer", t.spec.layer}, {"group", std::string(t.spec.group)}, {"type", t.type->meta.id},
                        {"n_elements", t.spec.n_elements}, {"bytes", t.bytes}});
      }
      result["tensors"] = list;
    }
  }
  result["inferred"] = f.inferred;

  std::string text = fmt::format("{} · {}{} · {} · {} GB on disk ({} part{})\n\n", f.path, f.format,
                                 gguf ? fmt::format(" v{}", f.gguf_version) : "", m.arch, gb(f.file_bytes),
                                 f.parts.size(), f.parts.size() == 1 ? "" : "s");
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
  arch.add_row({"parameters", fmt::format("{:.3f} B", static_cast<double>(m.params_total) / 1e9)});
  text += arch.text(ctx.color());
  if (gguf) {
    text += fmt::format("\n{} tensors, {} GB ({} GiB) of weights, file type {}\n\n", f.tensors.size(), gb(tensor_bytes),
                        gib(tensor_bytes), file_type_name(ctx.catalog, f));
    Table types({{"Tensor type", Align::left}, {"Tensors", Align::right}, {"Size [GB]", Align::right}, {"Share", Align::right}});
    for (const auto& [name, v] : by_type) {
      types.add_row({name, std::to_string(v.first), gb(v.second),
                     fixed(100.0 * static_cast<double>(v.second) / static_cast<double>(std::max<std::uint64_t>(tensor_bytes, 1)), 1) + "%"});
    }
    text += ctx.global.csv ? types.csv() : types.text(ctx.color());
    if (o.metadata) {
      text += "\n";
      for (const auto& kv : f.metadata) text += fmt::format("  {} = {}\n", kv.key, value_text(kv.value));
    }
    if (o.tensors) {
      Table list({{"Tensor", Align::left}, {"Type", Align::left}, {"Values", Align::right}, {"Bytes", Align::right}});
      for (const PlacedTensor& t : f.tensors) {
        list.add_row({t.spec.layer >= 0 ? fmt::format("blk.{}.{}", t.spec.layer, t.spec.group) : std::string(t.spec.group),
                      t.type->meta.name, std::to_string(t.spec.n_elements), std::to_string(t.bytes)});
      }
      text += "\n" + (ctx.global.csv ? list.csv() : list.text(ctx.color()));
    }
  } else {
    text += "\nWeights follow a --quant recipe: `llmsize memory --model " + f.path + " --quant q4_k_m`\n";
  }
  if (!f.inferred.empty()) {
    text += "\nNot in the file, inferred:\n";
    for (const std::string& note : f.inferred) text += "  - " + note + "\n";
  }
  Assumptions inferred;
  for (const std::string& note : f.inferred) inferred.push_back({"model_file", note, AssumptionSource::model_file, f.path});
  emit(ctx, envelope("inspect", {{"file", o.file}}, result, inferred), text);
}

}  // namespace

void add_inspect_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* cmd = add_command(app, ctx, "inspect",
                              "Show what llmsize reads from a GGUF file (header only) or a Hugging Face config.json",
                              [o](Context& c) { run_inspect(c, *o); });
  cmd->add_option("file", o->file, "A .gguf file (split parts are found beside the first), a config.json, or its directory")
      ->required();
  cmd->add_flag("--tensors", o->tensors, "List every tensor with its type and bytes (GGUF)");
  cmd->add_flag("--metadata", o->metadata, "List every metadata key and value (GGUF; long arrays are summarised)");
}

}  // namespace llmsize::cli
