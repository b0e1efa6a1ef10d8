// libFuzzer target: the node's decoder and validator, fed arbitrary bytes.
// Each input is decoded as a relayed report (RelayUp) and as a client's
// SubmitRequest, exactly as the node's streams decode them, and whatever
// decodes is validated against the Shanxi region table: fields, hops and
// classification. Nothing may crash, hang, leak or misbehave (ASan, UBSan).
//
// Run it through tests/fuzz/run-fuzz.sh (see tests/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>

#include "kuaibao/v1/service.pb.h"
#include "relay/classification.h"
#include "relay/region.h"
#include "relay/validation.h"

namespace {

using ::kuaibao::RegionTable;

const RegionTable& Regions() {
  static const RegionTable* regions = [] {
    absl::StatusOr<RegionTable> table =
        RegionTable::Load(KUAIBAO_SOURCE_DIR "/deploy/regions/shanxi-2022.csv");
    if (!table.ok()) {
      std::cerr << "report_fuzzer: " << table.status() << "\n";
      std::abort();
    }
    return new RegionTable(*std::move(table));
  }();
  return *regions;
}

// A fixed "now", so that a crash reproduces from its input alone.
const absl::Time kNow = absl::FromUnixSeconds(1790000000);

void Check(const kuaibao::IncidentReport& report) {
  absl::Status valid = kuaibao::ValidateReport(report, Regions(), kNow);
  // Every refusal names a field.
  if (!valid.ok() && kuaibao::ErrorField(valid).empty()) std::abort();
  kuaibao::CheckCleared(report, kuaibao::CLASSIFICATION_INTERNAL, "this node")
      .IgnoreError();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kuaibao::v1::RelayUp up;
  if (up.ParseFromArray(data, static_cast<int>(size))) {
    Check(up.report().report());
    absl::Status hops = kuaibao::ValidateHops(up.report(), kNow);
    if (!hops.ok() && kuaibao::ErrorField(hops).empty()) std::abort();
  }
  kuaibao::v1::SubmitRequest request;
  if (request.ParseFromArray(data, static_cast<int>(size))) {
    Check(request.report());
  }
  return 0;
}
