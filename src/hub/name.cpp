// Remote model names -> repository, revision, file; URLs as huggingface_hub builds them.
#include "llmsize/hub/name.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "llmsize/error.h"
#include "llmsize/modelfile/gguf.h"

namespace llmsize::hub {
namespace {

constexpr std::size_t kMaxRepoPart = 96;  // the Hub's limit on a repository or namespace name
constexpr const char* kForms = "hf:ORG/REPO[@REVISION], hf:ORG/REPO[@REVISION]:QUANT, hf:ORG/REPO[@REVISION]/FILE.gguf or https://.../FILE.gguf";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool ends_with_gguf(const std::string& s) { return lower(s).ends_with(".gguf"); }

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
}

[[noreturn]] void refuse(const std::string& name, const std::string& why) {
  throw Error("\"" + name + "\": " + why + "; write " + kForms + " (docs/hub.md)");
}

// Reads [A-Za-z0-9._-]+ from `at`; `what` names it in the error.
std::string take_word(const std::string& name, std::size_t& at, const char* what) {
  const std::size_t start = at;
  while (at < name.size() && name_char(name[at])) ++at;
  const std::string word = name.substr(start, at - start);
  if (word.empty()) refuse(name, std::string("no ") + what);
  if (word.size() > kMaxRepoPart) refuse(name, std::string(what) + " longer than 96 characters");
  if (word == "." || word == ".." || word.find("..") != std::string::npos) refuse(name, std::string(what) + " \"" + word + "\" is not allowed");
  return word;
}

void check_file_path(const std::string& name, const std::string& file) {
  std::size_t start = 0;
  while (start <= file.size()) {
    const std::size_t slash = file.find('/', start);
    const std::string segment = file.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (segment.empty() || segment == "." || segment == "..") refuse(name, "the file path has an empty, \".\" or \"..\" part");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  for (char c : file) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == '?' || c == '#' || c == 0x7f) {
      refuse(name, "the file path holds a control character, \\, ? or #");
    }
  }
  if (!ends_with_gguf(file)) refuse(name, "a file in a repository must be a .gguf file (for config.json write hf:ORG/REPO)");
}

RemoteName parse_hf(const std::string& name) {
  RemoteName r;
  r.text = name;
  std::size_t at = 3;  // after "hf:"
  const std::string org = take_word(name, at, "organisation");
  if (at >= name.size() || name[at] != '/') refuse(name, "no repository after \"" + org + "\"");
  ++at;
  r.repo = org + "/" + take_word(name, at, "repository");
  if (at < name.size() && name[at] == '@') {
    ++at;
    r.revision = take_word(name, at, "revision");
  }
  if (at == name.size()) {
    r.kind = NameKind::hf_config;
  } else if (name[at] == ':') {
    ++at;
    r.kind = NameKind::hf_quant;
    r.quant = take_word(name, at, "quantization");
    if (at != name.size()) refuse(name, "unexpected \"" + name.substr(at) + "\" after the quantization");
  } else if (name[at] == '/') {
    r.kind = NameKind::hf_file;
    r.file = name.substr(at + 1);
    check_file_path(name, r.file);
  } else {
    refuse(name, "unexpected \"" + name.substr(at) + "\"");
  }
  return r;
}

RemoteName parse_url(const std::string& name) {
  RemoteName r;
  r.kind = NameKind::url;
  r.text = name;
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) refuse(name, "a URL cannot hold spaces or control characters");
  }
  const std::size_t scheme_end = name.find("://");
  const std::size_t host_start = scheme_end + 3;
  const std::size_t path_start = name.find('/', host_start);
  if (path_start == std::string::npos || path_start == host_start) refuse(name, "the URL names no host or file");
  const std::string path = name.substr(path_start, name.find_first_of("?#", path_start) - path_start);
  if (!ends_with_gguf(path)) refuse(name, "a URL must name a .gguf file");
  r.url = name;
  // A file page on the Hub (…/blob/REV/FILE) is HTML; its bytes are at …/resolve/REV/FILE.
  const std::string host = lower(name.substr(host_start, path_start - host_start));
  const std::size_t blob = name.find("/blob/", path_start);
  if ((host == "huggingface.co" || host == "hf.co") && blob != std::string::npos) r.url.replace(blob, 6, "/resolve/");
  return r;
}

std::string strip_split_suffix(const std::string& file) {
  // "x-00001-of-00003.gguf" -> "x"; others lose ".gguf".
  const std::string base = file.substr(0, file.size() - 5);
  if (base.size() > 15) {
    const std::string tail = base.substr(base.size() - 15);  // "-00001-of-00003"
    bool split = tail[0] == '-' && tail.substr(6, 4) == "-of-";
    for (std::size_t i : {1U, 2U, 3U, 4U, 5U, 10U, 11U, 12U, 13U, 14U}) split = split && std::isdigit(static_cast<unsigned char>(tail[i])) != 0;
    if (split) return base.substr(0, base.size() - 15);
  }
  return base;
}

bool has_token(const std::string& text, const std::string& token) {
  const auto is_before = [](char c) { return c == '/' || c == '-' || c == '.' || c == '_'; };
  const auto is_after = [](char c) { return c == '/' || c == '-' || c == '.'; };
  for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + 1)) {
    const bool start_ok = at == 0 || is_before(text[at - 1]);
    const std::size_t end = at + token.size();
    const bool end_ok = end == text.size() || is_after(text[end]);
    if (start_ok && end_ok) return true;
  }
  return false;
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  const std::size_t shown = std::min<std::size_t>(names.size(), 8);
  for (std::size_t i = 0; i < shown; ++i) out += (i > 0 ? ", " : "") + names[i];
  if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
  return out;
}

}  // namespace

bool is_remote_name(const std::string& name) {
  const std::string head = lower(name.substr(0, 8));
  return head.starts_with("hf:") || head.starts_with("http://") || head.starts_with("https://");
}

RemoteName parse_remote_name(const std::string& name) {
  const std::string head = lower(name.substr(0, 8));
  if (head.starts_with("hf:")) return parse_hf(name);
  if (head.starts_with("http://") || head.starts_with("https://")) return parse_url(name);
  refuse(name, "not a remote name");
}

std::string percent_encode(const std::string& text, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4U];
      out += hex[u & 15U];
    }
  }
  return out;
}

std::string resolve_url(const std::string& endpoint, const std::string& repo, const std::string& revision,
                        const std::string& file) {
  return endpoint + "/" + repo + "/resolve/" + percent_encode(revision, false) + "/" + percent_encode(file, true);
}

std::string model_info_url(const std::string& endpoint, const std::string& repo, const std::string& revision) {
  return endpoint + "/api/models/" + repo + "/revision/" + percent_encode(revision, false);
}

std::vector<std::string> split_part_names(const std::string& name) {
  const std::size_t query = name.find_first_of("?#");
  const std::string path = name.substr(0, query);
  const std::string rest = query == std::string::npos ? "" : name.substr(query);
  std::vector<std::string> parts = modelfile::split_parts(path);
  for (std::string& p : parts) p += rest;
  return parts;
}

std::string gguf_file_for_quant(const std::vector<std::string>& repo_files, const std::string& quant, const std::string& label) {
  std::map<std::string, std::vector<std::string>> models;  // split stem -> its files
  std::vector<std::string> all_gguf;
  for (const std::string& f : repo_files) {
    if (!ends_with_gguf(f) || lower(f).find("mmproj") != std::string::npos) continue;
    all_gguf.push_back(f);
    const std::string stem = strip_split_suffix(f);
    if (has_token(lower(stem), lower(quant))) models[stem].push_back(f);
  }
  if (all_gguf.empty()) {
    throw Error(label + ": the repository holds no GGUF file; size its config.json instead: hf:" +
                label.substr(3, label.find(':', 3) - 3) + " --quant " + lower(quant));
  }
  if (models.empty()) {
    throw Error(label + ": no GGUF file in the repository is named for " + quant + "; it holds " + listed(all_gguf) +
                " (give the quant as it appears there, or the file as hf:ORG/REPO/FILE.gguf)");
  }
  if (models.size() > 1) {
    std::vector<std::string> names;
    for (const auto& [stem, files] : models) names.push_back(*std::min_element(files.begin(), files.end()));
    throw Error(label + ": " + std::to_string(models.size()) + " GGUF files are named for " + quant + ": " + listed(names) +
                "; name one as hf:ORG/REPO/FILE.gguf");
  }
  const std::vector<std::string>& files = models.begin()->second;
  return *std::min_element(files.begin(), files.end());  // a split model's -00001-of- part sorts first
}

}  // namespace llmsize::hub
