// The API server's answer to the aggregator's TokenReview of an agent's token.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "aggregator/ingest/token_reviewer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tailor::aggregator;
  const auto answer = nlohmann::json::parse(data, data + size, nullptr, false);
  if (answer.is_discarded()) return 0;
  const auto outcome = judge_token_review(answer, TokenReviewOptions{});
  // Only an answer naming the agent's service account and one node may let a request in.
  if (outcome.status == 200 && (outcome.node.empty() || outcome.username.empty())) __builtin_trap();
  return 0;
}
