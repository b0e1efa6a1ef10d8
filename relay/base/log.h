#ifndef KUAIBAO_RELAY_BASE_LOG_H_
#define KUAIBAO_RELAY_BASE_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace kuaibao {

enum class LogLevel { kInfo, kWarning, kError };

// Writes one JSON object per line to stderr:
//   {"ts":"2026-11-28T12:00:00.123456Z","level":"info","msg":"...","k":"v"}
// Thread-safe (one write(2) per line). Never pass classified report content:
// ids, codes and counts only.
void Log(LogLevel level, absl::string_view message,
         std::initializer_list<std::pair<absl::string_view, std::string>>
             fields = {});

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_BASE_LOG_H_
