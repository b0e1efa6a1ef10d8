#include "tests/testing/history.h"

#include <cstdlib>
#include <random>

#include "absl/strings/numbers.h"

namespace kuaibao::testing {

uint64_t TestSeed() {
  const char* fixed = std::getenv("KUAIBAO_SEED");
  uint64_t seed = 0;
  if (fixed != nullptr && absl::SimpleAtoi(fixed, &seed)) return seed;
  return std::random_device()();
}

bool SoakRequested() {
  const char* soak = std::getenv("KUAIBAO_SOAK");
  return soak != nullptr && std::string(soak) == "1";
}

}  // namespace kuaibao::testing
