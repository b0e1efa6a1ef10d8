#include "relay/transport/peer_check_verifier.h"

#include <grpcpp/security/tls_certificate_verifier.h>

#include <utility>

namespace kuaibao {
namespace {

using ::grpc::experimental::ExternalCertificateVerifier;
using ::grpc::experimental::TlsCustomVerificationCheckRequest;

class PeerCheckVerifier final : public ExternalCertificateVerifier {
 public:
  explicit PeerCheckVerifier(PeerCheck check) : check_(std::move(check)) {}

  bool Verify(TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/,
              grpc::Status* sync_status) override {
    grpc::string_ref leaf = request->peer_cert();
    grpc::string_ref chain = request->peer_cert_full_chain();
    absl::Status status = check_(std::string(leaf.data(), leaf.size()),
                                 std::string(chain.data(), chain.size()));
    *sync_status = status.ok() ? grpc::Status::OK
                               : grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                              std::string(status.message()));
    return true;  // answered synchronously
  }

  void Cancel(TlsCustomVerificationCheckRequest* /*request*/) override {}

 private:
  const PeerCheck check_;
};

}  // namespace

std::shared_ptr<grpc::experimental::CertificateVerifier> MakePeerCheckVerifier(
    PeerCheck check) {
  return ExternalCertificateVerifier::Create<PeerCheckVerifier>(
      std::move(check));
}

}  // namespace kuaibao
