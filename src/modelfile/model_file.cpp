// Finding and opening a user's model file: GGUF (and its split parts) or config.json.
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "llmsize/modelfile/model_file.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::modelfile {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The size of a file that must exist and be readable; `what_to_pass` says what belongs there.
std::uintmax_t size_of(const fs::path& file, const std::string& what_to_pass) {
  std::error_code ec;
  const auto status = fs::status(file, ec);
  if (!fs::exists(status)) throw ModelFileError(file.string() + ": no such file; " + what_to_pass);
  if (!fs::is_regular_file(status)) throw ModelFileError(file.string() + ": not a regular file; " + what_to_pass);
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) throw ModelFileError(file.string() + ": cannot be read (" + ec.message() + ")");
  return size;
}

}  // namespace

ModelFile load_config(const std::string& path) {
  fs::path file(path);
  std::error_code ec;
  if (fs::is_directory(file, ec)) file /= "config.json";
  const std::string what = "give a GGUF file, a Hugging Face config.json, or the model directory that holds config.json";
  if (size_of(file, what) > (16U << 20U)) throw ModelFileError(file.string() + ": larger than 16 MiB; not a config.json");
  const auto config = read_text(file);
  if (!config) throw ModelFileError(file.string() + ": cannot be read");
  const fs::path index_path = file.parent_path() / "model.safetensors.index.json";
  std::optional<std::string> index;
  if (fs::exists(index_path, ec)) {
    const std::string index_what = "remove it or replace it with the checkpoint's own index";
    if (size_of(index_path, index_what) > (64U << 20U)) throw ModelFileError(index_path.string() + ": larger than 64 MiB");
    index = read_text(index_path);
  }
  ModelFile mf = model_from_config(file.string(), *config, index);
  if (index) mf.parts.push_back(index_path.string());
  mf.path = path;
  return mf;
}

bool looks_like_path(const std::string& path) {
  if (path.ends_with(".gguf") || path.ends_with(".json") || path.find('/') != std::string::npos) return true;
  std::error_code ec;
  return fs::exists(path, ec);
}

ModelFile load_model_file(const std::string& path, const std::vector<TensorType>& types) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return load_config(path);
  const auto source = open_file(path);
  std::array<char, 4> magic{};
  if (source->size() >= 4) source->read(0, magic.data(), magic.size());
  if (std::string_view(magic.data(), 4) == "GGUF") return load_gguf(path, types);
  // read_gguf names what is wrong (too short, wrong magic) with the offset.
  if (path.ends_with(".gguf")) (void)read_gguf(*source, path);
  return load_config(path);
}

}  // namespace llmsize::modelfile
