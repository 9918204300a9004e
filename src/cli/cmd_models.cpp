// llmsize models [--gpu rtx-3090 ...]: the model list, or which models run on this hardware.
#include <fmt/format.h>

#include <algorithm>

#include "build_eval.h"
#include "llmsize/engine/search.h"
#include "render.h"
#include "this_machine.h"

namespace llmsize::cli {
namespace {

struct ModelsOptions {
  HardwareOptions hardware;
  bool this_machine = false;
  SizingOptions sizing;  // context and KV type only
  CostOptions cost;
  std::string family;
  std::optional<double> min_params_b;
  std::optional<double> max_params_b;
  std::string min_context;
  bool allow_offload = false;
};

bool keep(const ModelsOptions& o, const Model& m) {
  const double billions = static_cast<double>(m.params_total) / 1e9;
  if (!o.family.empty() && catalog::normalize_name(o.family) != m.family) return false;
  if (o.min_params_b && billions < *o.min_params_b) return false;
  if (o.max_params_b && billions > *o.max_params_b) return false;
  if (!o.min_context.empty() && m.context_length < parse_tokens(o.min_context, "--min-context")) return false;
  return true;
}

void list_models(Context& ctx, const ModelsOptions& o) {
  Table table({{"Id", Align::left}, {"Name", Align::left}, {"Arch", Align::left}, {"Params [B]", Align::right},
               {"Active [B]", Align::right}, {"Layers", Align::right}, {"Context [tokens]", Align::right}, {"Aliases", Align::left}});
  Json list = Json::array();
  for (const Model& m : ctx.catalog.models) {
    if (!keep(o, m)) continue;
    std::string aliases;
    for (const auto& a : m.meta.aliases) aliases += (aliases.empty() ? "" : ", ") + a;
    const double active = static_cast<double>(m.params_active.value_or(m.params_total)) / 1e9;
    table.add_row({m.meta.id, m.meta.name, m.arch, fixed(static_cast<double>(m.params_total) / 1e9, 2), fixed(active, 2),
                   std::to_string(m.n_layers), std::to_string(m.context_length), aliases});
    list.push_back({{"id", m.meta.id}, {"name", m.meta.name}, {"family", m.family}, {"arch", m.arch},
                    {"params_total", m.params_total}, {"params_active", m.params_active.value_or(m.params_total)},
                    {"n_layers", m.n_layers}, {"context_length", m.context_length}, {"aliases", m.meta.aliases}});
  }
  emit(ctx, envelope("models", {{"family", o.family}}, {{"items", list}}, {}), ctx.global.csv ? table.csv() : table.text(ctx.color()));
  if (list.empty()) ctx.exit_code = 1;
}

void fit_models(Context& ctx, const ModelsOptions& o) {
  if (o.this_machine) {
    check_this_machine_alone(o.hardware);
    use_machine_profile(ctx);
  }
  const HardwareConfig h = o.this_machine ? this_machine_hardware(ctx) : resolve_hardware(ctx, o.hardware);
  // The quants people choose between, best first: those the catalog gives a quality_rank.
  std::vector<const Quant*> ladder;
  for (const Quant& q : ctx.catalog.quants) {
    if (q.quality_rank) ladder.push_back(&q);
  }
  std::sort(ladder.begin(), ladder.end(), [](const Quant* a, const Quant* b) { return *a->quality_rank < *b->quality_rank; });
  Table table({{"Model", Align::left}, {"Best quant", Align::left}, {"Weights [GB]", Align::right},
               {"Verdict", Align::left}, {"Decode [tok/s]", Align::right}, {"Prefill [tok/s]", Align::right}});
  Json list = Json::array();
  const Assumptions assumptions = untyped(h.assumptions);
  for (const Model& m : ctx.catalog.models) {
    if (!keep(o, m)) continue;
    SizingOptions so = o.sizing;
    so.model = m.meta.id;
    so.quant = "q8-0";
    Sizing s = resolve_sizing(ctx, so);
    const PlacementRequest request = placement_request(s, h, true);
    const FitTarget target = !o.allow_offload && !h.devices.empty() ? FitTarget::gpu_only : FitTarget::with_offload;
    QuantChoice choice = best_quant_that_fits(m, ladder, ctx.catalog.tensor_types, s.kv, request, target);
    if (choice.quant == nullptr) continue;
    s.quant = choice.quant;
    s.weights = std::move(choice.weights);
    const BuildEval e = evaluate_build(ctx, s, h, 512, o.cost, false);
    table.add_row({m.meta.id, choice.quant->meta.name, gb(s.weights.total_bytes), to_string(e.placement.verdict),
                   fixed(e.speed.decode_tokens_per_s, 1), fixed(e.speed.prefill_tokens_per_s, 0)});
    list.push_back({{"model", m.meta.id}, {"quant", choice.quant->meta.id}, {"weights_bytes", s.weights.total_bytes},
                    {"context_tokens", s.kv.context_tokens}, {"verdict", to_string(e.placement.verdict)},
                    {"decode_tokens_per_s", e.speed.decode_tokens_per_s},
                    {"prefill_tokens_per_s", e.speed.prefill_tokens_per_s}});
  }
  std::string text = fmt::format("Models that run on {} (largest GGUF quant that fits{}), context {}\n\n", hardware_label(h),
                                 o.allow_offload ? ", offload allowed" : " entirely in GPU memory",
                                 o.sizing.context.empty() ? "8192 tokens or the model's maximum" : o.sizing.context);
  text += ctx.global.csv ? table.csv() : table.text(ctx.color());
  if (ctx.global.csv) text = table.csv();
  emit(ctx, envelope("models", {{"hardware", hardware_json(h)}}, {{"items", list}}, assumptions), text);
  if (list.empty()) ctx.exit_code = 1;
}

}  // namespace

void add_models_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ModelsOptions>();
  CLI::App* cmd = add_command(app, ctx, "models",
                              "List the catalog's models; with hardware flags, which models run on it, the best quant for "
                              "each and the speed",
                              [o](Context& c) { o->this_machine || has_hardware(o->hardware) ? fit_models(c, *o) : list_models(c, *o); });
  add_hardware_options(cmd, o->hardware);
  add_this_machine_flag(cmd, o->this_machine);
  add_cost_options(cmd, o->cost);
  cmd->add_option("--context,-c", o->sizing.context, "Context in tokens each model must hold (default 8192, capped at its maximum)");
  cmd->add_option("--kv-type", o->sizing.kv_type, "KV cache type (f16 default, q8_0, q4_0)");
  cmd->add_option("--family", o->family, "Only this family: llama, qwen, gemma, mistral, deepseek, phi, ...");
  cmd->add_option("--min-params", o->min_params_b, "At least this many billion parameters");
  cmd->add_option("--max-params", o->max_params_b, "At most this many billion parameters");
  cmd->add_option("--min-context", o->min_context, "Native context of at least this many tokens (32k)");
  cmd->add_flag("--allow-offload", o->allow_offload, "Accept models that need part of the weights in system RAM");
}

}  // namespace llmsize::cli
