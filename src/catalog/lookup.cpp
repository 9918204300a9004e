#include <algorithm>
#include <cctype>
#include <numeric>

#include "llmsize/catalog/catalog.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::catalog {

std::string normalize_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '_' || c == ' ') {
      out += '-';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

namespace {
// ASCII only, as std::tolower in the "C" locale llmsize runs in; inline, since a name lookup compares
// a name with every entry of a collection.
char normalized(char c) {
  if (c == '_' || c == ' ') return '-';
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
}  // namespace

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (normalized(a[i]) != normalized(b[i])) return false;
  }
  return true;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  std::iota(prev.begin(), prev.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(std::string_view name, const std::vector<std::string>& candidates) {
  const std::string key = normalize_name(name);
  std::string best;
  std::size_t best_score = static_cast<std::size_t>(-1);
  for (const std::string& candidate : candidates) {
    const std::string norm = normalize_name(candidate);
    std::size_t score = edit_distance(key, norm);
    // A typed prefix or fragment ("3090" for "rtx-3090") is a strong hint.
    if (!key.empty() && norm.find(key) != std::string::npos) score = std::min<std::size_t>(score, 1);
    if (score < best_score) {
      best_score = score;
      best = candidate;
    }
  }
  const std::size_t longer = std::max(key.size(), best.size());
  // Accept suggestions that share at least about a third of the characters.
  if (best.empty() || best_score * 3 > longer * 2) return {};
  return best;
}

bool is_size_shorthand(std::string_view name) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i])) != 0) ++i;
    return i > start;
  };
  if (!digits()) return false;
  if (i < name.size() && name[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i + 1 != name.size()) return false;
  const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  return unit == 'b' || unit == 'm';
}

namespace {

// Whether `word` is one of the words of `name` (split at - _ : / and spaces), ignoring case.
bool has_word(std::string_view name, std::string_view word) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    const bool end = i == name.size() || name[i] == '-' || name[i] == '_' || name[i] == ':' || name[i] == '/' || name[i] == ' ';
    if (!end) continue;
    if (same_name(name.substr(start, i - start), word)) return true;
    start = i + 1;
  }
  return false;
}

}  // namespace

std::vector<const Model*> size_matches(const std::vector<Model>& models, std::string_view shorthand) {
  std::vector<const Model*> out;
  if (!is_size_shorthand(shorthand)) return out;
  for (const Model& m : models) {
    bool match = has_word(m.meta.id, shorthand);
    for (std::size_t a = 0; !match && a < m.meta.aliases.size(); ++a) match = has_word(m.meta.aliases[a], shorthand);
    if (match) out.push_back(&m);
  }
  return out;
}

const RamKind* fastest_ram_kind(const Catalog& cat, const Cpu& c) {
  const RamKind* best = nullptr;
  for (const std::string& id : c.ram_kinds) {
    const RamKind* k = find(cat.ram_kinds, id);
    if (k != nullptr && (best == nullptr || k->transfer_rate_mt_per_s > best->transfer_rate_mt_per_s)) best = k;
  }
  return best;
}

}  // namespace llmsize::catalog
