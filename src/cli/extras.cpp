#include "extras.h"

#include <fmt/format.h>

#include "defaults.h"
#include "llmsize/modelfile/mmproj.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {

void add_draft_options(CLI::App* cmd, ExtrasOptions& o) {
  cmd->add_option("--draft", o.draft,
                  "Draft model for speculative decoding, as llama-server -md: MODEL[:QUANT] (catalog id or GGUF file; "
                  "the quant defaults to the model's)");
  cmd->add_option("--spec-type", o.spec_type,
                  "Speculative decoding as llama-server --spec-type: draft-mtp drafts with the model's own MTP (nextn) "
                  "block; draft-simple is --draft's (default with --draft); none")
      ->check(CLI::IsMember({"none", "draft-simple", "draft-mtp"}));
  cmd->add_option("--draft-accept", o.draft_accept,
                  fmt::format("Draft acceptance rate (accepted / drafted, as llama-server reports it): A or LOW-HIGH; "
                              "default {}-{} for a draft model, {}-{} for MTP (published llama.cpp runs, docs/formulas.md)",
                              defaults::kDraftAcceptLow, defaults::kDraftAcceptHigh, defaults::kMtpAcceptLow,
                              defaults::kMtpAcceptHigh));
  cmd->add_option("--draft-max", o.draft_max,
                  fmt::format("Tokens drafted per step (llama.cpp --draft-max), default {}", defaults::kDraftMax))
      ->check(CLI::Range(1, 256));
  cmd->add_option("--draft-ngl", o.draft_ngl,
                  "Draft layers on the GPUs, as llama.cpp -ngld (the output layer counts); default all")
      ->check(CLI::Range(0, 100000));
}

void add_extras_options(CLI::App* cmd, ExtrasOptions& o) {
  add_draft_options(cmd, o);
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

// llama.cpp's draft-simple refuses a draft whose vocabulary is not the model's (common/speculative.cpp,
// common_speculative_are_compatible: sizes within SPEC_VOCAB_MAX_SIZE_DIFFERENCE = 128, then every token's text
// from id 5 on; the constructor throws "draft model vocab type must match target model to use speculation").
void check_draft_vocab(const Model& target, const Model& draft, Assumptions& assumptions) {
  const std::uint64_t a = target.vocab_size;
  const std::uint64_t b = draft.vocab_size;
  const std::uint64_t diff = a > b ? a - b : b - a;
  if (diff > defaults::kDraftVocabMaxDifference) {
    throw InputError(fmt::format("--draft {}: its vocabulary ({} tokens) is not {}'s ({} tokens); llama.cpp refuses a draft "
                                 "whose vocabulary size differs by more than {} tokens: pick a draft of the model's family",
                                 draft.meta.name, b, target.meta.name, a, defaults::kDraftVocabMaxDifference));
  }
  if (diff > 0) {
    assumptions.push_back({"draft_vocab", fmt::format("{} tokens against the model's {}", b, a), AssumptionSource::estimate,
                           "llama.cpp accepts a difference of up to 128 when every shared token's text matches, which "
                           "llmsize cannot check"});
  }
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
  check_draft_vocab(*target.model, *d.sizing.model, assumptions);
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

MtpSizing resolve_mtp(const Context& ctx, const ExtrasOptions& o, const Sizing& s, Assumptions& assumptions) {
  const Model& m = *s.model;
  if (m.nextn_layers == 0) {
    throw InputError(m.meta.name + " has no MTP (nextn) layers to draft with; --spec-type draft-mtp needs a model whose "
                     "GGUF keeps them (GLM-4.5/4.6/4.7, Qwen3.5/3.6, DeepSeek-V3.2), or give a draft model with --draft");
  }
  if (!o.draft.empty()) {
    throw InputError("--spec-type draft-mtp drafts with the model's own MTP block; drop --draft (or use --spec-type draft-simple)");
  }
  if (o.draft_ngl) throw InputError("--draft-ngl places a draft model's layers; the MTP block sits with the model's last layer");
  MtpSizing t;
  KvSettings kv = s.kv;  // the MTP context takes the model's context parameters (n_ctx, n_seq, -ub, -fa)
  kv.type_k = &resolve(ctx.catalog.tensor_types, "f16", "draft KV type", "quants");
  kv.type_v = kv.type_k;  // --spec-draft-type-k/-v (-ctkd/-ctvd) default f16 (llama.cpp#23646)
  t.memory = mtp_memory(m, s.weights, kv);
  t.read_bytes_per_token = mtp_read_bytes_per_token(m, s.weights);
  assumptions.push_back({"draft_kv_type", "f16", AssumptionSource::default_value, ""});
  t.draft_max = o.draft_max == 0 ? defaults::kDraftMax : o.draft_max;
  if (o.draft_max == 0) assumptions.push_back({"draft_max", std::to_string(t.draft_max), AssumptionSource::default_value, ""});
  t.acceptance_given = !o.draft_accept.empty();
  t.acceptance = t.acceptance_given ? parse_acceptance(o.draft_accept)
                                    : AcceptanceRange{defaults::kMtpAcceptLow, defaults::kMtpAcceptHigh};
  if (!t.acceptance_given) {
    assumptions.push_back({"draft_accept", fmt::format("{}-{}", t.acceptance.low, t.acceptance.high),
                           AssumptionSource::estimate, "nine prompts drafted by Qwen3.6's MTP head (docs/formulas.md)"});
  }
  return t;
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
  const bool mtp = o.spec_type == "draft-mtp";
  if (o.spec_type == "draft-simple" && o.draft.empty()) {
    throw InputError("--spec-type draft-simple drafts with a second model; give it with --draft MODEL");
  }
  if (o.spec_type == "none" && !o.draft.empty()) throw InputError("--spec-type none turns speculation off; drop --draft");
  if (!o.draft.empty() && !mtp) e.draft = resolve_draft(ctx, o, s, e.assumptions);
  if (o.draft.empty() && !mtp && (!o.draft_accept.empty() || o.draft_max != 0 || o.draft_ngl)) {
    throw InputError("--draft-accept, --draft-max and --draft-ngl describe a draft model; give it with --draft MODEL "
                     "(or draft with the model's MTP block: --spec-type draft-mtp)");
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
  if (mtp) e.mtp = resolve_mtp(ctx, o, s, e.assumptions);
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
  if (e.mtp) {
    // llama.cpp assigns layers il < n_layer_all and the output (il = n_layer_all) by the same split: the MTP block
    // (il = n_layer_all − 1) and the output layer share the last GPU's share (llama_model::load_tensors).
    ExtraLoad m;
    m.kind = ExtraKind::draft;
    m.device_bytes.assign(h.devices.size(), 0);
    if (h.devices.empty()) {
      m.host_bytes = e.mtp->memory.total_bytes();
    } else {
      m.device_bytes.back() = e.mtp->memory.device_bytes();
      m.host_bytes = e.mtp->memory.host_bytes();
    }
    loads.push_back(m);
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

namespace {

// Seconds one drafted token takes: the draft model's own decode on its placement, or for MTP the model's
// token time scaled by the bytes the nextn blocks and the output head read (decode streams weights).
// 0 when it cannot be predicted.
double draft_token_s(Context& ctx, const Extras& e, const BuildEval& eval, const HardwareConfig& h,
                     std::uint64_t prompt_tokens, const RunChoice& run) {
  if (e.mtp) {
    // The MTP block runs on the last GPU (place_extras), at that backend's fixed cost per llama_decode.
    const Backend backend = h.devices.empty() ? Backend::cpu : h.devices.back().backend;
    const double per_token_s = calibration(ctx).get(backend).per_token_s;
    return mtp_draft_token_s(1.0 / eval.speed.decode_tokens_per_s, eval.speed.bytes_per_token,
                             e.mtp->read_bytes_per_token, per_token_s);
  }
  if (!e.draft_placement || e.draft_placement->verdict == Verdict::does_not_fit) return 0;
  RunChoice draft_run = run;
  draft_run.placement = {};
  draft_run.extras.clear();
  const SpeedResult draft =
      estimate_speed(speed_request(ctx, e.draft->sizing, h, *e.draft_placement, prompt_tokens, draft_run), {});
  return draft.decode_tokens_per_s > 0 ? 1.0 / draft.decode_tokens_per_s : 0;
}

}  // namespace

void add_speculation(Context& ctx, Extras& e, const Sizing& s, const HardwareConfig& h, const BuildEval& eval,
                     std::uint64_t prompt_tokens, const RunChoice& run) {
  if (!e.speculates() || eval.placement.verdict == Verdict::does_not_fit || eval.speed.decode_tokens_per_s <= 0) return;
  const std::uint32_t draft_max = e.mtp ? e.mtp->draft_max : e.draft->draft_max;
  const AcceptanceRange acceptance = e.mtp ? e.mtp->acceptance : e.draft->acceptance;
  const double draft_s = draft_token_s(ctx, e, eval, h, prompt_tokens, run);
  const SpeedRequest target = speed_request(ctx, s, h, eval.placement, prompt_tokens, run);
  const std::uint32_t batch = draft_max + 1;
  const ConcurrencyAt verify = decode_concurrent(target, batch, run.depth_tokens);
  if (verify.aggregate_tokens_per_s <= 0 || draft_s <= 0) return;
  SpeculationRequest q;
  q.target_step_s = 1.0 / eval.speed.decode_tokens_per_s;
  q.verify_step_s = static_cast<double>(batch) / verify.aggregate_tokens_per_s;
  // MTP also runs the verified batch through its block to keep its cache (common_speculative_impl_draft_mtp::
  // process): one more read of the block and head per step.
  if (e.mtp) q.verify_step_s += draft_s;
  q.draft_step_s = draft_s;
  q.draft_max = draft_max;
  const double central = eval.speed.decode_tokens_per_s;
  e.speculation = estimate_speculation(q, acceptance, eval.speed.decode_low / central, eval.speed.decode_high / central);
}

BuildEval evaluate_with_extras(Context& ctx, Extras& e, const Sizing& s, const HardwareConfig& h,
                               std::uint64_t prompt_tokens, const CostOptions& cost, RunChoice& run) {
  if (e.any() && run.engine == Engine::vllm) {
    throw InputError("--draft, --spec-type, --mmproj and --images size llama-server's draft model and projector; drop --engine vllm");
  }
  run.extras = place_extras(e, h);
  BuildEval eval = evaluate_build(ctx, s, h, prompt_tokens, cost, DecodeCurve::compute, Offload::allowed, run);
  add_speculation(ctx, e, s, h, eval, prompt_tokens, run);
  return eval;
}

void add_one_device_extras(const Extras& e, MemoryTotals& t) {
  if (e.draft) {
    const Sizing& d = e.draft->sizing;
    t.draft_bytes = one_device_totals(*d.model, d.weights, d.cache).used_bytes;
  }
  if (e.mtp) t.draft_bytes = e.mtp->memory.total_bytes();
  if (e.projector) t.projector_bytes = e.projector->memory.total_bytes();
  t.used_bytes += t.draft_bytes + t.projector_bytes;
}

}  // namespace llmsize::cli
