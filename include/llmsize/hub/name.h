#pragma once
/// The remote names --model and `inspect` accept, and the URLs they resolve to, as huggingface_hub
/// builds them (`hf_hub_url`): {endpoint}/{repo}/resolve/{revision}/{file}.
///
///   hf:ORG/REPO[@REVISION]                 config.json (+ model.safetensors.index.json), sized at --quant
///   hf:ORG/REPO[@REVISION]:QUANT           the repository's GGUF file whose name carries QUANT
///   hf:ORG/REPO[@REVISION]/PATH/FILE.gguf  that GGUF file
///   http(s)://HOST/.../FILE.gguf           a GGUF file anywhere
#include <string>
#include <vector>

namespace llmsize::hub {

enum class NameKind {
  hf_config,  ///< hf:ORG/REPO
  hf_quant,   ///< hf:ORG/REPO:QUANT
  hf_file,    ///< hf:ORG/REPO/FILE.gguf
  url,        ///< http(s)://.../FILE.gguf
};

struct RemoteName {
  NameKind kind = NameKind::hf_config;
  std::string text;             ///< as the user wrote it
  std::string repo;             ///< ORG/REPO (hf: names)
  std::string revision = "main";
  std::string quant;            ///< hf_quant
  std::string file;             ///< hf_file: the path inside the repository
  std::string url;              ///< url
};

inline constexpr const char* kDefaultEndpoint = "https://huggingface.co";

/// True for names this module reads: `hf:...`, `http://...`, `https://...`.
[[nodiscard]] bool is_remote_name(const std::string& name);

/// Parses a remote name; throws llmsize::Error naming the accepted forms.
[[nodiscard]] RemoteName parse_remote_name(const std::string& name);

/// Percent-encodes everything outside RFC 3986's unreserved set; `keep_slash` leaves `/` as is (paths).
[[nodiscard]] std::string percent_encode(const std::string& text, bool keep_slash);

/// {endpoint}/{repo}/resolve/{revision}/{file}; the revision encoded whole (refs/pr/1 -> refs%2Fpr%2F1),
/// the file path by segment.
[[nodiscard]] std::string resolve_url(const std::string& endpoint, const std::string& repo, const std::string& revision,
                                      const std::string& file);

/// {endpoint}/api/models/{repo}/revision/{revision}: the repository's file list (`siblings[].rfilename`).
[[nodiscard]] std::string model_info_url(const std::string& endpoint, const std::string& repo, const std::string& revision);

/// The parts of a split GGUF named by URL or repository path ("x-00001-of-00003.gguf" -> three names,
/// a query string kept on each); any other name -> itself.
[[nodiscard]] std::vector<std::string> split_part_names(const std::string& name);

/// The GGUF file of `repo_files` (paths in a repository) whose name carries `quant` as a whole token,
/// case-insensitively (Q4_K_M matches "Qwen3-8B-Q4_K_M.gguf" and "Q4_K_M/x-00001-of-00002.gguf", not
/// "x-Q4_K_M_L.gguf"); vision projectors (mmproj) are skipped and split parts count as one file, their
/// first part returned. Throws llmsize::Error when none or several match, listing the candidates.
[[nodiscard]] std::string gguf_file_for_quant(const std::vector<std::string>& repo_files, const std::string& quant,
                                              const std::string& label);

}  // namespace llmsize::hub
