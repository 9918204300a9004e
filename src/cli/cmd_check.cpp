// llmsize check --gpu 2x3090 --model 70b: a planned build, before buying parts.
#include <fmt/format.h>

#include "build_eval.h"
#include "render.h"
#include "this_machine.h"

namespace llmsize::cli {
namespace {

struct CheckOptions {
  SizingOptions sizing;
  HardwareOptions hardware;
  bool this_machine = false;
  CostOptions cost;
  std::string prompt_tokens = "512";
  bool require_gpu = false;
};

const char* verdict_text(Verdict v) {
  switch (v) {
    case Verdict::fits: return "FITS";
    case Verdict::fits_with_offload: return "FITS WITH OFFLOAD";
    case Verdict::does_not_fit: return "DOES NOT FIT";
  }
  return "?";
}

std::string memory_row(const std::string& name, std::uint64_t used, std::uint64_t total, std::uint64_t weights,
                       std::uint64_t kv, std::uint64_t compute, std::uint64_t other) {
  const double share = total == 0 ? 0 : static_cast<double>(used) / static_cast<double>(total);
  return fmt::format("  {:<16} {} {:>6} / {:>6}   weights {}  KV {}  compute {}  runtime {}\n", name, bar(share, 20),
                     gib(used), total == 0 ? std::string("?") : gib(total), gib(weights), gib(kv), gib(compute), gib(other));
}

std::string placement_text(const Model& m, const Placement& p) {
  std::string out;
  if (p.devices.empty()) return fmt::format("  all {} layers and the output layer on the CPU\n", m.n_layers);
  std::uint32_t first = 0;
  if (p.host.layers > 0) {
    out += fmt::format("  layers 0–{} on the CPU", p.host.layers - 1);
    first = p.host.layers;
  }
  for (const DevicePlacement& d : p.devices) {
    if (d.layers == 0 && !d.holds_output) continue;
    if (!out.empty()) out += "\n";
    if (p.split == SplitMode::tensor) {
      out += fmt::format("  {}: 1/{} of every layer", d.id, p.devices.size());
      continue;
    }
    std::string range = d.layers == 0 ? "" : fmt::format("layers {}–{}", first, first + d.layers - 1);
    first += d.layers;
    if (d.holds_output) range += range.empty() ? "the output layer" : " and the output layer";
    out += fmt::format("  {}: {}", d.id, range);
  }
  if (p.n_cpu_moe > 0) out += fmt::format("\n  routed experts of layers 0–{} in system RAM (--n-cpu-moe {})", p.n_cpu_moe - 1, p.n_cpu_moe);
  return out + "\n";
}

std::string curve_chart(const SpeedResult& speed, bool color) {
  std::string out;
  double top = 0;
  for (const auto& c : speed.curve) top = std::max(top, c.decode_tokens_per_s);
  for (const auto& c : speed.curve) {
    out += fmt::format("  {:>6}  {} {:>7.1f}\n", tokens_label(c.depth_tokens), paint(bar(top > 0 ? c.decode_tokens_per_s / top : 0, 30), "36", color),
                       c.decode_tokens_per_s);
  }
  return out;
}

std::string render_text(const Context& ctx, const Sizing& s, const HardwareConfig& h, const BuildEval& e,
                        const CheckOptions& o, std::uint64_t prompt) {
  const bool color = ctx.color();
  const Placement& p = e.placement;
  std::string out;
  if (!s.model_note.empty()) out += s.model_note + "\n";
  out += fmt::format("{} · {} · context {} tokens · KV {}/{}\n", s.model->meta.name, s.quant->meta.name,
                     s.kv.context_tokens, s.kv.type_k->meta.name, s.kv.type_v->meta.name);
  out += fmt::format("on {}\n\n", hardware_label(h));
  const char* tone = p.verdict == Verdict::fits ? "32" : p.verdict == Verdict::fits_with_offload ? "33" : "31";
  out += bold(paint(verdict_text(p.verdict), tone, color), color);
  if (!p.reason.empty()) out += " — " + p.reason;
  if (p.verdict == Verdict::fits_with_offload) out += fmt::format(" ({:.0f}% of the weights in RAM)", p.offloaded_weight_fraction * 100);
  out += "\n\nMemory [GiB]\n";
  for (const DevicePlacement& d : p.devices) {
    out += memory_row(d.id, d.used_bytes(), d.memory_bytes, d.weights_bytes, d.kv_cache_bytes, d.compute_buffer_bytes, d.overhead_bytes);
  }
  const HostPlacement& host = p.host;
  out += memory_row("system RAM", host.required_bytes(), host.available_bytes, host.weights_bytes, host.kv_cache_bytes,
                    host.compute_buffer_bytes, host.overhead_bytes);
  if (!p.devices.empty()) out += fmt::format("  (each GPU keeps {} GiB free, as llama.cpp's --fit does)\n", gib(kFitMarginBytes));
  if (host.repack_bytes > 0) out += fmt::format("  + {} GiB of repacked CPU matrices, resident while RAM allows\n", gib(host.repack_bytes));
  out += "\nPlacement\n" + placement_text(*s.model, p);
  if (p.verdict == Verdict::does_not_fit) return out;
  const SpeedResult& sp = e.speed;
  out += "\nSpeed\n";
  out += fmt::format("  decode  {:>8.1f} tok/s  (likely {:.1f}–{:.1f})  at the start of a conversation; slowest part: {}\n",
                     sp.decode_tokens_per_s, sp.decode_low, sp.decode_high, sp.bottleneck);
  out += fmt::format("  prefill {:>8.0f} tok/s  (likely {:.0f}–{:.0f})  for a {}-token prompt\n", sp.prefill_tokens_per_s,
                     sp.prefill_low, sp.prefill_high, prompt);
  if (h.nodes > 1) {
    const double token_s = sp.decode_tokens_per_s > 0 ? 1.0 / sp.decode_tokens_per_s : 0;
    out += fmt::format("  network  {} crossings per token over {}: {:.2f} ms per decoded token ({:.0f}% of it), "
                       "{:.0f} ms per prompt\n",
                       sp.network_hops, h.link->meta.name, sp.network_seconds_per_token * 1e3,
                       token_s > 0 ? sp.network_seconds_per_token / token_s * 100 : 0, sp.prefill_network_seconds * 1e3);
  }
  out += "\nDecode over context [tok/s]\n" + curve_chart(sp, color);
  out += "\nPower and cost\n";
  out += fmt::format("  {:.0f} W decoding, {:.0f} W prompt processing, {:.0f} W idle", e.power.watts_decode, e.power.watts_prefill,
                     e.power.watts_idle);
  if (e.power.psu_watts > 0) out += fmt::format("; PSU {:.0f} W", e.power.psu_watts);
  out += fmt::format("\n  {:.3f} kWh per 1M tokens = {:.2f} {} per 1M tokens at {:.2f} {}/kWh\n", e.cost.kwh_per_mtok,
                     e.cost.cost_per_mtok, o.cost.currency, o.cost.price_per_kwh, o.cost.currency);
  out += fmt::format("  {:.2f} {} per month at {:.0f} h/day, {:.0f}% generating\n", e.cost.monthly_cost, o.cost.currency,
                     o.cost.hours_per_day, o.cost.utilisation * 100);
  if (e.cost.api_monthly_cost) {
    out += fmt::format("  the same tokens from the API: {:.2f} {} per month", *e.cost.api_monthly_cost, o.cost.currency);
    if (e.cost.breakeven_months) out += fmt::format("; the hardware pays for itself in {:.1f} months", *e.cost.breakeven_months);
    out += "\n";
  }
  if (h.storage != nullptr) out += fmt::format("  load: {} GB from {} in {:.1f} s\n", gb(s.weights.total_bytes), h.storage->meta.name, e.load_seconds);
  out += "\nRun it\n";
  if (h.nodes > 1) {
    std::string rpc;
    for (std::uint32_t n = 2; n <= h.nodes; ++n) rpc += fmt::format("{}node{}:50052", n > 2 ? "," : "", n);
    const std::string others = h.nodes == 2 ? "machine 2:   " : fmt::format("machines 2–{}:", h.nodes);
    out += fmt::format("  on {} rpc-server --host 0.0.0.0 -p 50052\n", others);
    out += "  on machine 1:    " + llama_server_command(s, p) + " --rpc " + rpc + "\n  Ollama Modelfile:\n";
  } else {
    out += "  " + llama_server_command(s, p) + "\n  Ollama Modelfile:\n";
  }
  std::string ollama = ollama_parameters(s, p);
  std::size_t pos = 0;
  while (pos <= ollama.size()) {
    const auto nl = ollama.find('\n', pos);
    out += "    " + ollama.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos) + "\n";
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  if (ctx.global.explain) {
    out += "\nHow\n";
    out += "  decode tok/s = 1 / Σ parts (bytes read per token / (bandwidth × efficiency) + per-token cost)\n";
    out += "  prefill tok/s = prompt / Σ parts max(FLOPs / (peak × efficiency), weight reads per micro-batch)\n";
    out += "  efficiencies are fitted per backend on published llama-bench rows (docs/calibration.md)\n";
    std::vector<std::string> all = s.assumptions;
    all.insert(all.end(), h.assumptions.begin(), h.assumptions.end());
    out += assumptions_text(all);
  }
  return out;
}

Json result_json(const Sizing& s, const HardwareConfig& h, const BuildEval& e) {
  const Placement& p = e.placement;
  Json r = Json::object();
  r["model"] = model_json(s);
  r["quant"] = quant_json(s);
  r["context_tokens"] = s.kv.context_tokens;
  std::uint64_t compute = p.host.compute_buffer_bytes;
  std::uint64_t overhead = p.host.overhead_bytes;
  for (const auto& d : p.devices) {
    compute += d.compute_buffer_bytes;
    overhead += d.overhead_bytes;
  }
  const std::uint64_t total = s.weights.total_bytes + s.cache.total_bytes + compute + overhead;
  r["memory"] = {{"weights_bytes", s.weights.total_bytes}, {"kv_cache_bytes", s.cache.total_bytes},
                 {"compute_buffer_bytes", compute},        {"overhead_bytes", overhead},
                 {"total_bytes", total}};
  r["verdict"] = to_string(p.verdict);
  r["reason"] = p.reason;
  r["hardware"] = hardware_label(h);
  Json devices = Json::array();
  for (const auto& d : p.devices) {
    devices.push_back({{"id", d.id}, {"kind", d.kind == DeviceKind::gpu ? "gpu" : "unified"}, {"memory_bytes", d.memory_bytes},
                       {"used_bytes", d.used_bytes()}, {"weights_bytes", d.weights_bytes}, {"kv_cache_bytes", d.kv_cache_bytes},
                       {"compute_buffer_bytes", d.compute_buffer_bytes}, {"overhead_bytes", d.overhead_bytes},
                       {"layers", d.layers + (d.holds_output ? 1 : 0)}});
  }
  const HostPlacement& host = p.host;
  devices.push_back({{"id", "system-ram"}, {"kind", "host"}, {"memory_bytes", h.host_ram_bytes.value_or(0)},
                     {"used_bytes", host.required_bytes()}, {"weights_bytes", host.weights_bytes},
                     {"kv_cache_bytes", host.kv_cache_bytes}, {"compute_buffer_bytes", host.compute_buffer_bytes},
                     {"overhead_bytes", host.overhead_bytes}, {"repack_bytes", host.repack_bytes},
                     {"layers", host.layers + (host.holds_output ? 1 : 0)}});
  r["devices"] = devices;
  r["placement"] = {{"gpu_layers", p.gpu_layers}, {"n_cpu_moe", p.n_cpu_moe}, {"tensor_split", p.tensor_split},
                    {"offloaded_weight_fraction", p.offloaded_weight_fraction}};
  Json curve = Json::array();
  for (const auto& c : e.speed.curve) {
    curve.push_back({{"depth_tokens", c.depth_tokens}, {"decode_tokens_per_s", c.decode_tokens_per_s},
                     {"decode_low", c.decode_low}, {"decode_high", c.decode_high}});
  }
  r["speed"] = {{"decode_tokens_per_s", e.speed.decode_tokens_per_s}, {"decode_low", e.speed.decode_low},
                {"decode_high", e.speed.decode_high}, {"prefill_tokens_per_s", e.speed.prefill_tokens_per_s},
                {"prefill_low", e.speed.prefill_low}, {"prefill_high", e.speed.prefill_high},
                {"bytes_per_token", e.speed.bytes_per_token}, {"bottleneck", e.speed.bottleneck}, {"curve", curve}};
  r["power"] = {{"watts_decode", e.power.watts_decode}, {"watts_prefill", e.power.watts_prefill},
                {"watts_idle", e.power.watts_idle}, {"psu_watts", e.power.psu_watts},
                {"kwh_per_mtok", e.cost.kwh_per_mtok}, {"cost_per_mtok", e.cost.cost_per_mtok},
                {"monthly_cost", e.cost.monthly_cost}};
  r["network"] = {{"nodes", h.nodes},
                  {"link", h.link != nullptr ? Json(h.link->meta.id) : Json(nullptr)},
                  {"link_bandwidth_bytes_per_s", h.network.bandwidth_bytes_per_s},
                  {"link_latency_s", h.network.latency_s},
                  {"hop_overhead_s", h.nodes > 1 ? h.network.hop_overhead_s : 0.0},
                  {"hops_per_token", e.speed.network_hops},
                  {"decode_seconds_per_token", e.speed.network_seconds_per_token},
                  {"prefill_seconds", e.speed.prefill_network_seconds}};
  r["load_seconds"] = e.load_seconds;
  r["runtime"] = {{"llama_server", llama_server_command(s, p)}, {"ollama", ollama_parameters(s, p)}};
  return r;
}

void run_check(Context& ctx, const CheckOptions& o) {
  const Sizing s = resolve_sizing(ctx, o.sizing);
  if (o.this_machine) {
    check_this_machine_alone(o.hardware);
    use_machine_profile(ctx);
  }
  const HardwareConfig h = o.this_machine ? this_machine_hardware(ctx) : resolve_hardware(ctx, o.hardware);
  const std::uint64_t prompt = parse_tokens(o.prompt_tokens, "--prompt-tokens");
  const BuildEval e = evaluate_build(ctx, s, h, prompt, o.cost, true);
  std::vector<std::string> assumptions = s.assumptions;
  assumptions.insert(assumptions.end(), h.assumptions.begin(), h.assumptions.end());
  Json inputs = inputs_json(s);
  inputs["hardware"] = hardware_json(h);
  inputs["prompt_tokens"] = prompt;
  inputs["price_per_kwh"] = o.cost.price_per_kwh;
  inputs["currency"] = o.cost.currency;
  emit(ctx, envelope("check", inputs, result_json(s, h, e), assumptions), render_text(ctx, s, h, e, o, prompt));
  const bool fits = e.placement.verdict == Verdict::fits ||
                    (e.placement.verdict == Verdict::fits_with_offload && !o.require_gpu);
  ctx.exit_code = fits ? 0 : 1;
}

}  // namespace

void add_check_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = add_command(app, ctx, "check",
                              "A planned build: memory per device, placement, speed, power, cost and the llama-server "
                              "flags. Exit 0 if it runs, 1 if it does not fit",
                              [o](Context& c) { run_check(c, *o); });
  add_sizing_options(cmd, o->sizing);
  add_hardware_options(cmd, o->hardware);
  add_this_machine_flag(cmd, o->this_machine);
  add_cost_options(cmd, o->cost);
  cmd->add_option("--prompt-tokens", o->prompt_tokens, "Prompt length for the prefill speed (default 512, as llama-bench pp512)");
  cmd->add_flag("--require-gpu", o->require_gpu, "Count offload to system RAM as \"does not fit\" (exit 1)");
}

}  // namespace llmsize::cli
