// llmsize memory --model M --quant Q [--context N]: the memory breakdown, no hardware needed.
#include <fmt/format.h>

#include "llmsize/engine/buffers.h"
#include "render.h"
#include "sizing.h"

namespace llmsize::cli {
namespace {

struct MemoryTotals {
  std::uint64_t weights = 0;
  std::uint64_t kv = 0;
  std::uint64_t compute = 0;
  std::uint64_t overhead = 0;
  [[nodiscard]] std::uint64_t total() const { return weights + kv + compute + overhead; }
};

// One device holding everything (as a single GPU with -ngl 99, or a CPU-only run with --no-mmap).
MemoryTotals totals(const Sizing& s) {
  MemoryTotals t;
  t.weights = s.weights.total_bytes;
  t.kv = s.cache.total_bytes;
  t.compute = compute_buffer_bytes(*s.model, s.compute);
  t.overhead = output_buffer_bytes(*s.model, s.kv.n_sequences);
  return t;
}

std::string render_text(const Sizing& s, const MemoryTotals& t, bool color, bool explain) {
  std::string out;
  if (!s.model_note.empty()) out += s.model_note + "\n";
  out += fmt::format("{} · {} ({:.2f} bits per weight) · context {} tokens · KV {}/{}\n\n", s.model->meta.name,
                     s.quant->meta.name, s.weights.bits_per_weight(weight_count(s)), s.kv.context_tokens,
                     s.kv.type_k->meta.name, s.kv.type_v->meta.name);
  Table table({{"Part", Align::left}, {"Size [GiB]", Align::right}, {"Size [GB]", Align::right}, {"Share", Align::left}});
  auto row = [&](const std::string& name, std::uint64_t bytes) {
    const double share = t.total() == 0 ? 0 : static_cast<double>(bytes) / static_cast<double>(t.total());
    table.add_row({name, gib(bytes), gb(bytes), bar(share, 20) + fmt::format(" {:>3.0f}%", share * 100)});
  };
  row("weights", t.weights);
  row("KV cache", t.kv);
  row("compute buffer", t.compute);
  row("output buffer", t.overhead);
  row("total", t.total());
  out += table.text(color);
  if (explain) {
    out += "\nHow:\n";
    out += "  weights  = Σ tensors ⌈elements / block⌉ × block bytes, per the quant's per-tensor recipe\n";
    out += fmt::format("  KV cache = Σ layers cells × (K + V row bytes); {} cells (context padded to 256)", s.cache.full_cells);
    if (s.cache.sliding_cells > 0) out += fmt::format(", sliding-window layers {} cells", s.cache.sliding_cells);
    out += "\n  compute  = n_ubatch × (4·n_vocab + 8·n_embd) bytes with flash attention (docs/formulas.md)\n";
    out += "  output   = n_vocab × 4 bytes per sequence (logits)\n";
    out += "  Not included: backend runtime (CUDA context ~300 MiB) and the 1 GiB free margin `check` keeps.\n";
    out += assumptions_text(s.assumptions);
  }
  return out;
}

}  // namespace

void add_memory_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<SizingOptions>();
  CLI::App* cmd = add_command(app, ctx, "memory", "Memory breakdown of a model at a quant and context (no hardware needed)",
                              [o](Context& c) {
                                const Sizing s = resolve_sizing(c, *o);
                                const MemoryTotals t = totals(s);
                                Json result = Json::object();
                                result["model"] = model_json(s);
                                result["quant"] = quant_json(s);
                                result["context_tokens"] = s.kv.context_tokens;
                                result["memory"] = {{"weights_bytes", t.weights},
                                                    {"kv_cache_bytes", t.kv},
                                                    {"compute_buffer_bytes", t.compute},
                                                    {"overhead_bytes", t.overhead},
                                                    {"total_bytes", t.total()}};
                                result["kv_cache"] = {{"k_bytes", s.cache.k_bytes},
                                                      {"v_bytes", s.cache.v_bytes},
                                                      {"recurrent_state_bytes", s.cache.recurrent_bytes},
                                                      {"cells", s.cache.full_cells},
                                                      {"sliding_window_cells", s.cache.sliding_cells}};
                                emit(c, envelope("memory", inputs_json(s), result, s.assumptions),
                                     render_text(s, t, c.color(), c.global.explain));
                              });
  add_sizing_options(cmd, *o);
}

}  // namespace llmsize::cli
