#include "client/command_help.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace kuaibao {
namespace {

// An entry starts at two spaces and a word; its continuation lines are
// indented further.
bool StartsEntry(absl::string_view line) {
  return line.size() > 2 && absl::StartsWith(line, "  ") && line[2] != ' ';
}

}  // namespace

std::string CommandHelp(absl::string_view usage, absl::string_view command) {
  if (command.empty()) return "";
  const std::vector<absl::string_view> lines = absl::StrSplit(usage, '\n');
  const std::string head = absl::StrCat("  ", command);
  std::string entries, flags;
  enum { kNone, kCommands, kFlags } section = kNone;
  bool in_entry = false;
  for (absl::string_view line : lines) {
    if (line == "Commands:") {
      section = kCommands;
      continue;
    }
    if (line == "Flags:") {
      section = kFlags;
      in_entry = false;
      continue;
    }
    if (section == kCommands) {
      if (StartsEntry(line)) {
        in_entry = absl::StartsWith(line, head) &&
                   (line.size() == head.size() || line[head.size()] == ' ');
      } else if (line.empty()) {
        in_entry = false;
      }
      if (in_entry) absl::StrAppend(&entries, line, "\n");
    } else if (section == kFlags) {
      // A flag whose description names the command ("due: ...").
      if (StartsEntry(line)) {
        in_entry = absl::StrContains(line, absl::StrCat(" ", command, ":")) ||
                   absl::StrContains(line, absl::StrCat(" ", command, ","));
      }
      if (in_entry) absl::StrAppend(&flags, line, "\n");
    }
  }
  if (entries.empty()) return "";
  std::string out =
      absl::StrCat("usage: kuaibao [flags] ", command, " ...\n\n", entries);
  if (!flags.empty())
    absl::StrAppend(&out, "\nFlags for ", command, ":\n", flags);
  absl::StrAppend(&out,
                  "\nConnection flags (--node, --cert, --key, --ca), --utc, "
                  "--lang and every command: kuaibao --help\n");
  return out;
}

}  // namespace kuaibao
