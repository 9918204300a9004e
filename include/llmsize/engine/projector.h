#pragma once
/// A vision projector: the image encoder and its projection into the language model that llama.cpp loads
/// from an mmproj GGUF (llama-server --mmproj) and runs with its clip code (tools/mtmd). Its weights, the
/// compute buffer llama.cpp reserves for a warm-up image at load, and the tokens an image takes in the
/// context. docs/formulas.md, "Vision projector".
#include <cstdint>
#include <string>

namespace llmsize::engine {

struct TensorType;

/// The vision side of a multimodal model, as its mmproj file holds it (catalog `vision`, docs/catalog.md).
struct VisionSpec {
  std::uint64_t projector_params = 0;      ///< every value of every tensor in the mmproj file
  /// Values convert_hf_to_gguf.py keeps in f32 whatever the file type: 1-D tensors (norms, biases) and the
  /// patch and position embeddings.
  std::uint64_t projector_f32_params = 0;
  std::uint32_t embedding_length = 0;      ///< encoder width (clip.vision.embedding_length)
  std::uint32_t feed_forward_length = 0;   ///< encoder FFN width
  std::uint32_t head_count = 0;            ///< encoder attention heads
  bool ffn_gated = false;                  ///< SwiGLU encoder FFN (gate and up live together)
  bool window_attention = false;           ///< window-attention layers with a tokens × tokens mask (Qwen2.5-VL)
  std::uint32_t deepstack_layers = 0;      ///< Qwen3-VL: encoder layers whose merged features are kept to the end
  std::uint32_t merge = 1;                 ///< patches merged per side into one token (spatial_merge_size)
  std::uint32_t warmup_image_size = 0;     ///< side in pixels of the image llama.cpp reserves the buffer with
  std::uint32_t patch_size = 0;            ///< pixels per patch side
  std::uint32_t projection_dim = 0;        ///< width of the tokens handed to the language model
  std::uint32_t image_tokens = 0;          ///< context tokens one image takes (at `image_tokens_note`)
  std::string image_tokens_note;           ///< the image those tokens assume ("a 896 × 896 image")
  std::string source;
  /// Patches the encoder attends over for the warm-up image: (warmup_image_size / patch_size)².
  [[nodiscard]] std::uint64_t warmup_patches() const;
  friend bool operator==(const VisionSpec&, const VisionSpec&) = default;
};

/// The projector's weights at a file type: (params − f32 params) × the type's bytes per value + f32 params × 4.
[[nodiscard]] std::uint64_t projector_weight_bytes(const VisionSpec& v, const TensorType& type);

/// The encoder's compute buffer on its device for the warm-up image, N = warmup_patches():
///   N × 4 × (n_ff × (2 if gated, else 1) + 3 × n_embd) bytes of activations
///   + deepstack_layers × N / merge² × projection_dim × 4 (features kept to the end)
///   + N² × 4 window mask (+ N² × 2, its f16 copy, with flash attention) when window_attention
///   + N² × n_heads × 4 (the f32 scores) without flash attention.
[[nodiscard]] std::uint64_t projector_compute_bytes(const VisionSpec& v, bool flash_attention);

/// The encoder's compute buffer in system RAM: the f32 warm-up image, side² × 3 channels × 4 bytes.
[[nodiscard]] std::uint64_t projector_host_compute_bytes(const VisionSpec& v);

/// What a projector takes: weights and compute buffer on the device that runs the encoder (llama.cpp's
/// first GPU, or the CPU), the input image in system RAM.
struct ProjectorMemory {
  std::uint64_t weights_bytes = 0;
  std::uint64_t compute_bytes = 0;
  std::uint64_t host_compute_bytes = 0;
  [[nodiscard]] std::uint64_t total_bytes() const { return weights_bytes + compute_bytes + host_compute_bytes; }
};

[[nodiscard]] ProjectorMemory projector_memory(const VisionSpec& v, std::uint64_t weights_bytes, bool flash_attention);

}  // namespace llmsize::engine
