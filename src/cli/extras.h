#pragma once
// What llama-server loads beside the model: a draft model for speculative decoding (-md) and a vision
// projector (--mmproj) with the images it reads (--images). Resolved into engine inputs, placed on the
// hardware before the model (llama.cpp's --fit fits the model around them), then rendered.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "assumption.h"
#include "build_eval.h"
#include "llmsize/engine/placement.h"
#include "llmsize/engine/mtp.h"
#include "llmsize/engine/projector.h"
#include "llmsize/engine/speculative.h"
#include "sizing.h"

namespace llmsize::cli {

struct ExtrasOptions {
  std::string draft;                       ///< --draft MODEL[:QUANT] (llama.cpp -md)
  std::string spec_type;                   ///< --spec-type: none, draft-simple (with --draft), draft-mtp
  std::string draft_accept;                ///< --draft-accept A or LOW-HIGH
  std::uint32_t draft_max = 0;             ///< --draft-max; 0: defaults::kDraftMax
  std::optional<std::uint32_t> draft_ngl;  ///< --draft-ngl (llama.cpp -ngld)
  std::string mmproj;                      ///< --mmproj FILE, or a type (f16, bf16, q8_0) for the catalog's projector
  std::uint32_t images = 0;                ///< --images N
};

/// Binds --draft, --spec-type, --draft-accept, --draft-max, --draft-ngl (`speed`: speculation only).
void add_draft_options(CLI::App* cmd, ExtrasOptions& o);

/// Binds the draft options and --mmproj, --images (`check`, `memory`).
void add_extras_options(CLI::App* cmd, ExtrasOptions& o);

struct DraftSizing {
  Sizing sizing;  ///< the draft model at the target's context, cells and runtime, KV in f16 (-ctkd/-ctvd)
  std::string given;
  engine::AcceptanceRange acceptance;
  bool acceptance_given = false;
  std::uint32_t draft_max = 0;
  std::optional<std::uint32_t> gpu_layers;  ///< -ngld; unset: every layer on the GPUs (llama.cpp's default)
};

/// --spec-type draft-mtp: the model's own nextn blocks draft (no second model).
struct MtpSizing {
  engine::MtpMemory memory;
  double read_bytes_per_token = 0;  ///< weights a drafted token reads (mtp_read_bytes_per_token)
  engine::AcceptanceRange acceptance;
  bool acceptance_given = false;
  std::uint32_t draft_max = 0;
};

struct ProjectorSizing {
  engine::VisionSpec spec;
  std::uint64_t weights_bytes = 0;
  std::string type;   ///< f16, bf16, q8_0, ... (a file: its dominant type)
  std::string path;   ///< --mmproj FILE; empty for the catalog's projector
  std::uint32_t images = 0;
  std::uint64_t image_tokens = 0;  ///< images × spec.image_tokens, added to the context
  engine::ProjectorMemory memory;
};

struct Extras {
  std::optional<DraftSizing> draft;
  std::optional<MtpSizing> mtp;
  std::optional<ProjectorSizing> projector;
  Assumptions assumptions;
  // On a configuration:
  std::optional<engine::Placement> draft_placement;  ///< the draft as llama.cpp places it (no --fit)
  std::optional<engine::SpeculationResult> speculation;
  [[nodiscard]] bool any() const { return draft.has_value() || mtp.has_value() || projector.has_value(); }
  [[nodiscard]] bool speculates() const { return draft.has_value() || mtp.has_value(); }
};

/// Resolves the flags against the catalog and files; the images' tokens raise the context of `s` (capped at
/// the model's maximum). Throws InputError.
[[nodiscard]] Extras resolve_extras(const Context& ctx, const ExtrasOptions& o, Sizing& s);

/// Places the draft model on `h` and returns what the draft (or the MTP block, on the last GPU: llama.cpp puts
/// layer n_layer_all − 1 beside the output layer) and the projector take on each device, for the model's
/// placement (RunChoice::extras).
[[nodiscard]] std::vector<engine::ExtraLoad> place_extras(Extras& e, const HardwareConfig& h);

/// The speculative decode band on the evaluated build (nothing without a draft or MTP, or when it does not fit).
void add_speculation(Context& ctx, Extras& e, const Sizing& s, const HardwareConfig& h, const BuildEval& eval,
                     std::uint64_t prompt_tokens, const RunChoice& run);

/// The build with what llama-server loads beside the model, as `check` and `speed` evaluate it: the extras placed
/// first (run.extras), the model around them, then the speculative band (e.speculation). Throws InputError for
/// extras with an engine other than llama.cpp.
[[nodiscard]] BuildEval evaluate_with_extras(Context& ctx, Extras& e, const Sizing& s, const HardwareConfig& h,
                                             std::uint64_t prompt_tokens, const CostOptions& cost, RunChoice& run);

/// One device holding everything (`memory`): the draft's one_device_totals and the projector's total.
void add_one_device_extras(const Extras& e, engine::MemoryTotals& t);

/// " -md FILE --draft-max N [-ngld N]" or " --spec-type draft-mtp --spec-draft-n-max N", then " --mmproj FILE", for
/// the llama-server line; empty without extras.
[[nodiscard]] std::string extras_flags(const Extras& e, const Sizing& s);

/// Lines for the memory breakdown and --explain; JSON for `result.draft` / `result.projector` / inputs.
[[nodiscard]] std::string extras_text(const Extras& e);
/// "  with the draft  A–B tok/s (…)\n", the speculative band of a speed summary; empty without one.
[[nodiscard]] std::string speculation_text(const Extras& e);
[[nodiscard]] std::string extras_explain(const Extras& e);
[[nodiscard]] Json draft_json(const Extras& e, const Sizing& s);
[[nodiscard]] Json projector_json(const Extras& e);
/// inputs.draft and inputs.spec_type (`speed`); add_extras_inputs adds inputs.mmproj and inputs.images too.
void add_draft_inputs(const Extras& e, Json& inputs);
void add_extras_inputs(const Extras& e, Json& inputs);

}  // namespace llmsize::cli
