#pragma once
/// The built-in catalog as compiled data. The build loads and validates data/*.json once
/// (tools/bake.cpp; any catalog error fails the build), encodes every entry except the benchmark rows
/// into bytes and compiles them into the binary; a command without a --catalog overlay decodes them
/// instead of parsing and checking 0.7 MB of JSON on every start. The test "the compiled catalog
/// equals the catalog the JSON files give" keeps the two identical, field for field.
#include <string>
#include <string_view>

#include "llmsize/catalog/catalog.h"

namespace llmsize::catalog {

/// The catalog's entries, benchmark rows left out, as bytes that decode() reads back. The format is
/// private to one build (the encoder and the decoder are compiled from the same field lists,
/// src/catalog/record_fields.h); it is never stored or exchanged.
[[nodiscard]] std::string encode(const Catalog& catalog);

/// The catalog encode() wrote, with no benchmark rows (benchmarks_loaded false). Throws
/// std::logic_error on bytes it did not write (a build fault, never a user's input).
[[nodiscard]] Catalog decode(std::string_view bytes);

/// The built-in catalog: `load(embedded_files(), {}, {.benchmarks = false}).catalog`, decoded from the
/// bytes the build compiled in. Defined by the generated baked_catalog.cpp (library llmsize_baked).
[[nodiscard]] Catalog compiled_catalog();

}  // namespace llmsize::catalog
