#include "relay/time_fields.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "relay/validation.h"

namespace kuaibao {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The limits of google/protobuf/util/time_util.h (and of the JSON mapping).
constexpr int64_t kTimestampMinSeconds = -62135596800;  // 0001-01-01
constexpr int64_t kTimestampMaxSeconds = 253402300799;  // 9999-12-31
constexpr int64_t kDurationMaxSeconds = 315576000000;   // 10,000 years
constexpr int32_t kMaxNanos = 999999999;

// A bad value, its field named by the callers (UnderField).
absl::Status Bad(absl::string_view reason) {
  return FieldError(absl::StatusCode::kInvalidArgument, "", reason);
}

// The seconds and nanos of a Timestamp or Duration, read by reflection so
// that unknown message types cost nothing here.
void SecondsAndNanos(const Message& m, int64_t* seconds, int32_t* nanos) {
  const Reflection* r = m.GetReflection();
  const auto* d = m.GetDescriptor();
  *seconds = r->GetInt64(m, d->FindFieldByNumber(1));
  *nanos = r->GetInt32(m, d->FindFieldByNumber(2));
}

// The path of a bad field is built only on the way back from it (UnderField),
// so that checking a valid message, the intake of every report, builds none.
absl::Status CheckOne(const Message& m) {
  const Descriptor::WellKnownType type = m.GetDescriptor()->well_known_type();
  int64_t seconds = 0;
  int32_t nanos = 0;
  if (type == Descriptor::WELLKNOWNTYPE_TIMESTAMP) {
    SecondsAndNanos(m, &seconds, &nanos);
    if (nanos < 0 || nanos > kMaxNanos) {
      return Bad(absl::StrCat("nanos ", nanos, " is outside 0..999999999"));
    }
    if (seconds < kTimestampMinSeconds || seconds > kTimestampMaxSeconds) {
      return Bad(
          absl::StrCat("seconds ", seconds, " is outside the years 1..9999"));
    }
    return absl::OkStatus();
  }
  if (type == Descriptor::WELLKNOWNTYPE_DURATION) {
    SecondsAndNanos(m, &seconds, &nanos);
    if (nanos < -kMaxNanos || nanos > kMaxNanos || (seconds > 0 && nanos < 0) ||
        (seconds < 0 && nanos > 0)) {
      return Bad(absl::StrCat("nanos ", nanos,
                              " is outside -999999999..999999999 or "
                              "has the other sign than seconds"));
    }
    if (seconds < -kDurationMaxSeconds || seconds > kDurationMaxSeconds) {
      return Bad(absl::StrCat("seconds ", seconds, " is beyond 10,000 years"));
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
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        absl::Status s = CheckOne(r->GetRepeatedMessage(m, f, i));
        if (!s.ok()) {
          return UnderField(absl::StrCat(f->name(), "[", i, "]"), s);
        }
      }
    } else {
      absl::Status s = CheckOne(r->GetMessage(m, f));
      if (!s.ok()) return UnderField(f->name(), s);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTimeFields(const Message& message, absl::string_view prefix) {
  absl::Status s = CheckOne(message);
  if (s.ok()) return s;
  if (absl::EndsWith(prefix, ".")) prefix.remove_suffix(1);
  return UnderField(prefix, s);
}

}  // namespace kuaibao
