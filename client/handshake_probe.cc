#include "client/handshake_probe.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace kuaibao {
namespace {

// The last OpenSSL error's reason ("sslv3 alert certificate expired", ...).
std::string OpenSslReason() {
  unsigned long error = ERR_peek_last_error();
  const char* reason = error != 0 ? ERR_reason_error_string(error) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : "the connection was closed";
}

// A connected TCP socket, or -1 with `why` set.
int Dial(const std::string& address, absl::Duration patience,
         std::string* why) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    *why = "the address has no :port";
    return -1;
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints = {};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int resolved = getaddrinfo(host.c_str(), address.substr(colon + 1).c_str(),
                             &hints, &found);
  if (resolved != 0) {
    *why = absl::StrCat("cannot resolve ", host, ": ", gai_strerror(resolved));
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
  int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0) {
    *why = std::strerror(errno);
    return -1;
  }
  // Bounded: a firewalled address would otherwise hang for minutes.
  timeval tv = absl::ToTimeval(patience);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    *why = std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

HandshakeVerdict ProbeHandshake(const std::string& address,
                                const std::string& cert_file,
                                const std::string& key_file,
                                absl::Duration patience) {
  std::string why;
  int fd = Dial(address, patience, &why);
  if (fd < 0) return {HandshakeVerdict::kUnreachable, why};
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(
      SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  // Only the node's verdict on our certificate matters here, not ours on
  // its (the real call checks it).
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    close(fd);
    return {HandshakeVerdict::kAccepted,
            absl::StrCat("cannot load the certificate: ", OpenSslReason())};
  }
  static const unsigned char kAlpn[] = {2, 'h', '2'};
  SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof(kAlpn));
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  HandshakeVerdict verdict{HandshakeVerdict::kAccepted, ""};
  if (SSL_connect(ssl.get()) != 1) {
    verdict = {HandshakeVerdict::kRefused, OpenSslReason()};
  } else {
    // TLS 1.3: the node judges the client's certificate after the client's
    // side of the handshake is done, so its verdict is the first thing to
    // read: an alert (refused) or its HTTP/2 settings (accepted).
    char byte;
    if (SSL_read(ssl.get(), &byte, 1) <= 0) {
      int error = SSL_get_error(ssl.get(), 0);
      const bool timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
      if (error == SSL_ERROR_SSL || error == SSL_ERROR_ZERO_RETURN ||
          (error == SSL_ERROR_SYSCALL && !timed_out)) {
        verdict = {HandshakeVerdict::kRefused, OpenSslReason()};
      } else {
        ERR_clear_error();
        verdict = {HandshakeVerdict::kAccepted,
                   "no answer after the handshake"};
      }
    }
  }
  close(fd);
  return verdict;
}

std::string HandshakeHint(const HandshakeVerdict& verdict,
                          const std::string& address) {
  switch (verdict.kind) {
    case HandshakeVerdict::kUnreachable:
      return absl::StrCat("hint: nothing answers at ", address, " (",
                          verdict.detail,
                          "): the node is down, or --node (KUAIBAO_NODE) is "
                          "wrong, or a firewall is in the way.\n");
    case HandshakeVerdict::kRefused:
      return absl::StrCat(
          "hint: the node at ", address,
          " is up but refused your certificate in the TLS handshake (",
          verdict.detail,
          "). Likely reasons: it expired or was revoked; it was issued by a "
          "CA the node does not trust (another city's CA, another PKI); its "
          "identity is outside the region of the CA that issued it. See "
          "--cert (KUAIBAO_CERT) and ask your CA operator.\n");
    case HandshakeVerdict::kAccepted:
      break;
  }
  return absl::StrCat("hint: the node at ", address,
                      " accepts your certificate but the call could not be "
                      "completed (it dropped the connection, or is "
                      "overloaded); try again.\n");
}

}  // namespace kuaibao
