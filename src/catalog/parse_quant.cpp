#include <algorithm>
#include <map>

#include "parse_entries.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::catalog {
namespace {

// llama.cpp's LLAMA_FTYPE_GUESSED (1024) marks "not stated in the file"; real file types are below it.
constexpr std::uint32_t kMaxLlamaFtype = 1023;
constexpr std::uint32_t kMaxQualityRank = 1000;

}  // namespace

const std::vector<std::string_view>& tensor_group_names() {
  static const std::vector<std::string_view> kGroups = {
      "token_embd",    "output",        "attn_q",         "attn_k",         "attn_v",
      "attn_qkv",      "attn_output",   "attn_q_a",       "attn_q_b",       "attn_kv_a_mqa",
      "attn_kv_b",     "ffn_gate",      "ffn_up",         "ffn_down",       "ffn_gate_inp",
      "ffn_gate_exps", "ffn_up_exps",   "ffn_down_exps",  "ffn_gate_shexp", "ffn_up_shexp",
      "ffn_down_shexp", "ssm_in",       "ssm_out",        "indexer_proj",   "indexer_attn_k",
      "indexer_attn_q_b", "nextn_eh_proj"};
  return kGroups;
}

TensorType parse_tensor_type(ObjectReader& r) {
  TensorType t;
  t.meta = read_meta(r);
  t.block_weights = r.req_u32("block_weights", 1, 1U << 20);
  t.block_bytes = r.req_u32("block_bytes", 1, 1U << 24);
  t.ggml_type = r.opt_u32("ggml_type", 0, 1024);
  t.fallback = r.opt_string("fallback").value_or("");
  t.kv_cache = r.opt_bool("kv_cache", false);
  t.cpu_repack = r.opt_bool("cpu_repack", false);
  t.cpu_matmul_speed = r.opt_number("cpu_matmul_speed", 0.01, 10).value_or(1.0);
  static const std::vector<std::string_view> kKernels = ids_of(kMatmulKernelNames);
  t.gpu_kernel = kMatmulKernelNames[r.opt_enum("gpu_kernel", kKernels).value_or(0)].value;
  r.finish();
  return t;
}

namespace {

QuantRule parse_rule(ObjectReader& r) {
  static const std::vector<std::string_view> kSelectors = {"all", "more_bits", "first_eighth"};
  QuantRule rule;
  if (!r.has("tensors")) r.sink().error(r.pointer(), "missing required key \"tensors\"");
  rule.tensors = r.opt_string_array("tensors");
  const auto& groups = tensor_group_names();
  for (std::size_t i = 0; i < rule.tensors.size(); ++i) {
    if (std::find(groups.begin(), groups.end(), rule.tensors[i]) == groups.end()) {
      std::vector<std::string> candidates(groups.begin(), groups.end());
      std::string message = "unknown tensor group \"" + rule.tensors[i] + "\"";
      const std::string suggestion = closest(rule.tensors[i], candidates);
      if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
      r.sink().error(pointer_append(pointer_append(r.pointer(), "tensors"), i), message);
    }
  }
  rule.type = r.req_string("type");
  rule.layers = static_cast<LayerSelector>(r.opt_enum("layers", kSelectors).value_or(0));
  if (auto when = r.opt_object("when")) {
    rule.min_gqa = when->opt_u32("min_gqa", 1, 1024);
    rule.min_experts = when->opt_u32("min_experts", 1, 65536);
    when->finish();
  }
  r.finish();
  return rule;
}

}  // namespace

Quant parse_quant(ObjectReader& r) {
  static const std::vector<std::string_view> kFormats = {"gguf", "safetensors", "gptq", "awq",
                                                         "exl2", "exl3",        "mlx",  "bnb"};
  Quant q;
  q.meta = read_meta(r);
  q.format = std::string(kFormats[r.req_enum("format", kFormats)]);
  q.default_type = r.req_string("default_type");
  q.vector_type = r.opt_string("vector_type").value_or("f32");
  for (ObjectReader& rule : r.opt_object_array("rules")) q.rules.push_back(parse_rule(rule));
  q.quality_note = r.req_string("quality_note");
  q.llama_ftype = r.opt_u32("llama_ftype", 0, kMaxLlamaFtype);
  if (q.llama_ftype && q.format != "gguf") {
    r.sink().error(pointer_append(r.pointer(), "llama_ftype"), "only a gguf quant has a llama_ftype (this one is " + q.format + ")");
  }
  q.quality_rank = r.opt_u32("quality_rank", 1, kMaxQualityRank);
  // GGUF keeps what a model ships quantized (convert_hf_to_gguf.py writes it raw, llama-quantize
  // refuses to requantize it); other formats are made from a dequantized checkpoint.
  q.keeps_native_types = r.opt_bool("keeps_native_types", q.format == "gguf");
  r.finish();
  return q;
}

namespace {

// Reports the second and later quants that give `field` a value an earlier quant already has.
void check_unique(const std::vector<Quant>& quants, std::string_view field, std::optional<std::uint32_t> Quant::*value,
                  std::vector<Diagnostic>& errors) {
  std::map<std::uint32_t, const Quant*> first;
  for (const Quant& q : quants) {
    if (!(q.*value)) continue;
    const auto [it, inserted] = first.emplace(*(q.*value), &q);
    if (inserted) continue;
    errors.push_back({q.meta.origin_file, q.meta.origin_pointer + "/" + std::string(field),
                      std::string(field) + " " + std::to_string(*(q.*value)) + " is already used by \"" + it->second->meta.id + "\""});
  }
}

}  // namespace

void validate_quants(const std::vector<Quant>& quants, std::vector<Diagnostic>& errors) {
  check_unique(quants, "llama_ftype", &Quant::llama_ftype, errors);
  check_unique(quants, "quality_rank", &Quant::quality_rank, errors);
}

}  // namespace llmsize::catalog
