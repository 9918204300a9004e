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

template <class T>
void add_entry(Collection<T>& c, T entry, const Json& raw, int layer, ErrorSink& sink,
               const std::string& pointer) {
  const std::string id = entry.meta.id;
  if (id.empty()) return;
  auto found = c.index.find(id);
  if (found == c.index.end()) {
    c.index[id] = c.items.size();
    c.layer_of[id] = layer;
    c.items.push_back(std::move(entry));
    c.raw.push_back(raw);
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
  c.raw[found->second] = raw;
  c.layer_of[id] = layer;
}

void load_file(const SourceText& file, int layer, Collections& cols, std::vector<Diagnostic>& errors) {
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
      add_entry(c, c.parse(reader), array[i], layer, sink, entry_ptr);
    }
  });
  top.finish();
}

}  // namespace

LoadResult load(const std::vector<SourceText>& base, const std::vector<SourceText>& overlays, bool keep_merged_json) {
  LoadResult result;
  Collections cols;
  for (const SourceText& file : base) load_file(file, 0, cols, result.errors);
  int layer = 1;
  for (const SourceText& file : overlays) load_file(file, layer++, cols, result.errors);

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
  validate_references(cat, result.errors);

  if (keep_merged_json) {
    Json merged = Json::object();
    merged["schema_version"] = kSchemaVersion;
    cols.for_each([&](auto& c) { merged[std::string(c.key)] = c.raw; });
    result.merged_json = merged.dump(2);
  }
  return result;
}

}  // namespace llmsize::catalog
