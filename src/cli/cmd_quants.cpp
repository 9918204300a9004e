// llmsize quants: every format with its bits per weight and what the names mean.
#include <fmt/format.h>

#include "llmsize/engine/weights.h"
#include "pipeline.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

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

/// One quantization measured on the reference model (0 when the catalog lacks it).
struct QuantRow {
  const Quant* quant = nullptr;
  double bits_per_weight = 0;
  std::uint64_t reference_weights_bytes = 0;
};

struct KvCacheType {
  std::string id;
  double bits_per_value = 0;
};

struct QuantList {
  std::string format;  ///< --format, empty for all
  std::vector<QuantRow> rows;
  std::vector<KvCacheType> kv_cache_types;
};

class QuantsResult final : public Result {
 public:
  explicit QuantsResult(QuantList l) : l_(std::move(l)) {}

  [[nodiscard]] std::string text(const Style& style) const override {
    std::string out = table().text(style.color) + kGuide + "KV cache types (--kv-type):";
    for (const KvCacheType& k : l_.kv_cache_types) out += fmt::format(" {} ({:.2f} bits)", k.id, k.bits_per_value);
    return out + "\n";
  }

  [[nodiscard]] std::string csv() const override { return table().csv(); }

  [[nodiscard]] Json json() const override {
    Json list = Json::array();
    for (const QuantRow& r : l_.rows) {
      const Quant& q = *r.quant;
      list.push_back({{"id", q.meta.id}, {"name", q.meta.name}, {"format", q.format}, {"bits_per_weight", r.bits_per_weight},
                      {"reference_weights_bytes", r.reference_weights_bytes}, {"quality_note", q.quality_note}});
    }
    Json kv = Json::array();
    for (const KvCacheType& k : l_.kv_cache_types) kv.push_back({{"id", k.id}, {"bits_per_value", k.bits_per_value}});
    return envelope("quants", {{"format", l_.format}, {"reference_model", kReferenceModel}},
                    {{"items", list}, {"kv_cache_types", kv}}, Json::array());
  }

 private:
  [[nodiscard]] Table table() const {
    Table t({{"Id", Align::left}, {"Name", Align::left}, {"Format", Align::left}, {"Bits/weight", Align::right},
             {"8B size [GB]", Align::right}, {"Quality", Align::left}});
    for (const QuantRow& r : l_.rows) {
      const Quant& q = *r.quant;
      t.add_row({q.meta.id, q.meta.name, q.format, fixed(r.bits_per_weight, 2), gb(r.reference_weights_bytes), q.quality_note});
    }
    return t;
  }

  QuantList l_;
};

std::unique_ptr<Result> run_quants(const Context& ctx, const std::string& format) {
  QuantList l{format, {}, {}};
  const Model* ref = catalog::find(ctx.catalog.models, kReferenceModel);
  const std::uint64_t params = ref != nullptr ? count_params(*ref).total : 0;
  for (const Quant& q : ctx.catalog.quants) {
    if (!format.empty() && q.format != format) continue;
    QuantRow row{&q, 0, 0};
    if (ref != nullptr) {
      const WeightsResult w = weight_bytes(*ref, q, ctx.catalog.tensor_types);
      row.reference_weights_bytes = w.total_bytes;
      row.bits_per_weight = w.bits_per_weight(params);
    }
    l.rows.push_back(row);
  }
  for (const TensorType& t : ctx.catalog.tensor_types) {
    if (t.kv_cache) l.kv_cache_types.push_back({t.meta.id, 8.0 * t.block_bytes / t.block_weights});
  }
  return std::make_unique<QuantsResult>(std::move(l));
}

}  // namespace

CommandSpec quants_command() {
  return {"quants", "Every quantization: bits per weight, size on an 8B model, quality notes", true,
          [](CLI::App& cmd) -> Runner {
            auto format = std::make_shared<std::string>();
            cmd.add_option("--format", *format, "Only this format: gguf, gptq, awq, exl2, exl3, mlx, bnb, safetensors");
            return [format](Context& ctx) { return run_quants(ctx, *format); };
          },
          {}};
}

}  // namespace llmsize::cli
