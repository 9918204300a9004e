// Memory read bandwidth with all cores (llmsize probe). The measuring kernel is here; the command,
// its progress bar and the profile are in src/cli/cmd_probe.cpp.
#include "llmsize/machine/bandwidth_probe.h"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <thread>

#include "llmsize/engine/speed.h"
#include "llmsize/error.h"
#include "llmsize/units.h"
#include "text.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::machine {
namespace {

using Clock = std::chrono::steady_clock;

using units::kGiB;
using units::kKiB;
using units::kMiB;
constexpr std::uint64_t kMinProbeBytes = 64 * kMiB;
constexpr std::uint64_t kCacheMultiple = 8;  // buffers this many times the last-level cache
constexpr std::uint64_t kAvailableDivisor = 4;  // never take more than a quarter of free memory

constexpr std::size_t kBufferAlignment = 2 * 1024 * 1024;  // huge-page aligned: fewer TLB misses, no split lines

// Sums a buffer of 64-bit words over four interleaved streams. Integer addition is associative, so
// GCC vectorises it at -O2/-O3 without -ffast-math; the caller publishes the sum, so it cannot be elided.
// The build targets baseline x86-64 (SSE2, 16-byte loads); on x86-64 Linux with GCC the function is also
// compiled for AVX2 and AVX-512 and the widest the CPU has is picked at load time (as llama.cpp's own
// kernels use them). No -march flag is involved.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
std::uint64_t sum_words(const std::uint64_t* words, std::size_t count) {
  const std::size_t quarter = count / 4;
  const std::uint64_t* w0 = words;
  const std::uint64_t* w1 = w0 + quarter;
  const std::uint64_t* w2 = w1 + quarter;
  const std::uint64_t* w3 = w2 + quarter;
  std::uint64_t s0 = 0;
  std::uint64_t s1 = 0;
  std::uint64_t s2 = 0;
  std::uint64_t s3 = 0;
  for (std::size_t i = 0; i < quarter; ++i) {
    s0 += w0[i];
    s1 += w1[i];
    s2 += w2[i];
    s3 += w3[i];
  }
  for (std::size_t i = 4 * quarter; i < count; ++i) s0 += words[i];
  return s0 + s1 + s2 + s3;
}

std::uint64_t parse_size_with_suffix(const std::string& text) {
  std::uint64_t value = 0;
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    ++i;
  }
  if (i == 0) return 0;
  const char unit = i < text.size() ? text[i] : ' ';
  if (unit == 'K') return value * kKiB;
  if (unit == 'M') return value * kMiB;
  if (unit == 'G') return value * kGiB;
  return value;
}

}  // namespace

double gb_per_s(std::uint64_t bytes, double seconds) {
  return seconds > 0 ? units::bytes_per_s_to_gb_per_s(static_cast<double>(bytes) / seconds) : 0;
}

std::uint64_t default_probe_bytes(std::uint64_t last_level_cache_bytes, std::uint64_t available_bytes) {
  std::uint64_t bytes = std::max(kGiB, kCacheMultiple * last_level_cache_bytes);
  if (available_bytes > 0) bytes = std::min(bytes, available_bytes / kAvailableDivisor);
  return std::max(bytes, kMinProbeBytes);
}

ProbeResult measure_read_bandwidth(const ProbeOptions& options, const ProbeProgress& progress) {
  if (options.threads == 0) throw Error("the probe needs at least one thread");
  const std::size_t words_per_thread =
      static_cast<std::size_t>(options.buffer_bytes / options.threads / sizeof(std::uint64_t));
  if (words_per_thread == 0) {
    throw Error("the probe's buffer of " + std::to_string(options.buffer_bytes) + " bytes leaves less than 8 bytes "
                "for each of its " + std::to_string(options.threads) + " threads; use fewer threads or a larger buffer");
  }
  const std::uint32_t n = options.threads;
  const std::uint64_t total_bytes = static_cast<std::uint64_t>(words_per_thread) * sizeof(std::uint64_t) * n;

  // Only the workers run (a coordinating thread would take a core from them on a small machine).
  // Worker 0 leads: it times each pass between the two barriers every worker meets, records it and
  // decides, before the next start barrier, whether there is another pass.
  std::barrier<> sync(static_cast<std::ptrdiff_t>(n));
  bool stop = false;  // written by the leader only between barriers, read by all after one
  std::atomic<bool> failed{false};
  std::vector<std::uint64_t> sums(n, 0);
  ProbeResult r;
  r.threads = n;
  r.buffer_bytes = total_bytes;
  auto work = [&](std::uint32_t t) {
    std::unique_ptr<std::uint64_t[], void (*)(void*)> buffer(nullptr, std::free);
    const std::size_t bytes = units::pad_to(words_per_thread * sizeof(std::uint64_t), kBufferAlignment);
    buffer.reset(static_cast<std::uint64_t*>(std::aligned_alloc(kBufferAlignment, bytes)));
    if (buffer) {
      // First touch by the owning thread: pages become resident (and NUMA-local) before timing.
      for (std::size_t i = 0; i < words_per_thread; ++i) buffer[i] = i ^ t;
    } else {
      failed = true;  // every worker still meets the barriers below; the caller reports it
    }
    sync.arrive_and_wait();  // every buffer touched (or one failed)
    if (t == 0) stop = failed.load();
    const auto begin = Clock::now();
    std::uint64_t total = 0;
    for (;;) {
      sync.arrive_and_wait();  // start of a pass; `stop` is settled
      if (stop) break;
      const auto t0 = Clock::now();
      total += sum_words(buffer.get(), words_per_thread);
      sync.arrive_and_wait();  // every thread is done
      if (t == 0) {
        const auto t1 = Clock::now();
        r.pass_gb_per_s.push_back(gb_per_s(total_bytes, std::chrono::duration<double>(t1 - t0).count()));
        r.seconds = std::chrono::duration<double>(t1 - begin).count();
        if (progress) progress(options.seconds > 0 ? std::min(1.0, r.seconds / options.seconds) : 1.0);
        stop = r.seconds >= options.seconds && r.pass_gb_per_s.size() >= static_cast<std::size_t>(options.min_passes);
      }
    }
    sums[t] = total;
  };
  std::vector<std::thread> workers;
  workers.reserve(n - 1);
  for (std::uint32_t t = 1; t < n; ++t) workers.emplace_back(work, t);
  work(0);  // this thread is worker 0
  for (std::thread& w : workers) w.join();
  if (failed.load()) {
    throw Error("cannot allocate " + std::to_string(total_bytes / kMiB) + " MiB for the probe (" + std::to_string(n) +
                " threads); try a smaller --buffer-mib");
  }
  r.read_gb_per_s = median(r.pass_gb_per_s);
  r.best_gb_per_s = *std::max_element(r.pass_gb_per_s.begin(), r.pass_gb_per_s.end());
  for (std::uint64_t s : sums) r.checksum += s;
  return r;
}

std::uint64_t read_last_level_cache_bytes(const DetectSource& source) {
  std::uint64_t largest = 0;
  for (int index = 0; index < 8; ++index) {
    const auto text = read_source_file(source, "sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size");
    if (text) largest = std::max(largest, parse_size_with_suffix(std::string(trim(*text))));
  }
  return largest;
}

std::uint64_t read_available_memory_bytes(const DetectSource& source) {
  const auto text = read_source_file(source, "proc/meminfo");
  return text ? parse_meminfo(*text).available_bytes.value_or(0) : 0;
}

std::string read_cpu_model(const DetectSource& source) {
  const auto text = read_source_file(source, "proc/cpuinfo");
  return text ? parse_cpuinfo(*text).model_name : "";
}

std::string iso_utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buffer, n);
}

}  // namespace llmsize::machine
