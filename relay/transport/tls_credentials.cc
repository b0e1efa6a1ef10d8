#include "relay/transport/tls_credentials.h"

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "relay/base/files.h"
#include "relay/base/status_macros.h"

namespace kuaibao {

namespace {

using ::grpc::experimental::CertificateProviderInterface;
using ::grpc::experimental::FileWatcherCertificateProvider;

// gRPC's file watcher reports unreadable files only in its own log, and
// keeps serving nothing: check them here first, so a typo is an error at
// start.
absl::Status CheckReadable(const TlsPaths& paths) {
  RETURN_IF_ERROR(ReadFileToString(paths.cert_file, "certificate").status());
  RETURN_IF_ERROR(ReadFileToString(paths.key_file, "private key").status());
  RETURN_IF_ERROR(ReadFileToString(paths.ca_file, "CA").status());
  if (!paths.crl_dir.empty() && !std::filesystem::is_directory(paths.crl_dir)) {
    return absl::NotFoundError(
        absl::StrCat("CRL directory '", paths.crl_dir, "' does not exist"));
  }
  return absl::OkStatus();
}

std::shared_ptr<CertificateProviderInterface> WatchFiles(
    const TlsPaths& paths) {
  int64_t seconds = absl::ToInt64Seconds(paths.refresh_interval);
  return std::make_shared<FileWatcherCertificateProvider>(
      paths.key_file, paths.cert_file, paths.ca_file,
      static_cast<unsigned int>(seconds < 1 ? 1 : seconds));
}

void Configure(const TlsPaths& paths,
               grpc::experimental::TlsCredentialsOptions* options) {
  options->watch_root_certs();
  options->watch_identity_key_cert_pairs();
  if (!paths.crl_dir.empty()) options->set_crl_directory(paths.crl_dir);
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const TlsPaths& paths) {
  RETURN_IF_ERROR(CheckReadable(paths));
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(WatchFiles(paths));
  Configure(paths, &options);
  options.set_verify_server_certs(true);
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  return grpc::experimental::TlsCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsPaths& paths, PeerCheck check) {
  RETURN_IF_ERROR(CheckReadable(paths));
  grpc::experimental::TlsServerCredentialsOptions options(WatchFiles(paths));
  Configure(paths, &options);
  options.set_cert_request_type(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  if (check) {
    options.set_certificate_verifier(MakePeerCheckVerifier(std::move(check)));
  }
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace kuaibao
