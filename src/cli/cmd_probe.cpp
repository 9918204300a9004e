// llmsize probe [--seconds N] [--threads N] [--buffer-mib N] [--dry-run] | --show | --reset
#include <fmt/format.h>

#include <algorithm>
#include <new>
#include <thread>

#include "hardware_config.h"
#include "llmsize/machine/bandwidth_probe.h"
#include "llmsize/machine/calibrate.h"
#include "llmsize/units.h"
#include "machine_profile.h"
#include "pipeline.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

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

Theoretical theoretical_for(const catalog::Catalog& cat, const std::string& cpu_model) {
  Theoretical t;
  const Cpu* cpu = machine::match_cpu(cat, cpu_model);
  if (cpu == nullptr) {
    t.basis = fmt::format("no catalog CPU matches \"{}\", and the RAM's kind and channel count are not read by probe, "
                          "so the theoretical figure is unknown",
                          cpu_model.empty() ? "(no model name in /proc/cpuinfo)" : cpu_model);
    return t;
  }
  t.catalog_cpu = cpu->meta.id;
  const RamKind* kind = fastest_ram_kind(cat, *cpu);
  if (kind == nullptr) {
    t.basis = fmt::format("{} names no RAM kind in the catalog", cpu->meta.name);
    return t;
  }
  t.gb_per_s = units::bytes_per_s_to_gb_per_s(ram_bandwidth_bytes_per_s(*kind, cpu_ram_channels(*cpu, *kind)));
  t.basis = fmt::format("{} channels × {} MT/s × {} bytes: {} with all channels populated with {} (the fastest it "
                        "supports; the installed RAM's kind and channels are not read)",
                        cpu_ram_channels(*cpu, *kind), kind->transfer_rate_mt_per_s, kind->channel_width_bits / 8,
                        cpu->meta.name, kind->meta.name);
  return t;
}

/// One measurement, with the catalog's ceiling beside it and where it was stored.
struct ProbeReport {
  machine::ProbeOptions options;  ///< as run: threads and buffer size resolved
  machine::ProbeResult measured;
  machine::BandwidthMeasurement stored;
  Theoretical theoretical;
  bool saved = false;
  std::string profile_path;
};

class ProbeCommandResult final : public Result {
 public:
  explicit ProbeCommandResult(ProbeReport r) : r_(std::move(r)) {}

  [[nodiscard]] std::string text(const Style& /*style*/) const override {
    const machine::ProbeResult& m = r_.measured;
    const Theoretical& t = r_.theoretical;
    std::string out = fmt::format("Memory read bandwidth of this machine ({}): {} threads, {} MiB of buffers, "
                                  "{} passes in {:.1f} s\n\n",
                                  r_.stored.cpu_model.empty() ? "CPU model unknown" : r_.stored.cpu_model, m.threads,
                                  m.buffer_bytes / units::kMiB, m.pass_gb_per_s.size(), m.seconds);
    out += fmt::format("  measured     {:6.1f} GB/s  (median pass; best {:.1f} GB/s)\n", m.read_gb_per_s, m.best_gb_per_s);
    if (t.gb_per_s) {
      out += fmt::format("  theoretical  {:6.1f} GB/s  ({:.0f}% reached)\n               {}\n", *t.gb_per_s,
                         100 * m.read_gb_per_s / *t.gb_per_s, t.basis);
    } else {
      out += "  theoretical       —       " + t.basis + "\n";
    }
    return out + (r_.saved ? "\nStored in " + r_.profile_path + "; predictions for this machine (--this-machine) use it\n"
                           : "\n--dry-run: nothing stored\n");
  }

  [[nodiscard]] Json json() const override {
    const machine::ProbeResult& m = r_.measured;
    const Theoretical& t = r_.theoretical;
    Json result = {{"read_gb_per_s", m.read_gb_per_s},
                   {"best_gb_per_s", m.best_gb_per_s},
                   {"pass_gb_per_s", m.pass_gb_per_s},
                   {"threads", m.threads},
                   {"buffer_bytes", m.buffer_bytes},
                   {"seconds", m.seconds},
                   {"cpu_model", r_.stored.cpu_model},
                   {"measured_at", r_.stored.measured_at},
                   {"theoretical_gb_per_s", t.gb_per_s ? Json(*t.gb_per_s) : Json(nullptr)},
                   {"catalog_cpu", t.catalog_cpu.empty() ? Json(nullptr) : Json(t.catalog_cpu)},
                   {"theoretical_basis", t.basis},
                   {"saved", r_.saved},
                   {"profile_path", r_.profile_path}};
    const Json inputs = {{"seconds", r_.options.seconds}, {"threads", r_.options.threads}, {"buffer_bytes", r_.options.buffer_bytes}};
    return envelope("probe", inputs, result, Json::array());
  }

 private:
  ProbeReport r_;
};

machine::ProbeOptions probe_options(const ProbeCommandOptions& o, const machine::DetectSource& source) {
  machine::ProbeOptions p;
  p.seconds = o.seconds;
  p.threads = o.threads > 0 ? o.threads : std::max(1U, std::thread::hardware_concurrency());
  p.buffer_bytes = o.buffer_mib > 0 ? o.buffer_mib * units::kMiB
                                    : machine::default_probe_bytes(machine::read_last_level_cache_bytes(source),
                                                                   machine::read_available_memory_bytes(source));
  return p;
}

// The measurement; the bar on stderr is drawn only where run() allows it (text output on a terminal).
machine::ProbeResult measure(Context& ctx, const machine::ProbeOptions& p) {
  machine::ProbeProgress progress;
  if (ctx.progress) {
    progress = [&ctx](double fraction) {
      ctx.err << "\rMeasuring memory bandwidth " << bar(fraction, kProgressWidth)
              << fmt::format(" {:3.0f}%", 100 * fraction) << std::flush;
    };
  }
  const machine::ProbeResult r = machine::measure_read_bandwidth(p, progress);  // throws llmsize::Error
  if (ctx.progress) ctx.err << "\r\033[K" << std::flush;
  return r;
}

std::unique_ptr<Result> run_probe(Context& ctx, const ProbeCommandOptions& o) {
  if (o.show && o.reset) throw InputError("use --show or --reset, not both");
  if (o.show) return show_machine_profile("probe");
  if (o.reset) return reset_machine_profile("probe");

  const machine::DetectSource source = machine::detect_source_from_environment();
  ProbeReport r;
  r.options = probe_options(o, source);
  r.measured = measure(ctx, r.options);
  r.stored = {r.measured.read_gb_per_s, r.measured.threads, r.measured.seconds, machine::read_cpu_model(source),
              machine::iso_utc_now()};
  r.theoretical = theoretical_for(ctx.catalog, r.stored.cpu_model);
  r.profile_path = machine_profile_path();
  if (!o.dry_run) {
    machine::MachineProfile profile = load_machine_profile();
    profile.bandwidth = r.stored;
    save_machine_profile(profile);
    r.saved = true;
  }
  return std::make_unique<ProbeCommandResult>(std::move(r));
}

}  // namespace

CommandSpec probe_command() {
  return {"probe", "Measure this machine's memory read bandwidth with all cores and store it in your profile", false,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<ProbeCommandOptions>();
            cmd.add_option("--seconds", o->seconds, "How long to measure (default 3)")->check(CLI::Range(0.01, 600.0));
            cmd.add_option("--threads", o->threads, "Threads (default: every logical CPU)")->check(CLI::Range(1, 4096));
            cmd.add_option("--buffer-mib", o->buffer_mib,
                           "Buffer size over all threads in MiB (default: max(1 GiB, 8 × last-level cache), at most 1/4 "
                           "of free RAM)")
                ->check(CLI::Range(1, 1 << 24));
            cmd.add_flag("--dry-run", o->dry_run, "Measure and print; store nothing");
            cmd.add_flag("--show", o->show, "Print what your profile holds (bandwidth, fitted factors) and exit");
            cmd.add_flag("--reset", o->reset, "Delete your profile ($XDG_CONFIG_HOME/llmsize/machine.json) and exit");
            return [o](Context& ctx) { return run_probe(ctx, *o); };
          },
          {}};
}

}  // namespace llmsize::cli
