// llmsize probe [--seconds N] [--threads N] [--buffer-mib N] [--dry-run] | --show | --reset
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "context.h"
#include "hardware_config.h"
#include "llmsize/machine/bandwidth_probe.h"
#include "llmsize/machine/calibrate.h"
#include "machine_profile.h"
#include "render.h"

namespace llmsize::cli {
namespace {

constexpr std::size_t kProgressWidth = 30;

struct ProbeCommandOptions {
  double seconds = 3;
  std::uint32_t threads = 0;
  std::uint64_t buffer_mib = 0;
  bool dry_run = false;
  bool show = false;
  bool reset = false;
};

// The catalog's figure for this CPU: its channels × the fastest RAM it supports × 8 bytes. The RAM
// actually installed is not read here, so this is the platform's ceiling, and says so.
struct Theoretical {
  std::optional<double> gb_per_s;
  std::string catalog_cpu;
  std::string basis;
};

Theoretical theoretical_for(const Context& ctx, const std::string& cpu_model) {
  Theoretical t;
  const Cpu* cpu = machine::match_cpu(ctx.catalog, cpu_model);
  if (cpu == nullptr) {
    t.basis = fmt::format("no catalog CPU matches \"{}\", and the RAM's kind and channel count are not read by probe, "
                          "so the theoretical figure is unknown",
                          cpu_model.empty() ? "(no model name in /proc/cpuinfo)" : cpu_model);
    return t;
  }
  t.catalog_cpu = cpu->meta.id;
  const RamKind* kind = fastest_ram_kind(ctx.catalog, *cpu);
  if (kind == nullptr) {
    t.basis = fmt::format("{} names no RAM kind in the catalog", cpu->meta.name);
    return t;
  }
  t.gb_per_s = ram_bandwidth_bytes_per_s(*kind, cpu->memory_channels) / 1e9;
  t.basis = fmt::format("{} channels × {} MT/s × 8 bytes: {} with all channels populated with {} (the fastest it "
                        "supports; the installed RAM's kind and channels are not read)",
                        cpu->memory_channels, kind->transfer_rate_mt_per_s, cpu->meta.name, kind->meta.name);
  return t;
}

void run_probe(Context& ctx, const ProbeCommandOptions& o) {
  if (o.show && o.reset) throw InputError("use --show or --reset, not both");
  if (o.show) return show_machine_profile(ctx, "probe");
  if (o.reset) return reset_machine_profile(ctx, "probe");

  machine::ProbeOptions p;
  p.seconds = o.seconds;
  p.threads = o.threads > 0 ? o.threads : std::max(1U, std::thread::hardware_concurrency());
  const machine::DetectSource source = machine::detect_source_from_environment();
  p.buffer_bytes = o.buffer_mib > 0 ? o.buffer_mib * units::kMiB
                                    : machine::default_probe_bytes(machine::read_last_level_cache_bytes(source),
                                                                   machine::read_available_memory_bytes(source));
  const bool bar_on = &ctx.err == &std::cerr && isatty(STDERR_FILENO) == 1 && !ctx.global.json;
  machine::ProbeProgress progress;
  if (bar_on) {
    progress = [&ctx](double fraction) {
      ctx.err << "\rMeasuring memory bandwidth " << bar(fraction, kProgressWidth)
              << fmt::format(" {:3.0f}%", 100 * fraction) << std::flush;
    };
  }
  const machine::ProbeResult r = machine::measure_read_bandwidth(p, progress);
  if (bar_on) ctx.err << "\r\033[K" << std::flush;

  machine::BandwidthMeasurement m;
  m.read_gb_per_s = r.read_gb_per_s;
  m.threads = r.threads;
  m.seconds = r.seconds;
  m.cpu_model = machine::read_cpu_model(source);
  m.measured_at = machine::iso_utc_now();
  const Theoretical t = theoretical_for(ctx, m.cpu_model);

  const std::string path = machine_profile_path();
  if (!o.dry_run) {
    machine::MachineProfile profile = load_machine_profile();
    profile.bandwidth = m;
    save_machine_profile(profile);
  }

  Json result = {{"read_gb_per_s", r.read_gb_per_s},
                 {"best_gb_per_s", r.best_gb_per_s},
                 {"pass_gb_per_s", r.pass_gb_per_s},
                 {"threads", r.threads},
                 {"buffer_bytes", r.buffer_bytes},
                 {"seconds", r.seconds},
                 {"cpu_model", m.cpu_model},
                 {"measured_at", m.measured_at},
                 {"theoretical_gb_per_s", t.gb_per_s ? Json(*t.gb_per_s) : Json(nullptr)},
                 {"catalog_cpu", t.catalog_cpu.empty() ? Json(nullptr) : Json(t.catalog_cpu)},
                 {"theoretical_basis", t.basis},
                 {"saved", !o.dry_run},
                 {"profile_path", path}};
  std::string text = fmt::format("Memory read bandwidth of this machine ({}): {} threads, {} MiB of buffers, "
                                 "{} passes in {:.1f} s\n\n",
                                 m.cpu_model.empty() ? "CPU model unknown" : m.cpu_model, r.threads,
                                 r.buffer_bytes / units::kMiB, r.pass_gb_per_s.size(), r.seconds);
  text += fmt::format("  measured     {:6.1f} GB/s  (median pass; best {:.1f} GB/s)\n", r.read_gb_per_s, r.best_gb_per_s);
  if (t.gb_per_s) {
    text += fmt::format("  theoretical  {:6.1f} GB/s  ({:.0f}% reached)\n               {}\n", *t.gb_per_s,
                        100 * r.read_gb_per_s / *t.gb_per_s, t.basis);
  } else {
    text += "  theoretical       —       " + t.basis + "\n";
  }
  text += o.dry_run ? "\n--dry-run: nothing stored\n"
                    : "\nStored in " + path + "; predictions for this machine (--this-machine) use it\n";
  emit(ctx, envelope("probe", {{"seconds", o.seconds}, {"threads", p.threads}, {"buffer_bytes", p.buffer_bytes}}, result, {}),
       text);
}

}  // namespace

void add_probe_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ProbeCommandOptions>();
  CLI::App* cmd = add_command(app, ctx, "probe",
                              "Measure this machine's memory read bandwidth with all cores and store it in your profile",
                              [o](Context& c) { run_probe(c, *o); });
  cmd->add_option("--seconds", o->seconds, "How long to measure (default 3)")->check(CLI::Range(0.01, 600.0));
  cmd->add_option("--threads", o->threads, "Threads (default: every logical CPU)")->check(CLI::Range(1, 4096));
  cmd->add_option("--buffer-mib", o->buffer_mib,
                  "Buffer size over all threads in MiB (default: max(1 GiB, 8 × last-level cache), at most 1/4 of free RAM)")
      ->check(CLI::Range(1, 1 << 24));
  cmd->add_flag("--dry-run", o->dry_run, "Measure and print; store nothing");
  cmd->add_flag("--show", o->show, "Print what your profile holds (bandwidth, fitted factors) and exit");
  cmd->add_flag("--reset", o->reset, "Delete your profile ($XDG_CONFIG_HOME/llmsize/machine.json) and exit");
}

}  // namespace llmsize::cli
