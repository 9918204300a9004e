// llmsize kv --model M --context 4k,8k,32k,128k [--kv-type q8_0]: KV cache growth.
#include <fmt/format.h>

#include <iterator>

#include "defaults.h"
#include "llmsize/units.h"
#include "formulas.h"
#include "pipeline.h"
#include "render.h"
#include "sizing.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

/// The KV cache at one context.
struct KvRow {
  std::uint64_t context_tokens = 0;
  bool over_model_maximum = false;  ///< the model was trained for less; llama.cpp still allocates it
  KvResult cache;
};

/// The model at its first context, and the KV cache at every context asked for.
struct KvReport {
  Sizing sizing;
  std::vector<std::uint64_t> contexts;
  std::vector<KvRow> rows;
  Assumptions assumptions;
};

class KvCommandResult final : public Result {
 public:
  explicit KvCommandResult(KvReport r) : r_(std::move(r)) {}

  [[nodiscard]] std::string text(const Style& style) const override {
    const Sizing& s = r_.sizing;
    std::string out = s.model_note.empty() ? "" : s.model_note + "\n";
    out += fmt::format("{} · KV {}/{} · {} sequence(s) · max context {} tokens\n\n", s.model->meta.name,
                        s.kv.type_k->meta.name, s.kv.type_v->meta.name, s.kv.runtime.n_sequences, s.model->context_length);
    out += table().text(style.color);
    if (style.explain) {
      out += fmt::format("\nHow (docs/formulas.md):\n  {}\n  {}\n  {}\n  {}\n  {}\n  recurrent layers hold a fixed f32 state.\n",
                         formulas::kCells, formulas::kCellsSliding, formulas::kKvRow, formulas::kMlaRow, formulas::kKvCache);
    }
    return out;
  }

  [[nodiscard]] Json json() const override {
    Json rows = Json::array();
    for (const KvRow& row : r_.rows) {
      rows.push_back({{"context_tokens", row.context_tokens},
                      {"kv_cache_bytes", row.cache.total_bytes},
                      {"k_bytes", row.cache.k_bytes},
                      {"v_bytes", row.cache.v_bytes},
                      {"indexer_k_bytes", row.cache.indexer_bytes},
                      {"recurrent_state_bytes", row.cache.recurrent_bytes},
                      {"over_model_maximum", row.over_model_maximum}});
    }
    Json inputs = inputs_json(r_.sizing);
    inputs.erase("context_tokens");
    inputs["contexts"] = r_.contexts;
    return envelope("kv", inputs, {{"model", model_json(r_.sizing)}, {"rows", rows}}, assumptions_json(r_.assumptions));
  }

  [[nodiscard]] std::string csv() const override { return table().csv(); }

 private:
  [[nodiscard]] Table table() const {
    Table t({{"Context [tokens]", Align::right},
                 {"KV cache [GiB]", Align::right},
                 {"KV cache [MiB]", Align::right},
                 {"Per token [KiB]", Align::right}});
    for (const KvRow& row : r_.rows) {
      const std::uint64_t bytes = row.cache.total_bytes;
      const double per_token_kib = static_cast<double>(bytes) / static_cast<double>(row.context_tokens) / static_cast<double>(units::kKiB);
      t.add_row({fmt::format("{}{}", row.context_tokens, row.over_model_maximum ? " (over max)" : ""), gib(bytes),
                     mib(bytes), fixed(per_token_kib, 1)});
    }
    return t;
  }

  KvReport r_;
};

std::vector<std::uint64_t> parse_contexts(const std::string& list) {
  if (list.empty()) return {std::begin(defaults::kKvContexts), std::end(defaults::kKvContexts)};
  std::vector<std::uint64_t> contexts;
  for (const std::string& item : split_list(list)) contexts.push_back(parse_tokens(item, "--context"));
  return contexts;
}

// "4K, 8K, 32K, 128K"
std::string contexts_label(const std::vector<std::uint64_t>& contexts) {
  std::string label;
  for (std::uint64_t tokens : contexts) label += (label.empty() ? "" : ", ") + tokens_label(tokens);
  return label;
}

std::unique_ptr<Result> run_kv(const Context& ctx, const SizingOptions& o) {
  KvReport r;
  r.contexts = parse_contexts(o.context);
  SizingOptions first = o;
  first.context = std::to_string(r.contexts.front());
  r.sizing = resolve_sizing(ctx, first);
  for (const Assumption& a : r.sizing.assumptions) {
    if (a.key != "context_tokens") r.assumptions.push_back(a);
  }
  if (o.context.empty()) r.assumptions.push_back({"contexts", contexts_label(r.contexts), AssumptionSource::default_value, ""});
  Sizing at = r.sizing;
  for (std::uint64_t tokens : r.contexts) {
    set_context(at, tokens);
    r.rows.push_back({tokens, tokens > at.model->context_length, at.cache});
  }
  return std::make_unique<KvCommandResult>(std::move(r));
}

}  // namespace

CommandSpec kv_command() {
  return {"kv", "KV cache size at several context lengths (--context 4k,8k,32k,128k)", true,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<SizingOptions>();
            add_sizing_options(&cmd, *o);
            return [o](Context& ctx) { return run_kv(ctx, *o); };
          },
          {}};
}

}  // namespace llmsize::cli
