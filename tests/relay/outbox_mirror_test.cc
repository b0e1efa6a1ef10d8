#include "relay/outbox_mirror.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "relay/outbox.h"
#include "relay/store/keys.h"
#include "tests/testing/fault_injection_env.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::TempDir;
using ::testing::ElementsAre;

constexpr char kUp[] = "140100000000";
constexpr char kOther[] = "140000000000";
const char* const kSources[] = {"spiffe://kuaibao/node/140105001000",
                                "spiffe://kuaibao/node/140105002000",
                                "spiffe://kuaibao/node/140105003000"};

StoredReport MakeReport(const std::string& id, const std::string& event,
                        const std::string& source, size_t padding = 0) {
  StoredReport stored;
  stored.mutable_report()->set_report_id(id);
  stored.mutable_report()->set_event_id(event);
  stored.mutable_report()->set_headline(std::string(padding, 'x'));
  HopRecord* hop = stored.add_hops();
  hop->set_node("140105000000");
  hop->set_received_from(source);
  return stored;
}

// What one Next returned, as comparable text.
std::vector<std::string> Describe(
    const absl::StatusOr<std::vector<QueuedReport>>& next) {
  std::vector<std::string> out;
  if (!next.ok()) {
    out.push_back(next.status().ToString());
    return out;
  }
  for (const QueuedReport& q : *next) {
    out.push_back(absl::StrCat(q.entry.key, "|", q.entry.report_id, "|",
                               q.entry.event_id, "|", q.entry.bytes, "|",
                               q.report.SerializeAsString(), "|",
                               q.forwarding.SerializeAsString()));
  }
  return out;
}

class OutboxMirrorTest : public ::testing::Test {
 protected:
  OutboxMirrorTest() { Open({}); }
  ~OutboxMirrorTest() override { Close(); }

  // (Re)opens the store with a fresh mirror, as a restart does.
  void Open(OutboxMirrorLimits limits, leveldb::Env* env = nullptr) {
    ReportStore::Options options;
    options.sync = false;
    options.env = env;
    store_ = *ReportStore::Open(dir_.path(), options);
    mirror_ = std::make_unique<OutboxMirror>(store_.get(), limits);
    store_->AddWriteListener(mirror_.get());
    from_store_ = std::make_unique<Outbox>(store_.get());
    from_memory_ = std::make_unique<Outbox>(store_.get(), mirror_.get());
  }
  void Close() {
    if (store_ == nullptr) return;
    from_memory_.reset();
    from_store_.reset();
    store_->RemoveWriteListener(mirror_.get());
    mirror_.reset();
    store_.reset();
  }

  // Queues `stored` for `upstream` as the engine does (QueueFor): the entry,
  // the report (encoded, and decoded as `decoded`: by default the same) and
  // its forwarding record in one write.
  OutboxEntry Queue(const std::string& upstream, int priority,
                    const StoredReport& stored,
                    std::optional<StoredReport> decoded = std::nullopt) {
    const std::string key = from_store_->KeyFor(upstream, priority, stored);
    StoreBatch batch;
    Outbox::Queue(upstream, key, stored, &batch);
    batch.Put(keys::Report(stored.report().report_id()),
              stored.SerializeAsString());
    batch.AttachReport(
        std::make_shared<StoredReport>(decoded ? *decoded : stored));
    Forwarding f;
    f.set_to(upstream);
    f.set_route(ROUTE_PARENT);
    batch.Put(keys::Forwarding(stored.report().report_id(), upstream),
              f.SerializeAsString());
    EXPECT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
    return OutboxEntry{key, stored.report().report_id(),
                       stored.report().event_id(), Outbox::Weight(stored)};
  }

  void Remove(const std::string& upstream,
              const std::vector<OutboxEntry>& entries) {
    StoreBatch batch;
    for (const OutboxEntry& e : entries) Outbox::Remove(upstream, e, &batch);
    ASSERT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
  }

  std::vector<std::string> Ids(
      Outbox& outbox, size_t max,
      const absl::flat_hash_set<std::string>& skip = {}) {
    absl::StatusOr<std::vector<QueuedReport>> next =
        outbox.Next(kUp, max, skip);
    EXPECT_THAT(next, IsOk());
    std::vector<std::string> ids;
    if (next.ok()) {
      for (const QueuedReport& q : *next) ids.push_back(q.entry.report_id);
    }
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<ReportStore> store_;
  std::unique_ptr<OutboxMirror> mirror_;
  std::unique_ptr<Outbox> from_store_;
  std::unique_ptr<Outbox> from_memory_;
};

TEST_F(OutboxMirrorTest, RandomQueueOperationsReadAlikeFromMemoryAndStore) {
  Close();
  // Small limits, so that the queue crosses them again and again.
  Open({/*reports=*/24, /*bytes=*/24 * 300});
  std::mt19937 random(20261204);
  auto pick = [&](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(random);
  };
  const std::string upstreams[] = {kUp, kOther};
  std::map<std::string, std::vector<OutboxEntry>> queued;
  absl::flat_hash_map<std::string, StoredReport> reports;
  int next_id = 0;
  int compared = 0, beyond_boundary = 0;
  for (int step = 0; step < 2000; ++step) {
    const std::string& upstream = upstreams[pick(4) == 0 ? 1 : 0];
    std::vector<OutboxEntry>& entries = queued[upstream];
    const size_t what = pick(10);
    if (what < 4 || entries.empty()) {
      // Queue a new report, of one of a few events (so that follow-ups of
      // an event wait in other classes), of varying size.
      std::string id = absl::StrCat("r", next_id++);
      StoredReport stored =
          MakeReport(id, absl::StrCat("ev", pick(8)),
                     kSources[pick(std::size(kSources))], pick(400));
      reports[id] = stored;
      entries.push_back(Queue(upstream, static_cast<int>(pick(3)), stored));
    } else if (what < 6) {
      // Acknowledge (or hold) a few.
      std::vector<OutboxEntry> gone;
      for (size_t n = 1 + pick(3); n > 0 && !entries.empty(); --n) {
        size_t i = pick(entries.size());
        gone.push_back(entries[i]);
        entries.erase(entries.begin() + i);
      }
      Remove(upstream, gone);
    } else if (what == 6) {
      // A hand-off's outcome, or another path, rewrites what is held.
      const OutboxEntry& e = entries[pick(entries.size())];
      StoreBatch batch;
      if (pick(2) == 0) {
        Forwarding f;
        f.set_to(upstream);
        f.set_route(ROUTE_PARENT);
        f.set_attempts(static_cast<uint32_t>(step));
        batch.Put(keys::Forwarding(e.report_id, upstream),
                  f.SerializeAsString());
      } else {
        StoredReport& stored = reports[e.report_id];
        stored.add_other_paths()->add_hops()->set_node(
            absl::StrCat("path", step));
        batch.Put(keys::Report(e.report_id), stored.SerializeAsString());
      }
      ASSERT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
    } else {
      // Read, with some of the queue in flight.
      absl::flat_hash_set<std::string> in_flight;
      for (const OutboxEntry& e : entries) {
        if (pick(4) == 0) in_flight.insert(e.report_id);
      }
      const size_t max = 1 + pick(12);
      std::vector<std::string> expected =
          Describe(from_store_->Next(upstream, max, in_flight));
      std::vector<std::string> got =
          Describe(from_memory_->Next(upstream, max, in_flight));
      ASSERT_EQ(got, expected) << "step " << step;
      ++compared;
      if (!mirror_->Held(upstream).complete) ++beyond_boundary;
    }
  }
  EXPECT_GT(compared, 400);
  // Both sides of the boundary were read: from memory alone, and past it.
  EXPECT_GT(beyond_boundary, 50);
  EXPECT_GT(from_memory_->next_from_memory(), 100u);
  EXPECT_GT(from_memory_->next_from_store(), 20u);
}

TEST_F(OutboxMirrorTest, AWriteIsReadFromMemory) {
  EXPECT_THAT(Ids(*from_memory_, 10), ElementsAre());  // learns the queue
  Queue(kUp, 2, MakeReport("a", "ev-a", kSources[0]));
  Queue(kUp, 0, MakeReport("b", "ev-b", kSources[1]));
  const uint64_t store_reads = from_memory_->next_from_store();
  EXPECT_THAT(Ids(*from_memory_, 10), ElementsAre("b", "a"));
  EXPECT_EQ(from_memory_->next_from_store(), store_reads);
  std::optional<Forwarding> f = mirror_->ForwardingOf(kUp, "a");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->route(), ROUTE_PARENT);
}

// A report written in this process is sent as its write decoded it, once:
// the decoded copy given to the write is what the first read returns (here
// made to differ from the bytes, to tell them apart), and a later read of
// the same entry decodes the bytes.
TEST_F(OutboxMirrorTest, AWrittenReportIsReadDecodedOnce) {
  EXPECT_THAT(Ids(*from_memory_, 10), ElementsAre());  // learns the queue
  StoredReport decoded = MakeReport("a", "ev-a", kSources[0]);
  decoded.mutable_report()->set_headline("as the write decoded it");
  Queue(kUp, 2, MakeReport("a", "ev-a", kSources[0], 3), decoded);
  const uint64_t store_reads = from_memory_->next_from_store();
  auto headline = [&] {
    absl::StatusOr<std::vector<QueuedReport>> next =
        from_memory_->Next(kUp, 10, {});
    EXPECT_THAT(next, IsOk());
    return next.ok() && next->size() == 1
               ? (*next)[0].report.report().headline()
               : "";
  };
  EXPECT_EQ(headline(), "as the write decoded it");
  EXPECT_EQ(headline(), "xxx");
  EXPECT_EQ(from_memory_->next_from_store(), store_reads);
}

TEST_F(OutboxMirrorTest, RestartWithABacklog) {
  for (int i = 0; i < 300; ++i) {
    Queue(kUp, 2, MakeReport(absl::StrCat("r", i), "ev", kSources[i % 3]));
  }
  Close();
  Open({});
  EXPECT_EQ(mirror_->Held(kUp).reports, 0u);
  // The first read after the restart reads the store and keeps what it
  // read; the next ones answer from memory.
  std::vector<std::string> first = Ids(*from_memory_, 50);
  EXPECT_EQ(first, Ids(*from_store_, 50));
  EXPECT_EQ(from_memory_->next_from_store(), 1u);
  EXPECT_TRUE(mirror_->Held(kUp).complete);
  EXPECT_EQ(mirror_->Held(kUp).reports, 300u);
  absl::flat_hash_set<std::string> in_flight(first.begin(), first.end());
  EXPECT_EQ(Ids(*from_memory_, 50, in_flight),
            Ids(*from_store_, 50, in_flight));
  EXPECT_EQ(from_memory_->next_from_store(), 1u);
  EXPECT_EQ(from_memory_->next_from_memory(), 1u);
}

TEST_F(OutboxMirrorTest, OverflowKeepsTheHead) {
  Close();
  Open({/*reports=*/100, /*bytes=*/1 << 20});
  EXPECT_THAT(Ids(*from_memory_, 10), ElementsAre());  // learns the queue
  std::vector<OutboxEntry> entries;
  for (int i = 0; i < 300; ++i) {
    entries.push_back(
        Queue(kUp, 2, MakeReport(absl::StrCat("r", i), "ev", kSources[0])));
  }
  // The head stays; the tail is the store's.
  OutboxMirror::Holding held = mirror_->Held(kUp);
  EXPECT_FALSE(held.complete);
  EXPECT_LE(held.reports, 100u);
  EXPECT_GE(held.reports, 80u);
  EXPECT_EQ(held.boundary, entries[held.reports].key);
  const uint64_t store_reads = from_memory_->next_from_store();
  std::vector<std::string> head = Ids(*from_memory_, 50);
  ASSERT_EQ(head.size(), 50u);
  EXPECT_EQ(head.front(), "r0");
  EXPECT_EQ(from_memory_->next_from_store(), store_reads);
  // An urgent report is held, and overtakes. (Whether its event has
  // earlier reports in the tail is the store's to say.)
  Queue(kUp, 0, MakeReport("urgent", "ev-u", kSources[1]));
  EXPECT_EQ(mirror_->Held(kUp).reports, held.reports + 1);
  EXPECT_THAT(Ids(*from_memory_, 1), ElementsAre("urgent"));
  // Past the head, the store is read and what it read is kept.
  Remove(kUp, std::vector<OutboxEntry>(entries.begin(), entries.begin() + 90));
  absl::flat_hash_set<std::string> in_flight = {"urgent"};
  const uint64_t before_refill = from_memory_->next_from_store();
  EXPECT_EQ(Ids(*from_memory_, 30, in_flight),
            Ids(*from_store_, 30, in_flight));
  EXPECT_EQ(from_memory_->next_from_store(), before_refill + 1);
  EXPECT_GE(mirror_->Held(kUp).reports, 90u);
}

TEST_F(OutboxMirrorTest, AFailedWriteIsNotHeldAndAReopenForgets) {
  Close();
  testing::FaultInjectionEnv env;
  Open({}, &env);
  EXPECT_THAT(Ids(*from_memory_, 10), ElementsAre());  // learns the queue
  Queue(kUp, 2, MakeReport("a", "ev-a", kSources[0]));
  env.SetSpaceLeft(100);
  StoredReport b = MakeReport("b", "ev-b", kSources[0], 4000);
  StoreBatch batch;
  const std::string key = from_store_->KeyFor(kUp, 2, b);
  Outbox::Queue(kUp, key, b, &batch);
  batch.Put(keys::Report("b"), b.SerializeAsString());
  EXPECT_FALSE(store_->CommitAndWait(std::move(batch)).ok());
  EXPECT_EQ(mirror_->Held(kUp).reports, 1u) << "the failed write is not held";
  // The reopen may find the failed write after all: the mirror forgets and
  // reads the store again.
  env.SetUnlimitedSpace();
  ASSERT_THAT(store_->Recover(), IsOk());
  EXPECT_EQ(mirror_->Held(kUp).reports, 0u);
  EXPECT_EQ(Ids(*from_memory_, 10), Ids(*from_store_, 10));
  Close();
}

TEST_F(OutboxMirrorTest, AfterAReopenTheStoreIsReadAgain) {
  EXPECT_THAT(Ids(*from_memory_, 10), ElementsAre());  // learns the queue
  Queue(kUp, 2, MakeReport("a", "ev-a", kSources[0]));
  // A write the mirror never saw, as a write reported failed that reached
  // the disk after all is to it.
  store_->RemoveWriteListener(mirror_.get());
  Queue(kUp, 2, MakeReport("b", "ev-b", kSources[0]));
  store_->AddWriteListener(mirror_.get());
  mirror_->Reopened();
  EXPECT_THAT(Ids(*from_memory_, 10), ElementsAre("a", "b"));
}

}  // namespace
}  // namespace kuaibao
