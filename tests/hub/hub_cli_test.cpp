// --model hf:... and URLs end to end: libcurl against a server on 127.0.0.1 (HF_ENDPOINT points at it),
// compared with the same files on disk; the cache after the server stops; one line for every fault.
#include <catch2/catch.hpp>

#include <chrono>

#include "../cli/run_cli.h"
#include "../scoped_env.h"
#include "hub_fixtures.h"
#include "loopback_server.h"

namespace {

using llmsize::test::CliResult;
using llmsize::test::Fault;
using llmsize::test::LoopbackServer;
using llmsize::test::ScopedEnv;
using llmsize::test::run;
using Json = nlohmann::json;

const std::string kToken = "hf_loopback_secret_token_42";
const std::string kFixtures = LLMSIZE_FIXTURES;

/// The environment of one test: the server as HF_ENDPOINT, a fresh cache, a token, no user settings. The
/// timeout is 10 s (huggingface_hub's default) so a loaded machine never fails a test that expects an
/// answer; the fault test, whose slow server must be given up, passes 1.
struct HubEnv {
  HubEnv(const std::string& endpoint, const std::filesystem::path& cache, const std::string& timeout_s = "10")
      : endpoint_("HF_ENDPOINT", endpoint),
        cache_("XDG_CACHE_HOME", cache.string()),
        token_("HF_TOKEN", kToken),
        token_path_("HF_TOKEN_PATH", (cache / "no-token-file").string()),
        offline_("HF_HUB_OFFLINE", std::nullopt),
        timeout_("HF_HUB_DOWNLOAD_TIMEOUT", timeout_s),
        config_("XDG_CONFIG_HOME", (cache / "config").string()),
        catalog_("LLMSIZE_CATALOG", std::nullopt),
        no_color_("NO_COLOR", std::string("1")) {}
  ScopedEnv endpoint_, cache_, token_, token_path_, offline_, timeout_, config_, catalog_, no_color_;
};

/// Every run's output, to check the token never appears in any of it.
std::string g_all_output;

CliResult run_logged(const std::vector<std::string>& args) {
  CliResult r = run(args);
  g_all_output += r.out + r.err;
  return r;
}

Json json_ok(const CliResult& r) {
  INFO(r.err);
  REQUIRE(r.code == 0);
  return Json::parse(r.out);
}

// The result as computed, without the file's own path (a URL there, a local path here).
// The result less what names the file: its path, and the runtime lines (a local path, or -hf / -mu).
Json result_without_paths(Json j) {
  Json r = j["result"];
  if (r.contains("model") && r["model"].contains("file")) {
    r["model"]["file"].erase("path");
    r["model"]["file"].erase("parts");
  }
  if (r.contains("runtime")) {
    for (const char* line : {"llama_server", "llama_bench"}) r["runtime"].erase(line);
  }
  return r;
}

void serve_llama_gguf(LoopbackServer& server, const llmsize::test::GgufWriter& w) {
  const std::vector<std::uint8_t> h = w.header();
  server.serve("/meta/Llama-8B-GGUF/resolve/main/Llama-8B-Q4_K_M.gguf", std::string(h.begin(), h.end()), h.size() + w.data_bytes());
  server.serve("/api/models/meta/Llama-8B-GGUF/revision/main",
               R"({"id":"meta/Llama-8B-GGUF","siblings":[{"rfilename":"README.md"},{"rfilename":"Llama-8B-Q4_K_M.gguf"},)"
               R"({"rfilename":"Llama-8B-Q8_0.gguf"}]})");
}

}  // namespace

TEST_CASE("Hub over HTTP: a config.json served on 127.0.0.1 sizes exactly as the same file on disk", "[hub][cli]") {
  const auto cache = llmsize::test::fresh_dir("llmsize-hub-cli-config");
  LoopbackServer server;
  const std::string dir = kFixtures + "/hf/gpt-oss-20b";
  const std::string config = llmsize::test::slurp(dir + "/config.json");
  const std::string index = llmsize::test::slurp(dir + "/model.safetensors.index.json");
  server.serve("/openai/gpt-oss-20b/resolve/main/config.json", config);
  server.serve("/openai/gpt-oss-20b/resolve/main/model.safetensors.index.json", index);
  const HubEnv env(server.endpoint(), cache);

  const Json remote = json_ok(run_logged({"memory", "--model", "hf:openai/gpt-oss-20b", "--quant", "q4_k_m", "--context", "32k", "--json"}));
  const Json local = json_ok(run_logged({"memory", "--model", dir, "--quant", "q4_k_m", "--context", "32k", "--json"}));
  CHECK(result_without_paths(remote) == result_without_paths(local));
  CHECK(remote["result"]["memory"] == local["result"]["memory"]);
  const Json& source = remote["inputs"]["model_source"];
  CHECK(source["kind"] == "hf_config");
  CHECK(source["repo"] == "openai/gpt-oss-20b");
  CHECK(source["revision"] == "main");
  CHECK(source["url"] == server.endpoint() + "/openai/gpt-oss-20b/resolve/main/config.json");
  CHECK(source["bytes_fetched"] == config.size() + index.size());
  CHECK(source["bytes_fetched"] == server.body_bytes_sent());
  CHECK(source["from_cache"] == false);
  for (const auto& req : server.requests()) CHECK(req.authorization == "Bearer " + kToken);

  // The server stops: the second run reads the cache.
  server.stop();
  const Json again = json_ok(run_logged({"memory", "--model", "hf:openai/gpt-oss-20b", "--quant", "q4_k_m", "--context", "32k", "--json"}));
  CHECK(result_without_paths(again) == result_without_paths(local));
  CHECK(again["inputs"]["model_source"]["from_cache"] == true);
  CHECK(again["inputs"]["model_source"]["bytes_fetched"] == 0);
  const CliResult text = run_logged({"inspect", "hf:openai/gpt-oss-20b", "--offline"});
  CHECK(text.code == 0);
  CHECK_THAT(text.out, Catch::StartsWith("hf:openai/gpt-oss-20b · config.json · gpt-oss · "));
  CHECK_THAT(text.out, Catch::Contains("Read from the cache (--offline works): " + server.endpoint()));
  CHECK(llmsize::test::all_bytes_under(cache).find(kToken) == std::string::npos);
  CHECK(g_all_output.find(kToken) == std::string::npos);
}

TEST_CASE("Hub over HTTP: a GGUF is sized from its header alone, exactly as the file on disk", "[hub][cli][gguf]") {
  const auto cache = llmsize::test::fresh_dir("llmsize-hub-cli-gguf");
  const llmsize::test::GgufWriter w = llmsize::test::llama_8b_q4km();
  const std::string disk = (cache / "Llama-8B-Q4_K_M.gguf").string();
  w.write_sparse(disk);
  LoopbackServer server;
  serve_llama_gguf(server, w);
  const HubEnv env(server.endpoint(), cache / "cache");

  const auto start = std::chrono::steady_clock::now();
  const Json remote = json_ok(run_logged({"check", "--model", "hf:meta/Llama-8B-GGUF:Q4_K_M", "--gpu", "rtx-3090", "--json"}));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const Json local = json_ok(run_logged({"check", "--model", disk, "--gpu", "rtx-3090", "--json"}));
  CHECK(result_without_paths(remote) == result_without_paths(local));
  // llama.cpp downloads it itself: -hf REPO:QUANT; llama-bench takes the downloaded file.
  CHECK(remote["result"]["runtime"]["llama_server"] == "llama-server -hf meta/Llama-8B-GGUF:Q4_K_M -c 8192 -ngl 33 -fa on --fit off");
  CHECK(remote["result"]["runtime"]["llama_bench"] == "llama-bench -m Llama-8B-Q4_K_M.gguf -ngl 33 -fa 1 -p 512 -n 128 -d 0");
  CHECK(local["result"]["runtime"]["llama_server"] == "llama-server -m " + disk + " -c 8192 -ngl 33 -fa on --fit off");
  CHECK(remote["result"]["model"]["file"]["file_bytes"] == std::filesystem::file_size(disk));

  const Json& source = remote["inputs"]["model_source"];
  CHECK(source["kind"] == "hf_quant");
  CHECK(source["url"] == server.endpoint() + "/meta/Llama-8B-GGUF/resolve/main/Llama-8B-Q4_K_M.gguf");
  REQUIRE(source["files"].size() == 2);  // the file list, the GGUF
  const Json& gguf = source["files"][1];
  const std::uint64_t file_bytes = gguf["file_bytes"].get<std::uint64_t>();
  const std::uint64_t header_bytes = gguf["header_bytes"].get<std::uint64_t>();
  const std::uint64_t fetched = gguf["bytes_fetched"].get<std::uint64_t>();
  CHECK(file_bytes == std::filesystem::file_size(disk));
  CHECK(header_bytes == w.header().size());
  CHECK(source["bytes_fetched"] == server.body_bytes_sent());  // what the server sent is what was counted
  // 2.47 MB of header in front of 4.9 GB: the read costs the header plus at most a quarter, < 1% of the file.
  INFO("header " << header_bytes << " B, fetched " << fetched << " B of " << file_bytes);
  CHECK(fetched >= header_bytes - 31);
  CHECK(static_cast<double>(fetched) <= 1.25 * static_cast<double>(header_bytes) + (320U << 10U));
  CHECK(static_cast<double>(fetched) < 0.01 * static_cast<double>(file_bytes));
  for (const auto& req : server.requests()) {
    if (req.path.ends_with(".gguf")) CHECK(req.range.rfind("bytes=", 0) == 0);
  }
  CHECK(elapsed < std::chrono::seconds(5));  // a generous bound: fails only if data were transferred

  server.stop();
  const Json again = json_ok(run_logged({"check", "--model", "hf:meta/Llama-8B-GGUF:Q4_K_M", "--gpu", "rtx-3090", "--json", "--offline"}));
  CHECK(result_without_paths(again) == result_without_paths(local));
  CHECK(again["inputs"]["model_source"]["from_cache"] == true);
  const Json inspect = json_ok(run_logged({"inspect", "hf:meta/Llama-8B-GGUF/Llama-8B-Q4_K_M.gguf", "--json"}));
  CHECK(inspect["result"]["tensor_bytes"] == 4912898048ULL);
  CHECK(inspect["inputs"]["model_source"]["kind"] == "hf_file");
  const Json by_file = json_ok(run_logged(
      {"check", "--model", "hf:meta/Llama-8B-GGUF/Llama-8B-Q4_K_M.gguf", "--gpu", "rtx-3090", "--json", "--offline"}));
  CHECK(by_file["result"]["runtime"]["llama_server"] ==
        "llama-server -hf meta/Llama-8B-GGUF --hf-file Llama-8B-Q4_K_M.gguf -c 8192 -ngl 33 -fa on --fit off");
  const CliResult requant = run_logged({"memory", "--model", "hf:meta/Llama-8B-GGUF:Q4_K_M", "--quant", "q8_0", "--offline"});
  CHECK(requant.code == 2);
  CHECK(requant.err == "llmsize: error: --quant q8_0 cannot apply to hf:meta/Llama-8B-GGUF:Q4_K_M: a GGUF file's tensors are "
                       "already Q4_K_M; drop --quant, or name the repository's file of another quantization "
                       "(hf:meta/Llama-8B-GGUF:Q8_0)\n");
  CHECK(g_all_output.find(kToken) == std::string::npos);
  std::filesystem::remove(disk);
}

TEST_CASE("Hub over HTTP: a split GGUF by URL reads every part's header, the token stays on the endpoint", "[hub][cli][gguf]") {
  const auto cache = llmsize::test::fresh_dir("llmsize-hub-cli-split");
  llmsize::test::GgufWriter first;
  first.kv_str("general.architecture", "llama");
  first.kv_str("general.name", "split");
  first.kv_u32("llama.block_count", 1);
  first.kv_u32("llama.embedding_length", 64);
  first.kv_u32("llama.attention.head_count", 4);
  first.kv_u32("split.count", 2);
  first.tensor("token_embd.weight", {64, 256}, 0, 64 * 256 * 4);
  llmsize::test::GgufWriter second;
  second.kv_u32("split.no", 1);
  second.tensor("output.weight", {64, 256}, 0, 64 * 256 * 4);
  LoopbackServer server;
  const auto serve = [&](const std::string& path, const llmsize::test::GgufWriter& w) {
    const auto b = w.bytes();
    server.serve(path, std::string(b.begin(), b.end()));
  };
  serve("/files/m-00001-of-00002.gguf", first);
  serve("/files/m-00002-of-00002.gguf", second);
  // A redirect is followed, as from the Hub to its CDN.
  server.redirect("/moved/m-00001-of-00002.gguf", "/files/m-00001-of-00002.gguf");
  server.redirect("/moved/m-00002-of-00002.gguf", "/files/m-00002-of-00002.gguf");
  const HubEnv env("https://hub.invalid", cache);
  const std::string url = server.endpoint() + "/moved/m-00002-of-00002.gguf";
  const CliResult text = run_logged({"inspect", url});
  CHECK(text.code == 0);
  // Each part is smaller than the first range, so each is fetched whole: 100% of the file.
  const std::uint64_t both = first.bytes().size() + second.bytes().size();
  CHECK_THAT(text.out, Catch::StartsWith(url + " · gguf v3 · llama · 0.00 GB remote (2 parts)\n\nFetched " + std::to_string(both) +
                                         " bytes of " + std::to_string(both) + " (100.0%) from " + server.endpoint() +
                                         "/moved/m-00001-of-00002.gguf\n"));
  const Json j = json_ok(run_logged({"inspect", url, "--json", "--offline"}));
  // F32: 2 tensors of 64 × 256 × 4 B = 131,072 B.
  CHECK(j["result"]["tensor_bytes"] == 131072);
  CHECK(j["result"]["parts"].size() == 2);
  CHECK(j["inputs"]["model_source"]["kind"] == "url");
  CHECK(j["inputs"]["model_source"]["repo"].is_null());
  CHECK(j["inputs"]["model_source"]["url"] == server.endpoint() + "/moved/m-00001-of-00002.gguf");
  CHECK(j["inputs"]["model_source"]["files"].size() == 2);
  CHECK(j["inputs"]["model_source"]["from_cache"] == true);
  // llama-server fetches a URL with -mu (the first part; it finds the others), llama-bench takes the file.
  const Json run_it = json_ok(run_logged({"memory", "--model", url, "--json", "--offline"}));
  CHECK(run_it["inputs"]["model_source"]["kind"] == "url");
  const Json checked = json_ok(run_logged({"check", "--model", url, "--gpu", "rtx-3090", "--json", "--offline"}));
  CHECK(checked["result"]["runtime"]["llama_server"] ==
        "llama-server -mu " + server.endpoint() + "/moved/m-00001-of-00002.gguf -c 4096 -ngl 2 -fa on --fit off");
  CHECK(checked["result"]["runtime"]["llama_bench"] == "llama-bench -m m-00001-of-00002.gguf -ngl 2 -fa 1 -p 512 -n 128 -d 0");
  for (const auto& req : server.requests()) CHECK(req.authorization.empty());  // not the endpoint: no token
  server.stop();
  CHECK(run_logged({"inspect", url}).code == 0);  // the cache, with the server gone
}

TEST_CASE("Hub over HTTP: every fault ends in exit 2 and one line naming the fix", "[hub][cli][errors]") {
  const auto cache = llmsize::test::fresh_dir("llmsize-hub-cli-faults");
  LoopbackServer server;
  const std::string ok = llmsize::test::slurp(kFixtures + "/hf/qwen3-8b/config.json");
  const std::pair<const char*, Fault> faults[] = {
      {"slow", Fault::slow},         {"truncated", Fault::truncated},  {"wronglength", Fault::wrong_length},
      {"private", Fault::status_401}, {"gated", Fault::gated},          {"missing", Fault::no_repo},
      {"forbidden", Fault::status_403}, {"gone", Fault::status_404},    {"broken", Fault::status_500},
      {"loop", Fault::redirect_loop},
  };
  for (const auto& [repo, fault] : faults) {
    server.serve(std::string("/o/") + repo + "/resolve/main/config.json", ok);
    server.fault(std::string("/o/") + repo + "/resolve/main/config.json", fault);
    server.serve(std::string("/o/") + repo + "/resolve/main/m.gguf", std::string(1000, 'x'), 1U << 30U);
    server.fault(std::string("/o/") + repo + "/resolve/main/m.gguf", fault);
  }
  const HubEnv env(server.endpoint(), cache, "1");
  struct Case {
    std::string model;
    std::string expected;  ///< a part of the one line
  };
  const std::string e = server.endpoint();
  const std::vector<Case> cases = {
      {"hf:o/slow", "no answer from 127.0.0.1:"},
      {"hf:o/truncated", "the connection closed before all of config.json arrived from " + e + "/o/truncated/resolve/main/config.json"},
      {"hf:o/truncated/m.gguf", "the connection closed before all of the GGUF header arrived"},
      {"hf:o/wronglength/m.gguf", "sent 131072 bytes for bytes 0-262143"},
      {"hf:o/private", "HTTP 401 for " + e + "/o/private/resolve/main/config.json: HF_TOKEN was refused or has no access"},
      {"hf:o/gated", "o/gated is gated (HTTP 401 for config.json); HF_TOKEN was sent but its account has no access: accept the license at " + e + "/o/gated"},
      {"hf:o/missing", "no repository o/missing on " + e + " (HTTP 401); check the name, or set HF_TOKEN if it is private"},
      {"hf:o/forbidden", "HTTP 403 for"},
      {"hf:o/gone/m.gguf", "no such file: " + e + "/o/gone/resolve/main/m.gguf (HTTP 404); check the name"},
      {"hf:o/gone", "the repository has no config.json (HTTP 404"},
      {"hf:o/broken", "HTTP 500 from " + e + "/o/broken/resolve/main/config.json: the server failed; try again later"},
      {"hf:o/loop/m.gguf", "redirects more than 5 times; check the URL and HF_ENDPOINT"},
      {"hf:o/notcached:Q4_K_M", "not in the cache"},  // run with --offline below
      {"http://127.0.0.1:" + std::to_string(llmsize::test::closed_port()) + "/m.gguf", "cannot connect to 127.0.0.1:"},
      {"hf:o/", "no repository;"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"memory", "--model", c.model};
    if (c.model.find("notcached") != std::string::npos) args.push_back("--offline");
    const auto start = std::chrono::steady_clock::now();
    const CliResult r = run_logged(args);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(c.model << " → " << r.err << " (" << seconds << " s)");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("llmsize: error: " + c.model + ": ") || Catch::StartsWith("llmsize: error: \"" + c.model + "\""));
    CHECK_THAT(r.err, Catch::Contains(c.expected));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(seconds < 4);  // the slow server is given up after HF_HUB_DOWNLOAD_TIMEOUT=1 (curl checks once a second)
  }
  server.stop();
  // Nothing failed was cached; the token went to the server but into no output and no file.
  CHECK(llmsize::test::all_bytes_under(cache).find(kToken) == std::string::npos);
  CHECK(g_all_output.find(kToken) == std::string::npos);
}
