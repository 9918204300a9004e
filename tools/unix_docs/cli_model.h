#pragma once
// The command line as plain data, read from the parser run() uses (llmsize::cli::visit_parser) and from
// the built-in catalog. The man page and the bash, zsh and fish completions are each rendered from it,
// so none of them can list a command, flag or id the program does not have.
#include <map>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace llmsize::unix_docs {

/// One flag as the parser defines it.
struct Flag {
  std::vector<std::string> names;  ///< "--model", "-m": long names first, as --help lists them
  std::string help;                ///< the help text, verbatim
  bool takes_value = false;        ///< false for a switch (--json)
  bool repeatable = false;         ///< a list: may be given more than once (--gpu, --catalog)
  std::string value_name;          ///< "TEXT", "INT", "FILE", ... (CLI11's type name without its checks)
  std::vector<std::string> choices;  ///< the only values accepted (CLI::IsMember), in the parser's order
  std::string check;               ///< any other check, as CLI11 describes it ("INT in [1 - 1024]")
  std::string catalog_kind;        ///< "model", "gpu", ...: its values are catalog ids; "" when not
  bool file = false;               ///< its value is a path (FILE, or --model, which also reads files)
};

/// A positional argument (inspect FILE, catalog validate FILE...).
struct Positional {
  std::string name;  ///< "file", "files"
  std::string help;
  std::string value_name;
  bool required = false;
  bool repeatable = false;
};

/// A command: the program itself, a group (catalog) or a leaf that runs.
struct Command {
  std::string name;  ///< "validate"; "llmsize" for the program
  std::string path;  ///< "catalog validate"; "" for the program
  std::string help;
  std::vector<Flag> flags;                ///< its own flags, help first
  std::vector<Positional> positionals;
  std::vector<Command> subcommands;       ///< in the order --help lists them
  bool inherits_parent_flags = false;     ///< CLI11 fallthrough: the parents' flags work after it too
};

/// A catalog entry as a completion offers it.
struct Entry {
  std::string id;
  std::string name;                  ///< its display name, shown beside the id where a shell can
  std::vector<std::string> aliases;  ///< normalised as lookups normalise them (lowercase, '-')
};

/// Everything the generated files say.
struct CliModel {
  std::string version;
  std::string summary;  ///< the program's one-line description
  Command root;
  std::map<std::string, std::vector<Entry>> catalog;  ///< by kind: "model", "gpu", "system", "cpu", "quant", ...
};

/// The flags whose values are catalog ids, and the collection each one names. Every one must exist in
/// the parser (describe() throws otherwise), so a renamed flag fails the build instead of going quiet.
struct CatalogFlag {
  const char* flag;
  const char* kind;
};
inline constexpr CatalogFlag kCatalogFlags[] = {
    {"--model", "model"}, {"--gpu", "gpu"},         {"--system", "system"},   {"--cpu", "cpu"},
    {"--quant", "quant"}, {"--ram-kind", "ram-kind"}, {"--storage", "storage"}, {"--link", "link"},
};

/// Reads the parser and the built-in catalog. Throws std::runtime_error when a flag is a switch in one
/// command and takes a value in another (completions key on the flag's name), or when a kCatalogFlags
/// entry names a flag no command has.
[[nodiscard]] CliModel describe();

/// The flags a command accepts: its own, then each parent's it inherits (fallthrough), nearest first.
[[nodiscard]] std::vector<const Flag*> accepted_flags(const CliModel& model, const Command& command);

/// Every command, depth first (the program first).
[[nodiscard]] std::vector<const Command*> all_commands(const CliModel& model);

/// The generated files. Each is complete text; the man page is roff (man(7)).
[[nodiscard]] std::string man_page(const CliModel& model);
[[nodiscard]] std::string bash_completion(const CliModel& model);
[[nodiscard]] std::string zsh_completion(const CliModel& model);
[[nodiscard]] std::string fish_completion(const CliModel& model);

}  // namespace llmsize::unix_docs
