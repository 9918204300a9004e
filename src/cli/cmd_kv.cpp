// llmsize kv --model M --context 4k,8k,32k,128k [--kv-type q8_0]: KV cache growth.
#include <fmt/format.h>

#include "render.h"
#include "sizing.h"

namespace llmsize::cli {

void add_kv_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<SizingOptions>();
  CLI::App* cmd = add_command(
      app, ctx, "kv", "KV cache size at several context lengths (--context 4k,8k,32k,128k)", [o](Context& c) {
        std::vector<std::uint64_t> contexts;
        SizingOptions first = *o;
        if (o->context.empty()) {
          contexts = {4096, 8192, 32768, 131072};
        } else {
          for (const std::string& item : split_list(o->context)) contexts.push_back(parse_tokens(item, "--context"));
        }
        first.context = std::to_string(contexts.front());
        Sizing s = resolve_sizing(c, first);
        Assumptions assumptions;
        for (const Assumption& a : s.assumptions) {
          if (a.key != "context_tokens") assumptions.push_back(a);
        }
        if (o->context.empty()) assumptions.push_back({"contexts", "4K, 8K, 32K, 128K", AssumptionSource::default_value, ""});
        Table table({{"Context [tokens]", Align::right},
                     {"KV cache [GiB]", Align::right},
                     {"KV cache [MiB]", Align::right},
                     {"Per token [KiB]", Align::right}});
        Json rows = Json::array();
        for (std::uint64_t tokens : contexts) {
          const bool capped = tokens > s.model->context_length;
          set_context(s, tokens);
          const double per_token = static_cast<double>(s.cache.total_bytes) / static_cast<double>(tokens) / 1024.0;
          table.add_row({fmt::format("{}{}", tokens, capped ? " (over max)" : ""), gib(s.cache.total_bytes),
                         mib(s.cache.total_bytes), fixed(per_token, 1)});
          rows.push_back({{"context_tokens", tokens},
                          {"kv_cache_bytes", s.cache.total_bytes},
                          {"k_bytes", s.cache.k_bytes},
                          {"v_bytes", s.cache.v_bytes},
                          {"recurrent_state_bytes", s.cache.recurrent_bytes},
                          {"over_model_maximum", capped}});
        }
        std::string text = s.model_note.empty() ? "" : s.model_note + "\n";
        text += fmt::format("{} · KV {}/{} · {} sequence(s) · max context {} tokens\n\n", s.model->meta.name,
                            s.kv.type_k->meta.name, s.kv.type_v->meta.name, s.kv.n_sequences, s.model->context_length);
        text += c.global.csv ? table.csv() : table.text(c.color());
        if (c.global.explain) {
          text += "\nKV = Σ attention layers cells × (n_kv_heads × head_dim_k + n_kv_heads × head_dim_v) × bytes per value;\n"
                  "cells = context padded to 256; sliding-window layers hold min(context, window + ubatch) cells;\n"
                  "MLA layers hold one (kv_lora_rank + rope) row; recurrent layers a fixed f32 state.\n";
        }
        Json inputs = inputs_json(s);
        inputs.erase("context_tokens");
        inputs["contexts"] = contexts;
        emit(c, envelope("kv", inputs, {{"model", model_json(s)}, {"rows", rows}}, assumptions), text);
      });
  add_sizing_options(cmd, *o);
}

}  // namespace llmsize::cli
