// Remote names, the URLs they resolve to, and which GGUF file a quant names.
#include <catch2/catch.hpp>

#include "../../src/hub/cache.h"
#include "../../src/hub/fetch.h"
#include "llmsize/error.h"
#include "llmsize/hub/name.h"

using namespace llmsize::hub;

TEST_CASE("Hub names: the four forms", "[hub]") {
  const RemoteName config = parse_remote_name("hf:Qwen/Qwen3-8B");
  CHECK(config.kind == NameKind::hf_config);
  CHECK(config.repo == "Qwen/Qwen3-8B");
  CHECK(config.revision == "main");

  const RemoteName quant = parse_remote_name("hf:unsloth/Qwen3-8B-GGUF@v1.0:Q4_K_M");
  CHECK(quant.kind == NameKind::hf_quant);
  CHECK(quant.repo == "unsloth/Qwen3-8B-GGUF");
  CHECK(quant.revision == "v1.0");
  CHECK(quant.quant == "Q4_K_M");

  const RemoteName file = parse_remote_name("hf:bartowski/Qwen_Qwen3-8B-GGUF/sub dir/Qwen_Qwen3-8B-Q8_0.gguf");
  CHECK(file.kind == NameKind::hf_file);
  CHECK(file.file == "sub dir/Qwen_Qwen3-8B-Q8_0.gguf");

  const RemoteName url = parse_remote_name("https://example.org/models/x-Q4_0.gguf?download=true");
  CHECK(url.kind == NameKind::url);
  CHECK(url.url == "https://example.org/models/x-Q4_0.gguf?download=true");
  // A Hub file page is HTML; its bytes are under /resolve/.
  CHECK(parse_remote_name("https://huggingface.co/o/r/blob/main/m.gguf").url == "https://huggingface.co/o/r/resolve/main/m.gguf");

  CHECK(is_remote_name("hf:a/b"));
  CHECK(is_remote_name("HTTPS://x/y.gguf"));
  CHECK_FALSE(is_remote_name("llama-3.1-8b"));
  CHECK_FALSE(is_remote_name("./hf:x"));
}

TEST_CASE("Hub names: malformed names say what is wrong and the forms accepted", "[hub]") {
  const auto error_of = [](const std::string& name) {
    try {
      (void)parse_remote_name(name);
    } catch (const llmsize::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("hf:Qwen") == "\"hf:Qwen\": no repository after \"Qwen\"; write hf:ORG/REPO[@REVISION], "
                               "hf:ORG/REPO[@REVISION]:QUANT, hf:ORG/REPO[@REVISION]/FILE.gguf or https://.../FILE.gguf (docs/hub.md)");
  CHECK_THAT(error_of("hf:a/b@"), Catch::StartsWith("\"hf:a/b@\": no revision;"));
  CHECK_THAT(error_of("hf:a/b:"), Catch::StartsWith("\"hf:a/b:\": no quantization;"));
  CHECK_THAT(error_of("hf:a/b/../../etc/passwd.gguf"), Catch::Contains("\"..\" part"));
  CHECK_THAT(error_of("hf:a/b/model.safetensors"), Catch::Contains("must be a .gguf file"));
  CHECK_THAT(error_of("hf:../b"), Catch::Contains("organisation \"..\" is not allowed"));
  CHECK_THAT(error_of("hf:a/b..c"), Catch::Contains("is not allowed"));
  CHECK_THAT(error_of("https://x.org/model.bin"), Catch::Contains("a URL must name a .gguf file"));
  CHECK_THAT(error_of("https://x.org/a b.gguf"), Catch::Contains("spaces"));
  CHECK_THAT(error_of("https:///m.gguf"), Catch::Contains("no host"));
}

TEST_CASE("Hub URLs are built as huggingface_hub's hf_hub_url builds them", "[hub]") {
  CHECK(resolve_url("https://huggingface.co", "Qwen/Qwen3-8B", "main", "config.json") ==
        "https://huggingface.co/Qwen/Qwen3-8B/resolve/main/config.json");
  // The revision is quoted whole (safe=""), the file path by segment.
  CHECK(resolve_url("http://h", "o/r", "refs/pr/1", "Q4_K_M/a b+c.gguf") == "http://h/o/r/resolve/refs%2Fpr%2F1/Q4_K_M/a%20b%2Bc.gguf");
  CHECK(model_info_url("http://h", "o/r", "main") == "http://h/api/models/o/r/revision/main");
  CHECK(split_part_names("https://h/m-00002-of-00003.gguf?x=1") ==
        std::vector<std::string>{"https://h/m-00001-of-00003.gguf?x=1", "https://h/m-00002-of-00003.gguf?x=1",
                                 "https://h/m-00003-of-00003.gguf?x=1"});
  CHECK(split_part_names("d/m.gguf") == std::vector<std::string>{"d/m.gguf"});
}

TEST_CASE("Hub quant names pick the one GGUF file carrying the quant as a whole token", "[hub]") {
  const std::vector<std::string> files = {".gitattributes",
                                          "README.md",
                                          "Qwen3-8B-Q4_K_M.gguf",
                                          "Qwen3-8B-Q4_K_S.gguf",
                                          "Qwen3-8B-IQ4_XS.gguf",
                                          "Qwen3-8B-UD-Q4_K_XL.gguf",
                                          "mmproj-Qwen3-8B-Q4_K_M.gguf",
                                          "Q8_0/Qwen3-8B-Q8_0-00002-of-00002.gguf",
                                          "Q8_0/Qwen3-8B-Q8_0-00001-of-00002.gguf"};
  CHECK(gguf_file_for_quant(files, "Q4_K_M", "hf:o/r:Q4_K_M") == "Qwen3-8B-Q4_K_M.gguf");
  CHECK(gguf_file_for_quant(files, "q4_k_m", "hf:o/r:q4_k_m") == "Qwen3-8B-Q4_K_M.gguf");  // case-insensitive
  CHECK(gguf_file_for_quant(files, "UD-Q4_K_XL", "hf:o/r:UD-Q4_K_XL") == "Qwen3-8B-UD-Q4_K_XL.gguf");
  CHECK(gguf_file_for_quant(files, "Q8_0", "hf:o/r:Q8_0") == "Q8_0/Qwen3-8B-Q8_0-00001-of-00002.gguf");  // split: part 1
  CHECK(gguf_file_for_quant(files, "IQ4_XS", "hf:o/r:IQ4_XS") == "Qwen3-8B-IQ4_XS.gguf");
  try {
    (void)gguf_file_for_quant(files, "Q4_K", "hf:o/r:Q4_K");  // Q4_K_M and Q4_K_S are other quants
    FAIL("Q4_K must match nothing");
  } catch (const llmsize::Error& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("hf:o/r:Q4_K: no GGUF file in the repository is named for Q4_K; it holds "
                                           "Qwen3-8B-Q4_K_M.gguf, Qwen3-8B-Q4_K_S.gguf,"));
  }
  try {
    (void)gguf_file_for_quant({"a-Q4_0.gguf", "b-Q4_0.gguf"}, "Q4_0", "hf:o/r:Q4_0");
    FAIL("two models must be ambiguous");
  } catch (const llmsize::Error& e) {
    CHECK(std::string(e.what()) == "hf:o/r:Q4_0: 2 GGUF files are named for Q4_0: a-Q4_0.gguf, b-Q4_0.gguf; name one as hf:ORG/REPO/FILE.gguf");
  }
  try {
    (void)gguf_file_for_quant({"config.json", "model.safetensors"}, "Q4_K_M", "hf:o/r@dev:Q4_K_M");
    FAIL("no GGUF at all");
  } catch (const llmsize::Error& e) {
    CHECK(std::string(e.what()) == "hf:o/r@dev:Q4_K_M: the repository holds no GGUF file; size its config.json instead: hf:o/r@dev --quant q4_k_m");
  }
}

TEST_CASE("Hub Content-Range values are read strictly", "[hub]") {
  const auto cr = parse_content_range("bytes 0-99/1000");
  REQUIRE(cr);
  CHECK(cr->first == 0);
  CHECK(cr->last == 99);
  CHECK(cr->file_bytes == 1000);
  CHECK_FALSE(parse_content_range("bytes 0-99/*"));
  CHECK_FALSE(parse_content_range("bytes 10-9/100"));
  CHECK_FALSE(parse_content_range("bytes 0-100/100"));
  CHECK_FALSE(parse_content_range("bytes=0-9/100"));
  CHECK_FALSE(parse_content_range("bytes 0-9/100x"));
}

TEST_CASE("Hub cache keys: one directory per repository and revision, a hash per URL", "[hub]") {
  CHECK(hf_cache_key("o/r", "refs/pr/1", "Q8_0/m.gguf") == "hf/o/r/refs%2Fpr%2F1/Q8_0/m.gguf");
  // FNV-1a 64 of "a": 0xaf63dc4c8601ec8c.
  CHECK(url_cache_key("a") == "url/af63dc4c8601ec8c/a");
  CHECK(url_cache_key("https://h/d/m.gguf?x=1").ends_with("/m.gguf"));
}
