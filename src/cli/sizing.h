#pragma once
// The flags every sizing command shares (model, quant, context, KV type, ...) and their resolution
// into engine inputs, recording each defaulted value as an assumption.
#include <memory>
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
  bool swa_full = false;
};

/// Binds --model, --quant, --context, --kv-type, --ctk, --ctv, --no-flash-attn, --parallel,
/// --ubatch, --swa-full. `context_help` says what --context means for this command.
void add_sizing_options(CLI::App* cmd, SizingOptions& o, bool model_required = true);

/// Everything the engine needs for one model at one quant and context.
struct Sizing {
  const engine::Model* model = nullptr;
  const engine::Quant* quant = nullptr;
  const std::vector<engine::TensorType>* types = nullptr;
  engine::KvSettings kv;
  engine::WeightsResult weights;
  engine::KvResult cache;
  Assumptions assumptions;
  std::string model_note;  ///< "30b is LLaMA 30B (llama-30b)" when a shorthand was used
  const modelfile::ModelFile* file = nullptr;  ///< --model PATH: the file read
  std::shared_ptr<const engine::Quant> file_quant;     ///< a GGUF file's own weights; `quant` points here
};

/// A GGUF file's general.file_type as llama.cpp names it (Q4_K_M): the catalog quant with that
/// llama_ftype; "file type N" when none has it, "unknown" when the file states none.
[[nodiscard]] std::string file_type_name(const catalog::Catalog& cat, const modelfile::ModelFile& f);

/// Reads a model file once per run (cached in the context); throws InputError naming the problem.
[[nodiscard]] const modelfile::ModelFile& model_file(const Context& ctx, const std::string& path);

/// A model named by --model: a catalog entry (by id or alias) or a model file.
struct ResolvedModel {
  const engine::Model* model = nullptr;
  std::string note;                             ///< "\"8b\" is Llama 3.1 8B (llama-3.1-8b)" for a shorthand
  const modelfile::ModelFile* file = nullptr;   ///< --model PATH: the file read
  Assumptions assumptions;                      ///< the alias, or what the file left out
};

/// Finds --model in the catalog, else reads it as a file. Throws InputError with suggestions.
[[nodiscard]] ResolvedModel resolve_model(const Context& ctx, const std::string& name);

/// Resolves names against the catalog and runs the weight and KV engines. Throws InputError.
[[nodiscard]] Sizing resolve_sizing(const Context& ctx, const SizingOptions& o);

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
