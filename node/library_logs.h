#ifndef KUAIBAO_NODE_LIBRARY_LOGS_H_
#define KUAIBAO_NODE_LIBRARY_LOGS_H_

namespace kuaibao {

// Sends what gRPC and protobuf log (refused TLS handshakes, messages that do
// not decode) through our log, one JSON object per line like everything the
// node logs, instead of their own formats on stderr. Neither library logs
// message content: field names, peers and errors only. Call once, first
// thing in main().
void RouteLibraryLogs();

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_LIBRARY_LOGS_H_
