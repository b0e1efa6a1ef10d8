#ifndef KUAIBAO_CLIENT_HANDSHAKE_PROBE_H_
#define KUAIBAO_CLIENT_HANDSHAKE_PROBE_H_

#include <string>

#include "absl/time/time.h"

namespace kuaibao {

// Why a node could not be reached. gRPC 1.51 reports a certificate refused
// in the TLS handshake as UNAVAILABLE, like a node that is down; this probe
// (plain OpenSSL, after the call failed) tells the two apart.
struct HandshakeVerdict {
  enum Kind {
    kUnreachable,  // no TCP connection (down, wrong address, firewall)
    kRefused,      // TCP and TLS reached the node; it refused the certificate
    kAccepted,     // the node took the certificate: the cause is elsewhere
  };
  Kind kind;
  // What was seen: the socket error, or the TLS alert the node sent.
  std::string detail;
};

// Connects to `address` (host:port) and runs a TLS handshake with the
// client's certificate and key (files), waiting at most `patience` for the
// node's verdict on it.
HandshakeVerdict ProbeHandshake(const std::string& address,
                                const std::string& cert_file,
                                const std::string& key_file,
                                absl::Duration patience);

// The "hint: ..." lines for a verdict about the node at `address`.
std::string HandshakeHint(const HandshakeVerdict& verdict,
                          const std::string& address);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_HANDSHAKE_PROBE_H_
