// llmsize.1: one page with every command and flag (man(7) macros), rendered from the parser.
#include <algorithm>
#include <cstdio>
#include <regex>
#include <string>

#include "cli_model.h"
#include "llmsize/cli/run.h"

namespace llmsize::unix_docs {
namespace {

// Text for a roff input line: backslashes and hyphen-minus escaped (so `--model` is typed as it reads,
// not turned into a hyphen), anything beyond ASCII as a \[uXXXX] glyph (groff reads Latin-1 otherwise).
std::string roff(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      const int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
      unsigned code = c & (0x3Fu >> extra);
      for (int k = 0; k < extra && i + 1 < text.size(); ++k) code = (code << 6) | (static_cast<unsigned char>(text[++i]) & 0x3Fu);
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "\\[u%04X]", code);
      out += buffer;
    }
  }
  return out;
}

// A whole input line of running text: a leading '.' or '\'' would make it a request.
std::string text_line(const std::string& text) {
  const std::string escaped = roff(text);
  const bool control = !escaped.empty() && (escaped.front() == '.' || escaped.front() == '\'');
  return (control ? "\\&" : "") + escaped + "\n";
}

std::string bold(const std::string& s) { return "\\fB" + roff(s) + "\\fR"; }
std::string italic(const std::string& s) { return "\\fI" + roff(s) + "\\fR"; }

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// "INT in [1 - 64]" -> "1 to 64"; other checks as CLI11 words them.
std::string check_words(const std::string& check) {
  static const std::regex range(R"(^\w+ in \[(\S+) - (\S+)\]$)");
  std::smatch m;
  if (std::regex_match(check, m, range)) return "from " + m[1].str() + " to " + m[2].str();
  return check;
}

// "a" + "b" as two sentences: "a. b".
std::string then(const std::string& text, const std::string& sentence) {
  if (text.empty()) return sentence;
  return text + (text.back() == '.' ? " " : ". ") + sentence;
}

std::string flag_entry(const Flag& flag) {
  std::vector<std::string> names;
  for (const std::string& name : flag.names) names.push_back(bold(name));
  std::string tag = join(names, ", ");
  if (flag.takes_value) tag += " " + italic(flag.value_name);
  if (flag.repeatable) tag += " ...";
  std::string body = flag.help;
  if (!flag.choices.empty()) body = then(body, "One of: " + join(flag.choices, ", ") + ".");
  if (!flag.check.empty()) body = then(body, "Accepted: " + check_words(flag.check) + ".");
  if (!flag.catalog_kind.empty()) {
    body = then(body, std::string("Takes a catalog id or alias (the shell completions list them)") +
                          (flag.names.front() == "--model" ? ", or a model file." : "."));
  }
  if (flag.repeatable) body = then(body, "May be given more than once.");
  return ".TP\n" + tag + "\n" + text_line(body);
}

std::string synopsis(const Command& command) {
  std::string out = ".B llmsize" + (command.path.empty() ? "" : " " + roff(command.path)) + "\n";
  std::string rest = "[" + italic("OPTIONS") + "]";
  if (!command.subcommands.empty()) rest += " " + italic("COMMAND") + " [" + italic("OPTIONS") + "]";
  for (const Positional& p : command.positionals) {
    const std::string name = italic(p.value_name == "TEXT" ? "FILE" : p.value_name) + (p.repeatable ? " ..." : "");
    rest += " " + (p.required ? name : "[" + name + "]");
  }
  return out + rest + "\n";
}

std::string command_section(const Command& command) {
  std::string out = ".SS \"llmsize " + roff(command.path) + "\"\n";
  out += synopsis(command);
  out += ".PP\n" + text_line(command.help);
  if (!command.subcommands.empty()) {
    std::vector<std::string> names;
    for (const Command& sub : command.subcommands) names.push_back(bold(sub.name));
    out += ".PP\nCommands: " + join(names, ", ") + " (below).\n";
  }
  for (const Positional& p : command.positionals) {
    out += ".TP\n" + italic(p.value_name == "TEXT" ? "FILE" : p.value_name) + (p.repeatable ? " ..." : "") + "\n" +
           text_line(p.help);
  }
  for (const Flag& flag : command.flags) {
    if (flag.names.front() != "--help") out += flag_entry(flag);
  }
  for (const Command& sub : command.subcommands) out += command_section(sub);
  return out;
}

constexpr const char* kDescription =
    "llmsize answers what people who run LLMs locally (llama.cpp, Ollama, LM Studio, vLLM, MLX) ask: will this "
    "model fit this GPU, at what quantization and context, how many tokens per second, is a second GPU worth it, "
    "what will the electricity cost? It computes from the model's architecture and the hardware's specifications, "
    "lays memory out as llama.cpp allocates it, and says how it got each number (--explain).";

// What a user types to see the page's own claims: each example is run by the tests (unix_docs_test.cpp).
const char* const kExamples[][2] = {
    {"Which hardware runs a model, best tokens per dollar first:", "llmsize recommend --model 30b --quant q4_k_m --top 5"},
    {"A planned build, before buying the parts (exit 0 if it runs, 1 if it does not):",
     "llmsize check --gpu 2x3090 --model 70b --quant q4_k_m"},
    {"How the KV cache grows with context:", "llmsize kv --model llama-3.1-8b --context 4k,8k,32k,128k"},
    {"What runs on a card:", "llmsize models --gpu rtx-3090"},
    {"The same answer as one JSON document:", "llmsize check --gpu 4090 --model qwen3-30b-a3b --json"},
};

std::string fixed_sections() {
  std::string out = ".SH \"EXIT STATUS\"\n";
  for (const cli::ExitCodeMeaning& code : cli::kExitCodes) {
    out += ".TP\n" + bold(std::to_string(code.code)) + "\n" + text_line(code.meaning);
  }
  out += ".SH NOTES\n";
  std::string notes = cli::kHelpNotes;
  for (std::size_t start = 0; start < notes.size();) {
    const std::size_t end = std::min(notes.find('\n', start), notes.size());
    out += ".PP\n" + text_line(notes.substr(start, end - start));
    start = end + 1;
  }
  out += ".SH ENVIRONMENT\n"
         ".TP\n.B LLMSIZE_CATALOG\n" + text_line("Colon-separated catalog files read as if each were given with --catalog.") +
         ".TP\n.B NO_COLOR\n" + text_line("When set and not empty, --color auto never colours.") +
         ".TP\n.B XDG_CONFIG_HOME\n" +
         text_line("Where the profile of this machine is kept (default ~/.config): see FILES.") +
         ".SH FILES\n.TP\n" + italic("$XDG_CONFIG_HOME/llmsize/machine.json") + "\n" +
         text_line("This machine's measured bandwidth (llmsize probe) and speed factors fitted on your own "
                   "llama-bench runs (llmsize calibrate).") +
         ".SH EXAMPLES\n";
  for (const auto& [what, command] : kExamples) out += ".PP\n" + text_line(what) + ".PP\n.RS\n" + bold(command) + "\n.RE\n";
  out += ".SH \"SEE ALSO\"\n" + text_line("The formulas, catalog fields and JSON contract: docs/formulas.md, docs/catalog.md "
                                          "and docs/json.md in share/doc/llmsize/ under the installation prefix "
                                          "(/usr/share/doc/llmsize/ from the Debian package).");
  return out;
}

}  // namespace

std::string man_page(const CliModel& model) {
  std::string summary = model.summary;
  if (summary.rfind("llmsize: ", 0) == 0) summary = summary.substr(9);
  if (!summary.empty() && summary.back() == '.') summary.pop_back();
  std::string out = ".\\\" Generated by tools/unix_docs from llmsize's parser; do not edit.\n";
  out += ".TH LLMSIZE 1 \"\" \"llmsize " + roff(model.version) + "\" \"User Commands\"\n";
  out += ".nh\n.ad l\n";  // no hyphenation, ragged right: ids and flags stay whole, as they are typed
  out += ".SH NAME\nllmsize \\- " + roff(summary) + "\n";
  out += ".SH SYNOPSIS\n" + synopsis(model.root);
  out += ".SH DESCRIPTION\n" + text_line(kDescription);
  out += ".PP\n" + text_line("The options below work before or after the command; each command's own options follow "
                             "it. Every command also takes --help (-h).");
  out += ".SH OPTIONS\n";
  for (const Flag& flag : model.root.flags) out += flag_entry(flag);
  out += ".SH COMMANDS\n";
  for (const Command& command : model.root.subcommands) out += command_section(command);
  return out + fixed_sections();
}

}  // namespace llmsize::unix_docs
