#ifndef KUAIBAO_CLIENT_CONSOLE_CONSOLE_ASSETS_H_
#define KUAIBAO_CLIENT_CONSOLE_CONSOLE_ASSETS_H_

// The console's page, embedded at build time (embed_assets.cmake writes
// console_assets.cc from client/console/assets/), so
// the console needs no files and no network beside its node.

#include <cstddef>

namespace kuaibao {

struct ConsoleAsset {
  const char* data;
  size_t size;
  const char* content_type;
};

const ConsoleAsset& AssetIndexHtml();
const ConsoleAsset& AssetAppJs();
const ConsoleAsset& AssetAppCss();

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_CONSOLE_CONSOLE_ASSETS_H_
