#include <map>
#include <tuple>

#include "json_reader.h"
#include "parse_entries.h"
#include "validate.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::catalog {

std::string Diagnostic::to_string() const { return file + ": " + location + ": " + message; }

namespace {

constexpr std::uint64_t kSchemaVersion = 1;

template <class T>
struct Collection {
  Collection(std::string_view k, T (*p)(ObjectReader&)) : key(k), parse(p) {}
  std::string_view key;
  T (*parse)(ObjectReader&);
  std::vector<T> items;
  std::vector<Json> raw;
  std::map<std::string, std::size_t> index;  // id -> position in items
  std::map<std::string, int> layer_of;       // id -> layer that defined it
};

struct Collections {
  Collection<Gpu> gpus{"gpus", parse_gpu};
  Collection<UnifiedSystem> systems{"systems", parse_system};
  Collection<Cpu> cpus{"cpus", parse_cpu};
  Collection<RamKind> ram_kinds{"ram_kinds", parse_ram_kind};
  Collection<StorageKind> storage{"storage", parse_storage};
  Collection<Link> links{"links", parse_link};
  Collection<Model> models{"models", parse_model};
  Collection<TensorType> tensor_types{"tensor_types", parse_tensor_type};
  Collection<Quant> quants{"quants", parse_quant};
  Collection<Benchmark> benchmarks{"benchmarks", parse_benchmark};

  template <class F>
  void for_each(F&& f) {
    f(gpus), f(systems), f(cpus), f(ram_kinds), f(storage), f(links), f(models), f(tensor_types),
        f(quants), f(benchmarks);
  }
};

std::string location_of(const std::string& text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// nlohmann's message reads "[json.exception.parse_error.101] parse error at line 3, column 5: syntax
// error while parsing ..."; keep what follows the location.
std::string parse_message(const std::string& what) {
  const auto column = what.find("column ");
  if (column != std::string::npos) {
    const auto colon = what.find(": ", column);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  const auto bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

// The keys of a JSON text's top-level object, read without building the document: strings are
// skipped with their escapes, nested values by bracket depth. Empty when the text is not an object
// or is malformed (the full parse then reports where).
std::vector<std::string> top_level_keys(std::string_view text) {
  std::vector<std::string> keys;
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r')) ++i;
  };
  // Moves past the string starting at text[i] == '"'; false when it does not end.
  const auto skip_string = [&]() -> bool {
    for (++i; i < text.size(); ++i) {
      if (text[i] == '\\') {
        ++i;
      } else if (text[i] == '"') {
        ++i;
        return true;
      }
    }
    return false;
  };
  skip_space();
  if (i >= text.size() || text[i] != '{') return {};
  ++i;
  for (;;) {
    skip_space();
    if (i < text.size() && text[i] == '}') return keys;
    if (i >= text.size() || text[i] != '"') return {};
    const std::size_t start = i + 1;
    if (!skip_string()) return {};
    keys.emplace_back(text.substr(start, i - 1 - start));
    skip_space();
    if (i >= text.size() || text[i] != ':') return {};
    ++i;
    int depth = 0;  // the value: up to the ',' or '}' at depth 0
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '"') {
        if (!skip_string()) return {};
        --i;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) break;
        --depth;
      } else if (c == ',' && depth == 0) {
        break;
      }
    }
    if (i >= text.size()) return {};
    if (text[i] == ',') ++i;
  }
}

// A file with nothing but benchmark rows (and its schema_version), which a load without benchmarks
// need not parse.
bool only_benchmarks(const SourceText& file) {
  const std::vector<std::string> keys = top_level_keys(file.text);
  bool rows = false;
  for (const std::string& key : keys) {
    if (key == "benchmarks") {
      rows = true;
    } else if (key != "schema_version") {
      return false;
    }
  }
  return rows;
}

template <class T>
void add_entry(Collection<T>& c, T entry, const Json* raw, int layer, ErrorSink& sink,
               const std::string& pointer) {
  const std::string id = entry.meta.id;
  if (id.empty()) return;
  auto found = c.index.find(id);
  if (found == c.index.end()) {
    c.index[id] = c.items.size();
    c.layer_of[id] = layer;
    c.items.push_back(std::move(entry));
    if (raw != nullptr) c.raw.push_back(*raw);
    return;
  }
  const T& previous = c.items[found->second];
  if (c.layer_of[id] == layer) {
    sink.error(pointer_append(pointer, "id"), "duplicate id \"" + id + "\" (first defined at " +
                                                  previous.meta.origin_file + ": " +
                                                  previous.meta.origin_pointer + ")");
    return;
  }
  c.items[found->second] = std::move(entry);  // an overlay replaces the entry with its id
  if (raw != nullptr) c.raw[found->second] = *raw;
  c.layer_of[id] = layer;
}

void load_file(const SourceText& file, int layer, bool keep_raw, Collections& cols, std::vector<Diagnostic>& errors) {
  ErrorSink sink(file.name, errors);
  Json doc;
  try {
    doc = Json::parse(file.text);
  } catch (const Json::parse_error& e) {
    errors.push_back({file.name, location_of(file.text, e.byte), parse_message(e.what())});
    return;
  }
  ObjectReader top(doc, "", sink);
  if (!top.valid()) return;
  const auto version = top.req_uint("schema_version", 0, 1'000'000);
  if (top.has("schema_version") && version != kSchemaVersion) {
    sink.error("/schema_version", "unsupported schema_version " + std::to_string(version) +
                                      " (this llmsize reads " + std::to_string(kSchemaVersion) + ")");
    return;
  }
  cols.for_each([&](auto& c) {
    if (!top.has(c.key)) return;
    const Json& array = doc[std::string(c.key)];
    const std::string ptr = pointer_append("", c.key);
    if (!array.is_array()) {
      sink.error(ptr, "expected an array of entries, got " + describe_type(array));
      return;
    }
    for (std::size_t i = 0; i < array.size(); ++i) {
      const std::string entry_ptr = pointer_append(ptr, i);
      ObjectReader reader(array[i], entry_ptr, sink);
      if (!reader.valid()) continue;
      add_entry(c, c.parse(reader), keep_raw ? &array[i] : nullptr, layer, sink, entry_ptr);
    }
  });
  top.finish();
}

}  // namespace

LoadResult load(const std::vector<SourceText>& base, const std::vector<SourceText>& overlays, const LoadOptions& options) {
  LoadResult result;
  Collections cols;
  const bool keep_raw = options.keep_merged_json;
  for (const SourceText& file : base) {
    if (!options.benchmarks && only_benchmarks(file)) continue;
    load_file(file, 0, keep_raw, cols, result.errors);
  }
  int layer = 1;
  for (const SourceText& file : overlays) load_file(file, layer++, keep_raw, cols, result.errors);
  if (!options.benchmarks) {
    cols.benchmarks.items.clear();
    cols.benchmarks.raw.clear();
  }

  Catalog& cat = result.catalog;
  cat.gpus = std::move(cols.gpus.items);
  cat.systems = std::move(cols.systems.items);
  cat.cpus = std::move(cols.cpus.items);
  cat.ram_kinds = std::move(cols.ram_kinds.items);
  cat.storage = std::move(cols.storage.items);
  cat.links = std::move(cols.links.items);
  cat.models = std::move(cols.models.items);
  cat.tensor_types = std::move(cols.tensor_types.items);
  cat.quants = std::move(cols.quants.items);
  cat.benchmarks = std::move(cols.benchmarks.items);
  cat.benchmarks_loaded = options.benchmarks;
  validate_references(cat, result.errors);

  if (options.keep_merged_json) {
    Json merged = Json::object();
    merged["schema_version"] = kSchemaVersion;
    cols.for_each([&](auto& c) { merged[std::string(c.key)] = c.raw; });
    result.merged_json = merged.dump(2);
  }
  return result;
}

}  // namespace llmsize::catalog
