#include "gguf_keys.h"

#include <cmath>

namespace llmsize::modelfile {
namespace {

std::string format(double x) {
  if (std::isfinite(x) && std::fabs(x) < 1e18 && x == std::floor(x)) return std::to_string(static_cast<long long>(x));
  return std::to_string(x);
}

}  // namespace

void GgufKeys::fail(const std::string& key, const std::string& problem) const {
  throw ModelFileError(f_.path + ": " + key + ": " + problem);
}

std::optional<std::uint64_t> GgufKeys::uint(const std::string& suffix, std::uint64_t lo, std::uint64_t hi) const {
  const GgufValue* v = find(suffix);
  if (v == nullptr) return std::nullopt;
  return check_uint(full(suffix), *v, lo, hi);
}

std::uint64_t GgufKeys::required(const std::string& suffix, std::uint64_t lo, std::uint64_t hi) const {
  const auto v = uint(suffix, lo, hi);
  if (!v) fail(full(suffix), "missing (required to size the model)");
  return *v;
}

std::optional<std::vector<std::uint64_t>> GgufKeys::per_layer(const std::string& suffix, std::uint64_t n_layers,
                                                              std::uint64_t lo, std::uint64_t hi) const {
  const GgufValue* v = find(suffix);
  if (v == nullptr) return std::nullopt;
  const std::string key = full(suffix);
  if (v->type != GgufType::array) return std::vector<std::uint64_t>(n_layers, check_uint(key, *v, lo, hi));
  if (!v->numbers_kept) fail(key, "expected an array of integers");
  if (v->numbers.size() != n_layers) {
    fail(key, "has " + std::to_string(v->numbers.size()) + " values for " + std::to_string(n_layers) + " layers");
  }
  std::vector<std::uint64_t> out;
  out.reserve(v->numbers.size());
  for (double x : v->numbers) {
    if (!(x >= static_cast<double>(lo) && x <= static_cast<double>(hi)) || x != std::floor(x)) {
      fail(key, "per-layer value " + format(x) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    out.push_back(static_cast<std::uint64_t>(x));
  }
  return out;
}

std::uint64_t GgufKeys::check_uint(const std::string& key, const GgufValue& v, std::uint64_t lo, std::uint64_t hi) const {
  const auto x = v.as_uint();
  if (!x) fail(key, std::string("expected a non-negative integer, found ") + to_string(v.type));
  if (*x < lo || *x > hi) {
    fail(key, std::to_string(*x) + " is outside the plausible range " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return *x;
}

}  // namespace llmsize::modelfile
