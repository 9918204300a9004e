#include "extras.h"

#include <fmt/format.h>

#include "defaults.h"
#include "llmsize/modelfile/mmproj.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {

void add_extras_options(CLI::App* cmd, ExtrasOptions& o) {
  cmd->add_option("--draft", o.draft,
                  "Draft model for speculative decoding, as llama-server -md: MODEL[:QUANT] (catalog id or GGUF file; "
                  "the quant defaults to the model's)");
  cmd->add_option("--draft-accept", o.draft_accept,
                  fmt::format("Draft acceptance rate (accepted / drafted, as llama-server reports it): A or LOW-HIGH; "
                              "default {}-{} (published llama.cpp runs, docs/formulas.md)",
                              defaults::kDraftAcceptLow, defaults::kDraftAcceptHigh));
  cmd->add_option("--draft-max", o.draft_max,
                  fmt::format("Tokens drafted per step (llama.cpp --draft-max), default {}", defaults::kDraftMax))
      ->check(CLI::Range(1, 256));
  cmd->add_option("--draft-ngl", o.draft_ngl,
                  "Draft layers on the GPUs, as llama.cpp -ngld (the output layer counts); default all")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--mmproj", o.mmproj,
                  fmt::format("Vision projector: an mmproj GGUF file (read exactly), or the type of the catalog's "
                              "projector (default {}; bf16, q8_0)",
                              defaults::kProjectorType));
  cmd->add_option("--images", o.images, "Images in the context (with the vision projector): their tokens are added to --context")
      ->check(CLI::Range(0, 100000));
}

namespace {

AcceptanceRange parse_acceptance(const std::string& text) {
  const auto fail = [&]() -> AcceptanceRange {
    throw InputError("--draft-accept " + text + ": give a rate between 0 and 1 (0.6) or a range LOW-HIGH (0.4-0.7)");
  };
  const auto number = [&](const std::string& part) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(part, &used);
    } catch (const std::exception&) {
      fail();
    }
    if (used != part.size() || !(v >= 0 && v <= 1)) fail();
    return v;
  };
  const auto dash = text.find('-', 1);
  if (dash == std::string::npos) {
    const double v = number(text);
    return {v, v};
  }
  const AcceptanceRange r{number(text.substr(0, dash)), number(text.substr(dash + 1))};
  if (r.low > r.high) fail();
  return r;
}

// "qwen2.5-0.5b:q8_0" -> model and quant; a name the catalog or the file system knows is kept whole
// (Ollama-style aliases such as "qwen2.5:0.5b" contain a colon).
std::pair<std::string, std::string> split_model_quant(const Context& ctx, const std::string& given) {
  if (catalog::find(ctx.catalog.models, given) != nullptr || modelfile::looks_like_path(given)) return {given, ""};
  const auto colon = given.rfind(':');
  if (colon == std::string::npos) return {given, ""};
  return {given.substr(0, colon), given.substr(colon + 1)};
}

DraftSizing resolve_draft(const Context& ctx, const ExtrasOptions& o, const Sizing& target, Assumptions& assumptions) {
  DraftSizing d;
  d.given = o.draft;
  auto [model, quant] = split_model_quant(ctx, o.draft);
  SizingOptions so;
  so.model = model;
  const bool draft_is_file = catalog::find(ctx.catalog.models, model) == nullptr && modelfile::looks_like_path(model);
  const bool quant_defaulted = quant.empty() && !draft_is_file;
  const bool same_as_model = target.file == nullptr;
  if (quant_defaulted) quant = same_as_model ? target.quant->meta.id : defaults::kQuant;
  so.quant = quant;
  so.context = std::to_string(target.kv.context_tokens);
  so.kv_type = "f16";  // llama.cpp's -ctkd / -ctvd default, whatever the target's -ctk
  so.no_flash_attention = !target.kv.runtime.flash_attention;
  so.parallel = target.kv.runtime.n_sequences;
  so.ubatch = target.kv.runtime.ubatch;
  so.swa_full = target.kv.swa_full;
  d.sizing = resolve_sizing(ctx, so);
  // The draft context holds as many tokens as the target's (common_speculative_init_result: cparams.n_ctx =
  // llama_n_ctx(ctx_tgt)), beyond the draft's own maximum too.
  set_context(d.sizing, target.kv.context_tokens);
  if (quant_defaulted) {
    assumptions.push_back({"draft_quant", d.sizing.quant->meta.name, AssumptionSource::default_value,
                           same_as_model ? "the model's" : "llmsize's default"});
  }
  assumptions.push_back({"draft_kv_type", "f16", AssumptionSource::default_value, ""});
  d.draft_max = o.draft_max == 0 ? defaults::kDraftMax : o.draft_max;
  if (o.draft_max == 0) assumptions.push_back({"draft_max", std::to_string(d.draft_max), AssumptionSource::default_value, ""});
  d.acceptance_given = !o.draft_accept.empty();
  d.acceptance = d.acceptance_given ? parse_acceptance(o.draft_accept)
                                    : AcceptanceRange{defaults::kDraftAcceptLow, defaults::kDraftAcceptHigh};
  if (!d.acceptance_given) {
    assumptions.push_back({"draft_accept", fmt::format("{}-{}", d.acceptance.low, d.acceptance.high),
                           AssumptionSource::estimate, "four published llama.cpp runs (docs/formulas.md)"});
  }
  d.gpu_layers = o.draft_ngl;
  return d;
}

ProjectorSizing resolve_projector(const Context& ctx, const ExtrasOptions& o, const Sizing& s, Assumptions& assumptions) {
  ProjectorSizing p;
  p.images = o.images;
  if (!o.mmproj.empty() && modelfile::looks_like_path(o.mmproj)) {
    const modelfile::ProjectorFile f = modelfile::load_projector(o.mmproj, ctx.catalog.tensor_types);
    p.spec = f.spec;
    p.weights_bytes = f.weights_bytes;
    p.type = f.file_type;
    p.path = f.path;
    for (const std::string& note : f.inferred) assumptions.push_back({"mmproj_file", note, AssumptionSource::model_file, f.path});
  } else {
    if (!s.model->vision) {
      throw InputError(s.model->meta.name + " has no vision projector in the catalog; give its mmproj GGUF with --mmproj FILE");
    }
    p.spec = *s.model->vision;
    const std::string type = o.mmproj.empty() ? defaults::kProjectorType : o.mmproj;
    const TensorType& t = resolve(ctx.catalog.tensor_types, type, "projector type for --mmproj", "quants");
    if (t.block_weights != 1) {
      // llama-quantize leaves a tensor whose rows are not whole blocks in f16 (the encoder's FFN down rows of
      // 4304 in q8_0), so a quantized projector's size needs its tensor list: the file.
      throw InputError("--mmproj " + type + ": the catalog sizes f16, bf16 and f32 projectors; give a quantized "
                       "projector's GGUF file with --mmproj FILE");
    }
    p.type = t.meta.id;
    p.weights_bytes = projector_weight_bytes(p.spec, t);
    if (o.mmproj.empty()) assumptions.push_back({"mmproj_type", p.type, AssumptionSource::default_value, ""});
  }
  p.image_tokens = std::uint64_t{p.images} * p.spec.image_tokens;
  if (p.images > 0) {
    assumptions.push_back({"image_tokens", std::to_string(p.spec.image_tokens), AssumptionSource::estimate, p.spec.image_tokens_note});
  }
  p.memory = projector_memory(p.spec, p.weights_bytes, s.kv.runtime.flash_attention);
  return p;
}

}  // namespace

Extras resolve_extras(const Context& ctx, const ExtrasOptions& o, Sizing& s) {
  Extras e;
  if (!o.draft.empty()) e.draft = resolve_draft(ctx, o, s, e.assumptions);
  if (o.draft.empty() && (!o.draft_accept.empty() || o.draft_max != 0 || o.draft_ngl)) {
    throw InputError("--draft-accept, --draft-max and --draft-ngl describe a draft model; give it with --draft MODEL");
  }
  if (!o.mmproj.empty() || o.images > 0) e.projector = resolve_projector(ctx, o, s, e.assumptions);
  if (e.projector && e.projector->image_tokens > 0) {
    std::uint64_t context = s.kv.context_tokens + e.projector->image_tokens;
    if (context > s.model->context_length) {
      context = s.model->context_length;
      e.assumptions.push_back({"context_tokens", std::to_string(context), AssumptionSource::capped, ""});
    }
    set_context(s, context);
    if (e.draft) set_context(e.draft->sizing, context);
  }
  return e;
}

std::vector<ExtraLoad> place_extras(Extras& e, const HardwareConfig& h) {
  std::vector<ExtraLoad> loads;
  if (e.draft) {
    const Sizing& d = e.draft->sizing;
    PlacementChoice choice;
    choice.gpu_layers = std::min(e.draft->gpu_layers.value_or(d.model->n_layers + 1), d.model->n_layers + 1);
    // llama.cpp never fits the draft: its layers go where -ngld and the default split put them.
    e.draft_placement = place(*d.model, d.weights, d.cache, placement_request(h, Offload::allowed, choice));
    loads.push_back(extra_load(*e.draft_placement, ExtraKind::draft));
  }
  if (e.projector) {
    // clip runs the encoder on the first GPU (mtmd: the main device) unless there is none.
    const ProjectorMemory& m = e.projector->memory;
    ExtraLoad p;
    p.kind = ExtraKind::projector;
    p.device_bytes.assign(h.devices.size(), 0);
    if (h.devices.empty()) {
      p.host_bytes = m.total_bytes();
    } else {
      p.device_bytes[0] = m.weights_bytes + m.compute_bytes;
      p.host_bytes = m.host_compute_bytes;
    }
    loads.push_back(p);
  }
  return loads;
}

void add_speculation(Context& ctx, Extras& e, const Sizing& s, const HardwareConfig& h, const BuildEval& eval,
                     std::uint64_t prompt_tokens, const RunChoice& run) {
  if (!e.draft || !e.draft_placement || e.draft_placement->verdict == Verdict::does_not_fit ||
      eval.placement.verdict == Verdict::does_not_fit || eval.speed.decode_tokens_per_s <= 0) {
    return;
  }
  const DraftSizing& d = *e.draft;
  const SpeedRequest target = speed_request(ctx, s, h, eval.placement, prompt_tokens, run);
  const std::uint32_t batch = d.draft_max + 1;
  const ConcurrencyAt verify = decode_concurrent(target, batch, run.depth_tokens);
  RunChoice draft_run = run;
  draft_run.placement = {};
  draft_run.extras.clear();
  const SpeedResult draft = estimate_speed(speed_request(ctx, d.sizing, h, *e.draft_placement, prompt_tokens, draft_run), {});
  if (verify.aggregate_tokens_per_s <= 0 || draft.decode_tokens_per_s <= 0) return;
  SpeculationRequest q;
  q.target_step_s = 1.0 / eval.speed.decode_tokens_per_s;
  q.verify_step_s = static_cast<double>(batch) / verify.aggregate_tokens_per_s;
  q.draft_step_s = 1.0 / draft.decode_tokens_per_s;
  q.draft_max = d.draft_max;
  const double central = eval.speed.decode_tokens_per_s;
  e.speculation = estimate_speculation(q, d.acceptance, eval.speed.decode_low / central, eval.speed.decode_high / central);
}

void add_one_device_extras(const Extras& e, MemoryTotals& t) {
  if (e.draft) {
    const Sizing& d = e.draft->sizing;
    t.draft_bytes = one_device_totals(*d.model, d.weights, d.cache).used_bytes;
  }
  if (e.projector) t.projector_bytes = e.projector->memory.total_bytes();
  t.used_bytes += t.draft_bytes + t.projector_bytes;
}

}  // namespace llmsize::cli
