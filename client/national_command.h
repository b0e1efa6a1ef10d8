#ifndef KUAIBAO_CLIENT_NATIONAL_COMMAND_H_
#define KUAIBAO_CLIENT_NATIONAL_COMMAND_H_

#include <string>

#include "absl/time/time.h"
#include "client/command_client.h"
#include "client/command_io.h"

namespace kuaibao {

// What `kuaibao national-submitted` sends.
struct NationalArgs {
  std::string report_id;
  std::string channel;  // fax, telephone, national system, ...
  // When it went; InfinitePast: now (the node's clock).
  absl::Time at = absl::InfinitePast();
  std::string note;
};

// `kuaibao national-submitted`: at the province, records that a report went
// to the State Council by other means, and prints the record.
int RunNationalSubmitted(CommandClient& client, const NationalArgs& args,
                         const CommandIo& io);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_NATIONAL_COMMAND_H_
