#ifndef KUAIBAO_TESTS_TESTING_SAMPLE_REGIONS_H_
#define KUAIBAO_TESTS_TESTING_SAMPLE_REGIONS_H_

#include "relay/region.h"

namespace kuaibao::testing {

// A small region table: 山西省 > 太原市 > 小店区 (坞城街道, 营盘街道) and
// 迎泽区 (柳巷街道).
inline RegionTable SampleRegions() {
  return *RegionTable::Parse(
      "code12,level,name,parent_code12\n"
      "140000000000,province,山西省,\n"
      "140100000000,city,太原市,140000000000\n"
      "140105000000,county,小店区,140100000000\n"
      "140106000000,county,迎泽区,140100000000\n"
      "140105001000,township,坞城街道,140105000000\n"
      "140105002000,township,营盘街道,140105000000\n"
      "140106001000,township,柳巷街道,140106000000\n");
}

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_TESTING_SAMPLE_REGIONS_H_
