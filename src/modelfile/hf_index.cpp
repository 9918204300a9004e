// The weight count of a Hugging Face checkpoint: model.safetensors.index.json's declared count
// when usable, else the architecture's (engine count_params).
#include <cmath>

#include "hf_reader.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::modelfile {
namespace {

using u64 = std::uint64_t;

// metadata.total_parameters, or total_size / dtype width for an unquantized checkpoint.
std::optional<u64> declared_params(const Json& root, const Json& index) {
  const Json* meta = index.is_object() && index.contains("metadata") && index.at("metadata").is_object() ? &index.at("metadata") : nullptr;
  if (meta == nullptr) return std::nullopt;
  if (meta->contains("total_parameters") && meta->at("total_parameters").is_number_unsigned()) {
    return meta->at("total_parameters").get<u64>();
  }
  if (!meta->contains("total_size") || !meta->at("total_size").is_number_unsigned() || root.contains("quantization_config")) {
    return std::nullopt;
  }
  const auto string_at = [&root](const char* key) {
    return root.contains(key) && root.at(key).is_string() ? root.at(key).get<std::string>() : std::string();
  };
  const std::string dtype = string_at("torch_dtype").empty() ? string_at("dtype") : string_at("torch_dtype");
  const u64 width = dtype == "float32" ? 4 : (dtype == "bfloat16" || dtype == "float16") ? 2 : 0;
  if (width == 0) return std::nullopt;
  return meta->at("total_size").get<u64>() / width;
}

}  // namespace

Json parse_json(const std::string& name, const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw ModelFileError(name + ": offset " + std::to_string(e.byte) + ": not valid JSON");
  } catch (const Json::exception& e) {
    throw ModelFileError(name + ": not usable JSON (" + e.what() + ")");
  }
}

void read_param_count(const Json& root, bool has_text_config, const std::optional<Json>& index, ModelFile& mf) {
  Model& m = mf.model;
  const ParamCounts counted = count_params(m);
  m.params_total = counted.total;
  if (m.moe) m.params_active = counted.active;
  if (!index) {
    mf.inferred.push_back("no model.safetensors.index.json: parameters counted from the architecture");
    return;
  }
  const std::optional<u64> declared = declared_params(root, *index);
  if (!declared) {
    mf.inferred.push_back("model.safetensors.index.json gives no parameter count usable here; the architecture's count is used");
    return;
  }
  const double diff = static_cast<double>(*declared) / static_cast<double>(counted.total) - 1.0;
  if (has_text_config && *declared > counted.total) {
    m.params_vision = *declared - counted.total;
    mf.inferred.push_back("the checkpoint holds " + std::to_string(*declared) + " weights; the " +
                          std::to_string(m.params_vision) + " beyond the language model are the vision encoder (not sized)");
  } else if (std::fabs(diff) > 0.02) {
    mf.inferred.push_back("the checkpoint declares " + std::to_string(*declared) + " weights, the architecture gives " +
                          std::to_string(counted.total) + " (" + std::to_string(static_cast<int>(std::lround(diff * 100))) +
                          "%); sizes follow the architecture");
  }
  if (!has_text_config) m.params_total = *declared;
}

}  // namespace llmsize::modelfile
