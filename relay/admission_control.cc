#include "relay/admission_control.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kuaibao {
namespace {

// Hysteresis: refuse at the limit, take reports again this far inside it.
uint64_t ResumeBelow(uint64_t max_store_bytes) {
  return max_store_bytes / 20 * 19;
}
uint64_t ResumeAbove(uint64_t min_free_bytes) {
  return min_free_bytes + min_free_bytes / 20;
}

constexpr char kKept[] =
    " Reports already acknowledged are kept and still forwarded.";

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return absl::StrCat(bytes, " B");
  // Two literal formats (not one chosen at run time) so that StrFormat's
  // compile-time format check works under Clang too.
  if (value < 10) return absl::StrFormat("%.1f %s", value, units[unit]);
  return absl::StrFormat("%.0f %s", value, units[unit]);
}

AdmissionControl::AdmissionControl(std::string node, Limits limits)
    : node_(std::move(node)), limits_(limits) {}

bool AdmissionControl::Update(const Usage& usage) {
  absl::MutexLock lock(&mu_);
  return Decide(usage);
}

bool AdmissionControl::UpdateBacklog(uint64_t backlog_bytes) {
  absl::MutexLock lock(&mu_);
  Usage usage = usage_;
  usage.backlog_bytes = backlog_bytes;
  return Decide(usage);
}

bool AdmissionControl::Decide(const Usage& usage) {
  usage_ = usage;
  const bool refusing = !refusal_.ok();
  auto over = [refusing](uint64_t used, uint64_t limit) {
    return limit > 0 && used >= (refusing ? ResumeBelow(limit) : limit);
  };
  const bool backlog_full =
      over(usage.backlog_bytes, limits_.max_backlog_bytes);
  const bool over_quota = over(usage.store_bytes, limits_.max_store_bytes);
  const bool short_of_space =
      usage.free_bytes <
      (refusing ? ResumeAbove(limits_.min_free_bytes) : limits_.min_free_bytes);
  absl::Status refusal;
  if (backlog_full) {
    refusal = absl::ResourceExhaustedError(absl::StrCat(
        "node ", node_,
        " takes no new reports: ", FormatBytes(usage.backlog_bytes),
        " of reports wait for the upstream's acknowledgement, at its limit "
        "of ",
        FormatBytes(limits_.max_backlog_bytes),
        " (max_backlog_bytes); it takes them again by itself once the "
        "upstream has taken enough that less than ",
        FormatBytes(ResumeBelow(limits_.max_backlog_bytes)), " wait.", kKept));
  } else if (over_quota) {
    refusal = absl::ResourceExhaustedError(absl::StrCat(
        "node ", node_, " takes no new reports: its store holds ",
        FormatBytes(usage.store_bytes), ", at its limit of ",
        FormatBytes(limits_.max_store_bytes),
        " (max_store_bytes); it takes them again below ",
        FormatBytes(ResumeBelow(limits_.max_store_bytes)),
        ". The store keeps every report as history and does not shrink by "
        "itself: an operator must make room (README 'Disk and history').",
        kKept));
  } else if (short_of_space) {
    refusal = absl::ResourceExhaustedError(absl::StrCat(
        "node ", node_,
        " takes no new reports: the disk holding its store has ",
        FormatBytes(usage.free_bytes), " free, below the reserve of ",
        FormatBytes(limits_.min_free_bytes),
        " (min_free_disk_bytes); it takes them again when ",
        FormatBytes(ResumeAbove(limits_.min_free_bytes)), " are free.", kKept));
  }
  refusal_ = std::move(refusal);
  return refusing != !refusal_.ok();
}

absl::Status AdmissionControl::Check() const {
  absl::MutexLock lock(&mu_);
  return refusal_;
}

AdmissionControl::Usage AdmissionControl::usage() const {
  absl::MutexLock lock(&mu_);
  return usage_;
}

}  // namespace kuaibao
