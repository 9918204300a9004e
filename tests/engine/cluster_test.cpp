// Several machines in one pipeline (llama.cpp RPC, vLLM pipeline parallel, exo): nodes run one after
// another and every crossing costs latency, a software overhead and the bytes over the link.
#include <catch2/catch.hpp>

#include "llmsize/engine/power.h"
#include "llmsize/engine/speed.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

namespace {

// https://huggingface.co/meta-llama/Llama-3.1-70B/blob/main/config.json
Model llama_3_1_70b() {
  Model m = test::llama_3_1_8b();
  m.n_layers = 80;
  m.hidden_size = 8192;
  m.n_heads = 64;
  m.n_kv_heads = 8;
  m.ffn_size = 28672;
  return m;
}

// Round numbers so the arithmetic in comments is exact: CUDA at 100% of peak bandwidth, no fixed
// per-token cost; prefill at 50% of peak FLOP/s.
Calibration ideal() {
  Calibration c;
  Efficiency cuda;
  cuda.backend = Backend::cuda;
  cuda.bandwidth_efficiency = 1.0;
  cuda.per_token_s = 0;
  cuda.prefill_efficiency = 0.5;
  Efficiency cpu = cuda;
  cpu.backend = Backend::cpu;
  c.backends = {cuda, cpu};
  return c;
}

ComputeDevice rtx_3090(const char* id) {
  ComputeDevice d;
  d.id = id;
  d.backend = Backend::cuda;
  d.bandwidth_bytes_per_s = 936e9;
  d.matmul_flops_per_s = 71e12;
  return d;
}

// Two RTX 3090s, each holding 40 of Llama-3.1-70B's layers; 21 GB of Q4_K_M weights a token touches
// on each (42 GB in all), the second card also the output layer. No KV, so decode is weights only.
Placement two_cards() {
  Placement p;
  p.verdict = Verdict::fits;
  p.split = SplitMode::layer;
  DevicePlacement a;
  a.id = "a";
  a.weights_bytes = 21'000'000'000;
  a.layers = 40;
  DevicePlacement b = a;
  b.id = "b";
  b.holds_output = true;
  p.devices = {a, b};
  return p;
}

struct Fixture {
  Model model = llama_3_1_70b();
  WeightsResult weights;
  KvSettings kv;
  Placement placement = two_cards();
  Calibration calibration = ideal();
  SpeedRequest request() const {
    SpeedRequest r(model, weights, kv, placement, calibration);
    r.devices = {rtx_3090("a"), rtx_3090("b")};
    r.prompt_tokens = 512;
    return r;
  }
};

Network ten_gbe() {
  Network n;
  n.bandwidth_bytes_per_s = 1.25e9;  // data/links.json ethernet-10g
  n.latency_s = 20e-6;               // data/links.json: 20 us one way
  return n;                          // hop overhead: kNetworkHopOverheadS = 0.4 ms
}

}  // namespace

TEST_CASE("two machines with one RTX 3090 each over 10 GbE: Llama-3.1-70B Q4_K_M decode", "[speed][cluster]") {
  // One machine, two cards (layer split): 42e9 B / 936e9 B/s = 44.872 ms per token → 22.29 tok/s.
  // Two machines (card a on node 0, card b on node 1, which holds the output layer), per token:
  //   hidden state node 0 → 1: 8192 × 4 B = 32,768 B / 1.25e9 B/s = 26.21 us, + 20 us + 400 us = 446.21 us
  //   logits node 1 → 0: 128,256 × 4 B = 513,024 B / 1.25e9 B/s = 410.42 us, + 20 us + 400 us = 830.42 us
  //   network 1.27663 ms; token 44.872 + 1.277 = 46.148 ms → 21.67 tok/s (−2.8%).
  Fixture f;
  SpeedRequest one = f.request();
  const double local = decode_at(one, 0).decode_tokens_per_s;
  CHECK(local == Approx(936.0 / 42.0).epsilon(1e-9));  // 22.2857

  SpeedRequest two = f.request();
  two.device_nodes = {0, 1};
  two.network = ten_gbe();
  const NetworkHops hops = network_hops(two);
  CHECK(hops.activation_hops == 1);
  CHECK(hops.logits_return);
  CHECK(network_seconds(two, 1, 1, 1) == Approx(446.2144e-6 + 830.4192e-6).epsilon(1e-9));
  const double remote = decode_at(two, 0).decode_tokens_per_s;
  CHECK(1.0 / remote == Approx(42.0 / 936.0 + 1.2766336e-3).epsilon(1e-9));
  CHECK(remote == Approx(21.669).epsilon(1e-4));
}

TEST_CASE("two machines: prefill sends the whole prompt's hidden states once per hop", "[speed][cluster]") {
  // 512 tokens, one micro-batch of 512: hidden states 512 × 32,768 B = 16,777,216 B / 1.25e9 = 13.4218 ms,
  // + 20 us + 400 us; the last token's logits come back: 830.42 us. 14.67219 ms in all.
  Fixture f;
  SpeedRequest two = f.request();
  two.device_nodes = {0, 1};
  two.network = ten_gbe();
  const double expected = 16'777'216 / 1.25e9 + 420e-6 + 830.4192e-6;
  CHECK(network_seconds(two, 512, 1, 1) == Approx(expected).epsilon(1e-9));
  const SpeedResult r = estimate_speed(two, {});
  CHECK(r.network_hops == 2);
  CHECK(r.prefill_network_seconds == Approx(expected).epsilon(1e-9));
  CHECK(r.network_seconds_per_token == Approx(1.2766336e-3).epsilon(1e-9));
  const SpeedResult local = estimate_speed(f.request(), {});
  CHECK(512.0 / r.prefill_tokens_per_s == Approx(512.0 / local.prefill_tokens_per_s + expected).epsilon(1e-9));
}

TEST_CASE("hops follow the execution order: host, devices in order, logits back to the first node", "[speed][cluster]") {
  Fixture f;
  SpeedRequest r = f.request();
  r.network = ten_gbe();
  r.device_nodes = {0, 0};  // both cards in the first machine: no crossing
  CHECK(network_hops(r).total() == 0);
  CHECK(network_seconds(r, 1, 1, 1) == 0);
  r.device_nodes = {1, 1};  // both cards remote: in, and the logits back
  CHECK(network_hops(r).activation_hops == 1);
  CHECK(network_hops(r).logits_return);
  r.device_nodes = {1, 0};  // remote first, output at home: two hidden-state crossings, no logits return
  CHECK(network_hops(r).activation_hops == 2);
  CHECK_FALSE(network_hops(r).logits_return);
  // Three nodes in a row: 0 → 1 → 2 and logits 2 → 0.
  f.placement.devices.push_back(f.placement.devices.back());
  f.placement.devices[1].holds_output = false;
  SpeedRequest three = f.request();
  three.devices.push_back(rtx_3090("c"));
  three.device_nodes = {0, 1, 2};
  CHECK(network_hops(three).activation_hops == 2);
  CHECK(network_hops(three).total() == 3);
}

TEST_CASE("adding a node never speeds a single-sequence decode past the bandwidth bound", "[speed][cluster][property]") {
  // Bound: a layer split reads each card's bytes one after another, so t ≥ Σ bytes_i / bandwidth_i;
  // the network only adds time, and a faster link never makes it slower.
  Fixture f;
  const double bound = 1.0 / (21e9 / 936e9 + 21e9 / 936e9);
  double previous = 0;
  for (double gbe : {1.0, 10.0, 25.0, 100.0, 400.0}) {
    SpeedRequest r = f.request();
    r.device_nodes = {0, 1};
    r.network.bandwidth_bytes_per_s = gbe * 1e9 / 8;
    r.network.latency_s = 20e-6;
    for (std::uint64_t depth : {0ULL, 4096ULL}) {
      const double tps = decode_at(r, depth).decode_tokens_per_s;
      CHECK(tps < bound);
      CHECK(tps <= decode_at(f.request(), depth).decode_tokens_per_s);
    }
    const double tps = decode_at(r, 0).decode_tokens_per_s;
    CHECK(tps >= previous);
    previous = tps;
  }
  // Parallel users: every sequence's hidden state and logits cross, so the network cost grows with N.
  SpeedRequest r = f.request();
  r.device_nodes = {0, 1};
  r.network = ten_gbe();
  CHECK(network_seconds(r, 8, 1, 8) > network_seconds(r, 1, 1, 1));
  CHECK(decode_concurrent(r, 8, 0).aggregate_tokens_per_s <= decode_concurrent(f.request(), 8, 0).aggregate_tokens_per_s);
}

TEST_CASE("two machines draw two CPUs and platforms, the PSU is sized per machine", "[power][cluster]") {
  // Two RTX 3090s (350 W each), one per machine, a 125 W CPU in each, no idle measurements:
  //   decode  = 700 × 0.7 + 125 × 0.25 + 50 (machine 1) + (125 × 0.25 + 50) (machine 2) = 490 + 81.25 + 81.25 = 652.5 W
  //   prefill = 700 × 0.95 + 81.25 + 81.25 = 827.5 W
  //   idle    = 2 × 350 × 0.08 + 2 × (125 × 0.08 + 50) = 56 + 120 = 176 W
  //   PSU     = (700 / 2 + 125 + 50) × 1.3 = 682.5 W → 750 W, in each machine
  PowerInputs in;
  in.gpu_tdp_watts = {350, 350};
  in.gpu_idle_watts = {std::nullopt, std::nullopt};
  in.cpu_tdp_watts = 125;
  in.machines = 2;
  const PowerResult p = estimate_power(in);
  CHECK(p.watts_decode == Approx(652.5));
  CHECK(p.watts_prefill == Approx(827.5));
  CHECK(p.watts_idle == Approx(176.0));
  CHECK(p.psu_watts == 750);
  // One machine with both cards: one CPU and platform, a PSU for both cards.
  in.machines = 1;
  const PowerResult one = estimate_power(in);
  CHECK(one.watts_decode == Approx(571.25));  // 490 + 81.25
  CHECK(one.psu_watts == 1200);               // (700 + 125 + 50) × 1.3 = 1137.5 W
}

TEST_CASE("split modes on two RTX 3090s: -sm row and -sm tensor read in parallel, then pay their syncs", "[speed][split]") {
  // Both cards read half of the 42 GB at once: 21e9 / 936e9 = 22.436 ms.
  //   -sm row: 7 matrices × 80 layers × 50 us = 28.0 ms of syncs (activations 8192 × 4 B: 0 here, no
  //   link given) → 50.436 ms, 19.83 tok/s: slower than the layer split's 22.29, as measured at batch 1.
  //   -sm tensor: 2 all-reduces × 80 layers × 100 us = 16.0 ms → 38.436 ms, 26.02 tok/s.
  Fixture f;
  f.placement.split = SplitMode::row;
  const double row = decode_at(f.request(), 0).decode_tokens_per_s;
  CHECK(row == Approx(1.0 / (21.0 / 936.0 + 7 * 80 * 50e-6)).epsilon(1e-9));
  CHECK(row < 936.0 / 42.0);
  f.placement.split = SplitMode::tensor;
  CHECK(decode_at(f.request(), 0).decode_tokens_per_s == Approx(1.0 / (21.0 / 936.0 + 2 * 80 * 100e-6)).epsilon(1e-9));
  // vLLM's tensor parallelism: two all-reduces per layer at the link's latency (NVLink 3: 2 us here).
  SpeedRequest vllm = f.request();
  vllm.engine = Engine::vllm;
  vllm.tensor_parallel_link_latency_s = 2e-6;
  vllm.tensor_parallel_link_bytes_per_s = 56e9;
  const double moved = 8192.0 * 2 / 56e9;  // one token's f16 hidden state
  CHECK(decode_at(vllm, 0).decode_tokens_per_s ==
        Approx(1.0 / (21.0 / 936.0 + 2 * 80 * (2e-6 + moved))).epsilon(1e-9));
}

TEST_CASE("split row prompts: each matrix's copies cross the link at kRowSplitLinkShare of its bandwidth", "[speed][split]") {
  // Llama-3.1-70B (n_embd 8192, 80 layers) on two RTX 3090s over PCIe 4.0 x16 (31.5 GB/s), 512 tokens in one
  // micro-batch: per matrix 512 × 8192 × 4 B = 16,777,216 B out and as much back, at 0.35 × 31.5e9:
  // 2 × 16,777,216 / 11.025e9 = 3.04349 ms; × 7 matrices × 80 layers = 1.70435 s. The same split without a link
  // given (copies free) pays only the 7 × 80 × 50 us = 28 ms of syncs both have: the prompt takes 1.70435 s longer.
  Fixture f;
  f.placement.split = SplitMode::row;
  const SpeedResult free_copies = estimate_speed(f.request(), {});
  SpeedRequest linked = f.request();
  linked.tensor_parallel_link_bytes_per_s = 31.5e9;
  const SpeedResult copies = estimate_speed(linked, {});
  const double expected = 7.0 * 80 * 2 * 16'777'216 / (0.35 * 31.5e9);
  CHECK(expected == Approx(1.70435).epsilon(1e-5));
  CHECK(512.0 / copies.prefill_tokens_per_s == Approx(512.0 / free_copies.prefill_tokens_per_s + expected).epsilon(1e-9));
}

TEST_CASE("prefill after a filled context attends to it: the attention term grows with the depth", "[speed][depth]") {
  // Llama-3.1-8B, P = 512 after D = 4096: attention 4 × 32 layers × 32 heads × 128 × (4096 + 256).
  const Model m = test::llama_3_1_8b();
  const double attention = 4.0 * 32 * 32 * 128 * (4096 + 256);
  CHECK(prefill_flops_per_token(m, 512, 4096) - prefill_flops_per_token(m, 0) == Approx(attention));
  // On a GPU the attention FLOPs weigh 1 / 0.7, on a CPU 1 / 0.25 (kGpuAttentionEfficiency, kCpuAttentionEfficiency).
  CHECK(prefill_work_per_token(m, Backend::cuda, 512, 4096) == Approx(prefill_flops_per_token(m, 0) + attention / 0.7));
  CHECK(prefill_work_per_token(m, Backend::cpu, 512, 4096) == Approx(prefill_flops_per_token(m, 0) + attention / 0.25));
}

TEST_CASE("a prompt's routed-expert FLOPs weigh 1 / the expert GEMM share of the tokens each expert gets", "[speed][moe]") {
  const Model m = test::deepseek_v3();  // 8 of 256 experts in 58 of 61 layers
  CHECK(moe_layer_count(m) == 58);
  const ParamCounts c = count_params(m);
  const double routed_active = static_cast<double>(c.routed_expert) * 8 / 256;
  // gpt-oss-20b at -ub 512 (512 × 4 / 32 = 64 tokens per expert) is the reference: 0.4. DeepSeek-V3 at -ub 512
  // gives each expert 512 × 8 / 256 = 16: 0.4 × (16 / 80) / (64 / 128) = 0.16; at -ub 4096, 128 tokens:
  // 0.4 × (128 / 192) / 0.5 = 0.5333; a CPU keeps 0.4 (no tiles to fill).
  CHECK(expert_gemm_efficiency(64) == Approx(0.4));
  CHECK(expert_gemm_efficiency(16) == Approx(0.16));
  CHECK(expert_gemm_efficiency(128) == Approx(0.4 * (128.0 / 192) / 0.5));
  CHECK(expert_gemm_efficiency(0) == Approx(0.4));
  CHECK(expert_gemm_efficiency(0.25) == expert_gemm_efficiency(1));  // each expert routed to gets a token
  const double attention_work = (prefill_flops_per_token(m, 512, 0) - 2.0 * static_cast<double>(c.active)) / 0.7;
  CHECK(prefill_work_per_token(m, Backend::cuda, 512, 0) ==
        Approx(2.0 * static_cast<double>(c.active) + 2 * routed_active * (1 / 0.16 - 1) + attention_work));
  CHECK(prefill_work_per_token(m, Backend::cuda, 4096, 0, {.ubatch = 4096}) - prefill_work_per_token(m, Backend::cuda, 4096, 0) ==
        Approx(2 * routed_active * (1 / (0.4 * (128.0 / 192) / 0.5) - 1 / 0.16)));
  const double cpu_attention = (prefill_flops_per_token(m, 512, 0) - 2.0 * static_cast<double>(c.active)) / 0.25;
  CHECK(prefill_work_per_token(m, Backend::cpu, 512, 0, {.cpu_flash_attention = false}) ==
        Approx(2.0 * static_cast<double>(c.active) + 2 * routed_active * (1 / 0.4 - 1) + cpu_attention));
}

TEST_CASE("the printed band is the hull of the backend's band and the case's own", "[speed][case][calibration]") {
  // Two RTX 3090s with a layer split: case "multi-GPU, split layer". CUDA's band is the default
  // decode 0.8–1.2, prefill 0.7–1.3 (ideal() leaves them). The case's decode band, 0.5–1.1 from 12
  // rows, widens the low end to 0.5 and leaves the high end at 1.2; without prefill rows of its own
  // the prefill band stays CUDA's. Decode at 936/42 = 22.2857 tok/s: 11.143–26.743.
  Fixture f;
  const SpeedResult before = estimate_speed(f.request(), {});
  CHECK(before.decode_low == Approx(0.8 * before.decode_tokens_per_s));
  CaseBand split;
  split.speed_case = SpeedCase::split_layer;
  split.decode_ratio_low = 0.5;
  split.decode_ratio_high = 1.1;
  split.decode_rows = 12;
  f.calibration.case_bands = {split};
  CHECK(speed_case(f.model, f.placement, 0) == SpeedCase::split_layer);
  const SpeedResult r = estimate_speed(f.request(), {});
  CHECK(r.decode_tokens_per_s == Approx(before.decode_tokens_per_s));
  CHECK(r.decode_low == Approx(0.5 * 936.0 / 42.0));
  CHECK(r.decode_high == Approx(1.2 * 936.0 / 42.0));
  CHECK(r.prefill_low == Approx(0.7 * r.prefill_tokens_per_s));
  CHECK(r.prefill_high == Approx(1.3 * r.prefill_tokens_per_s));
  // With 4096 tokens already in the context the case is "depth", which has no band here: CUDA's.
  SpeedRequest deep = f.request();
  deep.depth_tokens = 4096;
  const SpeedResult d = estimate_speed(deep, {});
  CHECK(d.decode_low == Approx(0.8 * d.decode_tokens_per_s));
}

TEST_CASE("pipeline parallelism: two GPUs in a layer split overlap the micro-batches of one llama_decode call",
          "[speed][split][pipeline]") {
  // Each card holds half the layers, so each takes the same time s per 512-token micro-batch. A 2048-token
  // prompt is one llama_decode call (-b 2048) of 4 micro-batches: the first passes both cards (2s), then one
  // finishes every max(s, 2s / 4 copies) = s: 5s in all, where running them in turn takes 4 × 2s = 8s.
  Fixture f;
  SpeedRequest piped = f.request();
  piped.prompt_tokens = 2048;
  SpeedRequest in_turn = piped;
  in_turn.engine = Engine::vllm;  // vLLM overlaps requests, not one prompt's micro-batches: no overlap here
  const double ratio = estimate_speed(piped, {}).prefill_tokens_per_s / estimate_speed(in_turn, {}).prefill_tokens_per_s;
  CHECK(ratio == Approx(8.0 / 5.0).epsilon(1e-9));
  // 4096 tokens: two calls, each filling the pipeline again: 2 × 2s + 6 × s = 10s against 16s.
  piped.prompt_tokens = in_turn.prompt_tokens = 4096;
  CHECK(estimate_speed(piped, {}).prefill_tokens_per_s / estimate_speed(in_turn, {}).prefill_tokens_per_s ==
        Approx(16.0 / 10.0).epsilon(1e-9));
  // One micro-batch (-p 512) has nothing to overlap; nor has a prompt with layers left in RAM (llama.cpp turns
  // pipeline parallelism off unless every layer and the output layer are on GPUs).
  piped.prompt_tokens = in_turn.prompt_tokens = 512;
  CHECK(estimate_speed(piped, {}).prefill_tokens_per_s == Approx(estimate_speed(in_turn, {}).prefill_tokens_per_s).epsilon(1e-12));
  Fixture offload;
  offload.placement.host.layers = 1;  // a layer in RAM (its time is not the point: no host device is given)
  SpeedRequest partial = offload.request();
  partial.prompt_tokens = 2048;
  SpeedRequest partial_in_turn = partial;
  partial_in_turn.engine = Engine::vllm;
  CHECK(estimate_speed(partial, {}).prefill_tokens_per_s ==
        Approx(estimate_speed(partial_in_turn, {}).prefill_tokens_per_s).epsilon(1e-12));
}
