// Fault tests that count, in the Jepsen way (attempted, acknowledged,
// delivered, lost, duplicated, gaps; zero tolerance): real nodes over real
// mTLS on 127.0.0.1. Process crashes use kuaibao-node processes; where hours
// and days must pass, the nodes run in-process on the test's clock. Every
// randomized test prints its seed (KUAIBAO_SEED replays it); KUAIBAO_SOAK=1
// runs the long variants.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "relay/proto_time.h"
#include "tests/integration/delivery_check.h"
#include "tests/integration/in_process_node.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_chain.h"
#include "tests/integration/test_client.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fake_systemd.h"
#include "tests/testing/history.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao::testing {
namespace {

using ::testing::HasSubstr;

void Sleep(absl::Duration d) {
  std::this_thread::sleep_for(absl::ToChronoNanoseconds(d));
}

// Asks `done` every `every` until it says yes or `patience` has passed;
// its last answer.
bool Eventually(absl::Duration patience, absl::Duration every,
                const std::function<bool()>& done) {
  for (absl::Time give_up = absl::Now() + patience;; Sleep(every)) {
    if (done()) return true;
    if (absl::Now() >= give_up) return false;
  }
}

std::vector<IncidentReport> Reports(const std::string& prefix, int from, int n,
                                    absl::Time now) {
  std::vector<IncidentReport> reports;
  for (int i = from; i < from + n; ++i) {
    reports.push_back(SampleReport(absl::StrCat(prefix, i), kTownship, now));
  }
  return reports;
}

// Raises every node's rate limits: these tests are about faults, not pacing.
void Unthrottled(Chain* chain) {
  for (NodeProcess* node : {chain->province.get(), chain->city.get(),
                            chain->county.get(), chain->township.get()}) {
    node->SetExtraConfig(
        "client_rate_limit { reports_per_second: 1000000 burst: 1000000 }\n"
        "node_rate_limit { reports_per_second: 1000000 burst: 1000000 }\n");
  }
}

// A burst of reports at the township while the county and the city are
// killed (SIGKILL) at random moments and restarted.
void KillDuringBurst(int reports, absl::Duration max_pause, int min_kills,
                     const std::string& scenario) {
  const uint64_t seed = TestSeed();
  std::cout << scenario << " seed " << seed << " (replay: KUAIBAO_SEED=" << seed
            << ")\n";
  std::mt19937_64 rng(seed);
  TempDir dir;
  Chain chain(dir.path());
  // A burst far above what the rate limits let one officer or one child
  // send.
  Unthrottled(&chain);
  ASSERT_THAT(chain.Start(), IsOk());
  History history;
  std::atomic<bool> done{false};
  std::thread submitter([&] {
    // Three streams at a time, in slices, as several duty officers would.
    constexpr int kSlice = 100;
    std::vector<std::thread> streams;
    for (int s = 0; s < 3; ++s) {
      streams.emplace_back([&, s] {
        for (int from = s * kSlice; from < reports; from += 3 * kSlice) {
          SubmitRecorded(chain.AtTownship(),
                         Reports("k-", from, std::min(kSlice, reports - from),
                                 absl::Now()),
                         &history);
        }
      });
    }
    for (auto& t : streams) t.join();
    done = true;
  });
  std::uniform_int_distribution<int64_t> pause_ms(
      50, absl::ToInt64Milliseconds(max_pause));
  std::uniform_int_distribution<int64_t> down_ms(0, 300);
  // Faults go on after the burst, while the backlog moves up the chain.
  int kills = 0;
  absl::Status restarted;
  while ((!done || kills < min_kills) && restarted.ok()) {
    Sleep(absl::Milliseconds(pause_ms(rng)));
    NodeProcess* victim =
        rng() % 2 == 0 ? chain.county.get() : chain.city.get();
    victim->Kill(SIGKILL);
    ++kills;
    Sleep(absl::Milliseconds(down_ms(rng)));
    restarted = victim->Start();
  }
  submitter.join();
  ASSERT_THAT(restarted, IsOk());
  std::cout << scenario << ": " << kills << " kills\n";
  Counts c = CheckAtTop(chain.AtProvince(), history, scenario, seed);
  EXPECT_EQ(c.acknowledged, static_cast<uint64_t>(reports))
      << "the township itself was never killed";
}

TEST(FaultTest, KillingTheCountyOrTheCityDuringABurstLosesAndDoublesNothing) {
  KillDuringBurst(5000, absl::Milliseconds(400), 8, "kill-county-city");
}

TEST(FaultTest, SoakKillingDuringALongBurst) {
  if (!SoakRequested()) {
    GTEST_SKIP() << "soak variant: set KUAIBAO_SOAK=1 (30000 reports, at "
                    "least 200 kills every 50-800 ms)";
  }
  KillDuringBurst(30000, absl::Milliseconds(800), 200, "soak-kill-county-city");
}

// The county is away for three days (on the test's clock) while its
// township keeps taking reports; then it comes back. Urgent reports leave
// first, including one submitted during the drain; nothing is lost.
TEST(FaultTest, ParentAwayForDaysThenBackUrgentFirstNothingLost) {
  FakeClock clock(absl::Now());
  TempDir dir;
  InProcessNode county(dir.Sub("county"), kCounty, &clock);  // the top here
  InProcessNode township(dir.Sub("township"), kTownship, &clock);
  ASSERT_THAT(county.Start(), IsOk());
  township.SetParent(kCounty, county.port());
  // A narrow window makes the drain take long enough to watch.
  township.SetExtraConfig("max_in_flight: 4\n");
  ASSERT_THAT(township.Start(), IsOk());
  TestClient at_township(kPki, kDutyOfficer, township.address());
  TestClient at_county(kPki, kProvinceOfficer, county.address());
  History history;
  SubmitRecorded(at_township, Reports("before-", 0, 1, clock.TimeNow()),
                 &history);
  ASSERT_THAT(at_county.WaitFor("before-0", kPatience), IsOk());

  county.Stop();
  constexpr int kHours = 72;
  constexpr int kPerHour = 20;
  for (int hour = 0; hour < kHours; ++hour) {
    clock.Advance(absl::Hours(1));
    SubmitRecorded(
        at_township,
        Reports(absl::StrCat("h", hour, "-"), 0, kPerHour, clock.TimeNow()),
        &history);
  }
  const uint64_t backlog = kHours * kPerHour;
  ASSERT_EQ(history.acknowledged(), backlog + 1) << "the township took all";
  absl::StatusOr<v1::GetStatusResponse> status = at_township.Status();
  ASSERT_THAT(status, IsOk());
  ASSERT_EQ(status->links_size(), 1);
  const v1::LinkStatus& link = status->links(0);
  EXPECT_EQ(link.condition(), v1::LINK_CONDITION_DOWN);
  EXPECT_EQ(link.waiting(), backlog);
  EXPECT_EQ(FromProto(status->now()) - FromProto(link.oldest_waiting_since()),
            absl::Hours(kHours - 1));

  IncidentReport urgent = SampleReport("urgent-1", kTownship, clock.TimeNow());
  urgent.set_grade(GRADE_I);
  SubmitRecorded(at_township, {urgent}, &history);
  ASSERT_THAT(county.Start(), IsOk());
  // The urgent report leads the drain: when it is at the county, most of
  // the backlog is not.
  auto arrived = [&]() -> uint64_t {
    absl::StatusOr<std::vector<OriginRecord>> origins = at_county.Origins();
    return origins.ok() && !origins->empty() ? (*origins)[0].count() : 0;
  };
  ASSERT_THAT(at_county.WaitFor("urgent-1", kPatience), IsOk());
  uint64_t with_first = arrived();
  EXPECT_LT(with_first, backlog / 2) << "urgent-1 did not overtake the backlog";
  // Another one during the drain goes out next.
  urgent.set_report_id("urgent-2");
  SubmitRecorded(at_township, {urgent}, &history);
  ASSERT_THAT(at_county.WaitFor("urgent-2", kPatience), IsOk());
  uint64_t with_second = arrived();
  EXPECT_LT(with_second, backlog) << "urgent-2 waited for the backlog";
  std::cout << "at the county when urgent-1 arrived: " << with_first
            << " reports, when urgent-2 arrived: " << with_second << " of "
            << backlog + 3 << "\n";
  CheckAtTop(at_county, history, "parent-away-three-days", 0);
  status = at_township.Status();
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(status->links(0).waiting(), 0u);
}

// A node restarted in the middle of a disaster holding reports received in
// the last hour, all still owed upstream (the parent away): it learns every
// open deadline again, watches each, and writes one line for the whole
// window, never one per report (issue 15; the 100,000-report case and its
// memory are measured by tests/bench, `restart.queued.*`).
TEST(FaultTest, ARestartLearnsItsOpenDeadlinesWithoutALinePerReport) {
  constexpr int kReports = 300;
  TempDir dir;
  NodeProcess county(dir.Sub("county"), kCounty, kPki);
  NodeProcess township(dir.Sub("township"), kTownship, kPki);
  ASSERT_THAT(county.Start(), IsOk());  // takes a port, then is away
  county.Stop();
  township.SetParent(kCounty, county.port());
  ASSERT_THAT(township.Start(), IsOk());
  History history;
  {
    TestClient at_township(kPki, kDutyOfficer, township.address());
    SubmitRecorded(at_township, Reports("open-", 0, kReports, absl::Now()),
                   &history);
  }
  ASSERT_EQ(history.acknowledged(), static_cast<uint64_t>(kReports));
  EXPECT_EQ(township.Stop(), 0);
  const size_t before = township.Log().size();
  ASSERT_THAT(township.Start(), IsOk());
  constexpr char kCaughtUp[] = "deadline window read after the start";
  std::string log;
  ASSERT_TRUE(Eventually(kPatience, absl::Milliseconds(100), [&] {
    log = township.Log().substr(before);
    return absl::StrContains(log, kCaughtUp);
  })) << township.LogTail();
  std::string line = log.substr(log.find(kCaughtUp));
  line = line.substr(0, line.find('\n'));
  EXPECT_THAT(line, HasSubstr(absl::StrCat("\"reports\":\"", kReports, "\"")));
  EXPECT_THAT(line, HasSubstr(absl::StrCat("\"watched\":\"", kReports, "\"")))
      << "every hand-off is still owed";
  EXPECT_THAT(township.Log(), ::testing::Not(HasSubstr("\"msg\":\"deadline\"")))
      << "no deadline line per report, at intake or at the restart";
}

// A parent that is connected but acknowledges nothing (stopped with
// SIGSTOP: the kernel keeps its TCP connection up) is reported stalled by
// progress, long before the connection is given up; nothing is lost.
TEST(FaultTest, AConnectedParentThatAcknowledgesNothingIsReportedStalled) {
  TempDir dir;
  NodeProcess county(dir.Sub("county"), kCounty, kPki);
  NodeProcess township(dir.Sub("township"), kTownship, kPki);
  ASSERT_THAT(county.Start(), IsOk());
  township.SetParent(kCounty, county.port());
  township.SetExtraConfig("stall_after_ms: 1000\n");
  ASSERT_THAT(township.Start(), IsOk());
  TestClient at_township(kPki, kDutyOfficer, township.address());
  History history;
  SubmitRecorded(at_township, Reports("s-", 0, 5, absl::Now()), &history);
  TestClient at_county(kPki, kProvinceOfficer, county.address());
  ASSERT_THAT(at_county.WaitFor("s-4", kPatience), IsOk());

  county.Signal(SIGSTOP);
  SubmitRecorded(at_township, Reports("s-", 5, 5, absl::Now()), &history);
  EXPECT_TRUE(Eventually(absl::Seconds(10), absl::Milliseconds(200), [&] {
    absl::StatusOr<v1::GetStatusResponse> status = at_township.Status();
    return status.ok() && status->links_size() == 1 &&
           status->links(0).condition() == v1::LINK_CONDITION_STALLED;
  }));
  // The node's monitor says so in the log (it looks once a second).
  EXPECT_TRUE(Eventually(absl::Seconds(5), absl::Milliseconds(100), [&] {
    std::ifstream log(township.log_path());
    std::stringstream text;
    text << log.rdbuf();
    return text.str().find("upstream link stalled") != std::string::npos;
  }));
  county.Signal(SIGCONT);
  CheckAtTop(at_county, history, "stalled-parent", 0);
}

// Flips two bytes in the middle of every write-ahead log of `data_dir`.
void DamageLogs(const std::string& data_dir) {
  for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
    if (entry.path().extension() != ".log") continue;
    std::fstream file(entry.path(),
                      std::ios::in | std::ios::out | std::ios::binary);
    auto size = std::filesystem::file_size(entry.path());
    for (auto at : {size / 3, size / 2}) {
      char c = 0;
      file.seekg(at);
      file.read(&c, 1);
      c = static_cast<char>(~c);
      file.seekp(at);
      file.write(&c, 1);
    }
  }
}

// A township whose store is damaged while its parent is away: it refuses to
// start and says what to do; the repair keeps what survived, names the
// numbers it lost, and the parent receives exactly the survivors.
TEST(FaultTest, DamagedStoreIsRefusedAtStartAndRepairKeepsWhatSurvived) {
  TempDir dir;
  NodeProcess county(dir.Sub("county"), kCounty, kPki);
  NodeProcess township(dir.Sub("township"), kTownship, kPki);
  ASSERT_THAT(county.Start(), IsOk());
  township.SetParent(kCounty, county.port());
  county.Stop();
  ASSERT_THAT(township.Start(), IsOk());
  constexpr int kReports = 300;
  History history;
  for (int from = 0; from < kReports; from += 10) {
    SubmitRecorded(TestClient(kPki, kDutyOfficer, township.address()),
                   Reports("d-", from, 10, absl::Now()), &history);
  }
  ASSERT_EQ(history.acknowledged(), static_cast<size_t>(kReports));
  township.Stop();
  DamageLogs(township.data_dir());

  absl::Status refused = township.Start();
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("kuaibao-node --repair --config FILE"));
  absl::StatusOr<std::string> repaired = township.Repair();
  ASSERT_THAT(repaired, IsOk());
  std::cout << *repaired;
  EXPECT_THAT(*repaired, HasSubstr("log records dropped (checksum failed): "));
  EXPECT_THAT(*repaired, HasSubstr("missing here: "));
  ASSERT_THAT(township.Start(), IsOk());
  ASSERT_THAT(county.Start(), IsOk());

  TestClient at_township(kPki, kDutyOfficer, township.address());
  absl::StatusOr<std::vector<OriginRecord>> origins = at_township.Origins();
  ASSERT_THAT(origins, IsOk());
  ASSERT_EQ(origins->size(), 1u);
  const OriginRecord& origin = (*origins)[0];
  EXPECT_EQ(origin.high_water(), static_cast<uint64_t>(kReports))
      << "the township still knows every number it handed out";
  const uint64_t survived = origin.count();
  EXPECT_GT(survived, 0u);
  EXPECT_LT(survived, static_cast<uint64_t>(kReports));
  std::vector<StoredReport> at_county =
      TestClient(kPki, kProvinceOfficer, county.address())
          .WaitForCount(survived, kPatience);
  EXPECT_EQ(at_county.size(), survived)
      << "the county receives exactly what survived";
}

// A small file system that fills up: a tmpfs mounted for the test (needs
// root, which CI has). Unmounted when it goes away.
class Tmpfs {
 public:
  // Mounts a `megabytes` tmpfs at `dir`; the reason when it cannot.
  absl::Status Mount(const std::string& dir, int megabytes) {
    std::filesystem::create_directories(dir);
    std::string options = absl::StrCat("size=", megabytes, "m");
    if (mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      return absl::PermissionDeniedError(
          absl::StrCat("mount -t tmpfs ", dir, ": ", strerror(errno)));
    }
    dir_ = dir;
    return absl::OkStatus();
  }
  ~Tmpfs() {
    if (!dir_.empty()) umount2(dir_.c_str(), MNT_DETACH);
  }

  uint64_t FreeBytes() const {
    struct statvfs fs;
    statvfs(dir_.c_str(), &fs);
    return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  }
  // Fills the file system until `leave` bytes are free.
  void Fill(uint64_t leave) {
    std::ofstream filler(dir_ + "/filler", std::ios::binary | std::ios::app);
    std::string chunk(64 << 10, 'x');
    while (FreeBytes() > leave + chunk.size()) {
      filler.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      filler.flush();
    }
  }
  void Free() { std::filesystem::remove(dir_ + "/filler"); }

 private:
  std::string dir_;
};

// Whether the health service says `service` is SERVING, asking until it
// says `expected` or a few seconds (the monitor's next round) have passed.
bool ServingSettles(TestClient client, const std::string& service,
                    bool expected) {
  bool serving = !expected;
  Eventually(absl::Seconds(5), absl::Milliseconds(100), [&] {
    absl::StatusOr<bool> answer = client.Serving(service);
    if (answer.ok()) serving = *answer;
    return serving == expected;
  });
  return serving;
}

// Reports that fill a disk: 24 KiB of text that does not compress.
std::vector<IncidentReport> BigReports(const std::string& prefix, int from,
                                       int n, std::mt19937* rng) {
  std::vector<IncidentReport> reports = Reports(prefix, from, n, absl::Now());
  for (IncidentReport& r : reports) {
    std::string text;
    for (int i = 0; i < 8000; ++i) {
      // A CJK character, U+4E00..U+9FA5, as three UTF-8 bytes.
      uint32_t c = 0x4e00 + (*rng)() % 0x51a6;
      text += static_cast<char>(0xe0 | (c >> 12));
      text += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      text += static_cast<char>(0x80 | (c & 0x3f));
    }
    r.set_course(text);
  }
  return reports;
}

// Submits big reports one at a time until one is refused; returns the
// refusal (OK if none within `limit`).
v1::Rejection FillUntilRefused(TestClient client, const std::string& prefix,
                               int limit, History* history, std::mt19937* rng) {
  for (int i = 0; i < limit; ++i) {
    std::vector<IncidentReport> one = BigReports(prefix, i, 1, rng);
    history->Attempted(one[0].report_id());
    SubmitOutcome outcome = client.Submit(one);
    if (outcome.receipts() == 1) {
      history->Acknowledged(one[0].report_id());
    } else if (outcome.rejections() == 1) {
      history->Refused(one[0].report_id());
      return outcome.responses[0].rejection();
    }
    Sleep(absl::Milliseconds(20));  // let the monitor see the disk fill
  }
  return v1::Rejection();
}

// Submits new reports until one is taken (the node resumed by itself).
bool ResumesWithin(TestClient client, absl::Duration patience,
                   const std::string& prefix, History* history,
                   std::mt19937* rng) {
  int n = 0;
  return Eventually(patience, absl::Milliseconds(200), [&] {
    std::vector<IncidentReport> one = BigReports(prefix, n++, 1, rng);
    history->Attempted(one[0].report_id());
    if (client.Submit(one).receipts() == 1) {
      history->Acknowledged(one[0].report_id());
      return true;
    }
    history->Refused(one[0].report_id());
    return false;
  });
}

TEST(FaultTest, FullDiskRefusesWithResourceExhaustedLosesNothingAndRecovers) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root to mount a small tmpfs (CI runs as root); "
                    "StoreFaultTest.FullDiskRefusesLosesNothingAndRecovers "
                    "covers the store's full-disk path without root";
  }
  TempDir dir;
  Tmpfs disk;
  NodeProcess county(dir.Sub("county"), kCounty, kPki);
  NodeProcess township(dir.Sub("township"), kTownship, kPki);
  absl::Status mounted = disk.Mount(township.data_dir(), 16);
  if (!mounted.ok()) GTEST_SKIP() << mounted.message();
  std::mt19937 rng(7);
  ASSERT_THAT(county.Start(), IsOk());
  township.SetParent(kCounty, county.port());
  township.SetExtraConfig("min_free_disk_bytes: 4194304\n");  // 4 MiB
  ASSERT_THAT(township.Start(), IsOk());
  TestClient at_township(kPki, kDutyOfficer, township.address());
  History history;
  EXPECT_THAT(at_township.Serving("kuaibao.v1.Intake"), IsOk())
      << "published from the start, not only after a change";

  // 1. The disk fills up to the reserve: refused, loudly, nothing dropped.
  // 1 MiB above the reserve: reached long before LevelDB flushes its first
  // table (a 4 MiB memtable, about 3 MiB of log), which needs as much again.
  disk.Fill(5 << 20);
  v1::Rejection refused =
      FillUntilRefused(at_township, "reserve-", 400, &history, &rng);
  EXPECT_EQ(refused.code(),
            static_cast<int>(absl::StatusCode::kResourceExhausted));
  std::cout << "refused: " << refused.message() << "\n";
  EXPECT_THAT(refused.message(), HasSubstr("takes no new reports"));
  EXPECT_FALSE(ServingSettles(at_township, "kuaibao.v1.Intake", false));
  EXPECT_TRUE(ServingSettles(at_township, "", true)) << "the node is up";
  // Space comes back: the node takes reports again by itself.
  disk.Free();
  EXPECT_TRUE(ResumesWithin(at_township, absl::Seconds(10), "resumed-",
                            &history, &rng));
  EXPECT_TRUE(ServingSettles(at_township, "kuaibao.v1.Intake", true));

  // 2. No reserve: the disk really runs full under LevelDB. The write that
  // fails is refused, the node keeps running, and recovers when space is
  // freed.
  township.Stop();
  township.SetExtraConfig("min_free_disk_bytes: 1\n");
  ASSERT_THAT(township.Start(), IsOk());
  disk.Fill(1 << 20);
  refused = FillUntilRefused(at_township, "enospc-", 400, &history, &rng);
  EXPECT_EQ(refused.code(),
            static_cast<int>(absl::StatusCode::kResourceExhausted));
  std::cout << "refused: " << refused.message() << "\n";
  EXPECT_TRUE(township.running());
  disk.Free();
  EXPECT_TRUE(
      ResumesWithin(at_township, absl::Seconds(10), "after-", &history, &rng));

  // Everything acknowledged reaches the county, also after a restart.
  township.Stop();
  ASSERT_THAT(township.Start(), IsOk());
  CheckAtTop(TestClient(kPki, kProvinceOfficer, county.address()), history,
             "disk-full-tmpfs", 7);
  township.Stop();
}

// The backlog quota: with its parent away a township fills its backlog and
// refuses new reports, loudly; when the parent is back the backlog drains
// and the township takes reports again by itself (the store, which keeps
// every report as history, never shrinks: a quota on it could not resume).
TEST(FaultTest, FullBacklogRefusesThenResumesByItselfAsTheParentDrainsIt) {
  TempDir dir;
  NodeProcess county(dir.Sub("county"), kCounty, kPki);
  NodeProcess township(dir.Sub("township"), kTownship, kPki);
  std::mt19937 rng(11);
  ASSERT_THAT(county.Start(), IsOk());
  township.SetParent(kCounty, county.port());
  // About ten of the 24 KiB reports.
  township.SetExtraConfig("max_backlog_bytes: 262144\n");
  ASSERT_THAT(township.Start(), IsOk());
  TestClient at_township(kPki, kDutyOfficer, township.address());
  History history;
  county.Stop();

  v1::Rejection refused =
      FillUntilRefused(at_township, "backlog-", 100, &history, &rng);
  EXPECT_EQ(refused.code(),
            static_cast<int>(absl::StatusCode::kResourceExhausted));
  std::cout << "refused: " << refused.message() << "\n";
  EXPECT_THAT(refused.message(), HasSubstr("max_backlog_bytes"));
  EXPECT_THAT(refused.message(), HasSubstr("by itself"));
  EXPECT_GE(history.acknowledged(), 10u) << "refused before the quota";
  EXPECT_LE(history.acknowledged(), 20u) << "the quota did not hold";
  EXPECT_FALSE(ServingSettles(at_township, "kuaibao.v1.Intake", false));
  EXPECT_TRUE(ServingSettles(at_township, "", true)) << "the node is up";
  absl::StatusOr<v1::GetStatusResponse> status = at_township.Status();
  ASSERT_THAT(status, IsOk());
  EXPECT_FALSE(status->accepting());
  EXPECT_EQ(status->max_backlog_bytes(), 262144u);
  EXPECT_GE(status->backlog_bytes(), 262144u);
  // Still refusing while the parent stays away.
  EXPECT_FALSE(
      ResumesWithin(at_township, absl::Seconds(2), "early-", &history, &rng));

  ASSERT_THAT(county.Start(), IsOk());
  EXPECT_TRUE(
      ResumesWithin(at_township, absl::Seconds(30), "after-", &history, &rng));
  EXPECT_TRUE(ServingSettles(at_township, "kuaibao.v1.Intake", true));
  Counts c = CheckAtTop(TestClient(kPki, kProvinceOfficer, county.address()),
                        history, "backlog-quota", 11);
  EXPECT_GT(c.refused, 0u);
  EXPECT_EQ(c.delivered, c.acknowledged) << "a refused report was delivered";
  // The county has every report; the township records the last receipts
  // (and lowers its tally) in its next synced write, which may still be on
  // its way.
  uint64_t backlog = 1;
  Eventually(absl::Seconds(10), absl::Milliseconds(100), [&] {
    status = at_township.Status();
    if (status.ok()) backlog = status->backlog_bytes();
    return backlog == 0;
  });
  EXPECT_EQ(backlog, 0u) << "every receipt counted";
  township.Stop();
}

// The upgrade path (deploy/README.md, "Upgrading"), where KillDuringBurst kills
// at random: systemd stops the county (SIGTERM) in the middle of a burst, its
// township goes on taking reports, a new binary is put in place and started on
// the same data directory under a systemd that waits for READY=1 and expects
// watchdog pings, and the township's streams resume by themselves. Counted
// at the province: nothing lost, nothing twice, no gaps.
TEST(FaultTest, UpgradingTheCountyMidStreamLosesAndDoublesNothing) {
  TempDir dir;
  Chain chain(dir.path());
  Unthrottled(&chain);
  ASSERT_THAT(chain.Start(), IsOk());
  History history;
  constexpr int kReports = 2000;
  std::thread submitter([&] {
    for (int from = 0; from < kReports; from += 100) {
      SubmitRecorded(chain.AtTownship(), Reports("u-", from, 100, absl::Now()),
                     &history);
    }
  });
  ASSERT_TRUE(Eventually(kPatience, absl::Milliseconds(10),
                         [&] { return history.acknowledged() >= 300; }));
  EXPECT_EQ(chain.county->Stop(), 0) << "SIGTERM stops the node cleanly";

  // The county is down: its township still takes every report.
  SubmitRecorded(chain.AtTownship(), Reports("down-", 0, 100, absl::Now()),
                 &history);
  absl::flat_hash_set<std::string> acknowledged = history.AcknowledgedIds();
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(acknowledged.contains(absl::StrCat("down-", i))) << i;
  }

  // The upgrade: a new file where the binary was, started by "systemd".
  const std::string upgraded = dir.Sub("kuaibao-node.new");
  std::filesystem::copy_file(KUAIBAO_NODE_BINARY, upgraded);
  std::filesystem::permissions(upgraded, std::filesystem::perms::owner_all);
  chain.county->set_binary(upgraded);
  FakeSystemd systemd(dir.Sub("notify"));
  ASSERT_TRUE(systemd.bound());
  setenv("NOTIFY_SOCKET", dir.Sub("notify").c_str(), 1);
  setenv("WATCHDOG_USEC", "1000000", 1);
  absl::Status started = chain.county->Start();
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  ASSERT_THAT(started, IsOk());
  EXPECT_EQ(systemd.Receive(absl::Seconds(10)), "READY=1\nSTATUS=serving");
  EXPECT_EQ(systemd.Receive(absl::Seconds(10)), "WATCHDOG=1")
      << "the node probes itself and pings the watchdog";

  submitter.join();
  Counts c = CheckAtTop(chain.AtProvince(), history, "upgrade-county", 0);
  EXPECT_EQ(c.acknowledged, static_cast<uint64_t>(kReports + 100));
  EXPECT_EQ(chain.county->Stop(), 0);
}

// Backup and restore (deploy/README.md, "Backup and restore"). The county is
// backed up while reports stream through it and goes on; later its disk is
// lost. Restored onto a new data directory it sends again what the backup had
// waiting (the city acknowledges those again and stores nothing twice), and
// the province ends up with exactly what the contract promises: everything
// except the reports the county acknowledged after the backup and had not
// handed on when it was lost; the province's origin ledger names those.
TEST(FaultTest, RestoringACountyFromABackupLosesOnlyWhatTheContractSays) {
  TempDir dir;
  Chain chain(dir.path());
  Unthrottled(&chain);
  ASSERT_THAT(chain.Start(), IsOk());
  History history;
  TestClient township = chain.AtTownship();
  TestClient province = chain.AtProvince();
  auto batch = [&](const std::string& prefix, int n) {
    SubmitRecorded(township, Reports(prefix, 0, n, absl::Now()), &history);
  };

  // Only the node's own certificate may back it up: the city's (a node
  // certificate too) may not, and no file is left.
  NodeProcess impostor(dir.Sub("impostor"), kCity, kPki);
  impostor.set_port(chain.county->port());
  absl::StatusOr<std::string> refused =
      impostor.Run({"backup", "--out", dir.Sub("stolen")});
  EXPECT_THAT(refused.status().message(), HasSubstr("PERMISSION_DENIED"));
  EXPECT_TRUE(std::filesystem::is_empty(dir.Sub("stolen")));

  batch("a-", 100);  // A: through to the province before anything happens
  ASSERT_EQ(province.WaitForCount(100, kPatience).size(), 100u);

  // B, while the city is down: the county keeps B waiting, and is backed up
  // in the middle of it.
  chain.city->Stop();
  std::thread b([&] { batch("b-", 300); });
  ASSERT_TRUE(Eventually(kPatience, absl::Milliseconds(5),
                         [&] { return history.acknowledged() >= 150; }));
  absl::StatusOr<std::string> backed_up =
      chain.county->Run({"backup", "--out", dir.Sub("backups")});
  b.join();
  ASSERT_THAT(backed_up, IsOk());
  std::cout << *backed_up;
  ASSERT_THAT(*backed_up, HasSubstr("backed up 140105000000 to "));
  std::vector<std::filesystem::path> files;
  for (const auto& f :
       std::filesystem::directory_iterator(dir.Sub("backups"))) {
    files.push_back(f.path());
  }
  ASSERT_EQ(files.size(), 1u);
  // C = B reaching the province after the backup: acknowledged there, still
  // waiting in the backup.
  ASSERT_THAT(chain.city->Start(), IsOk());
  ASSERT_EQ(province.WaitForCount(400, kPatience).size(), 400u);

  // D: acknowledged by the county after the backup, not handed on (the city
  // is down again) when the county's disk is lost.
  chain.city->Stop();
  batch("d-", 50);
  // The township has handed D on: the county acknowledged all of it.
  auto waiting_at = [](NodeProcess* node) -> int64_t {
    absl::StatusOr<v1::GetStatusResponse> status =
        TestClient(kPki, kProvinceOfficer, node->address()).Status();
    if (!status.ok() || status->links_size() == 0) return -1;
    return status->links(0).waiting();
  };
  ASSERT_TRUE(Eventually(kPatience, absl::Milliseconds(20), [&] {
    return waiting_at(chain.township.get()) == 0;
  }));
  chain.county->Kill(SIGKILL);

  chain.county->set_data_dir(dir.Sub("county-restored"));
  absl::StatusOr<std::string> restored =
      chain.county->Run({"restore", "--from", files[0].string()});
  ASSERT_THAT(restored, IsOk());
  std::cout << *restored;
  uint64_t resent = 0;
  {
    size_t at = restored->find(" reports; ");
    ASSERT_NE(at, std::string::npos) << *restored;
    resent = std::stoull(restored->substr(at + 10));
  }
  EXPECT_GT(resent, 0u) << "the backup was taken with B waiting";
  ASSERT_THAT(chain.county->Start(), IsOk());
  ASSERT_THAT(chain.city->Start(), IsOk());
  batch("e-", 50);  // E: after the restore

  // Nothing is in flight anywhere any more: what the province has is final.
  auto settled = [&] {
    for (NodeProcess* node :
         {chain.township.get(), chain.county.get(), chain.city.get()}) {
      if (waiting_at(node) != 0) return false;
    }
    return true;
  };
  ASSERT_TRUE(Eventually(kPatience, absl::Milliseconds(100), settled));
  absl::StatusOr<std::vector<StoredReport>> held = province.ListAll();
  ASSERT_THAT(held, IsOk());
  std::vector<std::string> delivered;
  absl::flat_hash_set<std::string> at_province;
  for (const StoredReport& r : *held) {
    delivered.push_back(r.report().report_id());
    at_province.insert(r.report().report_id());
  }
  absl::StatusOr<std::vector<OriginRecord>> origins = province.Origins();
  ASSERT_THAT(origins, IsOk());
  const uint64_t gaps = MissingNumbers(*origins);
  Counts c = history.Check(delivered, gaps);
  std::cout << c.Json("restore-county", 0) << "\n";
  EXPECT_EQ(c.acknowledged, 500u);
  EXPECT_EQ(c.duplicated, 0u);
  EXPECT_EQ(c.unexpected, 0u);
  // The contract: lost are exactly the 50 of D, and the ledger shows them.
  EXPECT_EQ(c.lost, 50u);
  EXPECT_EQ(gaps, 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(at_province.contains(absl::StrCat("d-", i))) << i;
    EXPECT_TRUE(at_province.contains(absl::StrCat("e-", i))) << i;
  }
  for (int i = 0; i < 300; ++i) {
    EXPECT_TRUE(at_province.contains(absl::StrCat("b-", i))) << i;
  }
}

}  // namespace
}  // namespace kuaibao::testing
