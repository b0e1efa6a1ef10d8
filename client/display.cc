#include "client/display.h"

#include <cstdlib>

namespace kuaibao {

namespace {

Display& Mutable() {
  static Display display{LangFromEnv(std::getenv("LANG")),
                         TimeZoneChoice::kBeijing};
  return display;
}

}  // namespace

const Display& CurrentDisplay() { return Mutable(); }

void SetDisplay(const Display& display) { Mutable() = display; }

}  // namespace kuaibao
