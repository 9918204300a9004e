#pragma once
/// Models on the Hugging Face Hub, or any GGUF URL, read without downloading them: a config.json (and
/// the safetensors index), or only the header of a GGUF file through HTTP range requests. What was read
/// is cached, so the next run needs no network. docs/hub.md describes names, settings and errors.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/engine/quant.h"
#include "llmsize/hub/name.h"
#include "llmsize/hub/transport.h"
#include "llmsize/modelfile/model_file.h"

namespace llmsize::hub {

/// Where and how to fetch, as huggingface_hub reads its environment.
struct Settings {
  std::string endpoint = kDefaultEndpoint;                ///< HF_ENDPOINT, no trailing slash
  std::optional<std::string> token;                       ///< HF_TOKEN, or the token file `hf auth login` wrote
  std::optional<std::filesystem::path> cache_root;        ///< $XDG_CACHE_HOME/llmsize/hub; nullopt: no cache
  bool offline = false;                                   ///< --offline or HF_HUB_OFFLINE=1: the cache only
  long timeout_ms = 10000;                                ///< HF_HUB_DOWNLOAD_TIMEOUT (s), huggingface_hub's default 10
};

/// Reads HF_ENDPOINT, HF_TOKEN (else the file at HF_TOKEN_PATH, else $HF_HOME/token, else
/// ~/.cache/huggingface/token), HF_HUB_OFFLINE, HF_HUB_DOWNLOAD_TIMEOUT, XDG_CACHE_HOME and HOME.
/// `offline` (the --offline flag) wins over HF_HUB_OFFLINE. Throws llmsize::Error for a malformed value.
[[nodiscard]] Settings settings_from_environment(bool offline);

/// One file (or API answer) that was read.
struct FetchedFile {
  std::string url;
  std::optional<std::uint64_t> file_bytes;    ///< the whole file's size (GGUF: from Content-Range)
  std::optional<std::uint64_t> header_bytes;  ///< GGUF: where tensor data starts
  std::uint64_t bytes_fetched = 0;            ///< body bytes this run transferred (0 when from the cache)
  bool from_cache = false;
};

/// What was fetched and from where, for --json (`inputs.model_source`) and `inspect`.
struct ModelSource {
  NameKind kind = NameKind::hf_config;
  std::string name;      ///< as the user wrote it
  std::string repo;      ///< hf: names
  std::string revision;  ///< hf: names
  std::string url;       ///< the model's first file: config.json, or the GGUF (first part)
  std::vector<FetchedFile> files;

  [[nodiscard]] std::uint64_t bytes_fetched() const;
  [[nodiscard]] bool from_cache() const;  ///< every file came from the cache
};

[[nodiscard]] const char* to_string(NameKind kind);

struct RemoteModel {
  modelfile::ModelFile file;
  ModelSource source;
};

/// Reads a remote model. `transport` may be null when settings.offline. Throws llmsize::Error with one
/// line naming the fix for every failure (HTTP status, network, timeout, size cap, bad file).
[[nodiscard]] RemoteModel load_remote_model(const std::string& name, const std::vector<engine::TensorType>& types,
                                            const Settings& settings, Transport* transport);

/// Size caps: larger answers are refused, not read.
inline constexpr std::uint64_t kMaxConfigBytes = 16ULL << 20U;     ///< config.json (as a local one)
inline constexpr std::uint64_t kMaxIndexBytes = 64ULL << 20U;      ///< model.safetensors.index.json
inline constexpr std::uint64_t kMaxModelInfoBytes = 32ULL << 20U;  ///< /api/models/... (a file list)
inline constexpr std::uint64_t kMaxGgufHeaderBytes = 256ULL << 20U;  ///< bytes read of one GGUF file
/// The first range read of a GGUF file; later ranges grow by a quarter of what was read, at least this.
inline constexpr std::uint64_t kFirstRangeBytes = 256U << 10U;

}  // namespace llmsize::hub
