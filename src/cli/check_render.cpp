#include "check_render.h"

#include <fmt/format.h>

#include "formulas.h"
#include "render.h"
#include "runtime_lines.h"
#include "wording.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

const char* verdict_text(Verdict v) {
  switch (v) {
    case Verdict::fits: return "FITS";
    case Verdict::fits_with_offload: return "FITS WITH OFFLOAD";
    case Verdict::does_not_fit: return "DOES NOT FIT";
  }
  return "?";
}

// The draft model's and the projector's share of a memory, when there is one.
std::string extras_parts(std::uint64_t draft, std::uint64_t projector) {
  std::string out;
  if (draft > 0) out += "  draft " + gib(draft);
  if (projector > 0) out += "  projector " + gib(projector);
  return out;
}

std::string memory_row(const std::string& name, std::uint64_t used, std::uint64_t total, std::uint64_t weights,
                       std::uint64_t kv, std::uint64_t compute, std::uint64_t other) {
  const double share = total == 0 ? 0 : static_cast<double>(used) / static_cast<double>(total);
  return fmt::format("  {:<16} {} {:>6} / {:>6}   weights {}  KV {}  compute {}  runtime {}", name, bar(share, 20),
                     gib(used), total == 0 ? std::string("?") : gib(total), gib(weights), gib(kv), gib(compute), gib(other));
}

std::string memory_text(const Placement& p) {
  std::string out = "Memory [GiB]\n";
  for (const DevicePlacement& d : p.devices) {
    out += memory_row(d.id, d.used_bytes(), d.memory_bytes, d.weights_bytes, d.kv_cache_bytes, d.compute_buffer_bytes,
                      d.overhead_bytes) +
           extras_parts(d.draft_bytes, d.projector_bytes) + "\n";
  }
  const HostPlacement& host = p.host;
  out += memory_row("system RAM", host.required_bytes(), host.available_bytes, host.weights_bytes, host.kv_cache_bytes,
                    host.compute_buffer_bytes, host.overhead_bytes) +
         extras_parts(host.draft_bytes, host.projector_bytes) + "\n";
  if (!p.devices.empty()) out += fmt::format("  (each GPU keeps {} GiB free, as llama.cpp's --fit does)\n", gib(kFitMarginBytes));
  if (host.repack_bytes > 0) {
    out += fmt::format("  + {} GiB of repacked CPU matrices, resident while RAM allows\n", gib(host.repack_bytes));
  }
  return out;
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
  if (p.n_cpu_moe > 0) {
    out += fmt::format("\n  routed experts of layers 0–{} in system RAM (--n-cpu-moe {})", p.n_cpu_moe - 1, p.n_cpu_moe);
  }
  return out + "\n";
}

std::string curve_chart(const SpeedResult& speed, bool color) {
  std::string out;
  double top = 0;
  for (const auto& c : speed.curve) top = std::max(top, c.decode_tokens_per_s);
  for (const auto& c : speed.curve) {
    out += fmt::format("  {:>6}  {} {:>7.1f}\n", tokens_label(c.depth_tokens),
                       paint(bar(top > 0 ? c.decode_tokens_per_s / top : 0, 30), "36", color), c.decode_tokens_per_s);
  }
  return out;
}

std::string speed_text(const CheckReport& r) {
  const SpeedResult& sp = r.eval.speed;
  std::string out = "\nSpeed\n";
  out += fmt::format("  decode  {:>8.1f} tok/s  (likely {:.1f}–{:.1f})  at the start of a conversation; slowest part: {}\n",
                     sp.decode_tokens_per_s, sp.decode_low, sp.decode_high, sp.bottleneck);
  out += fmt::format("  prefill {:>8.0f} tok/s  (likely {:.0f}–{:.0f})  for a {}-token prompt\n", sp.prefill_tokens_per_s,
                     sp.prefill_low, sp.prefill_high, r.prompt_tokens);
  out += speculation_text(r.extras);
  if (const auto& alt = r.eval.alternative) {
    const bool experts = alt->reason == PlacementReason::experts_in_ram;
    const double gain = alt->decode_tokens_per_s > 0 ? (sp.decode_tokens_per_s / alt->decode_tokens_per_s - 1) * 100 : 0;
    out += fmt::format("  instead of {} ({}): {:.1f} tok/s decode, {:.0f} tok/s prefill; this placement decodes {:.0f}% faster\n",
                       experts ? "experts in RAM" : "whole layers in RAM",
                       experts ? fmt::format("--n-cpu-moe {}", alt->n_cpu_moe) : fmt::format("-ngl {}", alt->gpu_layers),
                       alt->decode_tokens_per_s, alt->prefill_tokens_per_s, gain);
  }
  if (r.hardware.nodes > 1) {
    const double token_s = sp.decode_tokens_per_s > 0 ? 1.0 / sp.decode_tokens_per_s : 0;
    out += fmt::format("  network  {} crossings per token over {}: {:.2f} ms per decoded token ({:.0f}% of it), "
                       "{:.0f} ms per prompt\n",
                       sp.network_hops, r.hardware.link->meta.name, units::s_to_ms(sp.network_seconds_per_token),
                       token_s > 0 ? sp.network_seconds_per_token / token_s * 100 : 0, units::s_to_ms(sp.prefill_network_seconds));
  }
  return out;
}

// Each device's board power beside the load the prediction puts on it; [] without a prediction.
Json power_devices_json(const BuildEval& e) {
  Json devices = Json::array();
  const auto& loads = e.speed.device_loads;
  for (std::size_t i = 0; i < e.power.devices.size() && i < loads.size(); ++i) {
    const DevicePower& d = e.power.devices[i];
    devices.push_back({{"id", loads[i].id},
                       {"decode_utilisation", loads[i].decode_utilisation},
                       {"prefill_utilisation", loads[i].prefill_utilisation},
                       {"board_watts_decode", d.board_watts_decode},
                       {"board_watts_prefill", d.board_watts_prefill},
                       {"board_watts_idle", d.board_watts_idle}});
  }
  return devices;
}

std::string power_text(const CheckReport& r) {
  const BuildEval& e = r.eval;
  const std::string& cur = r.cost.currency;
  std::string out = "\nPower and cost\n";
  out += fmt::format("  {:.0f} W decoding, {:.0f} W prompt processing, {:.0f} W idle", e.power.watts_decode,
                     e.power.watts_prefill, e.power.watts_idle);
  if (e.power.psu_watts > 0) out += fmt::format("; PSU {:.0f} W", e.power.psu_watts);
  const auto& loads = e.speed.device_loads;
  for (std::size_t i = 0; i < e.power.devices.size() && i < loads.size(); ++i) {
    const DevicePower& d = e.power.devices[i];
    out += fmt::format("\n  {}: {:.0f} W decoding ({:.0f}% of peak bandwidth), {:.0f} W prompt processing ({:.0f}% busy)",
                       loads[i].id, d.board_watts_decode, loads[i].decode_utilisation * 100, d.board_watts_prefill,
                       loads[i].prefill_utilisation * 100);
  }
  out += fmt::format("\n  {:.3f} kWh per 1M tokens = {:.2f} {} per 1M tokens at {:.2f} {}/kWh\n", e.cost.kwh_per_mtok,
                     e.cost.cost_per_mtok, cur, r.cost.price_per_kwh, cur);
  out += fmt::format("  {:.2f} {} per month at {:.0f} h/day, {:.0f}% generating\n", e.cost.monthly_cost, cur,
                     r.cost.hours_per_day, r.cost.utilisation * 100);
  if (!r.hardware.price_parts.empty()) out += "  hardware: " + price_text(r.hardware.price_parts, cur) + "\n";
  if (e.cost.api_monthly_cost) {
    out += fmt::format("  the same tokens from the API: {:.2f} {} per month", *e.cost.api_monthly_cost, cur);
    if (e.cost.breakeven_months) out += fmt::format("; the hardware pays for itself in {:.1f} months", *e.cost.breakeven_months);
    out += "\n";
  }
  if (r.hardware.storage != nullptr) {
    out += fmt::format("  load: {} GB from {} in {:.1f} s\n", gb(r.sizing.weights.total_bytes), r.hardware.storage->meta.name,
                       e.load_seconds);
  }
  return out;
}

RuntimeLines runtime_of(const CheckReport& r) {
  return runtime_lines(
      {r.sizing, r.eval.placement, r.hardware, r.run, r.prompt_tokens, r.eval.alternative, extras_flags(r.extras, r.sizing)});
}

void add_indented(std::string& out, const std::string& lines, const char* indent) {
  for (std::size_t pos = 0; pos <= lines.size();) {
    const auto nl = lines.find('\n', pos);
    out += indent + lines.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos) + "\n";
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
}

std::string run_it_text(const CheckReport& r) {
  const RuntimeLines rt = runtime_of(r);
  const std::uint32_t nodes = r.hardware.nodes;
  std::string out = "\nRun it\n";
  if (!rt.llama_server) {
    out += "  llama.cpp, Ollama: none; " + rt.llama_cpp_none + "\n";
  } else if (rt.rpc_server) {
    const std::string others = nodes == 2 ? "machine 2:   " : fmt::format("machines 2–{}:", nodes);
    out += fmt::format("  on {} {}\n", others, *rt.rpc_server);
    out += "  on machine 1:    " + *rt.llama_server + "\n";
    out += "  measure it:      " + *rt.llama_bench + "\n";
  } else {
    out += "  " + *rt.llama_server + "\n";
    out += "  measure it: " + *rt.llama_bench + "\n";
  }
  if (rt.ollama) {
    out += "  Ollama Modelfile:\n";
    add_indented(out, *rt.ollama, "    ");
  } else if (rt.llama_server) {
    out += "  Ollama: none; " + rt.ollama_none + "\n";
  }
  out += rt.vllm ? "  vLLM: " + *rt.vllm + "\n" : "  vLLM: none; " + rt.vllm_none + "\n";
  for (const std::string& note : rt.notes) out += "  note: " + note + "\n";
  return out;
}

std::string explain_text(const CheckReport& r) {
  std::string out = "\nHow (docs/formulas.md)\n";
  out += fmt::format("  decode:  {}\n           {}\n", formulas::kDecodePart, formulas::kDecodeRate);
  out += fmt::format("  prefill: {}\n           {}\n           {}\n", formulas::kPrefillFlops, formulas::kPrefillWorkGpu,
                     formulas::kPrefillKernels);
  out += "  efficiencies are fitted per backend, device class and engine on published llama-bench rows (docs/calibration.md)\n";
  out += extras_explain(r.extras);
  return out + assumptions_text(r.assumptions);
}

}  // namespace

std::string check_text(const CheckReport& r, const Style& style) {
  const Sizing& s = r.sizing;
  const Placement& p = r.eval.placement;
  std::string out;
  if (!s.model_note.empty()) out += s.model_note + "\n";
  out += fmt::format("{} · {} · context {} tokens · KV {}/{}\n", s.model->meta.name, s.quant->meta.name, s.kv.context_tokens,
                     s.kv.type_k->meta.name, s.kv.type_v->meta.name);
  out += fmt::format("on {}\n\n", hardware_label(r.hardware));
  const char* tone = p.verdict == Verdict::fits ? "32" : p.verdict == Verdict::fits_with_offload ? "33" : "31";
  out += bold(paint(verdict_text(p.verdict), tone, style.color), style.color);
  if (p.reason != PlacementReason::none) out += " — " + reason_text(p);
  if (p.verdict == Verdict::fits_with_offload) {
    out += fmt::format(" ({:.0f}% of the weights in RAM)", p.offloaded_weight_fraction * 100);
  }
  out += "\n\n" + memory_text(p) + extras_text(r.extras);
  out += "\nPlacement\n" + placement_text(*s.model, p);
  if (p.verdict == Verdict::does_not_fit) return style.explain ? out + explain_text(r) : out;
  out += speed_text(r);
  out += "\nDecode over context [tok/s]\n" + curve_chart(r.eval.speed, style.color);
  out += power_text(r);
  out += run_it_text(r);
  if (style.explain) out += explain_text(r);
  return out;
}

namespace {

Json memory_json(const MemoryTotals& t) {
  return {{"weights_bytes", t.weights_bytes},   {"kv_cache_bytes", t.kv_cache_bytes},
          {"compute_buffer_bytes", t.compute_buffer_bytes}, {"overhead_bytes", t.overhead_bytes},
          {"draft_bytes", t.draft_bytes},       {"projector_bytes", t.projector_bytes},
          {"repack_bytes", t.repack_bytes},     {"total_bytes", t.used_bytes}};
}

Json devices_json(const Placement& p, const HardwareConfig& h) {
  Json devices = Json::array();
  for (const auto& d : p.devices) {
    devices.push_back({{"id", d.id}, {"kind", d.kind == DeviceKind::gpu ? "gpu" : "unified"}, {"memory_bytes", d.memory_bytes},
                       {"used_bytes", d.used_bytes()}, {"weights_bytes", d.weights_bytes}, {"kv_cache_bytes", d.kv_cache_bytes},
                       {"compute_buffer_bytes", d.compute_buffer_bytes}, {"overhead_bytes", d.overhead_bytes},
                       {"draft_bytes", d.draft_bytes}, {"projector_bytes", d.projector_bytes},
                       {"layers", d.layers + (d.holds_output ? 1 : 0)}});
  }
  const HostPlacement& host = p.host;
  devices.push_back({{"id", "system-ram"}, {"kind", "host"}, {"memory_bytes", h.host_ram_bytes.value_or(0)},
                     {"used_bytes", host.required_bytes()}, {"weights_bytes", host.weights_bytes},
                     {"kv_cache_bytes", host.kv_cache_bytes}, {"compute_buffer_bytes", host.compute_buffer_bytes},
                     {"overhead_bytes", host.overhead_bytes}, {"draft_bytes", host.draft_bytes},
                     {"projector_bytes", host.projector_bytes}, {"repack_bytes", host.repack_bytes},
                     {"layers", host.layers + (host.holds_output ? 1 : 0)}});
  return devices;
}

Json speed_json(const SpeedResult& sp) {
  Json curve = Json::array();
  for (const auto& c : sp.curve) {
    curve.push_back({{"depth_tokens", c.depth_tokens}, {"decode_tokens_per_s", c.decode_tokens_per_s},
                     {"decode_low", c.decode_low}, {"decode_high", c.decode_high}});
  }
  return {{"decode_tokens_per_s", sp.decode_tokens_per_s}, {"decode_low", sp.decode_low},
          {"decode_high", sp.decode_high}, {"prefill_tokens_per_s", sp.prefill_tokens_per_s},
          {"prefill_low", sp.prefill_low}, {"prefill_high", sp.prefill_high},
          {"bytes_per_token", sp.bytes_per_token}, {"bottleneck", sp.bottleneck}, {"curve", curve}};
}

Json network_json(const HardwareConfig& h, const SpeedResult& sp) {
  return {{"nodes", h.nodes},
          {"link", h.link != nullptr ? Json(h.link->meta.id) : Json(nullptr)},
          {"link_bandwidth_bytes_per_s", h.network.bandwidth_bytes_per_s},
          {"link_latency_s", h.network.latency_s},
          {"hop_overhead_s", h.nodes > 1 ? h.network.hop_overhead_s : 0.0},
          {"hops_per_token", sp.network_hops},
          {"decode_seconds_per_token", sp.network_seconds_per_token},
          {"prefill_seconds", sp.prefill_network_seconds}};
}

}  // namespace

Json check_json(const CheckReport& r) {
  const Sizing& s = r.sizing;
  const BuildEval& e = r.eval;
  const Placement& p = e.placement;
  Json result = Json::object();
  result["model"] = model_json(s);
  result["quant"] = quant_json(s);
  result["context_tokens"] = s.kv.context_tokens;
  result["memory"] = memory_json(r.totals.with_host);
  result["memory_gpus"] = memory_json(r.totals.gpus);
  result["verdict"] = to_string(p.verdict);
  result["reason"] = reason_text(p);
  result["reason_code"] = to_string(p.reason);
  result["hardware"] = hardware_label(r.hardware);
  result["devices"] = devices_json(p, r.hardware);
  result["placement"] = {{"gpu_layers", p.gpu_layers}, {"n_cpu_moe", p.n_cpu_moe}, {"tensor_split", p.tensor_split},
                         {"offloaded_weight_fraction", p.offloaded_weight_fraction}};
  result["speed"] = speed_json(e.speed);
  result["offload_alternative"] =
      e.alternative ? Json{{"reason_code", to_string(e.alternative->reason)}, {"gpu_layers", e.alternative->gpu_layers},
                           {"n_cpu_moe", e.alternative->n_cpu_moe},
                           {"decode_tokens_per_s", e.alternative->decode_tokens_per_s},
                           {"prefill_tokens_per_s", e.alternative->prefill_tokens_per_s}}
                    : Json(nullptr);
  result["power"] = {{"watts_decode", e.power.watts_decode}, {"watts_prefill", e.power.watts_prefill},
                     {"watts_idle", e.power.watts_idle},     {"psu_watts", e.power.psu_watts},
                     {"kwh_per_mtok", e.cost.kwh_per_mtok},   {"cost_per_mtok", e.cost.cost_per_mtok},
                     {"monthly_cost", e.cost.monthly_cost},   {"devices", power_devices_json(e)}};
  result["network"] = network_json(r.hardware, e.speed);
  result["load_seconds"] = e.load_seconds;
  const std::optional<double> price = r.hardware.price();
  result["price"] = price ? Json(*price) : Json(nullptr);
  result["price_basis"] = price_basis_json(r.hardware.price_parts);
  result["price_parts"] = price_parts_json(r.hardware.price_parts, r.cost.currency);
  const RuntimeLines rt = runtime_of(r);
  const auto optional = [](const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); };
  result["runtime"] = {{"llama_server", optional(rt.llama_server)}, {"llama_bench", optional(rt.llama_bench)},
                       {"llama_cpp_none", rt.llama_server ? Json(nullptr) : Json(rt.llama_cpp_none)},
                       {"rpc_server", optional(rt.rpc_server)}, {"ollama", optional(rt.ollama)},
                       {"ollama_none", rt.ollama ? Json(nullptr) : Json(rt.ollama_none)},
                       {"vllm", optional(rt.vllm)},
                       {"vllm_none", rt.vllm ? Json(nullptr) : Json(rt.vllm_none)},
                       {"notes", rt.notes}};
  result["draft"] = draft_json(r.extras, r.sizing);
  result["projector"] = projector_json(r.extras);
  Json inputs = inputs_json(s);
  inputs["hardware"] = hardware_json(r.hardware);
  inputs["prompt_tokens"] = r.prompt_tokens;
  add_extras_inputs(r.extras, inputs);
  inputs["run"] = run_json(r.run, p);
  inputs["price_per_kwh"] = r.cost.price_per_kwh;
  inputs["currency"] = r.cost.currency;
  inputs["prices"] = prices_json(r.prices);
  return envelope("check", inputs, result, assumptions_json(r.assumptions));
}

}  // namespace llmsize::cli
