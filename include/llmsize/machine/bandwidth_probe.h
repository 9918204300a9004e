#pragma once
/// `llmsize probe`: this machine's memory read bandwidth with all cores. Each thread allocates and
/// first-touches its own buffer (so its pages are resident, and local to its NUMA node), then all
/// threads sum their buffers together, pass after pass, for a few seconds. A pass is timed from the
/// moment every thread is released to the moment the last one finishes; its bandwidth is the bytes
/// of all buffers over that time. The result is the median pass (the best is reported too).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace llmsize::machine {

struct ProbeOptions {
  std::uint64_t buffer_bytes = 0;  ///< all threads together; split evenly
  std::uint32_t threads = 1;
  double seconds = 3;              ///< measuring time (first touch not counted)
  std::uint32_t min_passes = 3;    ///< even when `seconds` is spent sooner
};

struct ProbeResult {
  double read_gb_per_s = 0;   ///< median of the passes, GB = 1e9 bytes
  double best_gb_per_s = 0;   ///< fastest pass
  std::vector<double> pass_gb_per_s;
  std::uint32_t threads = 0;
  std::uint64_t buffer_bytes = 0;
  double seconds = 0;         ///< measuring time actually spent
  std::uint64_t checksum = 0; ///< sum of what was read (keeps the reads observable)
};

/// Called from the measuring thread with the share of the time spent, 0..1.
using ProbeProgress = std::function<void(double fraction)>;

/// Measures read bandwidth. Throws llmsize::Error when there is not a word of buffer per thread,
/// or when a thread cannot allocate its buffer (the message says how much, and what to change).
[[nodiscard]] ProbeResult measure_read_bandwidth(const ProbeOptions& options, const ProbeProgress& progress);

/// bytes / seconds in GB/s (1e9 bytes); 0 when seconds is not positive.
[[nodiscard]] double gb_per_s(std::uint64_t bytes, double seconds);
/// The median (mean of the two middle values for an even count); 0 for none.
[[nodiscard]] double median_of(std::vector<double> values);

/// Buffer size for the probe: the larger of 1 GiB and 8 × the last-level cache, but at most a
/// quarter of the available memory (never below 64 MiB). Inputs in bytes; 0 means unknown.
[[nodiscard]] std::uint64_t default_probe_bytes(std::uint64_t last_level_cache_bytes, std::uint64_t available_bytes);

/// This machine: /sys/devices/system/cpu/cpu0/cache/index*/size (largest level), 0 when unreadable.
[[nodiscard]] std::uint64_t read_last_level_cache_bytes();
/// This machine: MemAvailable from /proc/meminfo, 0 when unreadable.
[[nodiscard]] std::uint64_t read_available_memory_bytes();
/// "model name" (x86) or "Model"/"Hardware" (ARM) from a /proc/cpuinfo text; "" when absent.
[[nodiscard]] std::string cpu_model_from_cpuinfo(const std::string& cpuinfo_text);
/// This machine's /proc/cpuinfo model name; "" when unreadable.
[[nodiscard]] std::string read_cpu_model();
/// Now as ISO 8601 UTC, e.g. 2025-11-21T11:32:05Z.
[[nodiscard]] std::string iso_utc_now();

}  // namespace llmsize::machine
