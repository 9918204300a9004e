// The Hub reader through a transport that answers from memory: what is asked for, what is cached,
// what it costs, and the one line each failure gives.
#include <catch2/catch.hpp>

#include "fake_transport.h"
#include "hub_fixtures.h"
#include "llmsize/error.h"
#include "llmsize/hub/hub.h"
#include "../scoped_env.h"

using namespace llmsize;
using llmsize::test::FakeTransport;

namespace {

const std::string kEndpoint = "http://hub.test";
const std::string kToken = "hf_testtoken_never_printed_0123456789";
const std::string kFixtures = LLMSIZE_FIXTURES;

hub::Settings settings_in(const std::filesystem::path& cache, bool offline = false) {
  hub::Settings s;
  s.endpoint = kEndpoint;
  s.token = kToken;
  s.cache_root = cache;
  s.offline = offline;
  return s;
}

std::string error_of(const std::string& name, const hub::Settings& s, hub::Transport* t) {
  try {
    (void)hub::load_remote_model(name, test::hub_catalog().tensor_types, s, t);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("Hub: config.json and its index are read as the local reader reads them, then from the cache", "[hub]") {
  const auto cache = test::fresh_dir("llmsize-hub-config-cache");
  const std::string dir = kFixtures + "/hf/gpt-oss-20b/";
  FakeTransport t;
  const std::string base = kEndpoint + "/openai/gpt-oss-20b/resolve/main/";
  t.serve(base + "config.json", test::slurp(dir + "config.json"));
  t.serve(base + "model.safetensors.index.json", test::slurp(dir + "model.safetensors.index.json"));

  const hub::RemoteModel r = hub::load_remote_model("hf:openai/gpt-oss-20b", test::hub_catalog().tensor_types, settings_in(cache), &t);
  const modelfile::ModelFile local = modelfile::load_config(dir);
  CHECK(r.file.model.params_total == local.model.params_total);
  CHECK(r.file.model.n_layers == local.model.n_layers);
  CHECK(r.file.model.meta.id == "gpt-oss-20b");
  CHECK(r.file.path == "hf:openai/gpt-oss-20b");
  CHECK(r.file.parts == std::vector<std::string>{base + "config.json", base + "model.safetensors.index.json"});
  REQUIRE(t.log.size() == 2);
  CHECK(t.log[0].url == base + "config.json");
  CHECK(t.log[0].token == kToken);  // sent to the endpoint
  CHECK(!t.log[0].range);
  CHECK(r.source.kind == hub::NameKind::hf_config);
  CHECK(r.source.url == base + "config.json");
  CHECK(r.source.bytes_fetched() == t.bytes_sent);
  CHECK_FALSE(r.source.from_cache());

  // Offline, no transport at all: the same model from the cache.
  const hub::RemoteModel again = hub::load_remote_model("hf:openai/gpt-oss-20b", test::hub_catalog().tensor_types, settings_in(cache, true), nullptr);
  CHECK(again.file.model.params_total == local.model.params_total);
  CHECK(again.source.from_cache());
  CHECK(again.source.bytes_fetched() == 0);
  CHECK(test::all_bytes_under(cache).find(kToken) == std::string::npos);
}

TEST_CASE("Hub: a repository without an index is remembered as such, so offline works", "[hub]") {
  const auto cache = test::fresh_dir("llmsize-hub-noindex-cache");
  FakeTransport t;
  t.serve(kEndpoint + "/Qwen/Qwen3-8B/resolve/main/config.json", test::slurp(kFixtures + "/hf/qwen3-8b/config.json"));
  const auto r = hub::load_remote_model("hf:Qwen/Qwen3-8B", test::hub_catalog().tensor_types, settings_in(cache), &t);
  CHECK(t.log.size() == 2);  // config.json, then the index: 404
  CHECK(r.file.parts.size() == 1);
  CHECK(std::filesystem::exists(cache / "hf/Qwen/Qwen3-8B/main/model.safetensors.index.json.absent"));
  const auto offline = hub::load_remote_model("hf:Qwen/Qwen3-8B", test::hub_catalog().tensor_types, settings_in(cache, true), nullptr);
  CHECK(offline.file.model.params_total == r.file.model.params_total);
}

TEST_CASE("Hub: a GGUF header costs its own size plus at most a quarter, never the tensor data", "[hub][gguf]") {
  const auto cache = test::fresh_dir("llmsize-hub-gguf-cache");
  const test::GgufWriter w = test::llama_8b_q4km();
  const std::string header = test::header_text(w);
  const std::uint64_t file_bytes = header.size() + w.data_bytes();
  FakeTransport t;
  const std::string url = kEndpoint + "/meta/Llama-8B-GGUF/resolve/main/Llama-8B-Q4_K_M.gguf";
  t.serve(url, header, file_bytes);  // zeros after the header
  const auto r = hub::load_remote_model("hf:meta/Llama-8B-GGUF/Llama-8B-Q4_K_M.gguf", test::hub_catalog().tensor_types, settings_in(cache), &t);
  const std::uint64_t fetched = r.source.bytes_fetched();
  INFO("header " << header.size() << " B, fetched " << fetched << " B in " << t.log.size() << " requests");
  CHECK(fetched >= header.size() - 31);  // the reader needs the header (less its alignment padding)
  CHECK(fetched <= header.size() + header.size() / 4 + (320U << 10U));
  CHECK(t.log.size() <= 8);
  for (const auto& seen : t.log) CHECK(seen.range);  // only ranges, never the whole file
  REQUIRE(r.source.files.size() == 1);
  CHECK(r.source.files[0].header_bytes == header.size());
  CHECK(r.source.files[0].file_bytes == file_bytes);
  CHECK(static_cast<double>(fetched) < 0.001 * static_cast<double>(file_bytes));
  CHECK(engine::summarize_weights(r.file.model, r.file.tensors).total_bytes == 4912898048ULL);
  // Cached: the head and its record, and nothing more.
  const auto head = cache / "hf/meta/Llama-8B-GGUF/main/Llama-8B-Q4_K_M.gguf.head";
  CHECK(std::filesystem::file_size(head) == fetched);
  const auto offline = hub::load_remote_model("hf:meta/Llama-8B-GGUF/Llama-8B-Q4_K_M.gguf", test::hub_catalog().tensor_types,
                                              settings_in(cache, true), nullptr);
  CHECK(offline.source.from_cache());
  CHECK(offline.file.tensors.size() == r.file.tensors.size());
}

TEST_CASE("Hub: a quant name is resolved through the repository's file list, split parts and all", "[hub][gguf]") {
  const auto cache = test::fresh_dir("llmsize-hub-quant-cache");
  test::GgufWriter first;
  first.kv_str("general.architecture", "llama");
  first.kv_u32("llama.block_count", 1);
  first.kv_u32("llama.embedding_length", 64);
  first.kv_u32("llama.attention.head_count", 4);
  first.kv_u32("split.count", 2);
  first.tensor("token_embd.weight", {64, 256}, 0, 64 * 256 * 4);
  test::GgufWriter second;
  second.kv_u32("split.no", 1);
  second.tensor("output.weight", {64, 256}, 0, 64 * 256 * 4);
  FakeTransport t;
  const std::string base = kEndpoint + "/o/r-GGUF/resolve/main/Q8_0/";
  t.serve(kEndpoint + "/api/models/o/r-GGUF/revision/main",
          R"({"id":"o/r-GGUF","sha":"abc","siblings":[{"rfilename":"README.md"},{"rfilename":"Q8_0/m-Q8_0-00002-of-00002.gguf"},)"
          R"({"rfilename":"Q8_0/m-Q8_0-00001-of-00002.gguf"},{"rfilename":"m-Q4_0.gguf"}]})");
  const auto bytes = [](const test::GgufWriter& w) { auto b = w.bytes(); return std::string(b.begin(), b.end()); };
  t.serve(base + "m-Q8_0-00001-of-00002.gguf", bytes(first));
  t.serve(base + "m-Q8_0-00002-of-00002.gguf", bytes(second));
  const auto r = hub::load_remote_model("hf:o/r-GGUF:q8_0", test::hub_catalog().tensor_types, settings_in(cache), &t);
  CHECK(r.file.parts == std::vector<std::string>{base + "m-Q8_0-00001-of-00002.gguf", base + "m-Q8_0-00002-of-00002.gguf"});
  CHECK(r.file.tensors.size() == 2);
  CHECK(r.source.files.size() == 3);  // the file list, two parts
  CHECK(r.source.url == base + "m-Q8_0-00001-of-00002.gguf");
  const auto offline = hub::load_remote_model("hf:o/r-GGUF:q8_0", test::hub_catalog().tensor_types, settings_in(cache, true), nullptr);
  CHECK(offline.file.tensors.size() == 2);
}

TEST_CASE("Hub: every failure is one line that names the fix", "[hub][errors]") {
  const auto cache = test::fresh_dir("llmsize-hub-errors-cache");
  const auto types = test::hub_catalog().tensor_types;
  const std::string config = kEndpoint + "/o/r/resolve/main/config.json";
  const auto answer_for = [&](long status, std::map<std::string, std::string> headers, hub::TransportFailure f = hub::TransportFailure::none) {
    FakeTransport t;
    t.answer(config, {status, "", std::move(headers), true, f});
    return t;
  };
  hub::Settings s = settings_in(cache);
  {
    FakeTransport t = answer_for(401, {{"x-error-code", "GatedRepo"}});
    CHECK(error_of("hf:o/r", s, &t) == "hf:o/r: o/r is gated (HTTP 401 for config.json); HF_TOKEN was sent but its account has no "
                                       "access: accept the license at http://hub.test/o/r");
    hub::Settings anonymous = s;
    anonymous.token.reset();
    CHECK(error_of("hf:o/r", anonymous, &t) == "hf:o/r: o/r is gated (HTTP 401 for config.json); accept the license at "
                                               "http://hub.test/o/r and set HF_TOKEN to a token of that account");
    CHECK_FALSE(t.log.back().token);
  }
  {
    FakeTransport t = answer_for(401, {{"x-error-code", "RepoNotFound"}});
    CHECK(error_of("hf:o/r", s, &t) == "hf:o/r: no repository o/r on http://hub.test (HTTP 401); check the name, or set HF_TOKEN if it is private");
  }
  {
    FakeTransport t = answer_for(404, {{"x-error-code", "EntryNotFound"}});
    CHECK(error_of("hf:o/r", s, &t) == "hf:o/r: the repository has no config.json (HTTP 404 for " + config +
                                           "); for a GGUF repository name a quantization, hf:o/r:Q4_K_M, or a file, hf:o/r/FILE.gguf");
  }
  {
    FakeTransport t = answer_for(404, {{"x-error-code", "RevisionNotFound"}});
    CHECK(error_of("hf:o/r", s, &t) == "hf:o/r: o/r has no such revision (HTTP 404 for " + config + "); check the name after @");
  }
  {
    FakeTransport t = answer_for(503, {});
    CHECK(error_of("hf:o/r", s, &t) == "hf:o/r: HTTP 503 from " + config + ": the server failed; try again later, or use --offline to read the cache");
  }
  {
    FakeTransport t = answer_for(0, {}, hub::TransportFailure::cannot_connect);
    CHECK(error_of("hf:o/r", s, &t) == "hf:o/r: cannot connect to hub.test (simulated); check the network and HF_ENDPOINT, or use "
                                       "--offline to read the cache");
  }
  {
    FakeTransport t = answer_for(0, {}, hub::TransportFailure::timeout);
    CHECK(error_of("hf:o/r", s, &t) == "hf:o/r: no answer from hub.test for 10 s while reading config.json; check the network, raise "
                                       "HF_HUB_DOWNLOAD_TIMEOUT, or use --offline to read the cache");
  }
  {
    FakeTransport t;
    t.serve(config, std::string((16U << 20U) + 1, ' '));
    CHECK(error_of("hf:o/r", s, &t) == "hf:o/r: config.json at " + config + " is larger than 16 MiB, more than llmsize reads of it; check the name");
  }
  {
    // A server that ignores Range and would send the whole 4.9 GB file.
    FakeTransport t;
    const std::string url = "https://files.test/m.gguf";
    t.answer(url, {200, std::string(hub::kFirstRangeBytes + 1, 'x'), {}, false, hub::TransportFailure::none});
    CHECK(error_of(url, s, &t) == url + ": " + url + " ignores range requests (HTTP 200 with the whole file, more than the 262144 bytes "
                                                     "asked for); download the file and give its path");
    CHECK_FALSE(t.log.back().token);  // not the endpoint: no token
  }
  CHECK(error_of("hf:o/never-fetched", settings_in(cache, true), nullptr) ==
        "hf:o/never-fetched: config.json is not in the cache (" + (cache).string() +
            "); run once without --offline (and without HF_HUB_OFFLINE)");
}

TEST_CASE("Hub: a range answer of the wrong length or for another range is refused", "[hub][errors]") {
  const auto cache = test::fresh_dir("llmsize-hub-range-cache");
  const std::string url = "https://files.test/m.gguf";
  FakeTransport t;
  t.answer(url, {206, std::string(100, 'x'), {{"content-range", "bytes 0-262143/5000000"}}, false, hub::TransportFailure::none});
  CHECK(error_of(url, settings_in(cache), &t) == url + ": " + url + " sent 100 bytes for bytes 0-262143 (Content-Range \"bytes "
                                                                     "0-262143/5000000\"); the server or a proxy is faulty; try again");
  t.answer(url, {206, std::string(100, 'x'), {{"content-range", "bytes 7-106/5000000"}}, false, hub::TransportFailure::none});
  CHECK_THAT(error_of(url, settings_in(cache), &t), Catch::Contains("sent 100 bytes for bytes 0-262143"));
  t.answer(url, {206, std::string(100, 'x'), {}, false, hub::TransportFailure::none});
  CHECK_THAT(error_of(url, settings_in(cache), &t), Catch::Contains("without a usable Content-Range"));
}

TEST_CASE("Hub settings come from the environment as huggingface_hub reads it", "[hub]") {
  using test::ScopedEnv;
  const auto dir = test::fresh_dir("llmsize-hub-settings");
  const ScopedEnv endpoint("HF_ENDPOINT", std::string("http://mirror.test/"));
  const ScopedEnv token("HF_TOKEN", kToken + "\n");
  const ScopedEnv offline("HF_HUB_OFFLINE", std::string("1"));
  const ScopedEnv timeout("HF_HUB_DOWNLOAD_TIMEOUT", std::string("2.5"));
  const ScopedEnv xdg("XDG_CACHE_HOME", dir.string());
  const ScopedEnv token_path("HF_TOKEN_PATH", (dir / "token").string());
  hub::Settings s = hub::settings_from_environment(false);
  CHECK(s.endpoint == "http://mirror.test");
  CHECK(s.token == kToken);
  CHECK(s.offline);
  CHECK(s.timeout_ms == 2500);
  CHECK(s.cache_root == dir / "llmsize" / "hub");
  {
    // Without HF_TOKEN, the file `hf auth login` wrote.
    const ScopedEnv no_token("HF_TOKEN", std::nullopt);
    CHECK_FALSE(hub::settings_from_environment(false).token);
    std::ofstream(dir / "token") << "hf_from_file\n";
    CHECK(hub::settings_from_environment(false).token == "hf_from_file");
  }
  {
    const ScopedEnv online("HF_HUB_OFFLINE", std::string("0"));
    CHECK_FALSE(hub::settings_from_environment(false).offline);
    CHECK(hub::settings_from_environment(true).offline);  // --offline
  }
  {
    const ScopedEnv bad("HF_HUB_DOWNLOAD_TIMEOUT", std::string("10s"));
    CHECK_THROWS_WITH(hub::settings_from_environment(false),
                      "HF_HUB_DOWNLOAD_TIMEOUT \"10s\" is not a number of seconds between 0 and 3600");
  }
  {
    const ScopedEnv bad("HF_ENDPOINT", std::string("mirror.test"));
    CHECK_THROWS_WITH(hub::settings_from_environment(false),
                      "HF_ENDPOINT \"mirror.test\" is not an http:// or https:// URL; unset it to use https://huggingface.co");
  }
  {
    const ScopedEnv no_xdg("XDG_CACHE_HOME", std::nullopt);
    const ScopedEnv home("HOME", std::string("/home/someone"));
    CHECK(hub::settings_from_environment(false).cache_root == std::filesystem::path("/home/someone/.cache/llmsize/hub"));
  }
}

TEST_CASE("Hub: nothing is cached from a read that failed (a proxy's page, a file that does not parse)", "[hub][errors]") {
  const auto cache = test::fresh_dir("llmsize-hub-poison-cache");
  FakeTransport t;
  t.serve(kEndpoint + "/o/r/resolve/main/config.json", "<html>Please log in to the network</html>");
  t.serve(kEndpoint + "/o/r/resolve/main/m.gguf", "<html>Please log in to the network</html>");
  t.serve(kEndpoint + "/api/models/o/r/revision/main", "<html>Please log in to the network</html>");
  CHECK_THAT(error_of("hf:o/r", settings_in(cache), &t), Catch::StartsWith(kEndpoint + "/o/r/resolve/main/config.json: "));
  CHECK(error_of("hf:o/r/m.gguf", settings_in(cache), &t) ==
        kEndpoint + "/o/r/resolve/main/m.gguf: offset 0: not a GGUF file (the first 4 bytes are not \"GGUF\")");
  CHECK(error_of("hf:o/r:Q4_0", settings_in(cache), &t) ==
        "hf:o/r:Q4_0: " + kEndpoint + "/api/models/o/r/revision/main did not answer with the Hub's model info (no \"siblings\" list); check HF_ENDPOINT");
  CHECK(test::all_bytes_under(cache).empty());
}
