#pragma once
/// Speculative decoding (llama.cpp -md, --spec-type draft-mtp): a draft proposes up to `draft_max` tokens one
/// at a time, the target checks them in one batch of draft_max + 1 tokens and keeps the accepted ones and its
/// own next token. docs/formulas.md, "Speculative decoding".
#include <cstdint>

namespace llmsize::engine {

/// The draft acceptance rate as llama-server reports it ("draft acceptance rate = accepted / generated"):
/// the share of drafted tokens the target keeps. A range: it depends on the text and the draft model.
struct AcceptanceRange {
  double low = 0;
  double high = 0;
};

/// The time of the three kinds of step, from the speed predictions of the target and the draft.
struct SpeculationRequest {
  double target_step_s = 0;     ///< one decoded token of the target alone (1 / its decode tok/s)
  double verify_step_s = 0;     ///< the target decoding a batch of draft_max + 1 tokens
  double draft_step_s = 0;      ///< one decoded token of the draft
  std::uint32_t draft_max = 0;  ///< tokens drafted per step (llama.cpp --draft-max)
};

/// Tokens one step yields: 1 + acceptance × draft_max (the target's own token plus the accepted drafts;
/// llama-server's "mean acceptance length").
[[nodiscard]] double tokens_per_step(double acceptance, std::uint32_t draft_max);

/// Decode tok/s with speculation at one acceptance rate:
/// tokens_per_step / (draft_max × draft_step_s + verify_step_s).
[[nodiscard]] double speculative_tokens_per_s(const SpeculationRequest& r, double acceptance);

/// Speculative decode as a band, never one number.
struct SpeculationResult {
  AcceptanceRange acceptance;
  std::uint32_t draft_max = 0;
  double tokens_per_step_low = 0;
  double tokens_per_step_high = 0;
  double decode_low = 0;    ///< tok/s at the low acceptance, scaled by the target's own low band ratio
  double decode_high = 0;   ///< tok/s at the high acceptance, scaled by the target's high band ratio
  double speedup_low = 0;   ///< over the target alone, at the low and high acceptance (central speeds)
  double speedup_high = 0;
  double draft_tokens_per_s = 0;  ///< the draft alone (1 / draft_step_s)
};

/// `band_low` and `band_high` are the target's decode band as ratios of its central prediction
/// (SpeedResult::decode_low / decode_tokens_per_s, and high): the same uncertainty carries over.
[[nodiscard]] SpeculationResult estimate_speculation(const SpeculationRequest& r, AcceptanceRange acceptance,
                                                     double band_low, double band_high);

}  // namespace llmsize::engine
