#pragma once
/// Unit constants. GB is 1e9 bytes, GiB is 2^30 bytes; every quantity's name carries its unit.
#include <cstdint>

namespace llmsize::units {

inline constexpr std::uint64_t kKiB = 1024ULL;
inline constexpr std::uint64_t kMiB = 1024ULL * kKiB;
inline constexpr std::uint64_t kGiB = 1024ULL * kMiB;
inline constexpr std::uint64_t kGB = 1'000'000'000ULL;
inline constexpr std::uint64_t kMB = 1'000'000ULL;

inline constexpr double kBytesPerGiB = static_cast<double>(kGiB);
inline constexpr double kBytesPerGB = static_cast<double>(kGB);
inline constexpr double kFlopsPerTflop = 1e12;
inline constexpr double kSecondsPerHour = 3600.0;
inline constexpr double kWattHoursPerKwh = 1000.0;
inline constexpr double kSecondsPerMicrosecond = 1e-6;
inline constexpr double kHzPerGHz = 1e9;
inline constexpr double kMillisecondsPerSecond = 1e3;

/// Rounds a non-negative byte amount given as a double to the nearest byte.
[[nodiscard]] constexpr std::uint64_t to_bytes(double bytes) {
  return bytes <= 0.0 ? 0ULL : static_cast<std::uint64_t>(bytes + 0.5);
}

[[nodiscard]] constexpr std::uint64_t gib_to_bytes(double gib) { return to_bytes(gib * kBytesPerGiB); }
[[nodiscard]] constexpr double bytes_to_gib(std::uint64_t bytes) {
  return static_cast<double>(bytes) / kBytesPerGiB;
}
[[nodiscard]] constexpr double bytes_to_gb(std::uint64_t bytes) {
  return static_cast<double>(bytes) / kBytesPerGB;
}
[[nodiscard]] constexpr double bytes_to_mib(std::uint64_t bytes) {
  return static_cast<double>(bytes) / static_cast<double>(kMiB);
}

/// Data-sheet rates to SI: "936 GB/s" is decimal (1e9 bytes per second).
[[nodiscard]] constexpr double gb_per_s_to_bytes_per_s(double gb_per_s) { return gb_per_s * kBytesPerGB; }
[[nodiscard]] constexpr double tflops_to_flops(double tflops) { return tflops * kFlopsPerTflop; }
[[nodiscard]] constexpr double ghz_to_hz(double ghz) { return ghz * kHzPerGHz; }
[[nodiscard]] constexpr double us_to_s(double microseconds) { return microseconds * kSecondsPerMicrosecond; }
[[nodiscard]] constexpr double s_to_ms(double seconds) { return seconds * kMillisecondsPerSecond; }
[[nodiscard]] constexpr double s_to_us(double seconds) { return seconds / kSecondsPerMicrosecond; }
[[nodiscard]] constexpr double bytes_per_s_to_gb_per_s(double bytes_per_s) { return bytes_per_s / kBytesPerGB; }

/// Parameter counts as people say them: 8,030,261,248 → 8.03 (billion).
[[nodiscard]] constexpr double to_billions(double count) { return count / 1e9; }

/// Rounds `value` up to a multiple of `multiple` (multiple > 0).
[[nodiscard]] constexpr std::uint64_t pad_to(std::uint64_t value, std::uint64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

}  // namespace llmsize::units
