#include "node/systemd_notifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "tests/testing/fake_systemd.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeSystemd;
using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::TempDir;

TEST(SystemdNotifierTest, SendsStatesToTheSocketInTheEnvironment) {
  TempDir dir;
  for (std::string path :
       {dir.path() + "/notify", absl::StrCat("@kuaibao-test-", getpid())}) {
    FakeSystemd systemd(path);
    ASSERT_TRUE(systemd.bound()) << path;
    setenv("NOTIFY_SOCKET", path.c_str(), 1);
    setenv("WATCHDOG_USEC", "3000000", 1);
    setenv("WATCHDOG_PID", absl::StrCat(getpid()).c_str(), 1);
    SystemdNotifier notifier = SystemdNotifier::FromEnvironment();
    EXPECT_TRUE(notifier.enabled());
    EXPECT_EQ(notifier.watchdog(), absl::Seconds(3));
    ASSERT_THAT(notifier.Notify("READY=1\nSTATUS=serving"), IsOk());
    EXPECT_EQ(systemd.Receive(absl::Seconds(5)), "READY=1\nSTATUS=serving")
        << path;
  }
  // The watchdog is for another process: none for this one.
  setenv("WATCHDOG_PID", "1", 1);
  EXPECT_EQ(SystemdNotifier::FromEnvironment().watchdog(),
            absl::ZeroDuration());
  unsetenv("WATCHDOG_PID");
  unsetenv("WATCHDOG_USEC");
  unsetenv("NOTIFY_SOCKET");
}

TEST(SystemdNotifierTest, DoesNothingOutsideSystemdAndSaysWhenItFails) {
  unsetenv("NOTIFY_SOCKET");
  SystemdNotifier none = SystemdNotifier::FromEnvironment();
  EXPECT_FALSE(none.enabled());
  EXPECT_THAT(none.Notify("READY=1"), IsOk());

  TempDir dir;
  setenv("NOTIFY_SOCKET", (dir.path() + "/nobody-listens").c_str(), 1);
  absl::Status sent = SystemdNotifier::FromEnvironment().Notify("READY=1");
  unsetenv("NOTIFY_SOCKET");
  EXPECT_EQ(sent.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(sent.message(), ::testing::HasSubstr("nobody-listens"));
}

}  // namespace
}  // namespace kuaibao
