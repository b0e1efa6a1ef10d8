#ifndef KUAIBAO_CLIENT_DISPLAY_H_
#define KUAIBAO_CLIENT_DISPLAY_H_

// How this client process shows things to its person: language and time
// zone. `kuaibao` sets it once from --lang / --utc / LANG before printing
// anything; the formatting helpers (client/format.h) read it. Defaults:
// Beijing time, language from LANG.

#include "client/beijing_time.h"
#include "client/locale.h"

namespace kuaibao {

struct Display {
  Lang lang = Lang::kEn;
  TimeZoneChoice zone = TimeZoneChoice::kBeijing;
};

// The process's display settings. Not synchronised: set before threads
// start.
const Display& CurrentDisplay();
void SetDisplay(const Display& display);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_DISPLAY_H_
