#pragma once
// The flags every sizing command shares (model, quant, context, KV type, ...) and their resolution
// into engine inputs, recording each defaulted value as an assumption.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "assumption.h"
#include "context.h"
#include "llmsize/engine/buffers.h"
#include "llmsize/engine/kv.h"
#include "llmsize/engine/weights.h"

namespace llmsize::cli {

struct SizingOptions {
  std::string model;
  std::string quant;
  std::string context;
  std::string kv_type;
  std::string ctk;
  std::string ctv;
  bool no_flash_attention = false;
  std::uint32_t parallel = 1;
  std::uint32_t ubatch = engine::kDefaultUbatch;
  std::uint32_t batch = engine::kDefaultBatch;
  bool swa_full = false;
};

/// Binds --model, --quant, --context, --kv-type, --ctk, --ctv, --no-flash-attn, --parallel,
/// --ubatch, --batch-size, --swa-full. `context_help` says what --context means for this command.
void add_sizing_options(CLI::App* cmd, SizingOptions& o, bool model_required = true);

/// Everything the engine needs for one model at one quant and context.
struct Sizing {
  const engine::Model* model = nullptr;
  const engine::Quant* quant = nullptr;
  const std::vector<engine::TensorType>* types = nullptr;
  engine::KvSettings kv;
  engine::WeightsResult weights;
  /// count_params(*model), counted once for the many configurations a command may predict it on.
  std::optional<engine::ParamCounts> params;
  /// summarize_layers(*model), likewise summarized once.
  std::optional<engine::LayerSummary> layer_summary;
  engine::KvResult cache;
  Assumptions assumptions;
  std::string model_note;  ///< "\"30b\" is LLaMA 30B (llama-30b); ..." when a shorthand or an alias was used
  /// The other catalog models a size shorthand matches (ids, catalog order; docs/catalog.md).
  std::vector<std::string> model_alternatives;
  const modelfile::ModelFile* file = nullptr;  ///< --model PATH: the file read
  std::shared_ptr<const engine::Quant> file_quant;     ///< a GGUF file's own weights; `quant` points here
  const hub::ModelSource* source = nullptr;  ///< --model hf:... or URL: what was fetched, from where
};

/// A GGUF file's general.file_type as llama.cpp names it (Q4_K_M): the catalog quant with that
/// llama_ftype; "file type N" when none has it, "unknown" when the file states none.
[[nodiscard]] std::string file_type_name(const catalog::Catalog& cat, const modelfile::ModelFile& f);

/// Reads a model file once per run (cached in the context): a local path, or a remote name (hf:ORG/REPO,
/// a GGUF URL) through the Hub reader; throws InputError naming the problem.
[[nodiscard]] const modelfile::ModelFile& model_file(const Context& ctx, const std::string& path);

/// What was fetched for a remote model `model_file` read; nullptr for a local file.
[[nodiscard]] const hub::ModelSource* model_source(const Context& ctx, const std::string& path);

/// `inputs.model_source` of --json (docs/json.md).
[[nodiscard]] Json model_source_json(const hub::ModelSource& source);

/// A model named by --model: a catalog entry (by id or alias) or a model file.
struct ResolvedModel {
  const engine::Model* model = nullptr;
  std::string note;                             ///< "\"8b\" is Llama 3.1 8B (llama-3.1-8b); ..." for a shorthand
  std::vector<std::string> alternatives;        ///< the other models a size shorthand matches (ids, catalog order)
  const modelfile::ModelFile* file = nullptr;   ///< --model PATH: the file read
  const hub::ModelSource* source = nullptr;     ///< --model hf:... or URL: what was fetched, from where
  Assumptions assumptions;                      ///< the alias, or what the file left out
};

/// Finds --model in the catalog (a size shorthand by the rule of docs/catalog.md, "Size shorthands"), else
/// reads it as a file, local or remote (docs/hub.md). Throws InputError with suggestions, or listing the
/// models an ambiguous shorthand matches.
[[nodiscard]] ResolvedModel resolve_model(const Context& ctx, const std::string& name);

/// Resolves names against the catalog and runs the weight and KV engines. Throws InputError.
[[nodiscard]] Sizing resolve_sizing(const Context& ctx, const SizingOptions& o);
/// The same with `weights` left empty, for a caller that sizes the weights itself (models --gpu
/// searches a ladder of quants): the rest is resolve_sizing's.
[[nodiscard]] Sizing resolve_sizing_without_weights(const Context& ctx, const SizingOptions& o);

/// Recomputes the KV cache and compute settings for another context.
void set_context(Sizing& s, std::uint64_t context_tokens);

[[nodiscard]] const engine::TensorType& resolve_kv_type(const Context& ctx, const std::string& name, const std::string& flag);

/// Weights the model holds: a GGUF file's tensors exactly, else counted from the architecture.
[[nodiscard]] std::uint64_t weight_count(const Sizing& s);

/// JSON of the model, quant and memory totals shared by `memory` and `check`.
[[nodiscard]] Json model_json(const Sizing& s);
[[nodiscard]] Json quant_json(const Sizing& s);
[[nodiscard]] Json inputs_json(const Sizing& s);

}  // namespace llmsize::cli
