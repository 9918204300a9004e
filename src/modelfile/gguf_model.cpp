// GGUF metadata and tensor table -> engine Model and exact per-tensor bytes.
// Keys follow llama.cpp src/llama-arch.cpp (LLM_KV_*); what an architecture implies beyond its
// keys is in arch_traits.cpp. docs/model-files.md lists every key read.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <utility>

#include "arch_traits.h"
#include "gguf_keys.h"
#include "gguf_tensors.h"
#include "llmsize/modelfile/model_file.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::modelfile {
namespace {

using u64 = std::uint64_t;
using u32 = std::uint32_t;

std::string read_arch(const GgufFile& head) {
  const GgufValue* value = head.find("general.architecture");
  if (value == nullptr || value->as_string() == nullptr || value->as_string()->empty()) {
    throw ModelFileError(head.path + ": general.architecture: missing (every GGUF model names its architecture)");
  }
  const std::string arch = *value->as_string();
  if (arch.size() > 64 || !std::all_of(arch.begin(), arch.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
      })) {
    throw ModelFileError(head.path + ": general.architecture: \"" + arch.substr(0, 64) + "\" is not an architecture name");
  }
  return arch;
}

void check_split_count(const GgufFile& head, std::size_t n_parts) {
  const GgufValue* n = head.find("split.count");
  if (n == nullptr) return;
  const auto count = n->as_uint();
  if (!count || *count != n_parts) {
    throw ModelFileError(head.path + ": split.count: the file says " + (count ? std::to_string(*count) : "?") + " parts, " +
                         std::to_string(n_parts) + " were found");
  }
}

void read_identity(const GgufFile& head, const std::string& arch, ModelFile& mf) {
  Model& m = mf.model;
  m.arch = arch;
  m.family = arch;
  m.meta.id = std::filesystem::path(head.path).filename().string();
  if (const GgufValue* name = head.find("general.name"); name != nullptr && name->as_string() != nullptr && !name->as_string()->empty()) {
    m.meta.name = name->as_string()->substr(0, 200);
  } else {
    m.meta.name = m.meta.id;
    mf.inferred.push_back("general.name missing: the file name is used");
  }
  m.meta.source = head.path;
  m.meta.origin_file = head.path;
}

void read_size(const GgufKeys& k, ModelFile& mf) {
  Model& m = mf.model;
  m.n_layers = narrow(k.required("block_count", 1, kMaxLayers));
  m.hidden_size = narrow(k.required("embedding_length", 1, kMaxWidth));
  if (const auto ctx = k.uint("context_length", 1, kMaxContext)) {
    m.context_length = narrow(*ctx);
  } else {
    m.context_length = kFallbackContextTokens;
    mf.inferred.push_back(k.full("context_length") + " missing: " + std::to_string(kFallbackContextTokens) + " tokens assumed");
  }
}

// Layers with zero KV heads have no attention (recurrent or none).
void read_kv_heads(const GgufKeys& k, bool has_heads, ModelFile& mf) {
  Model& m = mf.model;
  const auto kv_heads = k.per_layer("attention.head_count_kv", m.n_layers, 0, kMaxHeads);
  if (!kv_heads) {
    m.n_kv_heads = m.n_heads;
    if (has_heads) mf.inferred.push_back(k.full("attention.head_count_kv") + " missing: as many KV heads as heads (no GQA)");
    return;
  }
  m.n_kv_heads = narrow(*std::max_element(kv_heads->begin(), kv_heads->end()));
  const bool uniform = std::all_of(kv_heads->begin(), kv_heads->end(), [&](u64 h) { return h == kv_heads->front(); });
  if (uniform) return;
  std::vector<u32> attention;
  for (u32 il = 0; il < m.n_layers; ++il) {
    m.n_kv_heads_per_layer.push_back(narrow((*kv_heads)[il]));
    if ((*kv_heads)[il] > 0) attention.push_back(il);
  }
  if (attention.size() < m.n_layers) m.attention_layers = attention;
}

// Heads: scalar or per layer. A recurrent architecture may have none.
void read_heads(const GgufKeys& k, bool recurrent, ModelFile& mf) {
  Model& m = mf.model;
  const auto heads = k.per_layer("attention.head_count", m.n_layers, 0, kMaxHeads);
  if (!heads && !recurrent) k.fail(k.full("attention.head_count"), "missing (required to size the KV cache)");
  if (heads) m.n_heads = narrow(*std::max_element(heads->begin(), heads->end()));
  if (heads && m.n_heads == 0 && !recurrent) k.fail(k.full("attention.head_count"), "is 0 on every layer");
  read_kv_heads(k, heads.has_value(), mf);
  if (m.n_heads > 0 && m.n_kv_heads > m.n_heads) {
    k.fail(k.full("attention.head_count_kv"),
           std::to_string(m.n_kv_heads) + " KV heads is more than the " + std::to_string(m.n_heads) + " attention heads");
  }
}

void read_head_dims(const GgufKeys& k, ModelFile& mf) {
  Model& m = mf.model;
  if (const auto key_length = k.uint("attention.key_length", 1, kMaxWidth)) m.head_dim = narrow(*key_length);
  if (const auto value_length = k.uint("attention.value_length", 1, kMaxWidth)) m.head_dim_v = narrow(*value_length);
  if (!m.head_dim && m.n_heads > 0) {
    if (m.hidden_size % m.n_heads != 0) {
      k.fail(k.full("attention.key_length"), "missing, and embedding_length is not a multiple of head_count");
    }
    mf.inferred.push_back(k.full("attention.key_length") + " missing: head_dim = embedding_length / head_count = " +
                          std::to_string(m.hidden_size / m.n_heads));
  }
  if (const auto ffn = k.per_layer("feed_forward_length", m.n_layers, 0, kMaxWidth)) {
    m.ffn_size = narrow(*std::max_element(ffn->begin(), ffn->end()));
  }
}

// Multi-head latent attention (DeepSeek-V2/V3, Kimi K2): present when kv_lora_rank is.
void read_mla(const GgufKeys& k, Model& m) {
  const auto kv_lora = k.uint("attention.kv_lora_rank", 1, kMaxWidth);
  if (!kv_lora) return;
  MlaDims d;
  d.kv_lora_rank = narrow(*kv_lora);
  d.q_lora_rank = narrow(k.uint("attention.q_lora_rank", 0, kMaxWidth).value_or(0));
  d.qk_rope_head_dim = narrow(k.required("rope.dimension_count", 1, kMaxWidth));
  const u64 key_mla = k.uint("attention.key_length_mla", 1, kMaxWidth).value_or(m.head_dim.value_or(0));
  if (key_mla <= d.qk_rope_head_dim) {
    k.fail(k.full("attention.key_length_mla"), "must be larger than rope.dimension_count " + std::to_string(d.qk_rope_head_dim));
  }
  d.qk_nope_head_dim = narrow(key_mla - d.qk_rope_head_dim);
  d.v_head_dim = narrow(k.uint("attention.value_length_mla", 1, kMaxWidth).value_or(m.head_dim_v.value_or(0)));
  m.mla = d;
}

void read_moe(const GgufKeys& k, Model& m) {
  const auto experts = k.uint("expert_count", 0, kMaxExperts);
  if (!experts || *experts == 0) return;
  MoeDims e;
  e.n_experts = narrow(*experts);
  e.n_active_experts = narrow(k.required("expert_used_count", 1, *experts));
  e.expert_ffn_size = narrow(k.uint("expert_feed_forward_length", 0, kMaxWidth).value_or(m.ffn_size));
  e.n_shared_experts = narrow(k.uint("expert_shared_count", 0, kMaxExperts).value_or(0));
  if (const auto shared = k.uint("expert_shared_feed_forward_length", 0, kMaxWidth)) e.shared_expert_ffn_size = narrow(*shared);
  e.n_dense_leading_layers = narrow(k.uint("leading_dense_block_count", 0, m.n_layers).value_or(0));
  e.moe_layer_step = narrow(k.uint("interleave_moe_layer_step", 1, m.n_layers).value_or(1));
  m.moe = e;
}

SsmDims read_ssm_dims(const GgufKeys& k, SsmKind kind, Model& m) {
  SsmDims s;
  s.kind = kind;
  if (kind == SsmKind::shortconv) {
    s.d_conv = narrow(k.required("shortconv.l_cache", 2, 1024));
    s.d_inner = m.hidden_size;
  } else if (kind == SsmKind::rwkv6 || kind == SsmKind::rwkv7) {
    // Every block is recurrent: token-shift and wkv states (llama_hparams::n_embd_r / n_embd_s).
    s.head_dim = narrow(k.required("wkv.head_size", 1, kMaxWidth));
    s.d_inner = narrow(k.uint("attention_hidden_size", 1, kMaxWidth).value_or(m.hidden_size));
    m.attention_layers = std::vector<u32>{};
  } else {
    s.d_conv = narrow(k.required("ssm.conv_kernel", 1, 1024));
    s.d_inner = narrow(k.required("ssm.inner_size", 1, kMaxWidth));
    s.d_state = narrow(k.required("ssm.state_size", 1, kMaxWidth));
    s.n_groups = narrow(k.uint("ssm.group_count", 0, kMaxHeads).value_or(1));
    s.n_heads = narrow(k.uint("ssm.time_step_rank", 0, kMaxWidth).value_or(0));
  }
  return s;
}

// Recurrent state (Mamba, Mamba-2 hybrids, Qwen3-Next, LFM2, RWKV) and which layers attend.
void read_ssm(const GgufKeys& k, SsmKind kind, Model& m) {
  m.ssm = read_ssm_dims(k, kind, m);
  if (const auto interval = k.uint("full_attention_interval", 1, m.n_layers)) {
    std::vector<u32> attention;
    for (u32 il = 0; il < m.n_layers; ++il) {
      if ((il + 1) % *interval == 0) attention.push_back(il);
    }
    m.attention_layers = attention;
  }
  if (m.attention_layers && m.n_heads == 0) k.fail(k.full("attention.head_count"), "missing for the attention layers");
}

// attention.sliding_window_pattern: a period, or one bool per layer (true: sliding).
std::optional<u32> read_swa_pattern(const GgufKeys& k, u32 n_layers) {
  const GgufValue* p = k.find("attention.sliding_window_pattern");
  if (p == nullptr) return std::nullopt;
  const std::string key = k.full("attention.sliding_window_pattern");
  if (p->type != GgufType::array) return narrow(k.check_uint(key, *p, 1, n_layers));
  if (!p->numbers_kept || p->numbers.size() != n_layers) k.fail(key, "expected one value per layer");
  const auto sliding = std::make_unique<bool[]>(n_layers);
  for (u32 il = 0; il < n_layers; ++il) sliding[il] = p->numbers[il] != 0.0;
  const auto period = swa_period({sliding.get(), n_layers});
  if (!period) k.fail(key, "per-layer pattern does not repeat; llmsize models a repeating pattern only");
  return period;
}

void read_swa(const GgufKeys& k, const SwaDefault& swa, ModelFile& mf) {
  Model& m = mf.model;
  const auto window = k.uint("attention.sliding_window", 0, kMaxContext);
  const std::optional<u32> pattern = read_swa_pattern(k, m.n_layers);
  const bool arch_slides = swa.pattern > 0;
  if (arch_slides || pattern) {
    const u64 w = swa.window > 0 ? swa.window : window.value_or(0);
    if (w > 0) {
      m.sliding_window = narrow(w);
      m.sliding_window_pattern = pattern.value_or(arch_slides ? swa.pattern : 1);
    } else if (arch_slides) {
      k.fail(k.full("attention.sliding_window"), "missing (" + k.arch() + " uses sliding-window attention)");
    }
  } else if (window && *window > 0) {
    mf.inferred.push_back(k.full("attention.sliding_window") + " = " + std::to_string(*window) +
                          " is not used by llama.cpp for " + k.arch() + "; every layer keeps the full context");
  }
}

void read_vocab(const GgufKeys& k, const GgufFile& head, Model& m) {
  if (const auto vocab = k.uint("vocab_size", 1, kMaxVocab)) {
    m.vocab_size = narrow(*vocab);
    return;
  }
  if (m.vocab_size > 0) return;  // token_embd's second dimension
  const GgufValue* tokens = head.find("tokenizer.ggml.tokens");
  if (tokens != nullptr && tokens->type == GgufType::array && tokens->array_length > 0 && tokens->array_length <= kMaxVocab) {
    m.vocab_size = narrow(tokens->array_length);
  } else {
    k.fail(k.full("vocab_size"), "missing, and neither token_embd nor tokenizer.ggml.tokens gives it");
  }
}

void count_weights(const TensorTotals& t, Model& m) {
  m.params_total = t.total_elements;
  if (!m.moe || m.moe->n_experts == 0) return;
  const double inactive = static_cast<double>(t.routed_elements) *
                          (1.0 - static_cast<double>(m.moe->n_active_experts) / static_cast<double>(m.moe->n_experts));
  m.params_active = t.total_elements - static_cast<u64>(std::llround(inactive));
}

// The file's weights are its own; general.file_type only labels them (the CLI names it from the catalog).
void read_file_type(const GgufFile& head, ModelFile& mf) {
  mf.weights_source = WeightsSource::file;
  if (const GgufValue* ft = head.find("general.file_type"); ft != nullptr && ft->as_uint()) {
    mf.llama_ftype = *ft->as_uint();
  } else {
    mf.inferred.push_back("general.file_type missing: the quantization is named \"unknown\"; tensor types are exact");
  }
}

// Per-layer shapes of DeciLM, Nemotron-H and Gemma 4 from llama.cpp's per-layer arrays: a layer attends
// when it has KV heads; DeciLM's with heads but no KV heads is a linear layer; Nemotron-H's layer is
// recurrent when it has neither KV heads nor an FFN (load_hparams: recurrent_layer_arr); an FFN of
// width 0 is none. Gemma 4's sliding layers take attention.key_length_swa as their head size.
void read_layer_shapes(const GgufKeys& k, const LayerShapeTraits& traits, bool recurrent, ModelFile& mf) {
  Model& m = mf.model;
  const auto heads = k.per_layer("attention.head_count", m.n_layers, 0, kMaxHeads);
  const auto kv = k.per_layer("attention.head_count_kv", m.n_layers, 0, kMaxHeads);
  const auto ffn = k.per_layer("feed_forward_length", m.n_layers, 0, kMaxWidth);
  if (!heads || !kv || !ffn) return;
  const auto head_swa = k.uint("attention.key_length_swa", 1, kMaxWidth);
  if (traits.ungated_ffn) m.ffn_gated = false;
  if (traits.dense_beside_experts && m.moe && !m.moe->shared_expert_ffn_size) {
    m.moe->n_shared_experts = 1;  // the dense FFN, always active
    m.moe->shared_expert_ffn_size = m.ffn_size;
  }
  std::vector<LayerShape> layers(m.n_layers);
  for (u32 il = 0; il < m.n_layers; ++il) {
    LayerShape& s = layers[il];
    if ((*kv)[il] > 0) {
      s.mixer = MixerKind::attention;
      s.n_heads = narrow((*heads)[il]);
      s.n_kv_heads = narrow((*kv)[il]);
    } else if ((*heads)[il] > 0 && !recurrent) {
      s.mixer = MixerKind::linear;
    } else {
      s.mixer = recurrent && (*ffn)[il] == 0 ? MixerKind::recurrent : MixerKind::none;
    }
    if ((*ffn)[il] == 0) {
      s.ffn = FfnKind::none;
    } else {
      s.ffn = m.moe ? FfnKind::moe : FfnKind::dense;
      s.ffn_size = narrow((*ffn)[il]);
    }
    if (head_swa && s.mixer == MixerKind::attention && is_sliding_layer(m, il)) s.head_dim = narrow(*head_swa);
  }
  m.layers = std::move(layers);
  m.attention_layers.reset();
  m.n_kv_heads_per_layer.clear();
}

// Per-layer token embeddings (Gemma 3n, Gemma 4 E2B/E4B): <arch>.embedding_length_per_layer_input.
void read_per_layer_inputs(const GgufKeys& k, Model& m) {
  const auto size = k.uint("embedding_length_per_layer_input", 0, kMaxWidth);
  if (!size || *size == 0) return;
  PerLayerInputs p;
  p.size = narrow(*size);
  p.altup_inputs = narrow(k.uint("altup.num_inputs", 0, 64).value_or(0));
  m.per_layer_inputs = p;
}

// The architecture's hyperparameters, each step in the order llama.cpp's load_hparams reads them.
// <arch>.nextn_predict_layers (llama.cpp LLM_KV_NEXTN_PREDICT_LAYERS): the last block_count layers are
// MTP blocks that llama.cpp loads with TENSOR_SKIP and never runs; the trunk is what it sizes and runs.
void split_nextn(const GgufKeys& k, Model& m) {
  const u32 nextn = narrow(k.uint("nextn_predict_layers", 0, m.n_layers - 1).value_or(0));
  if (nextn == 0) return;
  m.nextn_layers = nextn;
  m.n_layers -= nextn;
  if (m.n_kv_heads_per_layer.size() > m.n_layers) m.n_kv_heads_per_layer.resize(m.n_layers);
  if (m.attention_layers) {
    std::erase_if(*m.attention_layers, [&](u32 il) { return il >= m.n_layers; });
  }
}

void read_architecture(const GgufKeys& k, const ArchTraits* traits, ModelFile& mf) {
  Model& m = mf.model;
  const bool recurrent = traits != nullptr && traits->recurrent.has_value();
  read_size(k, mf);
  read_heads(k, recurrent, mf);
  read_head_dims(k, mf);
  read_mla(k, m);
  read_moe(k, m);
  if (recurrent) read_ssm(k, *traits->recurrent, m);
  read_swa(k, traits != nullptr ? traits->swa : SwaDefault{}, mf);
  if (traits != nullptr && traits->kv_shared_from_layer > 0 && m.n_layers > traits->kv_shared_from_layer) {
    m.kv_shared_from_layer = traits->kv_shared_from_layer;
  }
  split_nextn(k, m);
  if (traits == nullptr || !traits->layers.per_layer) return;
  read_layer_shapes(k, traits->layers, recurrent, mf);
  read_per_layer_inputs(k, m);
  if (traits->layers.kv_shared_key) {  // llama.cpp: n_layer_kv_from_start = n_layer − shared_kv_layers
    const u64 shared = k.uint("attention.shared_kv_layers", 0, m.n_layers).value_or(0);
    if (shared > 0 && m.n_layers - shared >= 2) m.kv_shared_from_layer = narrow(m.n_layers - shared);
  }
}

}  // namespace

ModelFile model_from_gguf(std::vector<GgufFile> parts, const std::vector<TensorType>& types) {
  if (parts.empty()) throw ModelFileError("no GGUF file given");
  const GgufFile& head = parts.front();
  ModelFile mf;
  mf.path = head.path;
  mf.format = "gguf";
  mf.gguf_version = head.version;
  for (const GgufFile& p : parts) {
    mf.parts.push_back(p.path);
    mf.file_bytes += p.file_bytes;
  }
  const std::string arch = read_arch(head);
  const GgufKeys k(head, arch);
  check_split_count(head, parts.size());
  read_identity(head, arch, mf);
  read_architecture(k, arch_traits(arch), mf);

  const TensorTotals totals = read_tensors(parts, types, k, mf);
  if (mf.tensors.empty()) throw ModelFileError(head.path + ": the file holds no tensors (a vocabulary-only GGUF?)");
  if (!totals.has_token_embd) mf.inferred.push_back("no token_embd tensor: the vocabulary size comes from the metadata");
  mf.model.tied_embeddings = !totals.has_output;
  read_vocab(k, head, mf.model);
  count_weights(totals, mf.model);
  read_file_type(head, mf);
  mf.metadata = head.metadata;
  return mf;
}

ModelFile load_gguf(const std::string& path, const std::vector<TensorType>& types) {
  std::vector<GgufFile> parts;
  for (const std::string& part : split_parts(path)) {
    const auto source = open_file(part);
    parts.push_back(read_gguf(*source, part));
  }
  ModelFile mf = model_from_gguf(std::move(parts), types);
  mf.path = path;
  return mf;
}

}  // namespace llmsize::modelfile
