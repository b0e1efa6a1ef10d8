#ifndef KUAIBAO_CLIENT_COMMAND_HELP_H_
#define KUAIBAO_CLIENT_COMMAND_HELP_H_

// Help for one command (`kuaibao help submit`, `kuaibao submit --help`),
// cut from the full usage text so that the two never disagree. Pure.

#include <string>

#include "absl/strings/string_view.h"

namespace kuaibao {

// The entries of `usage`'s "Commands:" section whose first word(s) are
// `command` ("audit" gives every audit entry, "audit review" one), then the
// usage's "Flags:" lines that name the command, then a pointer to the full
// help. "" when no entry matches.
std::string CommandHelp(absl::string_view usage, absl::string_view command);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_COMMAND_HELP_H_
