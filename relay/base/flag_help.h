#ifndef KUAIBAO_RELAY_BASE_FLAG_HELP_H_
#define KUAIBAO_RELAY_BASE_FLAG_HELP_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kuaibao {

// True when the command line asks for help (--help, -help, -h) before any
// "--". Abseil's own --help lists only flags defined in <program>.cc and
// exits 1 ("No flags matched." for our mains), so the programs answer it
// themselves.
bool WantsHelp(int argc, char** argv);

// `usage`, then every flag this program defines (not Abseil's own), sorted
// by name, each with its description and default: the text of --help, and
// what help2man turns into the man page.
std::string FlagHelp(absl::string_view usage);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_BASE_FLAG_HELP_H_
