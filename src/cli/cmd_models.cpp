// llmsize models [--gpu rtx-3090 ...]: the model list, or which models run on this hardware.
#include <fmt/format.h>

#include <algorithm>

#include "build_eval.h"
#include "defaults.h"
#include "llmsize/engine/search.h"
#include "number_checks.h"
#include "pipeline.h"
#include "render.h"
#include "this_machine.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

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

/// The filters, with --min-context parsed.
struct ModelFilter {
  std::string family;
  std::optional<double> min_params_b;
  std::optional<double> max_params_b;
  std::uint64_t min_context_tokens = 0;

  [[nodiscard]] bool keep(const Model& m) const {
    const double billions = units::to_billions(static_cast<double>(m.params_total));
    if (!family.empty() && catalog::normalize_name(family) != m.family) return false;
    if (min_params_b && billions < *min_params_b) return false;
    if (max_params_b && billions > *max_params_b) return false;
    return m.context_length >= min_context_tokens;
  }
};

ModelFilter filter_of(const ModelsOptions& o) {
  const std::uint64_t min_context = o.min_context.empty() ? 0 : parse_tokens(o.min_context, "--min-context");
  return {o.family, o.min_params_b, o.max_params_b, min_context};
}

// Without hardware: the catalog's models that pass the filters.
class ModelListResult final : public Result {
 public:
  ModelListResult(std::vector<const Model*> models, std::string family)
      : models_(std::move(models)), family_(std::move(family)) {}

  [[nodiscard]] std::string text(const Style& style) const override { return table().text(style.color); }
  [[nodiscard]] std::string csv() const override { return table().csv(); }
  [[nodiscard]] int exit_code() const override { return models_.empty() ? kExitDoesNotFit : kExitOk; }

  [[nodiscard]] Json json() const override {
    Json list = Json::array();
    for (const Model* m : models_) {
      list.push_back({{"id", m->meta.id}, {"name", m->meta.name}, {"family", m->family}, {"arch", m->arch},
                      {"params_total", m->params_total}, {"params_active", m->params_active.value_or(m->params_total)},
                      {"n_layers", m->n_layers}, {"context_length", m->context_length}, {"aliases", m->meta.aliases}});
    }
    return envelope("models", {{"family", family_}}, {{"items", list}}, Json::array());
  }

 private:
  [[nodiscard]] Table table() const {
    Table t({{"Id", Align::left}, {"Name", Align::left}, {"Arch", Align::left}, {"Params [B]", Align::right},
             {"Active [B]", Align::right}, {"Layers", Align::right}, {"Context [tokens]", Align::right},
             {"Aliases", Align::left}});
    for (const Model* m : models_) {
      std::string aliases;
      for (const auto& a : m->meta.aliases) aliases += (aliases.empty() ? "" : ", ") + a;
      const double active = units::to_billions(static_cast<double>(m->params_active.value_or(m->params_total)));
      t.add_row({m->meta.id, m->meta.name, m->arch, fixed(units::to_billions(static_cast<double>(m->params_total)), 2), fixed(active, 2),
                 std::to_string(m->n_layers), std::to_string(m->context_length), aliases});
    }
    return t;
  }

  std::vector<const Model*> models_;
  std::string family_;
};

/// One model at the best quant that fits, evaluated on the hardware.
struct ModelFit {
  const Model* model = nullptr;
  const Quant* quant = nullptr;
  std::uint64_t weights_bytes = 0;
  std::uint64_t context_tokens = 0;
  BuildEval eval;
};

struct ModelFitReport {
  HardwareConfig hardware;
  bool allow_offload = false;
  std::string context;  ///< --context as given; empty: the default
  std::vector<ModelFit> fits;
  Assumptions assumptions;
};

// With hardware: which models run on it, at the largest quant that fits.
class ModelFitResult final : public Result {
 public:
  explicit ModelFitResult(ModelFitReport r) : r_(std::move(r)) {}

  [[nodiscard]] std::string text(const Style& style) const override {
    const std::string context = r_.context.empty()
                                    ? fmt::format("{} tokens or the model's maximum", defaults::kContextTokens)
                                    : r_.context;
    return fmt::format("Models that run on {} (largest GGUF quant that fits{}), context {}\n\n", hardware_label(r_.hardware),
                       r_.allow_offload ? ", offload allowed" : " entirely in GPU memory", context) +
           table().text(style.color);
  }
  [[nodiscard]] std::string csv() const override { return table().csv(); }
  [[nodiscard]] int exit_code() const override { return r_.fits.empty() ? kExitDoesNotFit : kExitOk; }

  [[nodiscard]] Json json() const override {
    Json list = Json::array();
    for (const ModelFit& f : r_.fits) {
      list.push_back({{"model", f.model->meta.id}, {"quant", f.quant->meta.id}, {"weights_bytes", f.weights_bytes},
                      {"context_tokens", f.context_tokens}, {"verdict", to_string(f.eval.placement.verdict)},
                      {"decode_tokens_per_s", f.eval.speed.decode_tokens_per_s},
                      {"prefill_tokens_per_s", f.eval.speed.prefill_tokens_per_s}});
    }
    return envelope("models", {{"hardware", hardware_json(r_.hardware)}}, {{"items", list}}, assumptions_json(r_.assumptions));
  }

 private:
  [[nodiscard]] Table table() const {
    Table t({{"Model", Align::left}, {"Best quant", Align::left}, {"Weights [GB]", Align::right},
             {"Verdict", Align::left}, {"Decode [tok/s]", Align::right}, {"Prefill [tok/s]", Align::right}});
    for (const ModelFit& f : r_.fits) {
      t.add_row({f.model->meta.id, f.quant->meta.name, gb(f.weights_bytes), to_string(f.eval.placement.verdict),
                 fixed(f.eval.speed.decode_tokens_per_s, 1), fixed(f.eval.speed.prefill_tokens_per_s, 0)});
    }
    return t;
  }

  ModelFitReport r_;
};

std::unique_ptr<Result> list_models(const Context& ctx, const ModelsOptions& o) {
  const ModelFilter filter = filter_of(o);
  std::vector<const Model*> models;
  for (const Model& m : ctx.catalog.models) {
    if (filter.keep(m)) models.push_back(&m);
  }
  return std::make_unique<ModelListResult>(std::move(models), o.family);
}

// The model at the largest quant of the ladder that fits; nothing when none does.
std::optional<ModelFit> fit_model(Context& ctx, const ModelsOptions& o, const HardwareConfig& h,
                                  const std::vector<const Quant*>& ladder, const Model& m) {
  SizingOptions so = o.sizing;
  so.model = m.meta.id;
  so.quant = "q8-0";  // any: the ladder search below chooses the quant and sizes the weights
  Sizing s = resolve_sizing_without_weights(ctx, so);
  const PlacementRequest request = placement_request(h, Offload::allowed);
  const FitTarget target = !o.allow_offload && !h.devices.empty() ? FitTarget::gpu_only : FitTarget::with_offload;
  QuantChoice choice = best_quant_that_fits(m, ladder, ctx.catalog.tensor_types, s.kv, request, target);
  if (choice.quant == nullptr) return std::nullopt;
  s.quant = choice.quant;
  s.weights = std::move(choice.weights);
  return ModelFit{&m, choice.quant, s.weights.total_bytes, s.kv.context_tokens,
                  evaluate_build(ctx, s, h, defaults::kPromptTokens, o.cost, DecodeCurve::skip)};
}

std::unique_ptr<Result> fit_models(Context& ctx, const ModelsOptions& o) {
  if (o.this_machine) {
    check_this_machine_alone(o.hardware);
    use_machine_profile(ctx);
  }
  ModelFitReport r;
  r.hardware = o.this_machine ? this_machine_hardware(ctx, o.hardware) : resolve_hardware(ctx, o.hardware);
  r.allow_offload = o.allow_offload;
  r.context = o.sizing.context;
  r.assumptions = r.hardware.assumptions;
  // The quants people choose between, best first: those the catalog gives a quality_rank.
  std::vector<const Quant*> ladder;
  for (const Quant& q : ctx.catalog.quants) {
    if (q.quality_rank) ladder.push_back(&q);
  }
  std::sort(ladder.begin(), ladder.end(), [](const Quant* a, const Quant* b) { return *a->quality_rank < *b->quality_rank; });
  const ModelFilter filter = filter_of(o);
  for (const Model& m : ctx.catalog.models) {
    if (!filter.keep(m)) continue;
    if (auto fit = fit_model(ctx, o, r.hardware, ladder, m)) r.fits.push_back(std::move(*fit));
  }
  return std::make_unique<ModelFitResult>(std::move(r));
}

void add_models_options(CLI::App& cmd, ModelsOptions& o) {
  add_hardware_options(&cmd, o.hardware);
  add_this_machine_flag(&cmd, o.this_machine);
  add_cost_options(&cmd, o.cost);
  cmd.add_option("--context,-c", o.sizing.context,
                 fmt::format("Context in tokens each model must hold (default {}, capped at its maximum)",
                             defaults::kContextTokens));
  cmd.add_option("--kv-type", o.sizing.kv_type, fmt::format("KV cache type ({} default, q8_0, q4_0)", defaults::kKvType));
  cmd.add_option("--family", o.family, "Only this family: llama, qwen, gemma, mistral, deepseek, phi, ...");
  cmd.add_option("--min-params", o.min_params_b, "At least this many billion parameters")->check(at_least(0));
  cmd.add_option("--max-params", o.max_params_b, "At most this many billion parameters")->check(at_least(0));
  cmd.add_option("--min-context", o.min_context, "Native context of at least this many tokens (32k)");
  cmd.add_flag("--allow-offload", o.allow_offload, "Accept models that need part of the weights in system RAM");
}

}  // namespace

CommandSpec models_command() {
  return {"models",
          "List the catalog's models; with hardware flags, which models run on it, the best quant for each and the speed",
          true,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<ModelsOptions>();
            add_models_options(cmd, *o);
            return [o](Context& ctx) {
              return o->this_machine || has_hardware(o->hardware) ? fit_models(ctx, *o) : list_models(ctx, *o);
            };
          },
          {}};
}

}  // namespace llmsize::cli
