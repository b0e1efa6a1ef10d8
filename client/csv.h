#ifndef KUAIBAO_CLIENT_CSV_H_
#define KUAIBAO_CLIENT_CSV_H_

// CSV as Excel and WPS open it: UTF-8 with a byte-order mark (without it
// they read Chinese as GBK and show mojibake), RFC 4180 quoting, times as
// ISO 8601 with their offset (client/beijing_time.h). Shared by the CLI's
// audit CSVs and the console's downloads. Pure; no gRPC.

#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"

namespace kuaibao {

// The UTF-8 byte-order mark a CSV file starts with.
inline constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

// A CSV field: quoted when it holds a comma, quote or line break.
std::string CsvField(absl::string_view field);

// Fields joined by commas, ending in "\n" (both programs accept it).
std::string CsvLine(std::initializer_list<absl::string_view> fields);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_CSV_H_
