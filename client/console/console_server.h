#ifndef KUAIBAO_CLIENT_CONSOLE_CONSOLE_SERVER_H_
#define KUAIBAO_CLIENT_CONSOLE_CONSOLE_SERVER_H_

// `kuaibao console`: a web console for duty officers, leaders and auditors,
// served on a loopback address to the browser on the same workstation. It
// is a client of its node like the command line: every call goes over mutual
// TLS with the officer's certificate, so the officer's identity stays the
// certificate. The browser sees plain HTTP on localhost:
//   GET  /, /app.js, /app.css, /regions.csv   the page (embedded assets)
//   GET  /api/events?since=N                  Server-Sent Events: the node's
//                                             feed and the node's state
//   GET  /api/report?id=ID, /api/reports?event=ID, /api/due,
//        /api/instructions, /api/children, /api/status, /api/timeline?id=ID
//   POST /api/submit, /api/instruct, /api/feedback, /api/audit/breaches,
//        /api/audit/stats                     protobuf JSON in and out
// Errors are {"code": "...", "field": "...", "message": "..."} with the
// HTTP status of the gRPC code.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao {

struct ConsoleOptions {
  std::string listen = "127.0.0.1:8080";
  std::string node;
  TlsPaths tls;
  absl::Duration timeout = absl::Seconds(30);
  // Written once the console listens (its port; for tests and the demo).
  std::string port_file;
};

// Serves until the process is stopped; an error when it cannot start.
absl::Status RunConsole(const ConsoleOptions& options);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_CONSOLE_CONSOLE_SERVER_H_
