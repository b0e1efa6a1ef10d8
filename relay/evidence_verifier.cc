#include "relay/evidence_verifier.h"

#include <openssl/x509_vfy.h>

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/message_differencer.h"
#include "relay/certificates.h"
#include "relay/evidence_encoding.h"
#include "relay/identity.h"
#include "relay/receipt_signer.h"
#include "relay/report_types.h"

namespace kuaibao {
namespace {

using StorePtr = std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)>;

// Why `chain_der` (leaf first) does not chain to a CA in `trusted` at
// `when`, or "".
std::string ChainProblem(
    X509_STORE* trusted,
    const google::protobuf::RepeatedPtrField<std::string>& chain_der,
    int64_t when, X509Ptr* leaf) {
  std::vector<X509Ptr> certs;
  for (const std::string& der : chain_der) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    X509* cert =
        d2i_X509(nullptr, &p, static_cast<long>(der.size()));  // NOLINT
    if (cert == nullptr) return "a signer certificate does not parse";
    certs.emplace_back(cert, X509_free);
  }
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(
      sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_free(s); });
  for (size_t i = 1; i < certs.size(); ++i) {
    sk_X509_push(untrusted.get(), certs[i].get());
  }
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(
      X509_STORE_CTX_new(), X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), trusted, certs[0].get(), untrusted.get());
  // Valid when it signed, whether or not it has expired since.
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), when);
  std::string problem;
  if (X509_verify_cert(ctx.get()) != 1) {
    problem = absl::StrCat(
        "signer certificate does not chain to the CA: ",
        X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  }
  *leaf = std::move(certs[0]);
  return problem;
}

// What is wrong with `receipt` as `node`'s receipt for the report whose
// digest is `digest`; sets `signer` to the certificate's identity.
std::vector<std::string> ReceiptProblems(X509_STORE* trusted,
                                         const Receipt& receipt,
                                         const std::string& node,
                                         const std::string& digest,
                                         std::string* signer) {
  if (!IsSigned(receipt)) return {"no signed receipt"};
  std::vector<std::string> problems;
  if (receipt.node() != node) {
    problems.push_back(absl::StrCat("the receipt is from node ", receipt.node(),
                                    ", not ", node));
  }
  if (receipt.report_digest() != digest) {
    problems.push_back("the report digest in the receipt is not the report's");
  }
  X509Ptr leaf(nullptr, X509_free);
  std::string chain = ChainProblem(trusted, receipt.signer_chain(),
                                   receipt.stored_at().seconds(), &leaf);
  if (leaf == nullptr) return {chain};
  if (!chain.empty()) problems.push_back(chain);
  std::vector<std::string> uris = KuaibaoUris(leaf.get());
  *signer = uris.empty() ? "(no identity)" : uris[0];
  const std::string expected = IdentityUri(Role::kNode, receipt.node(), "");
  if (std::find(uris.begin(), uris.end(), expected) == uris.end()) {
    problems.push_back(absl::StrCat("the receipt's node ", receipt.node(),
                                    " is not the signer's certificate (",
                                    *signer, ")"));
  }
  absl::Status signature = VerifyReceiptSignature(receipt);
  if (!signature.ok()) problems.push_back(std::string(signature.message()));
  return problems;
}

bool SameTime(const google::protobuf::Timestamp& a,
              const google::protobuf::Timestamp& b) {
  return a.seconds() == b.seconds() && a.nanos() == b.nanos();
}

// The hop record `hop` against its own receipt and chain link.
void CheckHop(X509_STORE* trusted, const std::string& report_id,
              const std::string& digest, const HopRecord& hop,
              HopVerdict* verdict) {
  std::vector<std::string> problems;
  for (std::string& p : ReceiptProblems(trusted, hop.receipt(), hop.node(),
                                        digest, verdict->mutable_signer())) {
    problems.push_back(std::move(p));
  }
  const Receipt& r = hop.receipt();
  std::vector<std::string> differ;
  if (r.sender() != hop.received_from()) differ.push_back("received_from");
  if (!SameTime(r.received_at(), hop.received_at())) {
    differ.push_back("received_at");
  }
  if (!SameTime(r.stored_at(), hop.stored_at())) differ.push_back("stored_at");
  if (r.chain_seq() != hop.chain().seq() ||
      r.chain_hash() != hop.chain().hash()) {
    differ.push_back("chain");
  }
  if (!differ.empty() && hop.has_receipt()) {
    problems.push_back(
        absl::StrCat("the hop record differs from its signed "
                     "receipt in ",
                     absl::StrJoin(differ, ", ")));
  }
  if (ChainHash(hop.chain().prev_hash(),
                HopChainBytes(hop.chain().seq(), report_id, digest, hop)) !=
      hop.chain().hash()) {
    problems.push_back("the hop record does not hash to its chain link");
  }
  for (std::string& p : problems) *verdict->add_problems() = std::move(p);
}

}  // namespace

absl::StatusOr<EvidenceVerdict> VerifyEvidence(const EvidenceBundle& bundle,
                                               const std::string& ca_pem) {
  StorePtr trusted(X509_STORE_new(), X509_STORE_free);
  std::vector<X509Ptr> cas = ReadCertificates(ca_pem);
  if (cas.empty()) {
    return absl::InvalidArgumentError("the CA file holds no PEM certificate");
  }
  for (const X509Ptr& ca : cas) X509_STORE_add_cert(trusted.get(), ca.get());

  EvidenceVerdict verdict;
  const StoredReport& timeline = bundle.timeline();
  const IncidentReport& report = timeline.report();
  verdict.set_report_id(report.report_id());
  verdict.set_exported_by(bundle.exported_by());
  const std::string digest = Sha256Hex(bundle.report_bytes());
  IncidentReport decoded;
  if (!decoded.ParseFromString(bundle.report_bytes()) ||
      !google::protobuf::util::MessageDifferencer::Equals(decoded, report)) {
    verdict.add_problems(
        "the report shown differs from the report bytes the receipts sign");
  }

  std::vector<const google::protobuf::RepeatedPtrField<HopRecord>*> paths = {
      &timeline.hops()};
  for (const Path& p : timeline.other_paths()) paths.push_back(&p.hops());
  for (size_t p = 0; p < paths.size(); ++p) {
    const auto& hops = *paths[p];
    if (hops.empty() || hops[hops.size() - 1].node() != bundle.exported_by()) {
      verdict.add_problems(absl::StrCat(
          p == 0 ? "the path" : absl::StrCat("path ", p + 1),
          " does not end at the exporting node ", bundle.exported_by()));
    }
    for (int i = 0; i < hops.size(); ++i) {
      const HopRecord& hop = hops[i];
      HopVerdict* v = verdict.add_hops();
      v->set_label(p == 0 ? absl::StrCat("hop ", i + 1)
                          : absl::StrCat("path ", p + 1, " hop ", i + 1));
      v->set_node(hop.node());
      *v->mutable_received_at() = hop.received_at();
      v->set_chain_seq(hop.chain().seq());
      CheckHop(trusted.get(), report.report_id(), digest, hop, v);
      const std::string expected_from =
          i == 0 ? report.origin()
                 : IdentityUri(Role::kNode, hops[i - 1].node(), "");
      if (hop.received_from() != expected_from) {
        v->add_problems(absl::StrCat(
            "received from ", hop.received_from(), " but ",
            i == 0 ? "the report's origin is " : "the hop before is ",
            expected_from, ": a hop record is missing or altered"));
      }
      v->set_ok(v->problems().empty());
    }
  }
  // The exporting node's hand-offs, with the receipts its upstreams signed.
  if (!timeline.hops().empty()) {
    const HopRecord& own = timeline.hops(timeline.hops_size() - 1);
    for (const Forwarding& f : own.forwarded()) {
      if (!f.has_receipt()) continue;  // not acknowledged (yet)
      HopVerdict* v = verdict.add_hops();
      v->set_label(absl::StrCat("hand-off to ", f.to()));
      v->set_node(f.to());
      *v->mutable_received_at() = f.receipt().received_at();
      v->set_chain_seq(f.receipt().chain_seq());
      for (std::string& problem :
           ReceiptProblems(trusted.get(), f.receipt(), f.to(), digest,
                           v->mutable_signer())) {
        v->add_problems(std::move(problem));
      }
      if (f.receipt().has_received_at() &&
          f.receipt().sender() != IdentityUri(Role::kNode, own.node(), "")) {
        v->add_problems(absl::StrCat("the receipt names the sender ",
                                     f.receipt().sender(), ", not ",
                                     own.node()));
      }
      v->set_ok(v->problems().empty());
    }
  }
  bool ok = verdict.problems().empty();
  for (const HopVerdict& v : verdict.hops()) ok = ok && v.ok();
  verdict.set_ok(ok);
  return verdict;
}

}  // namespace kuaibao
