#pragma once
// One parser per collection: JSON object in, typed engine record out, errors to the sink.
#include "json_reader.h"

namespace llmsize::catalog {

[[nodiscard]] EntryMeta read_meta(ObjectReader& r);
[[nodiscard]] bool is_valid_id(std::string_view id);

[[nodiscard]] Gpu parse_gpu(ObjectReader& r);
[[nodiscard]] UnifiedSystem parse_system(ObjectReader& r);
[[nodiscard]] Cpu parse_cpu(ObjectReader& r);
[[nodiscard]] RamKind parse_ram_kind(ObjectReader& r);
[[nodiscard]] StorageKind parse_storage(ObjectReader& r);
[[nodiscard]] Link parse_link(ObjectReader& r);
[[nodiscard]] Model parse_model(ObjectReader& r);
[[nodiscard]] TensorType parse_tensor_type(ObjectReader& r);
[[nodiscard]] Quant parse_quant(ObjectReader& r);
[[nodiscard]] Benchmark parse_benchmark(ObjectReader& r);

/// Checks across quants: llama_ftype and quality_rank each name at most one quant.
void validate_quants(const std::vector<Quant>& quants, std::vector<Diagnostic>& errors);

/// Tensor group names a quant rule may name.
[[nodiscard]] const std::vector<std::string_view>& tensor_group_names();

}  // namespace llmsize::catalog
