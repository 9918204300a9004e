// llmsize quants: every format with its bits per weight and what the names mean.
#include <fmt/format.h>

#include "llmsize/engine/weights.h"
#include "render.h"

namespace llmsize::cli {
namespace {

constexpr const char* kReferenceModel = "llama-3.1-8b";

constexpr const char* kGuide =
    "\nReading the names (llama.cpp GGUF):\n"
    "  Q8_0, Q4_0 ...  one block type everywhere (32 weights per block, one scale; _1 adds an offset)\n"
    "  Q4_K, Q6_K ...  K-quants: 256-weight super-blocks with 6-bit sub-block scales\n"
    "  _S / _M / _L    how many tensors get a higher type: _M puts Q6_K on the output head and on\n"
    "                  attn_v / ffn_down of about half the layers; _L more, _S fewer\n"
    "  IQ2_XXS ...     importance-matrix quants (lattice codebooks), best quality per bit below 4 bits\n"
    "  MXFP4_MOE       4-bit floating point for MoE experts (gpt-oss), Q8_0 elsewhere\n"
    "Bits per weight are measured on Llama-3.1-8B with each recipe; other models differ slightly.\n";

void run(Context& ctx, const std::string& format) {
  const Model* ref = catalog::find(ctx.catalog.models, kReferenceModel);
  const std::uint64_t params = ref != nullptr ? count_params(*ref).total : 0;
  Table table({{"Id", Align::left}, {"Name", Align::left}, {"Format", Align::left}, {"Bits/weight", Align::right},
               {"8B size [GB]", Align::right}, {"Quality", Align::left}});
  Json list = Json::array();
  for (const Quant& q : ctx.catalog.quants) {
    if (!format.empty() && q.format != format) continue;
    double bpw = 0;
    std::uint64_t bytes = 0;
    if (ref != nullptr) {
      const WeightsResult w = weight_bytes(*ref, q, ctx.catalog.tensor_types);
      bytes = w.total_bytes;
      bpw = w.bits_per_weight(params);
    }
    table.add_row({q.meta.id, q.meta.name, q.format, fixed(bpw, 2), gb(bytes), q.quality_note});
    list.push_back({{"id", q.meta.id}, {"name", q.meta.name}, {"format", q.format}, {"bits_per_weight", bpw},
                    {"reference_weights_bytes", bytes}, {"quality_note", q.quality_note}});
  }
  Json kv = Json::array();
  for (const TensorType& t : ctx.catalog.tensor_types) {
    if (t.kv_cache) kv.push_back({{"id", t.meta.id}, {"bits_per_value", 8.0 * t.block_bytes / t.block_weights}});
  }
  std::string text = ctx.global.csv ? table.csv() : table.text(ctx.color()) + kGuide;
  if (!ctx.global.csv) {
    text += "KV cache types (--kv-type):";
    for (const auto& k : kv) text += fmt::format(" {} ({:.2f} bits)", k["id"].get<std::string>(), k["bits_per_value"].get<double>());
    text += "\n";
  }
  emit(ctx, envelope("quants", {{"format", format}, {"reference_model", kReferenceModel}}, {{"items", list}, {"kv_cache_types", kv}}, {}),
       text);
}

}  // namespace

void add_quants_command(CLI::App& app, Context& ctx) {
  auto format = std::make_shared<std::string>();
  CLI::App* cmd = add_command(app, ctx, "quants", "Every quantization: bits per weight, size on an 8B model, quality notes",
                              [format](Context& c) { run(c, *format); });
  cmd->add_option("--format", *format, "Only this format: gguf, gptq, awq, exl2, exl3, mlx, bnb, safetensors");
}

}  // namespace llmsize::cli
