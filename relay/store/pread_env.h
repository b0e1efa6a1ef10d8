#ifndef KUAIBAO_RELAY_STORE_PREAD_ENV_H_
#define KUAIBAO_RELAY_STORE_PREAD_ENV_H_

#include "leveldb/env.h"

namespace kuaibao {

// leveldb::Env::Default() with one change: table files are read with
// pread(2), not mapped into memory.
//
// Why: LevelDB maps up to 1,000 table files. Every page a read touches then
// counts in the node's resident memory until the file is closed, so a node
// that reads its history (a restart reading its deadline window, a backlog
// drained from disk) showed 80+ MiB of table pages in its RSS on top of what
// it keeps. Read with pread, those pages are the kernel's page cache,
// shared and reclaimable, not the node's; what LevelDB reuses stays in its
// block cache (8 MiB).
//
// A process-wide instance; never deleted (LevelDB's default Env is not
// either).
leveldb::Env* PreadEnv();

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_STORE_PREAD_ENV_H_
