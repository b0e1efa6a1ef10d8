#ifndef KUAIBAO_CLIENT_TEXT_TABLE_H_
#define KUAIBAO_CLIENT_TEXT_TABLE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kuaibao {

// The number of terminal columns UTF-8 text takes: East Asian wide characters
// (the Chinese in names and addresses) count two, everything else one.
size_t DisplayWidth(absl::string_view utf8);

// A table for terminals: columns left-aligned, two spaces apart, widths set by
// the widest cell (in display columns). Thread-compatible.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);

  // A row with fewer cells than the header is padded with empty ones.
  void AddRow(std::vector<std::string> cells);

  // The header, a rule under it, then the rows; each line ends in '\n' and
  // carries no trailing spaces.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_TEXT_TABLE_H_
