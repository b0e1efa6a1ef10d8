#include "relay/base/flag_help.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kuaibao {

bool WantsHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--help") == 0 ||
        std::strcmp(argv[i], "-help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      return true;
    }
  }
  return false;
}

std::string FlagHelp(absl::string_view usage) {
  std::vector<const absl::CommandLineFlag*> own;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    // Abseil's flags (--flagfile, --helpfull, ...) are defined under absl/.
    if (!absl::StrContains(flag->Filename(), "absl/")) own.push_back(flag);
  }
  std::sort(own.begin(), own.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  std::string text = absl::StrCat(usage, "\n\nOptions:\n");
  for (const absl::CommandLineFlag* flag : own) {
    absl::StrAppend(&text, "  --", flag->Name(), "\n      ", flag->Help());
    const std::string fallback = flag->DefaultValue();
    if (!fallback.empty() && fallback != "false") {
      absl::StrAppend(&text, " (default: ", fallback, ")");
    }
    absl::StrAppend(&text, "\n");
  }
  absl::StrAppend(&text,
                  "  --help\n      this text\n"
                  "  --flagfile=FILE\n      read more flags from FILE\n");
  return text;
}

}  // namespace kuaibao
