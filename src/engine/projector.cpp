// The vision projector's memory. Weights follow convert_hf_to_gguf.py's choice of types; the compute buffer
// follows the tensors of one encoder layer that llama.cpp's graph allocator holds at once for the warm-up
// image (tools/mtmd/clip.cpp `warmup`), checked against published load logs in docs/formulas.md.
#include "llmsize/engine/projector.h"

#include "llmsize/engine/quant.h"

namespace llmsize::engine {

using u64 = std::uint64_t;

namespace {
constexpr u64 kF32Bytes = 4;
constexpr u64 kF16Bytes = 2;
constexpr u64 kImageChannels = 3;
}  // namespace

u64 VisionSpec::warmup_patches() const {
  if (patch_size == 0) return 0;
  const u64 side = warmup_image_size / patch_size;
  return side * side;
}

u64 projector_weight_bytes(const VisionSpec& v, const TensorType& type) {
  const u64 typed = v.projector_params > v.projector_f32_params ? v.projector_params - v.projector_f32_params : 0;
  const u64 block_weights = type.block_weights == 0 ? 1 : type.block_weights;
  const u64 typed_bytes = (typed + block_weights - 1) / block_weights * type.block_bytes;
  return typed_bytes + v.projector_f32_params * kF32Bytes;
}

u64 projector_compute_bytes(const VisionSpec& v, bool flash_attention) {
  const u64 n = v.warmup_patches();
  const u64 ffn = u64{v.feed_forward_length} * (v.ffn_gated ? 2 : 1);
  u64 bytes = n * kF32Bytes * (ffn + 3 * u64{v.embedding_length});
  const u64 merged = v.merge == 0 ? n : n / (u64{v.merge} * v.merge);
  bytes += u64{v.deepstack_layers} * merged * v.projection_dim * kF32Bytes;
  if (v.window_attention) bytes += n * n * (kF32Bytes + (flash_attention ? kF16Bytes : 0));
  if (!flash_attention) bytes += n * n * v.head_count * kF32Bytes;
  return bytes;
}

u64 projector_host_compute_bytes(const VisionSpec& v) {
  return u64{v.warmup_image_size} * v.warmup_image_size * kImageChannels * kF32Bytes;
}

ProjectorMemory projector_memory(const VisionSpec& v, u64 weights_bytes, bool flash_attention) {
  return {weights_bytes, projector_compute_bytes(v, flash_attention), projector_host_compute_bytes(v)};
}

}  // namespace llmsize::engine
