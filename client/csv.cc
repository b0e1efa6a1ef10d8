#include "client/csv.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace kuaibao {

std::string CsvField(absl::string_view field) {
  if (field.find_first_of(",\"\n\r") == absl::string_view::npos) {
    return std::string(field);
  }
  return absl::StrCat("\"", absl::StrReplaceAll(field, {{"\"", "\"\""}}), "\"");
}

std::string CsvLine(std::initializer_list<absl::string_view> fields) {
  std::string line;
  for (absl::string_view f : fields) {
    if (!line.empty()) line += ",";
    line += CsvField(f);
  }
  return line + "\n";
}

}  // namespace kuaibao
