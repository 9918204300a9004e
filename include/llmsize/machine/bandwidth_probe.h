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

#include "llmsize/machine/detect.h"

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

/// Measures read bandwidth; the result is the median pass (engine median()). Throws llmsize::Error when there is not a word of buffer per thread,
/// or when a thread cannot allocate its buffer (the message says how much, and what to change).
[[nodiscard]] ProbeResult measure_read_bandwidth(const ProbeOptions& options, const ProbeProgress& progress);

/// bytes / seconds in GB/s (1e9 bytes); 0 when seconds is not positive.
[[nodiscard]] double gb_per_s(std::uint64_t bytes, double seconds);

/// Buffer size for the probe: the larger of 1 GiB and 8 × the last-level cache, but at most a
/// quarter of the available memory (never below 64 MiB). Inputs in bytes; 0 means unknown.
[[nodiscard]] std::uint64_t default_probe_bytes(std::uint64_t last_level_cache_bytes, std::uint64_t available_bytes);

/// The largest cache level of `source`'s sys/devices/system/cpu/cpu0/cache/index*/size; 0 when unreadable.
[[nodiscard]] std::uint64_t read_last_level_cache_bytes(const DetectSource& source);
/// MemAvailable of `source`'s proc/meminfo (parse_meminfo), 0 when unreadable.
[[nodiscard]] std::uint64_t read_available_memory_bytes(const DetectSource& source);
/// The CPU's model name in `source`'s proc/cpuinfo (parse_cpuinfo), "" when unreadable.
[[nodiscard]] std::string read_cpu_model(const DetectSource& source);
/// Now as ISO 8601 UTC, e.g. 2025-11-21T11:32:05Z.
[[nodiscard]] std::string iso_utc_now();

}  // namespace llmsize::machine
