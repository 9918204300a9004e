#pragma once
// The command lines the golden-file test (golden_test.cpp) and the JSON contract test (json_contract_test.cpp)
// run: every command, on catalog entries, files written here and recorded machines, never on this host.
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "../modelfile/gguf_writer.h"
#include "run_cli.h"
#include "../scoped_env.h"

namespace llmsize::test {

struct CliCase {
  std::string name;               ///< golden file tests/golden/<name>.txt
  std::vector<std::string> args;  ///< after `llmsize --color never`; <fixtures>/<scratch> are replaced
  std::string machine;            ///< recorded machine under tests/fixtures/machine ($LLMSIZE_DETECT_ROOT), or ""
  bool json = true;               ///< also run with --json for the key-path check (false: errors, non-envelopes)
};

inline const std::string kFixtureDir = LLMSIZE_FIXTURES;

/// Files the cases read that the tests write (a GGUF); the path never reaches a golden file. One per
/// process: ctest runs test cases in parallel processes, which would otherwise rewrite each other's files.
inline std::filesystem::path scratch_dir() {
  static const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("llmsize-cli-cases-" + std::to_string(::getpid()));
  return dir;
}

/// A Llama-shaped GGUF with tied embeddings: 2 blocks, n_embd 256, 4 heads, 2 KV heads, FFN 512, vocab 1000;
/// Q8_0 matrices (34 bytes per 32 weights), F32 norms. No output.weight: the head reuses token_embd.
inline std::string write_tied_gguf() {
  GgufWriter w;
  w.kv_str("general.architecture", "llama");
  w.kv_str("general.name", "tiny-tied");
  w.kv_u32("general.file_type", 7);  // MOSTLY_Q8_0
  w.kv_arr_str("general.tags", {"test", "tiny"});   // arrays, for inspect --metadata: strings are counted,
  w.kv_arr_u32("general.test_sizes", {256, 512});  // numbers kept
  w.kv_u32("llama.block_count", 2);
  w.kv_u32("llama.context_length", 8192);
  w.kv_u32("llama.embedding_length", 256);
  w.kv_u32("llama.feed_forward_length", 512);
  w.kv_u32("llama.attention.head_count", 4);
  w.kv_u32("llama.attention.head_count_kv", 2);
  w.kv_u32("llama.vocab_size", 1000);
  const auto q8 = [](std::uint64_t n) { return n / 32 * 34; };
  w.tensor("token_embd.weight", {256, 1000}, 8, q8(256000));
  for (int b = 0; b < 2; ++b) {
    const std::string p = "blk." + std::to_string(b) + ".";
    w.tensor(p + "attn_norm.weight", {256}, 0, 1024);
    w.tensor(p + "attn_q.weight", {256, 256}, 8, q8(65536));
    w.tensor(p + "attn_k.weight", {256, 128}, 8, q8(32768));
    w.tensor(p + "attn_v.weight", {256, 128}, 8, q8(32768));
    w.tensor(p + "attn_output.weight", {256, 256}, 8, q8(65536));
    w.tensor(p + "ffn_norm.weight", {256}, 0, 1024);
    w.tensor(p + "ffn_gate.weight", {256, 512}, 8, q8(131072));
    w.tensor(p + "ffn_up.weight", {256, 512}, 8, q8(131072));
    w.tensor(p + "ffn_down.weight", {512, 256}, 8, q8(131072));
  }
  w.tensor("output_norm.weight", {256}, 0, 1024);
  std::filesystem::create_directories(scratch_dir());
  const std::string path = (scratch_dir() / "tiny-tied-Q8_0.gguf").string();
  w.write_sparse(path);
  return path;
}

/// A small vision projector GGUF (clip, gemma3 projector): 2 encoder blocks of 128 (FFN 256, 4 heads, patch 14
/// at 224 px), f16 matrices and f32 vectors, projected to 256.
inline std::string write_mmproj_gguf() {
  GgufWriter w;
  w.kv_str("general.architecture", "clip");
  w.kv_str("clip.projector_type", "gemma3");
  w.kv_u32("clip.vision.embedding_length", 128);
  w.kv_u32("clip.vision.feed_forward_length", 256);
  w.kv_u32("clip.vision.attention.head_count", 4);
  w.kv_u32("clip.vision.image_size", 224);
  w.kv_u32("clip.vision.patch_size", 14);
  w.kv_u32("clip.vision.projection_dim", 256);
  w.kv_u32("clip.vision.projector.scale_factor", 4);
  w.tensor("v.patch_embd.weight", {14, 14, 3, 128}, 0, 14 * 14 * 3 * 128 * 4);
  for (int b = 0; b < 2; ++b) {
    const std::string p = "v.blk." + std::to_string(b) + ".";
    w.tensor(p + "attn_qkv.weight", {128, 384}, 1, 128 * 384 * 2);
    w.tensor(p + "ffn_up.weight", {128, 256}, 1, 128 * 256 * 2);
    w.tensor(p + "ffn_down.weight", {256, 128}, 1, 256 * 128 * 2);
    w.tensor(p + "ln1.weight", {128}, 0, 128 * 4);
  }
  w.tensor("mm.input_projection.weight", {256, 128}, 1, 256 * 128 * 2);
  std::filesystem::create_directories(scratch_dir());
  const std::string path = (scratch_dir() / "mmproj-tiny-f16.gguf").string();
  w.write_sparse(path);
  return path;
}

/// Every command's text output, in the order of `llmsize --help`. Host-dependent runs (probe's and calibrate's
/// measurements, detect without a fixture root) are left out; `--show` on an empty profile is not. `catalog show`
/// is left out too: it prints the data files back as 700 kB of JSON (docs/catalog.md is its contract).
inline std::vector<CliCase> cli_cases() {
  const std::string hf = "<fixtures>/hf/";
  const std::string gguf = "<scratch>/tiny-tied-Q8_0.gguf";
  return {
      {"recommend-8b", {"recommend", "--model", "llama-3.1-8b", "--top", "5"}, "", true},
      {"recommend-70b-budget", {"recommend", "--model", "llama-3.1-70b", "--budget", "3000", "--top", "5"}, "", true},
      {"recommend-70b-prices", {"recommend", "--model", "llama-3.1-70b", "--price", "rtx-3090=700", "--price", "7900xtx=650",
                                "--top", "5"}, "", true},
      {"recommend-8b-efficiency", {"recommend", "--model", "llama-3.1-8b", "--sort", "efficiency", "--top", "3"}, "", true},
      {"recommend-this-machine", {"recommend", "--this-machine", "--model", "llama-3.1-70b"}, "nvidia-4090", true},
      {"recommend-finetune-70b-qlora", {"recommend", "--task", "finetune", "--model", "llama-3.1-70b", "--method", "qlora",
                                        "--top", "5"}, "", true},
      {"check-8b-3090", {"check", "--model", "llama-3.1-8b", "--gpu", "rtx-3090"}, "", true},
      {"check-tied-1b-explain", {"check", "--model", "llama-3.2-1b", "--gpu", "rtx-3090", "--explain"}, "", true},
      {"check-70b-offload", {"check", "--model", "llama-3.1-70b", "--gpu", "rtx-3060-12gb", "--ram", "64GB"}, "", true},
      {"check-70b-does-not-fit", {"check", "--model", "llama-3.1-70b", "--gpu", "rtx-3060-12gb", "--ram", "16GB"}, "", true},
      {"check-2x3090", {"check", "--model", "llama-3.1-70b", "--gpu", "2x3090", "--quant", "q4_k_m"}, "", true},
      {"check-two-nodes", {"check", "--model", "llama-3.1-70b", "--gpu", "3090", "--nodes", "2", "--link", "10gbe"}, "", true},
      {"check-moe-system", {"check", "--model", "qwen3-30b-a3b", "--system", "ryzen-ai-max-plus-395"}, "", true},
      {"check-moe-experts-in-ram", {"check", "--model", "qwen3-30b-a3b", "--gpu", "rtx-3060-12gb", "--ram", "64GB"}, "", true},
      {"check-vllm-awq", {"check", "--model", "llama-3.1-70b", "--quant", "awq-4bit", "--gpu", "2x3090", "--price", "3090=700"},
       "", true},
      {"check-this-machine", {"check", "--this-machine", "--model", "llama-3.1-8b"}, "nvidia-4090", true},
      {"check-gguf", {"check", "--model", gguf, "--gpu", "rtx-3090"}, "", true},
      {"check-draft-explain", {"check", "--model", "qwen2.5-32b", "--gpu", "rtx-3090", "--draft", "qwen2.5-0.5b", "--explain"}, "", true},
      {"check-mtp-explain", {"check", "--model", "qwen3.5-27b", "--gpu", "rtx-4090", "--spec-type", "draft-mtp", "--explain"}, "", true},
      {"check-vision-images", {"check", "--model", "gemma-3-12b", "--gpu", "rtx-3060-12gb", "--images", "4"}, "", true},
      {"check-finetune-2x3090", {"check", "--task", "finetune", "--model", "llama-3.1-8b", "--method", "lora", "--gpu",
                                 "2x3090"}, "", true},
      {"models-catalog", {"models", "--family", "llama"}, "", true},
      {"models-on-3090", {"models", "--gpu", "rtx-3090", "--family", "qwen"}, "", true},
      {"memory-8b", {"memory", "--model", "llama-3.1-8b"}, "", true},
      {"memory-30b-shorthand", {"memory", "--model", "30b"}, "", true},
      {"memory-8b-explain", {"memory", "--model", "llama-3.1-8b", "--context", "32k", "--explain"}, "", true},
      {"memory-swa-gemma", {"memory", "--model", "gemma-3-27b", "--context", "128k", "--kv-type", "q8_0"}, "", true},
      {"memory-hf-config", {"memory", "--model", hf + "qwen3-30b-a3b", "--quant", "q4_k_m"}, "", true},
      {"memory-draft-vision-explain", {"memory", "--model", "qwen2.5-vl-7b", "--draft", "qwen2.5-0.5b:q8_0", "--images", "2", "--explain"}, "", true},
      {"memory-mmproj-file", {"memory", "--model", gguf, "--mmproj", "<scratch>/mmproj-tiny-f16.gguf", "--images", "3"}, "", true},
      {"finetune-8b-qlora-3060", {"finetune", "--model", "llama-3.1-8b", "--method", "qlora", "--gpu", "rtx-3060-12gb"}, "", true},
      {"finetune-8b-full-4x3090-explain", {"finetune", "--model", "llama-3.1-8b", "--method", "full", "--gpu", "4x3090",
                                           "--explain"}, "", true},
      {"finetune-unsloth-8k", {"finetune", "--model", "8b", "--method", "lora", "--framework", "unsloth", "--seq-len", "8k",
                               "--batch", "2"}, "", true},
      {"finetune-moe-hf-config", {"finetune", "--model", hf + "qwen3-30b-a3b", "--method", "qlora", "--lora-targets", "attn",
                                  "--grad-checkpointing", "off", "--seq-len", "1024"}, "", true},
      {"kv-8b", {"kv", "--model", "llama-3.1-8b", "--context", "4k,32k,128k,256k"}, "", true},
      {"kv-8b-csv", {"kv", "--model", "llama-3.1-8b", "--context", "4k,8k", "--csv"}, "", false},
      {"speed-8b-3090", {"speed", "--model", "llama-3.1-8b", "--gpu", "rtx-3090", "--users", "1,4"}, "", true},
      {"speed-draft-explain", {"speed", "--model", "qwen2.5-32b", "--gpu", "rtx-3090", "--draft", "qwen2.5-0.5b", "--users", "1,4", "--explain"}, "", true},
      {"speed-mtp", {"speed", "--model", "qwen3.5-27b", "--gpu", "rtx-4090", "--spec-type", "draft-mtp", "--draft-accept", "0.7", "--users", "1"}, "", true},
      {"cost-8b-4090", {"cost", "--model", "llama-3.1-8b", "--gpu", "rtx-4090"}, "", true},
      {"inspect-gguf", {"inspect", gguf}, "", true},
      {"inspect-gguf-tensors", {"inspect", gguf, "--tensors"}, "", true},
      {"inspect-gguf-metadata", {"inspect", gguf, "--metadata"}, "", true},
      {"inspect-hf-config", {"inspect", hf + "deepseek-v2-lite"}, "", true},
      {"inspect-hf-sliding-moe", {"inspect", hf + "gpt-oss-20b"}, "", true},
      {"inspect-hf-ssm", {"inspect", hf + "mamba-2.8b"}, "", true},
      {"inspect-hub-cached", {"inspect", "hf:Qwen/Qwen3-8B", "--offline"}, "", true},
      {"memory-hub-cached", {"memory", "--model", "hf:Qwen/Qwen3-8B", "--quant", "q4_k_m", "--offline"}, "", true},
      {"hardware-gpu-nvidia", {"hardware", "--kind", "gpu", "--vendor", "nvidia"}, "", true},
      {"hardware-storage-csv", {"hardware", "--kind", "storage", "--csv"}, "", false},
      {"quants", {"quants"}, "", true},
      {"catalog-stats", {"catalog", "stats"}, "", true},
      {"catalog-calibration", {"catalog", "calibration"}, "", true},
      {"catalog-validate-ok", {"catalog", "validate", "<fixtures>/overlay_ok.json"}, "", true},
      {"check-catalog-overlay", {"--catalog", "<fixtures>/overlay_ok.json", "check", "--model", "llama-3.1-70b", "--gpu", "rtx-3090"}, "", true},
      {"detect-nvidia-4090", {"detect"}, "nvidia-4090", true},
      {"detect-strix-halo", {"detect"}, "strix-halo", true},
      {"detect-amd-dgpu-igpu", {"detect"}, "amd-dgpu-igpu", true},
      {"detect-mac-m2-max", {"detect"}, "mac-m2-max", true},
      {"detect-no-gpu", {"detect"}, "no-gpu", true},
      {"probe-show-empty-profile", {"probe", "--show"}, "", true},
      {"probe-reset-empty-profile", {"probe", "--reset"}, "", true},
      {"calibrate-show-empty-profile", {"calibrate", "--show"}, "", true},
      {"calibrate-dry-run", {"calibrate", "--dry-run", "<fixtures>/calibrate/rtx4080.jsonl",
                             "<fixtures>/calibrate/cuda-breakdown.log"}, "", true},
      {"error-unknown-gpu", {"check", "--gpu", "rtx-309", "--model", "llama-3.1-8b"}, "", false},
      {"error-bad-context", {"memory", "--model", "llama-3.1-8b", "--context", "8q"}, "", false},
      {"error-shorthand-several", {"memory", "--model", "14b"}, "", false},
      {"error-negative-budget", {"recommend", "--model", "llama-3.1-8b", "--budget", "-5"}, "", false},
      {"error-unknown-price", {"check", "--model", "llama-3.1-8b", "--gpu", "rtx-3090", "--price", "rtx-309=700"}, "", false},
      {"error-images-no-vision", {"memory", "--model", "llama-3.1-8b", "--images", "1"}, "", false},
      {"error-finetune-rank-full", {"finetune", "--model", "llama-3.1-8b", "--method", "full", "--lora-rank", "8"}, "", false},
      {"error-catalog-misspelt-key", {"catalog", "validate", "<fixtures>/misspelt_key.json"}, "", false},
      {"error-unknown-detected-gpu", {"check", "--this-machine", "--model", "llama-3.1-8b"}, "unknown-gpu", false},
  };
}

/// Replaces the <fixtures> and <scratch> placeholders of an argument with the real directories.
inline std::string expand(std::string arg) {
  for (const auto& [key, dir] : {std::pair<std::string, std::string>{"<fixtures>", kFixtureDir},
                                 {"<scratch>", scratch_dir().string()}}) {
    for (std::size_t at = arg.find(key); at != std::string::npos; at = arg.find(key, at + dir.size())) {
      arg.replace(at, key.size(), dir);
    }
  }
  return arg;
}

/// The reverse, on output: the directories become placeholders so the text does not depend on the checkout.
inline std::string placeholders(std::string text) {
  for (const auto& [dir, key] : {std::pair<std::string, std::string>{kFixtureDir, "<fixtures>"},
                                 {scratch_dir().string(), "<scratch>"}}) {
    for (std::size_t at = text.find(dir); at != std::string::npos; at = text.find(dir, at + key.size())) {
      text.replace(at, dir.size(), key);
    }
  }
  return text;
}

/// Runs one case the way the golden and contract tests do: colour off, no user catalog, an empty user
/// profile, detection pointed at the case's recorded machine (or nowhere), the Hub cache of
/// tests/fixtures/hub-cache (read with --offline only) and the default Hub endpoint.
inline CliResult run_case(const CliCase& c, const std::vector<std::string>& extra = {}) {
  const std::filesystem::path profile = scratch_dir() / "empty-config";
  std::filesystem::create_directories(profile);
  const ScopedEnv config("XDG_CONFIG_HOME", profile.string());
  const ScopedEnv catalog("LLMSIZE_CATALOG", std::nullopt);
  const ScopedEnv no_color("NO_COLOR", std::string("1"));
  const ScopedEnv hub_cache("XDG_CACHE_HOME", kFixtureDir + "/hub-cache");
  const ScopedEnv hub_endpoint("HF_ENDPOINT", std::nullopt);
  const ScopedEnv hub_offline("HF_HUB_OFFLINE", std::nullopt);
  const ScopedEnv root("LLMSIZE_DETECT_ROOT", c.machine.empty() ? std::optional<std::string>((scratch_dir() / "no-machine").string())
                                                                : kFixtureDir + "/machine/" + c.machine);
  std::vector<std::string> args = {"--color", "never"};
  for (const auto& a : c.args) args.push_back(expand(a));
  args.insert(args.end(), extra.begin(), extra.end());
  CliResult r = run(args);
  r.out = placeholders(r.out);
  r.err = placeholders(r.err);
  return r;
}

}  // namespace llmsize::test
