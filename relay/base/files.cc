#include "relay/base/files.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace kuaibao {

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", what, " file '", path, "'"));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace kuaibao
