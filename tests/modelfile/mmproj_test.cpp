// Vision projector (mmproj) GGUFs: a full-size Gemma 3 4B projector header written in code is read to the
// byte the catalog predicts, and malformed files are refused with their name.
#include <catch2/catch.hpp>

#include <filesystem>

#include "gguf_writer.h"
#include "llmsize/catalog/catalog.h"
#include "llmsize/modelfile/mmproj.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize {
namespace {

using test::GgufWriter;
using u64 = std::uint64_t;

const catalog::Catalog& cat() {
  static const catalog::Catalog c = catalog::load(catalog::embedded_files(), {}).catalog;
  return c;
}

constexpr std::uint32_t kF32 = 0;
constexpr std::uint32_t kF16 = 1;

void f32(GgufWriter& w, const std::string& name, std::vector<u64> shape) {
  u64 n = 1;
  for (u64 d : shape) n *= d;
  w.tensor(name, shape, kF32, n * 4);
}

void f16(GgufWriter& w, const std::string& name, std::vector<u64> shape) {
  u64 n = 1;
  for (u64 d : shape) n *= d;
  w.tensor(name, shape, kF16, n * 2);
}

// Gemma 3 4B's mmproj as convert_hf_to_gguf.py writes it (mmproj-model-f16.gguf): SigLIP with 27 layers of
// 1152 (FFN 4304, 16 heads, patch 14 at 896 px), the embeddings and every 1-D tensor in f32, the rest f16.
GgufWriter gemma3_4b_mmproj() {
  GgufWriter w;
  w.kv_str("general.architecture", "clip");
  w.kv_u32("general.file_type", 1);
  w.kv_bool("clip.has_vision_encoder", true);
  w.kv_str("clip.projector_type", "gemma3");
  w.kv_u32("clip.vision.embedding_length", 1152);
  w.kv_u32("clip.vision.feed_forward_length", 4304);
  w.kv_u32("clip.vision.attention.head_count", 16);
  w.kv_u32("clip.vision.block_count", 27);
  w.kv_u32("clip.vision.image_size", 896);
  w.kv_u32("clip.vision.patch_size", 14);
  w.kv_u32("clip.vision.projection_dim", 2560);
  w.kv_u32("clip.vision.projector.scale_factor", 4);
  f32(w, "v.patch_embd.weight", {14, 14, 3, 1152});
  f32(w, "v.patch_embd.bias", {1152});
  f32(w, "v.position_embd.weight", {1152, 4096});
  for (int il = 0; il < 27; ++il) {
    const std::string b = "v.blk." + std::to_string(il) + ".";
    for (const char* t : {"attn_q", "attn_k", "attn_v", "attn_out"}) {
      f16(w, b + t + ".weight", {1152, 1152});
      f32(w, b + t + ".bias", {1152});
    }
    f32(w, b + "ln1.weight", {1152});
    f32(w, b + "ln1.bias", {1152});
    f32(w, b + "ln2.weight", {1152});
    f32(w, b + "ln2.bias", {1152});
    f16(w, b + "ffn_up.weight", {1152, 4304});
    f32(w, b + "ffn_up.bias", {4304});
    f16(w, b + "ffn_down.weight", {4304, 1152});
    f32(w, b + "ffn_down.bias", {1152});
  }
  f32(w, "v.post_ln.weight", {1152});
  f32(w, "v.post_ln.bias", {1152});
  f16(w, "mm.input_projection.weight", {2560, 1152});
  f32(w, "mm.soft_emb_norm.weight", {1152});
  return w;
}

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "llmsize-mmproj-test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

modelfile::ProjectorFile from_writer(const GgufWriter& w, const std::string& name) {
  const std::string path = temp_path(name);
  w.write_sparse(path);
  modelfile::ProjectorFile p = modelfile::load_projector(path, cat().tensor_types);
  std::filesystem::remove(path);
  return p;
}

}  // namespace

TEST_CASE("a Gemma 3 4B mmproj file is read exactly, to the catalog's byte", "[mmproj]") {
  const modelfile::ProjectorFile p = from_writer(gemma3_4b_mmproj(), "mmproj-gemma-3-4b-f16.gguf");
  CHECK(p.projector_type == "gemma3");
  CHECK(p.file_type == "f16");
  CHECK(p.spec.projector_params == 419'816'304);
  CHECK(p.spec.projector_f32_params == 5'796'720);
  CHECK(p.weights_bytes == 851'226'048);
  // The catalog's gemma-3-4b projector at f16 gives the same bytes.
  const Model& m = *catalog::find(cat().models, "gemma-3-4b");
  REQUIRE(m.vision.has_value());
  CHECK(projector_weight_bytes(*m.vision, *catalog::find(cat().tensor_types, "f16")) == p.weights_bytes);
  CHECK(p.spec.embedding_length == 1152);
  CHECK(p.spec.feed_forward_length == 4304);
  CHECK(p.spec.head_count == 16);
  CHECK(p.spec.warmup_image_size == 896);  // clip.cpp warms Gemma 3 up at its image_size
  CHECK(p.spec.warmup_patches() == 4096);
  CHECK(p.spec.image_tokens == 256);       // 896 / 14 / 4 = 16 per side
  CHECK(p.spec.projection_dim == 2560);
  CHECK_FALSE(p.spec.ffn_gated);
  CHECK(p.file_bytes > p.weights_bytes);
}

TEST_CASE("a Qwen merger projector warms up at 46 x 46 merged tokens and counts its deepstack layers", "[mmproj]") {
  GgufWriter w;
  w.kv_str("general.architecture", "clip");
  w.kv_str("clip.projector_type", "qwen3vl_merger");
  w.kv_u32("clip.vision.embedding_length", 64);
  w.kv_u32("clip.vision.feed_forward_length", 128);
  w.kv_u32("clip.vision.attention.head_count", 4);
  w.kv_u32("clip.vision.image_size", 768);
  w.kv_u32("clip.vision.patch_size", 16);
  w.kv_u32("clip.vision.projection_dim", 256);
  w.kv_u32("clip.vision.spatial_merge_size", 2);
  w.kv_arr_bool("clip.vision.is_deepstack_layers", {false, true, false, true});
  f16(w, "v.blk.0.attn_qkv.weight", {64, 192});
  f32(w, "v.blk.0.attn_qkv.bias", {192});
  const modelfile::ProjectorFile p = from_writer(w, "mmproj-qwen.gguf");
  CHECK(p.spec.warmup_image_size == 46 * 16 * 2);
  CHECK(p.spec.deepstack_layers == 2);
  CHECK(p.spec.merge == 2);
  CHECK(p.spec.image_tokens == 32 * 32);  // a 1024 px image in 32 px tokens
  CHECK(p.weights_bytes == 64 * 192 * 2 + 192 * 4);
  CHECK(p.spec.projector_f32_params == 192);
}

TEST_CASE("a model GGUF given as --mmproj is refused by name", "[mmproj]") {
  GgufWriter w;
  w.kv_str("general.architecture", "llama");
  f32(w, "token_embd.weight", {8, 8});
  const std::string path = temp_path("not-a-projector.gguf");
  w.write_sparse(path);
  CHECK_THROWS_WITH(modelfile::load_projector(path, cat().tensor_types),
                    path + ": general.architecture is not \"clip\": not a vision projector (mmproj) file");
  std::filesystem::remove(path);
}

TEST_CASE("an mmproj without the encoder's width is refused naming the key", "[mmproj]") {
  GgufWriter w;
  w.kv_str("general.architecture", "clip");
  w.kv_str("clip.projector_type", "gemma3");
  f32(w, "v.patch_embd.weight", {8, 8});
  const std::string path = temp_path("no-width.gguf");
  w.write_sparse(path);
  CHECK_THROWS_WITH(modelfile::load_projector(path, cat().tensor_types),
                    Catch::Contains("clip.vision.embedding_length"));
  std::filesystem::remove(path);
}

}  // namespace llmsize
