#include "tests/bench/process_sample.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kuaibao::bench {

absl::StatusOr<ProcessSample> SampleProcess(pid_t pid) {
  const std::string dir =
      pid == 0 ? std::string("/proc/self") : absl::StrCat("/proc/", pid);
  ProcessSample sample;
  std::ifstream stat_file(dir + "/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)),
                   std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces; fields after it are plain.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) {
    return absl::NotFoundError(absl::StrCat("no process ", pid));
  }
  std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
  // Fields 14 and 15 of stat(5), counted from field 3 here.
  int64_t utime = 0;
  int64_t stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::DataLossError(absl::StrCat("cannot parse ", dir, "/stat"));
  }
  sample.cpu_seconds =
      static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);

  std::ifstream status(dir + "/status");
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    double* field =
        absl::ConsumePrefix(&rest, "VmRSS:")     ? &sample.rss_mib
        : absl::ConsumePrefix(&rest, "RssAnon:") ? &sample.rss_anon_mib
        : absl::ConsumePrefix(&rest, "VmHWM:")   ? &sample.rss_peak_mib
                                                 : nullptr;
    if (field == nullptr) continue;
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, " kB");
    int64_t kib = 0;
    if (absl::SimpleAtoi(rest, &kib)) *field = kib / 1024.0;
  }
  return sample;
}

}  // namespace kuaibao::bench
