// Remote names -> ModelFile: config.json from a repository, or GGUF headers by range requests, each
// through the cache first.
#include "llmsize/hub/hub.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cache.h"
#include "fetch.h"
#include "llmsize/error.h"
#include "remote_file.h"

namespace llmsize::hub {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || v[0] == '\0') return std::nullopt;
  return std::string(v);
}

bool truthy(const std::string& v) { return v == "1" || v == "ON" || v == "on" || v == "YES" || v == "yes" || v == "TRUE" || v == "true"; }

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && (s[start] == ' ' || s[start] == '\t')) ++start;
  return s.substr(start);
}

// huggingface_hub's order: HF_TOKEN, then the file `hf auth login` writes (HF_TOKEN_PATH, else
// $HF_HOME/token, HF_HOME defaulting to $XDG_CACHE_HOME/huggingface or ~/.cache/huggingface).
std::optional<std::string> find_token() {
  if (auto t = env("HF_TOKEN")) return trimmed(*t);
  fs::path file;
  if (auto p = env("HF_TOKEN_PATH")) {
    file = *p;
  } else if (auto h = env("HF_HOME")) {
    file = fs::path(*h) / "token";
  } else if (auto x = env("XDG_CACHE_HOME")) {
    file = fs::path(*x) / "huggingface" / "token";
  } else if (auto home = env("HOME")) {
    file = fs::path(*home) / ".cache" / "huggingface" / "token";
  } else {
    return std::nullopt;
  }
  std::error_code ec;
  if (!fs::is_regular_file(file, ec) || fs::file_size(file, ec) > 4096) return std::nullopt;
  std::ifstream in(file);
  std::string token;
  std::getline(in, token);
  token = trimmed(token);
  if (token.empty()) return std::nullopt;
  return token;
}

std::string repo_name_part(const std::string& repo) { return repo.substr(repo.find('/') + 1); }

/// One file of a GGUF model: where it is, and its cache key.
struct Part {
  std::string url;
  std::string key;
};

class Reader {
 public:
  Reader(const RemoteName& name, const Settings& s, Transport* transport)
      : name_(name), s_(s), cache_(s.cache_root) {
    if (!s.offline) {
      if (transport == nullptr) throw std::logic_error("load_remote_model: no transport and not offline");
      fetcher_.emplace(*transport, s, name.text, name.repo);
    }
    source_.kind = name.kind;
    source_.name = name.text;
    if (name.kind != NameKind::url) {
      source_.repo = name.repo;
      source_.revision = name.revision;
    }
  }

  RemoteModel read(const std::vector<engine::TensorType>& types) {
    RemoteModel out;
    switch (name_.kind) {
      case NameKind::hf_config: out.file = read_config(); break;
      case NameKind::hf_quant: out.file = read_hf_gguf(gguf_for_quant(), types); break;
      case NameKind::hf_file: out.file = read_hf_gguf(name_.file, types); break;
      case NameKind::url: out.file = read_url_gguf(types); break;
    }
    out.file.path = name_.text;
    out.source = std::move(source_);
    // Only now, with the model built: a proxy's error page or a file that does not parse is never kept.
    for (const Pending& p : pending_) {
      if (p.head) {
        cache_.write_head(p.key, p.url, *p.head);
      } else if (p.absent) {
        cache_.write_absent(p.key);
      } else {
        cache_.write(p.key, p.bytes);
      }
    }
    return out;
  }

 private:
  [[noreturn]] void not_cached(const std::string& what) const {
    throw Error(name_.text + ": " + what + " is not in the cache" +
                (cache_.root() ? " (" + cache_.root()->string() + ")" : " (no cache: set XDG_CACHE_HOME or HOME)") +
                "; run once without --offline (and without HF_HUB_OFFLINE)");
  }

  // A small whole file: the cache, else the network. nullopt: the server has none (404, `missing_ok`),
  // which the cache remembers for an optional file (the index) but not for a required one.
  std::optional<std::string> whole(const std::string& url, const std::string& key, std::uint64_t cap, const std::string& what,
                                   bool missing_ok, bool optional_file = false) {
    FetchedFile f{url, std::nullopt, std::nullopt, 0, true};
    std::optional<std::string> body = cache_.read(key);
    if (!body && missing_ok && cache_.has_absent(key)) {
      source_.files.push_back(f);
      return std::nullopt;
    }
    if (!body) {
      if (!fetcher_) not_cached(what);
      body = fetcher_->whole(url, cap, what, missing_ok);
      f.from_cache = false;
      if (body) {
        f.bytes_fetched = body->size();
        pending_.push_back({key, url, *body, false, std::nullopt});
      } else if (optional_file) {
        pending_.push_back({key, url, "", true, std::nullopt});
      }
    }
    if (body) f.file_bytes = body->size();
    source_.files.push_back(f);
    return body;
  }

  modelfile::ModelFile read_config() {
    const std::string config_url = resolve_url(s_.endpoint, name_.repo, name_.revision, "config.json");
    const std::string index_url = resolve_url(s_.endpoint, name_.repo, name_.revision, "model.safetensors.index.json");
    source_.url = config_url;
    const auto config = whole(config_url, hf_cache_key(name_.repo, name_.revision, "config.json"), kMaxConfigBytes, "config.json", true);
    if (!config) {
      throw Error(name_.text + ": the repository has no config.json (HTTP 404 for " + config_url +
                  "); for a GGUF repository name a quantization, hf:" + name_.repo + ":Q4_K_M, or a file, hf:" + name_.repo + "/FILE.gguf");
    }
    const auto index = whole(index_url, hf_cache_key(name_.repo, name_.revision, "model.safetensors.index.json"), kMaxIndexBytes,
                             "model.safetensors.index.json", true, true);
    modelfile::ModelFile mf = modelfile::model_from_config(config_url, *config, index);
    if (index) mf.parts.push_back(index_url);
    // The reader names a local model after its directory; a repository's is its name.
    if (mf.model.meta.name == mf.model.meta.id) mf.model.meta.name = repo_name_part(name_.repo);
    mf.model.meta.id = repo_name_part(name_.repo);
    return mf;
  }

  std::string gguf_for_quant() {
    const std::string url = model_info_url(s_.endpoint, name_.repo, name_.revision);
    const auto info = whole(url, hf_cache_key(name_.repo, name_.revision, "api-model-info.json"), kMaxModelInfoBytes,
                            "the repository's file list", false);
    const auto j = nlohmann::json::parse(*info, nullptr, false);
    std::vector<std::string> files;
    if (j.is_object() && j.contains("siblings") && j["siblings"].is_array()) {
      for (const auto& s : j["siblings"]) {
        if (s.is_object() && s.contains("rfilename") && s["rfilename"].is_string()) files.push_back(s["rfilename"].get<std::string>());
      }
    } else {
      throw Error(name_.text + ": " + url + " did not answer with the Hub's model info (no \"siblings\" list); check HF_ENDPOINT");
    }
    std::string file = gguf_file_for_quant(files, name_.quant, name_.text);
    (void)parse_remote_name("hf:" + name_.repo + "/" + file);  // a file name from the server is checked as a user's
    return file;
  }

  modelfile::ModelFile read_hf_gguf(const std::string& file, const std::vector<engine::TensorType>& types) {
    std::vector<Part> parts;
    for (const std::string& name : split_part_names(file)) {
      parts.push_back({resolve_url(s_.endpoint, name_.repo, name_.revision, name), hf_cache_key(name_.repo, name_.revision, name)});
    }
    return read_gguf(parts, types);
  }

  modelfile::ModelFile read_url_gguf(const std::vector<engine::TensorType>& types) {
    std::vector<Part> parts;
    for (const std::string& url : split_part_names(name_.url)) parts.push_back({url, url_cache_key(url)});
    return read_gguf(parts, types);
  }

  // Every part's header, each from the cache or by range requests.
  modelfile::ModelFile read_gguf(const std::vector<Part>& urls, const std::vector<engine::TensorType>& types) {
    source_.url = urls.front().url;
    std::vector<modelfile::GgufFile> parts;
    for (const auto& [url, key] : urls) {
      std::optional<CachedHead> cached = cache_.read_head(key, url);
      if (!cached && !fetcher_) not_cached("the header of " + url);
      Fetcher* fetcher = fetcher_ ? &*fetcher_ : nullptr;
      RemoteFile file = cached ? RemoteFile(fetcher, url, std::move(cached->bytes), cached->file_bytes) : RemoteFile::open(*fetcher_, url);
      parts.push_back(modelfile::read_gguf(file, url));
      source_.files.push_back({url, file.size(), parts.back().data_offset, file.bytes_fetched(), file.bytes_fetched() == 0});
      if (file.bytes_fetched() > 0) pending_.push_back({key, url, "", false, CachedHead{file.head(), file.size()}});
    }
    return modelfile::model_from_gguf(std::move(parts), types);
  }

  const RemoteName& name_;
  const Settings& s_;
  Cache cache_;
  std::optional<Fetcher> fetcher_;
  ModelSource source_;
  /// What to write to the cache once the model was read: a whole file, a 404 marker, or a GGUF head.
  struct Pending {
    std::string key;
    std::string url;
    std::string bytes;
    bool absent = false;
    std::optional<CachedHead> head;
  };
  std::vector<Pending> pending_;
};

}  // namespace

Settings settings_from_environment(bool offline) {
  Settings s;
  if (auto e = env("HF_ENDPOINT")) {
    s.endpoint = *e;
    while (s.endpoint.ends_with("/")) s.endpoint.pop_back();
    if (!s.endpoint.starts_with("http://") && !s.endpoint.starts_with("https://")) {
      throw Error("HF_ENDPOINT \"" + *e + "\" is not an http:// or https:// URL; unset it to use " + kDefaultEndpoint);
    }
  }
  s.token = find_token();
  s.cache_root = default_cache_root();
  s.offline = offline || (env("HF_HUB_OFFLINE") && truthy(*env("HF_HUB_OFFLINE")));
  if (auto t = env("HF_HUB_DOWNLOAD_TIMEOUT")) {
    char* end = nullptr;
    const double seconds = std::strtod(t->c_str(), &end);
    if (end == t->c_str() || *end != '\0' || !(seconds > 0) || seconds > 3600) {
      throw Error("HF_HUB_DOWNLOAD_TIMEOUT \"" + *t + "\" is not a number of seconds between 0 and 3600");
    }
    s.timeout_ms = static_cast<long>(std::ceil(seconds * 1000));
  }
  return s;
}

std::uint64_t ModelSource::bytes_fetched() const {
  std::uint64_t n = 0;
  for (const FetchedFile& f : files) n += f.bytes_fetched;
  return n;
}

bool ModelSource::from_cache() const {
  for (const FetchedFile& f : files) {
    if (!f.from_cache) return false;
  }
  return true;
}

const char* to_string(NameKind kind) {
  switch (kind) {
    case NameKind::hf_config: return "hf_config";
    case NameKind::hf_quant: return "hf_quant";
    case NameKind::hf_file: return "hf_file";
    case NameKind::url: return "url";
  }
  return "?";
}

RemoteModel load_remote_model(const std::string& name, const std::vector<engine::TensorType>& types, const Settings& settings,
                              Transport* transport) {
  const RemoteName parsed = parse_remote_name(name);
  Reader reader(parsed, settings, transport);
  return reader.read(types);
}

}  // namespace llmsize::hub
