#ifndef KUAIBAO_TESTS_INTEGRATION_TEST_CHAIN_H_
#define KUAIBAO_TESTS_INTEGRATION_TEST_CHAIN_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_client.h"

namespace kuaibao::testing {

inline constexpr char kProvince[] = "140000000000";
inline constexpr char kCity[] = "140100000000";
inline constexpr char kCounty[] = "140105000000";
inline constexpr char kTownship[] = "140105001000";
inline constexpr char kPki[] = KUAIBAO_TEST_PKI_DIR "/main";
inline constexpr char kForeignPki[] = KUAIBAO_TEST_PKI_DIR "/foreign";
inline constexpr char kDutyOfficer[] = "client-140105001000-duty-1";
inline constexpr char kProvinceOfficer[] = "client-140000000000-duty-1";

// Generous: a busy 2-core machine. Waiting ends as soon as the condition
// holds; this only bounds a failure.
inline constexpr absl::Duration kPatience = absl::Seconds(60);

// Polls `get` until `done` holds for its answer or kPatience passes; returns
// the last answer.
template <typename T>
absl::StatusOr<T> PollUntil(const std::function<absl::StatusOr<T>()>& get,
                            const std::function<bool(const T&)>& done) {
  absl::Time give_up = absl::Now() + kPatience;
  absl::StatusOr<T> last = get();
  while (!(last.ok() && done(*last)) && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(200));
    last = get();
  }
  return last;
}

// Real node processes township → county → city → province under `dir`.
struct Chain {
  explicit Chain(const std::string& dir)
      : province(std::make_unique<NodeProcess>(dir + "/" + kProvince, kProvince,
                                               kPki)),
        city(std::make_unique<NodeProcess>(dir + "/" + kCity, kCity, kPki)),
        county(
            std::make_unique<NodeProcess>(dir + "/" + kCounty, kCounty, kPki)),
        township(std::make_unique<NodeProcess>(dir + "/" + kTownship, kTownship,
                                               kPki)) {}

  // Starts them top down, each knowing its parent's port.
  absl::Status Start() {
    NodeProcess* parent = nullptr;
    for (NodeProcess* node :
         {province.get(), city.get(), county.get(), township.get()}) {
      if (parent != nullptr) node->SetParent(parent->region(), parent->port());
      absl::Status started = node->Start();
      if (!started.ok()) return started;
      parent = node;
    }
    return absl::OkStatus();
  }

  TestClient AtTownship(const std::string& cert = kDutyOfficer) {
    return TestClient(kPki, cert, township->address());
  }
  TestClient AtProvince() {
    return TestClient(kPki, kProvinceOfficer, province->address());
  }

  std::unique_ptr<NodeProcess> province, city, county, township;
};

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_INTEGRATION_TEST_CHAIN_H_
