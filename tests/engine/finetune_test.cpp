// Fine-tuning memory, worked examples computed by hand (docs/formulas.md, "Fine-tuning").
#include <catch2/catch.hpp>

#include "llmsize/engine/finetune.h"
#include "llmsize/engine/weights.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace {

// Llama 3.1 8B: hidden 4096, 32 layers, 32 heads, 8 KV heads (k, v 1024 wide), FFN 14336, vocab 128256.
constexpr std::uint64_t kParams = 8'030'261'248;
constexpr std::uint64_t kContext = kCudaContextBytes;  // 287,047,680 B

FinetuneSettings qlora_2k() {
  FinetuneSettings s;
  s.method = FinetuneMethod::qlora;
  s.framework = TrainFramework::transformers;
  s.seq_len_tokens = 2048;
  s.micro_batch = 1;
  s.lora_rank = 16;
  s.lora_targets = LoraTargets::all_linear;
  return s;
}

}  // namespace

TEST_CASE("NF4 with double quantization: 4 bits, a uint8 absmax per 64, an fp32 scale per 256 absmax", "[engine][finetune]") {
  // 4096 × 4096 = 16,777,216 weights: 8,388,608 B packed + 262,144 absmax + 4 × 1,024 scales.
  CHECK(nf4_bytes(16'777'216) == 8'388'608 + 262'144 + 4'096);
  // The QLoRA paper's 4 + 8/64 + 32/(64·256) = 4.127 bits per weight.
  CHECK(kNf4DoubleQuantBitsPerWeight == Approx(4.127).epsilon(0.0005));
  CHECK(8.0 * static_cast<double>(nf4_bytes(16'777'216)) / 16'777'216 == Approx(kNf4DoubleQuantBitsPerWeight));
}

TEST_CASE("LoRA adapters: rank × (in + out) per targeted matrix", "[engine][finetune]") {
  const Model m = llmsize::test::llama_3_1_8b();
  FinetuneSettings s = qlora_2k();
  // Per layer, r = 16: q, o 16 × 8192; k, v 16 × 5120; gate, up, down 16 × 18432 = 1,310,720; × 32 layers.
  // Unsloth prints the same for Llama 3.1 8B at r = 16: "Trainable parameters = 41,943,040".
  const TrainParams all = train_params(m, s);
  CHECK(all.adapter == 41'943'040);
  CHECK(all.trainable == 41'943'040);
  CHECK(all.total == kParams);
  // Attention only: (131,072 × 2 + 81,920 × 2) × 32 = 13,631,488.
  s.lora_targets = LoraTargets::attention;
  CHECK(train_params(m, s).adapter == 13'631'488);
  s.method = FinetuneMethod::full;
  CHECK(train_params(m, s).trainable == kParams);
  // Blocks hold 218,112,000 weights each; embeddings + output head + final norm 1,050,677,248.
  CHECK(all.largest_block == 218'112'000);
  CHECK(all.outside_blocks == 1'050'677'248);
  CHECK(all.block_linear == 6'979'321'856);
}

TEST_CASE("QLoRA Llama 3.1 8B, Transformers, 2048 tokens: every term of the loss-time peak", "[engine][finetune]") {
  const Model m = llmsize::test::llama_3_1_8b();
  const FinetuneResult r = finetune_memory(m, qlora_2k());
  const FinetuneBreakdown& p = r.peak();
  REQUIRE(r.peak_phase == TrainPhase::loss);
  // Weights: the 224 block matrices in NF4 (3,600,416,768 B) + 1,050,939,392 other weights × 2 B.
  CHECK(p.weights_bytes == 3'600'416'768ULL + 2 * (kParams - 6'979'321'856ULL));
  // fp32 adapters 4 B and AdamW's two fp32 states 8 B per adapter weight; no gradients before the backward.
  CHECK(p.adapter_weights_bytes == 4 * 41'943'040ULL);
  CHECK(p.optimizer_states_bytes == 8 * 41'943'040ULL);
  CHECK(p.gradients_bytes == 0);
  // Checkpointed layer inputs in fp32 (TRL keeps the norms fp32): 32 × 4 × 4096, plus the final norm's
  // 2 × 8 × 4096 = 589,824 B per token × 2048 tokens.
  CHECK(p.activations_bytes == 589'824ULL * 2048);
  // Loss: 12 B per vocabulary entry per token (fp32 log-softmax, its gradient, the input gradient).
  CHECK(p.logits_bytes == 12ULL * 128'256 * 2048);
  CHECK(p.framework_overhead_bytes == kContext);
  CHECK(r.per_gpu_bytes() == 10'852'638'720ULL);  // 10.11 GiB
  // The optimizer step holds the gradients and one state-sized temporary, no activations.
  CHECK(r.step.gradients_bytes == 4 * 41'943'040ULL);
  CHECK(r.step.optimizer_step_bytes == 4 * 41'943'040ULL);
  CHECK(r.step.activations_bytes == 0);
}

TEST_CASE("full fine-tuning in mixed precision: the optimizer step holds 20 bytes per weight", "[engine][finetune]") {
  const Model m = llmsize::test::llama_3_1_8b();
  FinetuneSettings s = qlora_2k();
  s.method = FinetuneMethod::full;
  s.precision = TrainPrecision::mixed;
  s.seq_len_tokens = 512;
  const FinetuneResult r = finetune_memory(m, s);
  // fp32 master 4 + fp32 gradients 4 + AdamW 8 + foreach temporary 4 (exp_avg_sq.sqrt()).
  REQUIRE(r.peak_phase == TrainPhase::optimizer_step);
  CHECK(r.per_gpu_bytes() == 20 * kParams + kContext);
  // In the forward pass the bf16 autocast copies replace the step's gradients and temporary (HF's
  // "6 bytes for mixed precision" weights: 4 + 2).
  CHECK(r.loss.weights_bytes == 2 * kParams);
  CHECK(r.loss.master_weights_bytes == 4 * kParams);
  // Pure bf16 (torch_dtype=bfloat16): 2 + 2 + 4 + 2 = 10 bytes per weight at the step.
  s.precision = TrainPrecision::bf16;
  CHECK(finetune_memory(m, s).step.total_bytes() == 10 * kParams + kContext);
}

TEST_CASE("ZeRO-2 and ZeRO-3 model states as the ZeRO paper counts them", "[engine][finetune]") {
  // Rajbhandari et al. 2019, §5.1: per GPU (2 + 2 + K)Ψ with K = 12 for mixed-precision Adam;
  // P_os+g: 2Ψ + (2 + K)Ψ/N_d; P_os+g+p: (2 + 2 + K)Ψ/N_d (7.5B on 64 GPUs: 16.6 GB and 1.9 GB).
  const Model m = llmsize::test::llama_3_1_8b();
  FinetuneSettings s = qlora_2k();
  s.method = FinetuneMethod::full;
  s.precision = TrainPrecision::mixed;
  s.optimizer = TrainOptimizer::adamw;
  s.n_gpus = 64;
  const auto states = [&](Sharding sharding) {
    s.sharding = sharding;
    const FinetuneBreakdown b = finetune_memory(m, s).step;
    return b.weights_bytes + b.master_weights_bytes + b.gradients_bytes + b.optimizer_states_bytes;
  };
  const double psi = static_cast<double>(kParams);
  CHECK(static_cast<double>(states(Sharding::zero2)) == Approx(2 * psi + 14 * psi / 64).epsilon(1e-6));
  CHECK(static_cast<double>(states(Sharding::zero3)) == Approx(16 * psi / 64).epsilon(1e-6));
  // The paper's own example, Ψ = 7.5B: 16.64 GB and 1.875 GB.
  CHECK(2 * 7.5 + 14 * 7.5 / 64 == Approx(16.64).epsilon(0.001));
  CHECK(16 * 7.5 / 64 == Approx(1.875));
}

TEST_CASE("8-bit AdamW keeps 2 bytes and an fp32 absmax per 256 values per weight", "[engine][finetune]") {
  const Model m = llmsize::test::llama_3_1_8b();
  FinetuneSettings s = qlora_2k();
  s.optimizer = TrainOptimizer::adamw_8bit;
  const FinetuneResult r = finetune_memory(m, s);
  // 41,943,040 × 2 + 2 × 4 × 163,840 blocks; bitsandbytes' fused kernel allocates no temporary.
  CHECK(r.step.optimizer_states_bytes == 2 * 41'943'040ULL + 8 * 163'840ULL);
  CHECK(r.step.optimizer_step_bytes == 0);
}

TEST_CASE("activations: without checkpointing every layer's saved tensors, per token", "[engine][finetune]") {
  const Model m = llmsize::test::llama_3_1_8b();
  FinetuneSettings s = qlora_2k();
  s.method = FinetuneMethod::lora;
  s.lora_targets = LoraTargets::attention;
  s.gradient_checkpointing = false;
  const ActivationFacts a = finetune_activations(m, s, 0);
  // Transformers, per layer: norms 2 × 8 × 4096 = 65,536; attention 8 × 4096 + 6 × 1024 + 2 × 1024 + 4 × 32
  // = 40,960 + 128; SwiGLU 8 × 14,336 = 114,688; LoRA on q, k, v (fp32 input copies 4 × 4096 each) and o
  // (4 × 4096) = 65,536, A's outputs 4 × 16 × 4 = 256. Total 286,976 + 128 = 287,104 per layer.
  constexpr std::uint64_t kLayer = 65'536 + 40'960 + 128 + 114'688 + 65'536 + 256;
  CHECK(a.saved_bytes_per_token == 32 * kLayer + 8 * 4096);
  // The recomputed (or last) layer adds two bf16 gradients of its widest tensor, the 14,336 FFN.
  CHECK(a.layer_bytes_per_token == kLayer + 4 * 14'336);
  // With checkpointing only the 32 bf16 layer inputs and the final norm stay.
  s.gradient_checkpointing = true;
  CHECK(finetune_activations(m, s, 0).saved_bytes_per_token == 32 * 2 * 4096 + 8 * 4096);
  // Activations grow linearly with tokens.
  s.micro_batch = 4;
  CHECK(finetune_memory(m, s).loss.activations_bytes == 4 * 2048 * (32 * 2 * 4096 + 8 * 4096ULL));
}

TEST_CASE("Unsloth chunks the loss: at most 4 GiB of fp32 logits per chunk, chunks a multiple of 4", "[engine][finetune]") {
  const Model m = llmsize::test::llama_3_1_8b();
  FinetuneSettings s = qlora_2k();
  s.framework = TrainFramework::unsloth;
  // 2048 tokens × 128,256 × 4 B = 1.05 GB: one chunk.
  CHECK(finetune_activations(m, s, 0).logits_tokens == 2048);
  // 16,384 tokens: 8.4 GB of fp32 logits = 2 × 4 GiB → rounded up to 4 chunks of 4096 tokens.
  s.seq_len_tokens = 16'384;
  CHECK(finetune_activations(m, s, 0).logits_tokens == 4096);
  // Half of 2 GiB free: 8 chunks of 2048.
  CHECK(finetune_activations(m, s, 1ULL << 30).logits_tokens == 2048);
  // Its checkpointing keeps layer inputs in RAM: two in flight, 2 × 2 × 4096 + the final norm 4 × 4096.
  CHECK(finetune_activations(m, s, 0).saved_bytes_per_token == 16'384 + 16'384);
}

TEST_CASE("sharding: FSDP divides weights, gradients and states, DDP adds gradient buckets", "[engine][finetune]") {
  const Model m = llmsize::test::llama_3_1_8b();
  FinetuneSettings s = qlora_2k();
  s.method = FinetuneMethod::lora;
  s.n_gpus = 4;
  s.sharding = Sharding::ddp;
  const FinetuneResult ddp = finetune_memory(m, s);
  CHECK(ddp.loss.weights_bytes == 2 * kParams);
  CHECK(ddp.loss.communication_bytes == 4 * 41'943'040ULL);  // fp32 adapter gradients' buckets
  s.sharding = Sharding::fsdp;
  const FinetuneResult fsdp = finetune_memory(m, s);
  // A quarter of the bf16 weights, plus two gathered blocks and the unsharded root (embeddings, head).
  CHECK(fsdp.loss.weights_bytes == 2 * kParams / 4 + 2 * 2 * 218'112'000ULL + 2 * 1'050'677'248ULL);
  CHECK(fsdp.step.optimizer_states_bytes == 8 * 41'943'040ULL / 4);
  // One GPU: sharding has nothing to divide.
  s.n_gpus = 1;
  CHECK(finetune_memory(m, s).per_gpu_bytes() == finetune_memory(m, [&] { auto t = s; t.sharding = Sharding::ddp; return t; }())
                                                     .per_gpu_bytes());
}
