// The architecture table both model-file readers consult, and the one sliding-window pattern rule.
#include <catch2/catch.hpp>

#include <memory>

#include "modelfile/arch_traits.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::modelfile {

TEST_CASE("arch traits: rows by llama.cpp name, config.json model_types by alias", "[archtraits]") {
  // llama-model.cpp: Gemma 3 set_swa_pattern(6), Gemma 3n n_layer_kv_from_start = 20, Llama 4 n_swa 8192.
  REQUIRE(arch_traits("gemma3") != nullptr);
  CHECK(arch_traits("gemma3")->swa.pattern == 6U);
  CHECK(arch_traits("gemma3n")->kv_shared_from_layer == 20U);
  CHECK(arch_traits("llama4")->swa.window == 8192U);
  CHECK(arch_traits("nemotron_h")->recurrent == SsmKind::mamba2);
  CHECK(arch_traits("bert") == nullptr);
  // convert_hf_to_gguf.py: MixtralForCausalLM and gemma3_text convert to llama and gemma3.
  const auto mixtral = hf_alias("mixtral");
  REQUIRE(mixtral);
  CHECK(mixtral->arch->arch == "llama");
  CHECK(mixtral->alias->family == "mistral");
  REQUIRE(mixtral->alias->moe != nullptr);
  CHECK(std::string(mixtral->alias->moe->n_experts) == "num_local_experts");
  const auto gemma3_text = hf_alias("gemma3_text");
  REQUIRE(gemma3_text);
  CHECK(gemma3_text->arch->arch == "gemma3");
  CHECK(gemma3_text->alias->model_type == "gemma3");  // messages name the config class by its first spelling
  const auto gemma3n_text = hf_alias("gemma3n_text");
  REQUIRE(gemma3n_text);
  CHECK(gemma3n_text->arch->arch == "gemma3n");
  CHECK(gemma3n_text->arch->kv_shared_from_layer == 20U);  // the GGUF reader's default is untouched
  CHECK(hf_alias("olmo3")->arch->arch == "olmo2");          // convert_hf_to_gguf.py: Olmo3ForCausalLM is OLMO2
  CHECK(hf_alias("qwen3_5_moe_text")->arch->arch == "qwen35moe");
  CHECK_FALSE(hf_alias("deepseek_v4"));
  // Ling 2.0 keeps Ling 1's model_type: the class in `architectures` tells them apart.
  const std::string v2[] = {"BailingMoeV2ForCausalLM"};
  const std::string v1[] = {"BailingMoeForCausalLM"};
  REQUIRE(hf_alias("bailing_moe", v2));
  CHECK(hf_alias("bailing_moe", v2)->arch->arch == "bailingmoe2");
  CHECK_FALSE(hf_alias("bailing_moe", v1));
  CHECK_FALSE(hf_alias("bailing_moe"));
  CHECK(hf_alias("bailing_moe_v2")->arch->arch == "bailingmoe2");
  CHECK(hf_alias("ministral3")->arch->arch == "mistral3");  // Mistral 3's mistral text model stays llama
  CHECK(hf_alias("nemotron-nas")->arch->arch == "deci");
  CHECK(hf_alias("cohere")->arch->arch == "command-r");
  CHECK(hf_alias("phi")->arch->arch == "phi2");
  CHECK(hf_model_types() ==
        "llama, mistral, mixtral, qwen2, qwen2_moe, qwen3, qwen3_moe, gemma2, gemma3, gemma3_text, phi3, deepseek_v2, "
        "deepseek_v3, kimi_k2, glm4_moe_lite, gpt_oss, granite, mamba, qwen3_next, qwen3_5, qwen3_5_text, qwen3_5_moe, qwen3_5_moe_text, "
        "glm4_moe, deepseek_v32, dots1, minimax_m2, ernie4_5, ernie4_5_moe, hunyuan_v1_moe, hunyuan_v1_dense, exaone4, "
        "olmo2, olmo3, seed_oss, smollm3, granitemoehybrid, nemotron_h, lfm2, gemma3n, gemma3n_text, gemma4, gemma4_text, "
        "cohere, cohere2, falcon, RefinedWeb, RefinedWebModel, gemma, glm4, chatglm, granitemoe, internlm2, exaone, olmoe, "
        "phi, phimoe, starcoder2, qwen2_vl, qwen2_vl_text, qwen2_5_vl, qwen2_5_vl_text, qwen3_vl, qwen3_vl_text, "
        "qwen3_vl_moe, qwen3_vl_moe_text, ministral3, apertus, arcee, bailing_moe (BailingMoeV2ForCausalLM), bailing_moe_v2, "
        "lfm2_moe, llama4, llama4_text, jamba, mamba2, nemotron-nas, deci");
}

TEST_CASE("swa_period: the first full layer ends the period, which must repeat", "[archtraits]") {
  const auto period = [](std::initializer_list<bool> layers) {
    const auto flags = std::make_unique<bool[]>(layers.size());
    std::copy(layers.begin(), layers.end(), flags.get());
    return swa_period({flags.get(), layers.size()});
  };
  constexpr bool S = true;   // sliding
  constexpr bool F = false;  // full
  CHECK(period({S, S, S, S, S, F, S, S, S, S, S, F}) == 6U);  // Gemma 3
  CHECK(period({S, F, S, F}) == 2U);                          // Gemma 2, gpt-oss
  CHECK(period({S, S, S, S}) == 1U);                          // no full layer: every layer slides
  CHECK(period({S, S, F, S, S}) == 3U);                       // a last period cut short still repeats
  CHECK_FALSE(period({S, F, S, S, S, F}));                    // period 2, then a third sliding layer
  CHECK_FALSE(period({F, S}));                                // period 1 means every layer slides
}

}  // namespace llmsize::modelfile
