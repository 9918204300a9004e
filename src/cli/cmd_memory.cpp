// llmsize memory --model M --quant Q [--context N]: the memory breakdown, no hardware needed.
#include <fmt/format.h>

#include "extras.h"
#include "formulas.h"
#include "pipeline.h"
#include "render.h"
#include "sizing.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

class MemoryResult final : public Result {
 public:
  MemoryResult(Sizing s, Extras e)
      : s_(std::move(s)), e_(std::move(e)), totals_(one_device_totals(*s_.model, s_.weights, s_.cache)) {
    add_one_device_extras(e_, totals_);
  }

  [[nodiscard]] std::string text(const Style& style) const override {
    std::string out;
    if (!s_.model_note.empty()) out += s_.model_note + "\n";
    out += fmt::format("{} · {} ({:.2f} bits per weight) · context {} tokens · KV {}/{}\n\n", s_.model->meta.name,
                       s_.quant->meta.name, s_.weights.bits_per_weight(weight_count(s_)), s_.kv.context_tokens,
                       s_.kv.type_k->meta.name, s_.kv.type_v->meta.name);
    Table table({{"Part", Align::left}, {"Size [GiB]", Align::right}, {"Size [GB]", Align::right}, {"Share", Align::left}});
    auto row = [&](const std::string& name, std::uint64_t bytes) {
      const double share = totals_.used_bytes == 0 ? 0 : static_cast<double>(bytes) / static_cast<double>(totals_.used_bytes);
      table.add_row({name, gib(bytes), gb(bytes), bar(share, 20) + fmt::format(" {:>3.0f}%", share * 100)});
    };
    row("weights", totals_.weights_bytes);
    row("KV cache", totals_.kv_cache_bytes);
    row("compute buffer", totals_.compute_buffer_bytes);
    row("output buffer", totals_.overhead_bytes);
    if (e_.draft) row("draft model", totals_.draft_bytes);
    if (e_.mtp) row("MTP drafting", totals_.draft_bytes);
    if (e_.projector) row("vision projector", totals_.projector_bytes);
    row("total", totals_.used_bytes);
    out += table.text(style.color);
    if (e_.any()) out += "\n" + extras_text(e_);
    if (style.explain) out += explain();
    return out;
  }

  [[nodiscard]] Json json() const override {
    Json result = Json::object();
    result["model"] = model_json(s_);
    result["quant"] = quant_json(s_);
    result["context_tokens"] = s_.kv.context_tokens;
    result["memory"] = {{"weights_bytes", totals_.weights_bytes},
                        {"kv_cache_bytes", totals_.kv_cache_bytes},
                        {"compute_buffer_bytes", totals_.compute_buffer_bytes},
                        {"overhead_bytes", totals_.overhead_bytes},
                        {"draft_bytes", totals_.draft_bytes},
                        {"projector_bytes", totals_.projector_bytes},
                        {"total_bytes", totals_.used_bytes}};
    result["kv_cache"] = {{"k_bytes", s_.cache.k_bytes},
                          {"v_bytes", s_.cache.v_bytes},
                          {"indexer_k_bytes", s_.cache.indexer_bytes},
                          {"recurrent_state_bytes", s_.cache.recurrent_bytes},
                          {"cells", s_.cache.full_cells},
                          {"sliding_window_cells", s_.cache.sliding_cells}};
    result["draft"] = draft_json(e_, s_);
    result["projector"] = projector_json(e_);
    Json inputs = inputs_json(s_);
    add_extras_inputs(e_, inputs);
    return envelope("memory", inputs, result, assumptions_json(assumptions()));
  }

 private:
  [[nodiscard]] std::string explain() const {
    std::string out = "\nHow (docs/formulas.md):\n";
    out += fmt::format("  weights:  {}\n", formulas::kWeights);
    out += fmt::format("  KV cache: {}\n            {}; here {} cells", formulas::kKvCache, formulas::kCells, s_.cache.full_cells);
    if (s_.cache.sliding_cells > 0) out += fmt::format(", sliding-window layers {} cells", s_.cache.sliding_cells);
    out += fmt::format("\n  compute:  {}\n            {}\n", formulas::kLogits,
                       s_.kv.runtime.flash_attention ? formulas::kComputeFlash : formulas::kComputeNoFlash);
    out += fmt::format("  output:   {}\n", formulas::kOutputBuffer);
    out += extras_explain(e_);
    out += fmt::format("  Not included: a GPU backend's runtime ({} MiB for CUDA) and the {} MiB `check` keeps free "
                       "on each GPU.\n",
                       backend_overhead_bytes(Backend::cuda) / units::kMiB, kFitMarginBytes / units::kMiB);
    return out + assumptions_text(assumptions());
  }

  [[nodiscard]] Assumptions assumptions() const {
    Assumptions a = s_.assumptions;
    append(a, e_.assumptions);
    return a;
  }

  Sizing s_;
  Extras e_;
  MemoryTotals totals_;
};

}  // namespace

CommandSpec memory_command() {
  return {"memory", "Memory breakdown of a model at a quant and context (no hardware needed)", false,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<std::pair<SizingOptions, ExtrasOptions>>();
            add_sizing_options(&cmd, o->first);
            add_extras_options(&cmd, o->second);
            return [o](Context& ctx) -> std::unique_ptr<Result> {
              Sizing s = resolve_sizing(ctx, o->first);
              Extras e = resolve_extras(ctx, o->second, s);
              return std::make_unique<MemoryResult>(std::move(s), std::move(e));
            };
          },
          {}};
}

}  // namespace llmsize::cli
