// Writes the man page and the shell completions from llmsize's parser and built-in catalog. The build
// runs it whenever the CLI or the catalog changes:
//   llmsize_unix_docs OUTPUT_DIR
// OUTPUT_DIR/llmsize.1, llmsize.bash, _llmsize (zsh), llmsize.fish.
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli_model.h"

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: llmsize_unix_docs OUTPUT_DIR\n";
    return 2;
  }
  try {
    const llmsize::unix_docs::CliModel model = llmsize::unix_docs::describe();
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    write(dir / "llmsize.1", llmsize::unix_docs::man_page(model));
    write(dir / "llmsize.bash", llmsize::unix_docs::bash_completion(model));
    write(dir / "_llmsize", llmsize::unix_docs::zsh_completion(model));
    write(dir / "llmsize.fish", llmsize::unix_docs::fish_completion(model));
  } catch (const std::exception& e) {
    std::cerr << "llmsize_unix_docs: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
