#pragma once
// Every field of every catalog record, listed once. The compiled catalog's encoder and decoder
// (compiled.cpp) and the test that compares it with a fresh JSON load (tests/catalog/compiled_test.cpp)
// walk records through these lists, so the three cannot disagree about which fields exist.
//
// Adding a field to a record in include/llmsize/engine/*.h: add one `v("name", r.field);` line to its
// list below. A field of a new struct type also needs that struct's own `fields` overload here (with
// `Record<NewType>`); booleans, unsigned integers, enums, doubles, strings, std::optional and
// std::vector of any of these need nothing more. A field left out is caught by the test "the compiled
// catalog equals the catalog the JSON files give" as soon as one entry sets it.
#include <concepts>
#include <type_traits>

#include "llmsize/catalog/catalog.h"

namespace llmsize::catalog {

/// `T` is the record type `U`, const or not: one list serves the encoder (const) and the decoder.
template <class T, class U>
concept Record = std::same_as<std::remove_const_t<T>, U>;

template <class V, Record<engine::EntryMeta> T>
void fields(V& v, T& r) {
  v("id", r.id);
  v("name", r.name);
  v("source", r.source);
  v("notes", r.notes);
  v("aliases", r.aliases);
  v("origin_file", r.origin_file);
  v("origin_pointer", r.origin_pointer);
}

template <class V, Record<engine::Gpu> T>
void fields(V& v, T& r) {
  v("meta", r.meta);
  v("vendor", r.vendor);
  v("form_factor", r.form_factor);
  v("memory_gib", r.memory_gib);
  v("memory_type", r.memory_type);
  v("architecture", r.architecture);
  v("bus_width_bits", r.bus_width_bits);
  v("memory_data_rate_gbps", r.memory_data_rate_gbps);
  v("bandwidth_gb_per_s", r.bandwidth_gb_per_s);
  v("fp16_tensor_tflops", r.fp16_tensor_tflops);
  v("fp16_tensor_fp32acc_tflops", r.fp16_tensor_fp32acc_tflops);
  v("int8_dp4a_tops", r.int8_dp4a_tops);
  v("fp32_tflops", r.fp32_tflops);
  v("tdp_watts", r.tdp_watts);
  v("tdp_max_watts", r.tdp_max_watts);
  v("idle_watts", r.idle_watts);
  v("launch_year", r.launch_year);
  v("launch_price_usd", r.launch_price_usd);
  v("backends", r.backends);
  v("pcie_gen", r.pcie_gen);
  v("pcie_lanes", r.pcie_lanes);
  v("nvlink", r.nvlink);
}

template <class V, Record<engine::MemoryOption> T>
void fields(V& v, T& r) {
  v("memory_gib", r.memory_gib);
  v("price_usd", r.price_usd);
}

template <class V, Record<engine::UnifiedSystem> T>
void fields(V& v, T& r) {
  v("meta", r.meta);
  v("vendor", r.vendor);
  v("form_factor", r.form_factor);
  v("memory_options", r.memory_options);
  v("memory_type", r.memory_type);
  v("architecture", r.architecture);
  v("cpu_architecture", r.cpu_architecture);
  v("bus_width_bits", r.bus_width_bits);
  v("bandwidth_gb_per_s", r.bandwidth_gb_per_s);
  v("cpu_cores", r.cpu_cores);
  v("gpu_cores", r.gpu_cores);
  v("fp16_tflops", r.fp16_tflops);
  v("fp32_tflops", r.fp32_tflops);
  v("gpu_memory_fraction", r.gpu_memory_fraction);
  v("tdp_watts", r.tdp_watts);
  v("tdp_max_watts", r.tdp_max_watts);
  v("idle_watts", r.idle_watts);
  v("launch_year", r.launch_year);
  v("backends", r.backends);
  v("simd", r.simd);
}

template <class V, Record<engine::Cpu> T>
void fields(V& v, T& r) {
  v("meta", r.meta);
  v("vendor", r.vendor);
  v("platform", r.platform);
  v("form_factor", r.form_factor);
  v("cores", r.cores);
  v("threads", r.threads);
  v("base_clock_ghz", r.base_clock_ghz);
  v("boost_clock_ghz", r.boost_clock_ghz);
  v("simd", r.simd);
  v("fp32_flops_per_cycle", r.fp32_flops_per_cycle);
  v("memory_channels", r.memory_channels);
  v("memory_channel_width_bits", r.memory_channel_width_bits);
  v("ram_kinds", r.ram_kinds);
  v("max_memory_gib", r.max_memory_gib);
  v("tdp_watts", r.tdp_watts);
  v("tdp_max_watts", r.tdp_max_watts);
  v("launch_year", r.launch_year);
  v("launch_price_usd", r.launch_price_usd);
}

template <class V, Record<engine::RamKind> T>
void fields(V& v, T& r) {
  v("meta", r.meta);
  v("generation", r.generation);
  v("transfer_rate_mt_per_s", r.transfer_rate_mt_per_s);
  v("channel_width_bits", r.channel_width_bits);
}

template <class V, Record<engine::StorageKind> T>
void fields(V& v, T& r) {
  v("meta", r.meta);
  v("kind", r.kind);
  v("read_mb_per_s", r.read_mb_per_s);
}

template <class V, Record<engine::Link> T>
void fields(V& v, T& r) {
  v("meta", r.meta);
  v("kind", r.kind);
  v("bandwidth_gb_per_s", r.bandwidth_gb_per_s);
  v("latency_us", r.latency_us);
}

template <class V, Record<engine::MlaDims> T>
void fields(V& v, T& r) {
  v("q_lora_rank", r.q_lora_rank);
  v("kv_lora_rank", r.kv_lora_rank);
  v("qk_rope_head_dim", r.qk_rope_head_dim);
  v("qk_nope_head_dim", r.qk_nope_head_dim);
  v("v_head_dim", r.v_head_dim);
}

template <class V, Record<engine::MoeDims> T>
void fields(V& v, T& r) {
  v("n_experts", r.n_experts);
  v("n_active_experts", r.n_active_experts);
  v("expert_ffn_size", r.expert_ffn_size);
  v("n_shared_experts", r.n_shared_experts);
  v("shared_expert_ffn_size", r.shared_expert_ffn_size);
  v("n_dense_leading_layers", r.n_dense_leading_layers);
  v("moe_layer_step", r.moe_layer_step);
  v("expert_bias", r.expert_bias);
  v("router_bias", r.router_bias);
  v("shared_expert_gate", r.shared_expert_gate);
}

template <class V, Record<engine::SsmDims> T>
void fields(V& v, T& r) {
  v("kind", r.kind);
  v("d_inner", r.d_inner);
  v("d_state", r.d_state);
  v("d_conv", r.d_conv);
  v("n_groups", r.n_groups);
  v("n_heads", r.n_heads);
  v("head_dim", r.head_dim);
  v("lora_mix", r.lora_mix);
  v("lora_decay", r.lora_decay);
  v("lora_iclr", r.lora_iclr);
  v("lora_value_mix", r.lora_value_mix);
  v("lora_gate", r.lora_gate);
}

template <class V, Record<engine::LayerShape> T>
void fields(V& v, T& r) {
  v("mixer", r.mixer);
  v("ffn", r.ffn);
  v("ffn_size", r.ffn_size);
  v("n_heads", r.n_heads);
  v("n_kv_heads", r.n_kv_heads);
  v("head_dim", r.head_dim);
  v("sliding", r.sliding);
  v("v_from_k", r.v_from_k);
}

template <class V, Record<engine::PerLayerInputs> T>
void fields(V& v, T& r) {
  v("size", r.size);
  v("altup_inputs", r.altup_inputs);
  v("laurel_rank", r.laurel_rank);
}

template <class V, Record<engine::NativeTensorType> T>
void fields(V& v, T& r) {
  v("tensors", r.tensors);
  v("type", r.type);
}

template <class V, Record<engine::IndexerDims> T>
void fields(V& v, T& r) {
  v("n_heads", r.n_heads);
  v("head_dim", r.head_dim);
  v("top_k", r.top_k);
}

template <class V, Record<engine::VisionSpec> T>
void fields(V& v, T& r) {
  v("projector_params", r.projector_params);
  v("projector_f32_params", r.projector_f32_params);
  v("embedding_length", r.embedding_length);
  v("feed_forward_length", r.feed_forward_length);
  v("head_count", r.head_count);
  v("ffn_gated", r.ffn_gated);
  v("window_attention", r.window_attention);
  v("deepstack_layers", r.deepstack_layers);
  v("merge", r.merge);
  v("warmup_image_size", r.warmup_image_size);
  v("patch_size", r.patch_size);
  v("projection_dim", r.projection_dim);
  v("image_tokens", r.image_tokens);
  v("image_tokens_note", r.image_tokens_note);
  v("source", r.source);
}

template <class V, Record<engine::Model> T>
void fields(V& v, T& r) {
  v("meta", r.meta);
  v("family", r.family);
  v("arch", r.arch);
  v("hf_repo", r.hf_repo);
  v("params_total", r.params_total);
  v("params_active", r.params_active);
  v("params_vision", r.params_vision);
  v("n_layers", r.n_layers);
  v("hidden_size", r.hidden_size);
  v("n_heads", r.n_heads);
  v("n_kv_heads", r.n_kv_heads);
  v("n_kv_heads_per_layer", r.n_kv_heads_per_layer);
  v("head_dim", r.head_dim);
  v("head_dim_v", r.head_dim_v);
  v("ffn_size", r.ffn_size);
  v("ffn_gated", r.ffn_gated);
  v("vocab_size", r.vocab_size);
  v("tied_embeddings", r.tied_embeddings);
  v("context_length", r.context_length);
  v("rope_scaling", r.rope_scaling);
  v("attention_bias", r.attention_bias);
  v("attention_output_bias", r.attention_output_bias);
  v("qk_norm", r.qk_norm);
  v("norm", r.norm);
  v("sliding_window", r.sliding_window);
  v("sliding_window_pattern", r.sliding_window_pattern);
  v("mla", r.mla);
  v("moe", r.moe);
  v("ssm", r.ssm);
  v("attention_layers", r.attention_layers);
  v("kv_shared_from_layer", r.kv_shared_from_layer);
  v("release_year", r.release_year);
  v("layers", r.layers);
  v("per_layer_inputs", r.per_layer_inputs);
  v("attention_output_gate", r.attention_output_gate);
  v("native_types", r.native_types);
  v("indexer", r.indexer);
  v("nextn_layers", r.nextn_layers);
  v("vision", r.vision);
}

template <class V, Record<engine::TensorType> T>
void fields(V& v, T& r) {
  v("meta", r.meta);
  v("block_weights", r.block_weights);
  v("block_bytes", r.block_bytes);
  v("ggml_type", r.ggml_type);
  v("fallback", r.fallback);
  v("kv_cache", r.kv_cache);
  v("cpu_repack", r.cpu_repack);
  v("cpu_matmul_speed", r.cpu_matmul_speed);
  v("gpu_kernel", r.gpu_kernel);
}

template <class V, Record<engine::QuantRule> T>
void fields(V& v, T& r) {
  v("tensors", r.tensors);
  v("type", r.type);
  v("layers", r.layers);
  v("min_gqa", r.min_gqa);
  v("min_experts", r.min_experts);
}

template <class V, Record<engine::Quant> T>
void fields(V& v, T& r) {
  v("meta", r.meta);
  v("format", r.format);
  v("default_type", r.default_type);
  v("vector_type", r.vector_type);
  v("rules", r.rules);
  v("quality_note", r.quality_note);
  v("llama_ftype", r.llama_ftype);
  v("quality_rank", r.quality_rank);
  v("keeps_native_types", r.keeps_native_types);
}

/// The collections the compiled catalog holds: all but the benchmark rows, which only calibration
/// reads (and the build has already fitted: machine/baked_calibration.h).
template <class V, Record<Catalog> T>
void fields(V& v, T& r) {
  v("gpus", r.gpus);
  v("systems", r.systems);
  v("cpus", r.cpus);
  v("ram_kinds", r.ram_kinds);
  v("storage", r.storage);
  v("links", r.links);
  v("models", r.models);
  v("tensor_types", r.tensor_types);
  v("quants", r.quants);
}

}  // namespace llmsize::catalog
