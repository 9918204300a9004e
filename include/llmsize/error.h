#pragma once
/// The one error type below every layer: a problem with the user's input (a flag, a file, a catalog
/// entry) that the user can fix. cli::run() catches it once and prints `llmsize: error: <what>`, exit 2.
/// Layers subclass it only where a caller must tell cases apart. Standard library only, so the engine
/// may use it too.
#include <stdexcept>

namespace llmsize {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace llmsize
