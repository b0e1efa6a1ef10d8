// Receipt signing under a burst, in one process: one signature per receipt
// (how nodes signed before batch signing) against one signature per synced
// write (ReportStore seals each group write: relay/receipt_signer.h), both
// with the county's real key, in the same run. CPU time of the signing
// thread, so that other processes on a loaded machine do not count.
#include <time.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "relay/base/status_macros.h"
#include "relay/evidence_encoding.h"
#include "relay/receipt_signer.h"
#include "relay/store/report_store.h"
#include "tests/bench/node_chain.h"
#include "tests/bench/scenarios.h"

namespace kuaibao::bench {
namespace {

constexpr int kBurst = 4000;

double ThreadCpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

// The receipt a county gives for the `i`th report of the burst, unsigned.
Receipt BurstReceipt(const BenchContext& ctx, int i) {
  Receipt r;
  r.set_report_id(absl::StrCat("sign-", i));
  r.set_node(kCounty);
  r.set_sender(absl::StrCat("spiffe://kuaibao/node/", kTownship));
  r.mutable_received_at()->set_seconds(1800000000 + i);
  r.mutable_stored_at()->set_seconds(1800000000 + i);
  r.set_report_digest(Sha256Hex(absl::StrCat(ctx.stored_report, i)));
  r.set_chain_seq(i + 1);
  r.set_chain_hash(std::string(64, 'c'));
  return r;
}

// The node's signer, adding up the CPU time of its seals (it runs on the
// store's one writer thread).
class TimedSealer : public GroupSealer {
 public:
  explicit TimedSealer(const ReceiptSigner* signer) : signer_(signer) {}
  absl::StatusOr<std::vector<BatchInclusion>> Seal(
      std::vector<std::string> leaves) const override {
    const double start = ThreadCpuSeconds();
    auto proofs = signer_->Seal(std::move(leaves));
    cpu_ += ThreadCpuSeconds() - start;
    ++seals_;
    return proofs;
  }
  double cpu() const { return cpu_; }
  int seals() const { return seals_; }

 private:
  const ReceiptSigner* const signer_;
  mutable double cpu_ = 0;  // writer thread only
  mutable int seals_ = 0;
};

}  // namespace

absl::Status RunSigning(BenchContext* ctx) {
  const std::string base = absl::StrCat(ctx->pki_dir, "/node-", kCounty);
  ASSIGN_OR_RETURN(std::unique_ptr<ReceiptSigner> signer,
                   ReceiptSigner::Load(base + ".pem", base + ".key"));
  std::vector<Receipt> receipts;
  for (int i = 0; i < kBurst; ++i) receipts.push_back(BurstReceipt(*ctx, i));
  // Before: every receipt signed on its own.
  double start = ThreadCpuSeconds();
  for (Receipt r : receipts) RETURN_IF_ERROR(signer->Sign(&r));
  const double per_receipt_us = (ThreadCpuSeconds() - start) / kBurst * 1e6;
  // After, on the committing threads: each receipt's leaf hash.
  std::vector<std::string> leaves;
  start = ThreadCpuSeconds();
  for (const Receipt& r : receipts) leaves.push_back(ReceiptSigner::LeafOf(r));
  const double leaf_us = (ThreadCpuSeconds() - start) / kBurst * 1e6;
  ctx->report->AddBaseline(
      "signing.per_receipt", "us", per_receipt_us,
      "one signature per receipt (before batch signing), CPU per report");

  // After: the burst committed by `window` writers at once to a synced
  // store, each receipt with a stored report; the store seals each group.
  ASSIGN_OR_RETURN(std::unique_ptr<ReportStore> store,
                   ReportStore::Open(ctx->work_dir + "/signing-store", {}));
  TimedSealer sealer(signer.get());
  store->SetGroupSealer(&sealer);
  const int writers = static_cast<int>(ctx->settings.window);
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      for (int i = next++; i < kBurst; i = next++) {
        const Receipt& r = receipts[i];
        StoreBatch batch;
        batch.PutSealed(absl::StrCat("sign/", i), leaves[i],
                        [&, r](const BatchInclusion& proof) {
                          Receipt proven = r;
                          *proven.mutable_batch() = proof;
                          return absl::StrCat(ctx->stored_report,
                                              proven.SerializeAsString());
                        });
        if (!store->CommitAndWait(std::move(batch)).ok()) ++failed;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  if (failed > 0) {
    return absl::InternalError(absl::StrCat(failed.load(), " writes failed"));
  }
  const double per_report_us = leaf_us + sealer.cpu() / kBurst * 1e6;
  FigureSpec figure = MakeFigure(
      "signing.per_report", "signing",
      "receipt signing CPU per report (leaf hash, tree, one signature and the "
      "proofs per synced write)",
      "us", per_report_us, "signing.per_receipt");
  ctx->report->AddFigure(figure);
  ctx->report->AddDetail(
      "signing.reports_per_signature", "reports",
      static_cast<double>(kBurst) / std::max(1, sealer.seals()),
      absl::StrCat("reports per synced write (and per signature), ", writers,
                   " writers"));
  return absl::OkStatus();
}

}  // namespace kuaibao::bench
