// An mmproj GGUF as llama.cpp's clip loader reads it (tools/mtmd/clip.cpp, load_hparams): the encoder's
// dimensions from clip.vision.*, its warm-up image from the projector type, its bytes from the tensor table.
#include "llmsize/modelfile/mmproj.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "gguf_keys.h"
#include "gguf_tensors.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::modelfile {
namespace {

using u64 = std::uint64_t;

constexpr std::uint32_t kGgmlF32 = 0;
// clip.cpp: the Qwen2-VL, Qwen2.5-VL and Qwen3-VL projectors reserve their buffer for 46 × 46 merged
// tokens (hparams.set_warmup_n_tokens(46*46), "avoid OOM on warmup").
constexpr u64 kQwenWarmupTokensPerSide = 46;

bool is_qwen_merger(const std::string& type) {
  return type == "qwen2vl_merger" || type == "qwen2.5vl_merger" || type == "qwen3vl_merger";
}

// The type that holds most of the values: what the file calls itself (mmproj-F16, mmproj-Q8_0).
std::string dominant_type(const std::map<std::string, u64>& values_by_type) {
  std::string best;
  u64 most = 0;
  for (const auto& [name, values] : values_by_type) {
    if (values > most) {
      most = values;
      best = name;
    }
  }
  return best;
}

u64 count_deepstack(const GgufFile& f, const GgufKeys& k) {
  if (const GgufValue* v = k.find("vision.is_deepstack_layers"); v != nullptr && v->numbers_kept) {
    return static_cast<u64>(std::count_if(v->numbers.begin(), v->numbers.end(), [](double x) { return x != 0; }));
  }
  return static_cast<u64>(std::count_if(f.tensors.begin(), f.tensors.end(), [](const GgufTensorInfo& t) {
    return t.name.starts_with("v.deepstack.") && t.name.ends_with(".fc1.weight");
  }));
}

bool has_tensor(const GgufFile& f, const std::string& name) {
  return std::any_of(f.tensors.begin(), f.tensors.end(), [&](const GgufTensorInfo& t) { return t.name == name; });
}

// Tokens one image takes: fixed-resolution encoders pool image_size / patch / scale patches per side;
// dynamic-resolution Qwen encoders take the image at kDynamicImageSide, rounded to whole merged tokens.
void set_image_tokens(ProjectorFile& p, u64 image_size, u64 scale_factor) {
  VisionSpec& v = p.spec;
  if (is_qwen_merger(p.projector_type)) {
    const double token_px = static_cast<double>(v.patch_size) * v.merge;
    const auto side = static_cast<u64>(std::lround(kDynamicImageSide / token_px));
    v.image_tokens = static_cast<std::uint32_t>(side * side);
    v.image_tokens_note = "a " + std::to_string(kDynamicImageSide) + " × " + std::to_string(kDynamicImageSide) +
                          " image (the encoder takes images at their own resolution)";
    return;
  }
  const u64 side = image_size / v.patch_size / std::max<u64>(scale_factor, 1);
  v.image_tokens = static_cast<std::uint32_t>(side * side);
  v.image_tokens_note = "a " + std::to_string(image_size) + " × " + std::to_string(image_size) + " image";
}

}  // namespace

ProjectorFile projector_from_gguf(const GgufFile& f, const std::vector<TensorType>& types) {
  const GgufValue* arch = f.find("general.architecture");
  if (arch == nullptr || arch->as_string() == nullptr || *arch->as_string() != "clip") {
    throw ModelFileError(f.path + ": general.architecture is not \"clip\": not a vision projector (mmproj) file");
  }
  const GgufKeys k(f, "clip");
  if (const GgufValue* has = k.find("has_vision_encoder"); has != nullptr && has->type == GgufType::boolean &&
                                                           !std::get<bool>(has->scalar)) {
    throw ModelFileError(f.path + ": clip.has_vision_encoder is false: the file has no image encoder");
  }
  ProjectorFile p;
  p.path = f.path;
  p.file_bytes = f.file_bytes;
  const GgufValue* type = k.find("projector_type");
  if (type == nullptr) type = k.find("vision.projector_type");
  p.projector_type = type != nullptr && type->as_string() != nullptr ? *type->as_string() : "mlp";
  if (type == nullptr) p.inferred.push_back("clip.projector_type missing: taken as llama.cpp's default, mlp");

  VisionSpec& v = p.spec;
  v.embedding_length = narrow(k.required("vision.embedding_length", 1, kMaxWidth));
  v.feed_forward_length = narrow(k.required("vision.feed_forward_length", 1, kMaxWidth));
  v.head_count = narrow(k.required("vision.attention.head_count", 1, kMaxHeads));
  v.patch_size = narrow(k.required("vision.patch_size", 1, 4096));
  const u64 image_size = k.required("vision.image_size", 1, 65536);
  v.projection_dim = narrow(k.uint("vision.projection_dim", 1, kMaxWidth).value_or(v.embedding_length));
  v.merge = narrow(k.uint("vision.spatial_merge_size", 1, 64).value_or(is_qwen_merger(p.projector_type) ? 2 : 1));
  v.window_attention = k.uint("vision.n_wa_pattern", 0, 4096).value_or(0) > 0;
  v.deepstack_layers = narrow(count_deepstack(f, k));
  v.ffn_gated = has_tensor(f, "v.blk.0.ffn_gate.weight");
  v.warmup_image_size = narrow(is_qwen_merger(p.projector_type) ? kQwenWarmupTokensPerSide * v.patch_size * v.merge : image_size);
  set_image_tokens(p, image_size, k.uint("vision.projector.scale_factor", 1, 64).value_or(1));
  v.source = f.path;

  std::map<std::string, u64> values_by_type;
  for (const GgufTensorInfo& t : f.tensors) {
    const auto [tensor_type, bytes] = typed_bytes(f, t, types);
    p.weights_bytes += bytes;
    v.projector_params += t.n_elements();
    if (t.ggml_type == kGgmlF32) v.projector_f32_params += t.n_elements();
    values_by_type[tensor_type->meta.id] += t.n_elements();
  }
  if (f.tensors.empty()) throw ModelFileError(f.path + ": the file holds no tensors");
  p.file_type = dominant_type(values_by_type);
  return p;
}

ProjectorFile load_projector(const std::string& path, const std::vector<TensorType>& types) {
  const auto source = open_file(path);
  ProjectorFile p = projector_from_gguf(read_gguf(*source, path), types);
  p.path = path;
  return p;
}

}  // namespace llmsize::modelfile
