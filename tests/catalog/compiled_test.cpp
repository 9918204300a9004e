// The built-in catalog compiled in at build time (tools/bake.cpp, catalog/compiled.h) against the
// catalog the JSON files give, and the encoding it uses.
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <sstream>
#include <stdexcept>

#include "catalog/record_fields.h"
#include "llmsize/catalog/compiled.h"

using namespace llmsize;

namespace {

// Every field of a catalog as "path = value" lines, from the same field lists the encoder reads: when
// the compiled catalog differs from the loaded one, the first differing line names the field.
class Describe {
 public:
  std::vector<std::string> lines;

  template <class T>
  void operator()(const char* name, const T& value) {
    const std::size_t size = path_.size();
    path_ += path_.empty() ? name : std::string(".") + name;
    put(value);
    path_.resize(size);
  }

 private:
  std::string path_;

  template <class T>
  void put(const T& value) {
    if constexpr (std::is_same_v<T, bool> || std::is_unsigned_v<T>) {
      line(std::to_string(value));
    } else if constexpr (std::is_enum_v<T>) {
      line(std::to_string(static_cast<long long>(value)));
    } else if constexpr (std::is_same_v<T, double>) {
      std::ostringstream s;
      s.precision(17);
      s << value;
      line(s.str());
    } else if constexpr (std::is_same_v<T, std::string>) {
      line('"' + value + '"');
    } else if constexpr (requires { value.has_value(); *value; }) {
      if (value) {
        put(*value);
      } else {
        line("none");
      }
    } else if constexpr (requires { value.size(); value.begin(); }) {
      line("size " + std::to_string(value.size()));
      const std::size_t size = path_.size();
      for (std::size_t i = 0; i < value.size(); ++i) {
        path_ += "[" + std::to_string(i) + "]";
        put(value[i]);
        path_.resize(size);
      }
    } else {
      catalog::fields(*this, value);
    }
  }
  void line(const std::string& value) { lines.push_back(path_ + " = " + value); }
};

std::vector<std::string> describe(const catalog::Catalog& c) {
  Describe d;
  catalog::fields(d, c);
  return d.lines;
}

catalog::Catalog loaded_without_benchmarks() {
  catalog::LoadOptions options;
  options.benchmarks = false;
  catalog::LoadResult r = catalog::load(catalog::embedded_files(), {}, options);
  REQUIRE(r.ok());
  return std::move(r.catalog);
}

}  // namespace

TEST_CASE("the compiled catalog equals the catalog the JSON files give", "[catalog][compiled]") {
  // operator== compares every field of every record (defaulted), so a field the encoder's lists
  // (src/catalog/record_fields.h) leave out fails here as soon as one entry sets it.
  const catalog::Catalog compiled = catalog::compiled_catalog();
  const catalog::Catalog loaded = loaded_without_benchmarks();
  const std::vector<std::string> a = describe(compiled);
  const std::vector<std::string> b = describe(loaded);
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] != b[i]) {
      FAIL_CHECK("first difference: compiled " << a[i] << ", loaded " << b[i]);
      break;
    }
  }
  CHECK(a.size() == b.size());
  // A field missing from the lists is missing from the descriptions too: name the first entry it differs in.
  const auto first_unequal = [](const char* collection, const auto& x, const auto& y) {
    for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
      if (!(x[i] == y[i])) {
        FAIL_CHECK(collection << "[" << i << "] (" << y[i].meta.id
                              << ") differs: a field its list in src/catalog/record_fields.h leaves out?");
        return;
      }
    }
  };
  first_unequal("gpus", compiled.gpus, loaded.gpus);
  first_unequal("systems", compiled.systems, loaded.systems);
  first_unequal("cpus", compiled.cpus, loaded.cpus);
  first_unequal("ram_kinds", compiled.ram_kinds, loaded.ram_kinds);
  first_unequal("storage", compiled.storage, loaded.storage);
  first_unequal("links", compiled.links, loaded.links);
  first_unequal("models", compiled.models, loaded.models);
  first_unequal("tensor_types", compiled.tensor_types, loaded.tensor_types);
  first_unequal("quants", compiled.quants, loaded.quants);
  CHECK(compiled == loaded);
  CHECK_FALSE(compiled.benchmarks_loaded);
  CHECK(compiled.benchmarks.empty());
  // Not an empty catalog equal to an empty load.
  CHECK(compiled.models.size() >= 265);
  CHECK(compiled.gpus.size() >= 50);
  REQUIRE(catalog::find(compiled.models, "llama-3.1-8b") != nullptr);
  CHECK(catalog::find(compiled.models, "llama-3.1-8b")->params_total == 8'030'261'248);
}

TEST_CASE("the encoding keeps every value exactly", "[catalog][compiled]") {
  catalog::Catalog c;
  engine::Gpu g;
  g.meta.id = "x";
  g.meta.name = std::string(300, 'n');         // a length over one varint byte (300 = 0xac 0x02)
  g.meta.aliases = {"a", "", "quote\"back\\slash\n"};
  g.memory_gib = 0.1;                          // not exact in binary: the bits must survive
  g.bandwidth_gb_per_s = -0.0;
  g.bus_width_bits = 0;                        // present and zero differs from absent
  g.launch_year = 4'294'967'295U;              // the largest uint32
  g.backends = {engine::Backend::cpu, engine::Backend::cuda};
  c.gpus.push_back(g);
  engine::Model m;
  m.meta.id = "m";
  m.params_total = 18'446'744'073'709'551'615ULL;  // the largest uint64: ten varint bytes
  m.moe = engine::MoeDims{};
  m.moe->n_experts = 8;
  m.moe->n_active_experts = 2;
  m.moe->expert_bias = true;
  m.attention_layers = std::vector<std::uint32_t>{};  // present and empty differs from absent
  c.models.push_back(m);
  c.benchmarks_loaded = false;

  const catalog::Catalog back = catalog::decode(catalog::encode(c));
  CHECK(back == c);
  CHECK(std::bit_cast<std::uint64_t>(back.gpus[0].bandwidth_gb_per_s) == std::bit_cast<std::uint64_t>(-0.0));
  CHECK(back.gpus[0].bus_width_bits == std::optional<std::uint32_t>(0));
  CHECK(back.models[0].attention_layers.has_value());
}

TEST_CASE("bytes the encoder did not write are refused, not read past", "[catalog][compiled]") {
  const std::string bytes = catalog::encode(catalog::compiled_catalog());
  CHECK_THROWS_AS(catalog::decode(bytes.substr(0, bytes.size() / 2)), std::logic_error);
  CHECK_THROWS_AS(catalog::decode(bytes + "x"), std::logic_error);
  // A count larger than the bytes left: nine collections, the first claiming 2^35 GPUs.
  CHECK_THROWS_AS(catalog::decode(std::string("\x80\x80\x80\x80\x80\x01", 6)), std::logic_error);
  catalog::Catalog empty;
  empty.benchmarks_loaded = false;
  CHECK(catalog::decode(std::string(9, '\0')) == empty);  // nine empty collections
}
