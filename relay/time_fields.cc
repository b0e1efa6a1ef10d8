#include "relay/time_fields.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "relay/validation.h"

namespace kuaibao {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The limits of google/protobuf/util/time_util.h (and of the JSON mapping).
constexpr int64_t kTimestampMinSeconds = -62135596800;  // 0001-01-01
constexpr int64_t kTimestampMaxSeconds = 253402300799;  // 9999-12-31
constexpr int64_t kDurationMaxSeconds = 315576000000;   // 10,000 years
constexpr int32_t kMaxNanos = 999999999;

absl::Status Bad(const std::string& field, absl::string_view reason) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, reason);
}

// The seconds and nanos of a Timestamp or Duration, read by reflection so
// that unknown message types cost nothing here.
void SecondsAndNanos(const Message& m, int64_t* seconds, int32_t* nanos) {
  const Reflection* r = m.GetReflection();
  const auto* d = m.GetDescriptor();
  *seconds = r->GetInt64(m, d->FindFieldByNumber(1));
  *nanos = r->GetInt32(m, d->FindFieldByNumber(2));
}

absl::Status CheckOne(const Message& m, const std::string& path) {
  const std::string& type = m.GetDescriptor()->full_name();
  int64_t seconds = 0;
  int32_t nanos = 0;
  if (type == "google.protobuf.Timestamp") {
    SecondsAndNanos(m, &seconds, &nanos);
    if (nanos < 0 || nanos > kMaxNanos) {
      return Bad(path,
                 absl::StrCat("nanos ", nanos, " is outside 0..999999999"));
    }
    if (seconds < kTimestampMinSeconds || seconds > kTimestampMaxSeconds) {
      return Bad(path, absl::StrCat("seconds ", seconds,
                                    " is outside the years 1..9999"));
    }
    return absl::OkStatus();
  }
  if (type == "google.protobuf.Duration") {
    SecondsAndNanos(m, &seconds, &nanos);
    if (nanos < -kMaxNanos || nanos > kMaxNanos || (seconds > 0 && nanos < 0) ||
        (seconds < 0 && nanos > 0)) {
      return Bad(path, absl::StrCat("nanos ", nanos,
                                    " is outside -999999999..999999999 or "
                                    "has the other sign than seconds"));
    }
    if (seconds < -kDurationMaxSeconds || seconds > kDurationMaxSeconds) {
      return Bad(path,
                 absl::StrCat("seconds ", seconds, " is beyond 10,000 years"));
    }
    return absl::OkStatus();
  }
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_map()) {
      continue;
    }
    const std::string name =
        path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        absl::Status s = CheckOne(r->GetRepeatedMessage(m, f, i),
                                  absl::StrCat(name, "[", i, "]"));
        if (!s.ok()) return s;
      }
    } else {
      absl::Status s = CheckOne(r->GetMessage(m, f), name);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTimeFields(const Message& message, absl::string_view prefix) {
  std::string path(prefix);
  if (!path.empty() && path.back() == '.') path.pop_back();
  return CheckOne(message, path);
}

}  // namespace kuaibao
