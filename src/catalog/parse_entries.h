#pragma once
// One parser per collection: JSON object in, typed engine record out, errors to the sink.
#include <array>
#include <string_view>
#include <vector>

#include "json_reader.h"
#include "llmsize/engine/entry.h"

namespace llmsize::catalog {

[[nodiscard]] engine::EntryMeta read_meta(ObjectReader& r);
[[nodiscard]] bool is_valid_id(std::string_view id);

[[nodiscard]] engine::Gpu parse_gpu(ObjectReader& r);
[[nodiscard]] engine::UnifiedSystem parse_system(ObjectReader& r);
[[nodiscard]] engine::Cpu parse_cpu(ObjectReader& r);
[[nodiscard]] engine::RamKind parse_ram_kind(ObjectReader& r);
[[nodiscard]] engine::StorageKind parse_storage(ObjectReader& r);
[[nodiscard]] engine::Link parse_link(ObjectReader& r);
[[nodiscard]] engine::Model parse_model(ObjectReader& r);
[[nodiscard]] engine::TensorType parse_tensor_type(ObjectReader& r);
[[nodiscard]] engine::Quant parse_quant(ObjectReader& r);
[[nodiscard]] engine::Benchmark parse_benchmark(ObjectReader& r);

/// Checks across quants: llama_ftype and quality_rank each name at most one quant.
void validate_quants(const std::vector<engine::Quant>& quants, std::vector<Diagnostic>& errors);

/// The ids of a name table in its order: an index the reader returns is a row of that table.
template <class E, std::size_t N>
[[nodiscard]] std::vector<std::string_view> ids_of(const std::array<engine::EnumName<E>, N>& table) {
  std::vector<std::string_view> ids;
  for (const auto& row : table) ids.emplace_back(row.id);
  return ids;
}

/// Tensor group names a quant rule may name.
[[nodiscard]] const std::vector<std::string_view>& tensor_group_names();

}  // namespace llmsize::catalog
