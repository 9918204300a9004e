// The draft model's and the projector's lines, flags and JSON: formatting only, nothing computed.
#include <fmt/format.h>

#include "extras.h"
#include "formulas.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

std::string draft_file(const Sizing& d) {
  if (d.file != nullptr) return d.file->path;
  return fmt::format("{}.{}.gguf", d.model->meta.id, d.quant->meta.name);
}

std::string projector_file(const ProjectorSizing& p, const Sizing& s) {
  return p.path.empty() ? fmt::format("mmproj-{}-{}.gguf", s.model->meta.id, p.type) : p.path;
}

Json totals_json(const MemoryTotals& t) {
  return {{"weights_bytes", t.weights_bytes}, {"kv_cache_bytes", t.kv_cache_bytes},
          {"compute_buffer_bytes", t.compute_buffer_bytes}, {"total_bytes", t.used_bytes}};
}

}  // namespace

std::string extras_flags(const Extras& e, const Sizing& s) {
  std::string out;
  if (e.draft) {
    out += fmt::format(" -md {} --draft-max {}", draft_file(e.draft->sizing), e.draft->draft_max);
    if (e.draft->gpu_layers) out += fmt::format(" -ngld {}", *e.draft->gpu_layers);
  }
  if (e.mtp) out += fmt::format(" --spec-type draft-mtp --spec-draft-n-max {}", e.mtp->draft_max);
  if (e.projector) out += " --mmproj " + projector_file(*e.projector, s);
  return out;
}

std::string extras_text(const Extras& e) {
  std::string out;
  if (e.draft) {
    const Sizing& d = e.draft->sizing;
    const MemoryTotals t = one_device_totals(*d.model, d.weights, d.cache);
    out += fmt::format("  draft model: {} {} — weights {} GiB, KV {} GiB ({} cells, f16), compute {} GiB\n", d.model->meta.name,
                       d.quant->meta.name, gib(t.weights_bytes), gib(t.kv_cache_bytes), d.cache.full_cells,
                       gib(t.compute_buffer_bytes));
  }
  if (e.mtp) {
    const MtpMemory& m = e.mtp->memory;
    out += fmt::format("  MTP drafting (--spec-type draft-mtp): nextn weights {} GiB, KV {} GiB (f16), compute {} GiB, "
                       "in RAM {} GiB\n",
                       gib(m.weights_bytes), gib(m.kv_cache_bytes), gib(m.compute_bytes), gib(m.host_bytes()));
  }
  if (e.projector) {
    const ProjectorSizing& p = *e.projector;
    out += fmt::format("  vision projector ({}): weights {} GiB, encoder compute {} GiB, input image {} GiB in RAM",
                       p.path.empty() ? p.type + ", from the catalog" : p.path, gib(p.memory.weights_bytes),
                       gib(p.memory.compute_bytes), gib(p.memory.host_compute_bytes));
    if (p.images > 0) out += fmt::format("; {} images × {} tokens in the context", p.images, p.spec.image_tokens);
    out += "\n";
  }
  return out;
}

std::string speculation_text(const Extras& e) {
  if (!e.speculation) return "";
  const SpeculationResult& spec = *e.speculation;
  const bool mtp = e.mtp.has_value();
  // One acceptance rate given (--draft-accept 0.7): one speed-up, still a band of tok/s (the model's own band).
  const bool one_rate = spec.acceptance.low == spec.acceptance.high;
  const std::string speedup = one_rate ? fmt::format("{:.2f}×", spec.speedup_low)
                                       : fmt::format("{:.2f}–{:.2f}×", spec.speedup_low, spec.speedup_high);
  const std::string acceptance = one_rate ? fmt::format("{:g}", spec.acceptance.low)
                                          : fmt::format("{:g}–{:g}", spec.acceptance.low, spec.acceptance.high);
  return fmt::format("  with {}  {:.1f}–{:.1f} tok/s  ({} the model alone at acceptance {}, {} {}; {} alone decodes "
                     "{:.0f} tok/s)\n",
                     mtp ? "MTP drafting" : "the draft", spec.decode_low, spec.decode_high, speedup, acceptance,
                     mtp ? "--spec-draft-n-max" : "--draft-max", spec.draft_max, mtp ? "the MTP head" : "the draft",
                     spec.draft_tokens_per_s);
}

std::string extras_explain(const Extras& e) {
  std::string out;
  if (e.draft) out += fmt::format("  draft:     {}\n", formulas::kDraftMemory);
  if (e.mtp) out += fmt::format("  mtp:       {}\n             {}\n", formulas::kMtpMemory, formulas::kMtpDraftToken);
  if (e.speculation) {
    out += fmt::format("  speculate: {}\n             {}\n", formulas::kSpeculativeTokens, formulas::kSpeculativeRate);
  }
  if (e.projector) {
    out += fmt::format("  projector: {}\n             {}\n", formulas::kProjectorWeights, formulas::kProjectorCompute);
    if (e.projector->images > 0) out += fmt::format("  images:    {}\n", formulas::kImageTokens);
  }
  return out;
}

namespace {

Json speculation_json(const Extras& e) {
  if (!e.speculation) return nullptr;
  const SpeculationResult& sp = *e.speculation;
  return {{"draft_tokens_per_s", sp.draft_tokens_per_s},
          {"tokens_per_step_low", sp.tokens_per_step_low},
          {"tokens_per_step_high", sp.tokens_per_step_high},
          {"decode_low", sp.decode_low},
          {"decode_high", sp.decode_high},
          {"speedup_low", sp.speedup_low},
          {"speedup_high", sp.speedup_high}};
}

// --spec-type draft-mtp: the model drafts for itself; `model` and `quant` are the model's.
Json mtp_json(const Extras& e, const Sizing& s) {
  const MtpSizing& m = *e.mtp;
  Json j = Json::object();
  j["spec_type"] = "draft-mtp";
  j["model"] = s.model->meta.id;
  j["quant"] = s.quant->meta.id;
  j["memory"] = {{"weights_bytes", m.memory.weights_bytes}, {"kv_cache_bytes", m.memory.kv_cache_bytes},
                 {"compute_buffer_bytes", m.memory.compute_bytes}, {"total_bytes", m.memory.total_bytes()}};
  j["gpu_layers"] = nullptr;
  j["draft_max"] = m.draft_max;
  j["acceptance_low"] = m.acceptance.low;
  j["acceptance_high"] = m.acceptance.high;
  j["speculation"] = speculation_json(e);
  return j;
}

}  // namespace

Json draft_json(const Extras& e, const Sizing& s) {
  if (e.mtp) return mtp_json(e, s);
  if (!e.draft) return nullptr;
  const DraftSizing& d = *e.draft;
  Json j = Json::object();
  j["spec_type"] = "draft-simple";
  j["model"] = d.sizing.model->meta.id;
  j["quant"] = d.sizing.quant->meta.id;
  j["memory"] = totals_json(one_device_totals(*d.sizing.model, d.sizing.weights, d.sizing.cache));
  j["gpu_layers"] = e.draft_placement ? Json(e.draft_placement->gpu_layers) : Json(nullptr);
  j["draft_max"] = d.draft_max;
  j["acceptance_low"] = d.acceptance.low;
  j["acceptance_high"] = d.acceptance.high;
  j["speculation"] = speculation_json(e);
  return j;
}

Json projector_json(const Extras& e) {
  if (!e.projector) return nullptr;
  const ProjectorSizing& p = *e.projector;
  return {{"path", p.path.empty() ? Json(nullptr) : Json(p.path)},
          {"type", p.type},
          {"params", p.spec.projector_params},
          {"weights_bytes", p.memory.weights_bytes},
          {"compute_buffer_bytes", p.memory.compute_bytes},
          {"host_compute_buffer_bytes", p.memory.host_compute_bytes},
          {"total_bytes", p.memory.total_bytes()},
          {"warmup_patches", p.spec.warmup_patches()},
          {"images", p.images},
          {"tokens_per_image", p.spec.image_tokens},
          {"image_tokens", p.image_tokens}};
}

void add_draft_inputs(const Extras& e, Json& inputs) {
  inputs["draft"] = e.draft ? Json(e.draft->given) : Json(nullptr);
  inputs["spec_type"] = e.mtp ? Json("draft-mtp") : e.draft ? Json("draft-simple") : Json(nullptr);
}

void add_extras_inputs(const Extras& e, Json& inputs) {
  add_draft_inputs(e, inputs);
  inputs["mmproj"] = e.projector ? Json(e.projector->path.empty() ? e.projector->type : e.projector->path) : Json(nullptr);
  inputs["images"] = e.projector ? e.projector->images : 0;
}

}  // namespace llmsize::cli
