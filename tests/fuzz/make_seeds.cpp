// Writes the GGUF fuzzer's seed corpus: small valid files of several architectures, built with the
// tests' GGUF writer (so no binary files are kept in the repository). Usage: make_seeds DIR
#include <cstdio>
#include <fstream>
#include <string>

#include "../modelfile/gguf_writer.h"

using llmsize::test::GgufWriter;

namespace {

void save(const std::string& dir, const std::string& name, const GgufWriter& w) {
  const auto bytes = w.bytes();
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

GgufWriter base(const std::string& arch, std::uint32_t layers) {
  GgufWriter w;
  w.kv_str("general.architecture", arch);
  w.kv_str("general.name", "seed-" + arch);
  w.kv_u32("general.file_type", 1);
  w.kv_u32(arch + ".block_count", layers);
  w.kv_u32(arch + ".context_length", 4096);
  w.kv_u32(arch + ".embedding_length", 32);
  w.kv_u32(arch + ".feed_forward_length", 64);
  w.kv_u32(arch + ".vocab_size", 16);
  w.kv_arr_str("tokenizer.ggml.tokens", {"a", "b", "c"});
  w.tensor("token_embd.weight", {32, 16}, 1, 32 * 16 * 2);
  w.tensor("output_norm.weight", {32}, 0, 32 * 4);
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  GgufWriter llama = base("llama", 2);
  llama.kv_u32("llama.attention.head_count", 4);
  llama.kv_u32("llama.attention.head_count_kv", 2);
  for (int il = 0; il < 2; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    llama.tensor(b + "attn_q.weight", {32, 32}, 8, 32 * 32 / 32 * 34);
    llama.tensor(b + "attn_k.bias", {16}, 0, 64);
  }
  save(dir, "llama.gguf", llama);

  GgufWriter gemma = base("gemma3", 6);
  gemma.kv_u32("gemma3.attention.head_count", 2);
  gemma.kv_u32("gemma3.attention.head_count_kv", 1);
  gemma.kv_u32("gemma3.attention.key_length", 64);
  gemma.kv_u32("gemma3.attention.sliding_window", 128);
  gemma.kv_arr_bool("gemma3.attention.sliding_window_pattern", {true, true, false, true, true, false});
  save(dir, "gemma3.gguf", gemma);

  GgufWriter ds = base("deepseek2", 2);
  ds.kv_u32("deepseek2.attention.head_count", 4);
  ds.kv_u32("deepseek2.attention.kv_lora_rank", 16);
  ds.kv_u32("deepseek2.attention.key_length", 24);
  ds.kv_u32("deepseek2.rope.dimension_count", 8);
  ds.kv_u32("deepseek2.expert_count", 4);
  ds.kv_u32("deepseek2.expert_used_count", 2);
  ds.tensor("blk.1.ffn_up_exps.weight", {32, 64, 4}, 1, 32 * 64 * 4 * 2);
  save(dir, "deepseek2.gguf", ds);

  GgufWriter hybrid = base("granitehybrid", 3);
  hybrid.version = 2;
  hybrid.kv_arr_u32("granitehybrid.attention.head_count", {4, 4, 4});
  hybrid.kv_arr_u32("granitehybrid.attention.head_count_kv", {0, 2, 0});
  hybrid.kv_u32("granitehybrid.ssm.conv_kernel", 4);
  hybrid.kv_u32("granitehybrid.ssm.inner_size", 64);
  hybrid.kv_u32("granitehybrid.ssm.state_size", 8);
  save(dir, "hybrid-v2.gguf", hybrid);
  return 0;
}
