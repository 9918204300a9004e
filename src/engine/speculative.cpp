// Speculative decoding: each step drafts draft_max tokens and verifies them in one target batch. With the
// acceptance rate a (accepted / drafted), a step yields 1 + a × draft_max tokens; this is how llama-server's
// "mean acceptance length" relates to its acceptance rate when every draft runs to draft_max (llama.cpp's
// current default, --draft-p-min 0: no early stop).
#include "llmsize/engine/speculative.h"

namespace llmsize::engine {

double tokens_per_step(double acceptance, std::uint32_t draft_max) {
  return 1.0 + acceptance * static_cast<double>(draft_max);
}

double speculative_tokens_per_s(const SpeculationRequest& r, double acceptance) {
  const double step_s = static_cast<double>(r.draft_max) * r.draft_step_s + r.verify_step_s;
  return step_s > 0 ? tokens_per_step(acceptance, r.draft_max) / step_s : 0.0;
}

SpeculationResult estimate_speculation(const SpeculationRequest& r, AcceptanceRange acceptance, double band_low,
                                       double band_high) {
  SpeculationResult out;
  out.acceptance = acceptance;
  out.draft_max = r.draft_max;
  out.tokens_per_step_low = tokens_per_step(acceptance.low, r.draft_max);
  out.tokens_per_step_high = tokens_per_step(acceptance.high, r.draft_max);
  const double low = speculative_tokens_per_s(r, acceptance.low);
  const double high = speculative_tokens_per_s(r, acceptance.high);
  out.decode_low = low * band_low;
  out.decode_high = high * band_high;
  const double alone = r.target_step_s > 0 ? 1.0 / r.target_step_s : 0.0;
  out.speedup_low = alone > 0 ? low / alone : 0.0;
  out.speedup_high = alone > 0 ? high / alone : 0.0;
  out.draft_tokens_per_s = r.draft_step_s > 0 ? 1.0 / r.draft_step_s : 0.0;
  return out;
}

}  // namespace llmsize::engine
