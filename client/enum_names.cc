#include "client/enum_names.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "client/display.h"
#include "client/format.h"
#include "client/locale.h"

namespace kuaibao {

namespace {

// By the value's full constant name, which is unique across the package.
const absl::flat_hash_map<absl::string_view, Phrase>& Names() {
  static const auto* const names =
      new absl::flat_hash_map<absl::string_view, Phrase>{
          // Grades: the notice's 特别重大/重大/较大/一般.
          {"GRADE_I", {"I (extraordinary)", "Ⅰ级（特别重大）"}},
          {"GRADE_II", {"II (major)", "Ⅱ级（重大）"}},
          {"GRADE_III", {"III (large)", "Ⅲ级（较大）"}},
          {"GRADE_IV", {"IV (ordinary)", "Ⅳ级（一般）"}},
          {"GRADE_UNGRADED", {"ungraded", "不分级"}},
          {"GRADE_UNKNOWN", {"not yet assessed", "待定"}},
          // Report kinds.
          {"REPORT_KIND_BRIEF", {"brief", "快报"}},
          {"REPORT_KIND_INITIAL", {"initial", "首报"}},
          {"REPORT_KIND_FOLLOW_UP", {"follow-up", "续报"}},
          {"REPORT_KIND_FINAL", {"final", "终报"}},
          {"REPORT_KIND_CORRECTION", {"correction", "更正"}},
          {"REPORT_KIND_RETRACTION", {"retraction", "撤销"}},
          {"REPORT_KIND_REOPEN", {"reopened", "重新报告"}},
          // Status.
          {"REPORT_STATUS_ACTUAL", {"actual", "实际事件"}},
          {"REPORT_STATUS_EXERCISE", {"drill", "演练"}},
          {"REPORT_STATUS_TEST", {"test", "测试"}},
          // Categories: the notice's 一(二).
          {"CATEGORY_NATURAL_DISASTER", {"natural disaster", "自然灾害"}},
          {"CATEGORY_MAJOR_ACCIDENT", {"major accident", "重大事故"}},
          {"CATEGORY_PUBLIC_HEALTH", {"public health", "公共卫生事件"}},
          {"CATEGORY_SOCIAL_SECURITY", {"social security", "社会安全事件"}},
          {"CATEGORY_ECONOMIC_SECURITY", {"economic security", "经济安全事件"}},
          {"CATEGORY_EARLY_WARNING", {"early warning", "预警信息"}},
          // Classification.
          {"CLASSIFICATION_PUBLIC", {"public", "公开"}},
          {"CLASSIFICATION_INTERNAL", {"internal", "内部"}},
          {"CLASSIFICATION_SECRET", {"secret", "秘密"}},
          {"CLASSIFICATION_CONFIDENTIAL", {"confidential", "机密"}},
          {"CLASSIFICATION_TOP_SECRET", {"top secret", "绝密"}},
          // Why a report is sensitive.
          {"SENSITIVITY_REASON_SENSITIVE_PLACE",
           {"sensitive place", "敏感地点"}},
          {"SENSITIVITY_REASON_SENSITIVE_TIME", {"sensitive time", "敏感时间"}},
          {"SENSITIVITY_REASON_SENSITIVE_POPULATION",
           {"sensitive population", "敏感人群"}},
          {"SENSITIVITY_REASON_MAY_ESCALATE_TO_I_II",
           {"may become grade I/II", "可能演化为Ⅰ/Ⅱ级"}},
          {"SENSITIVITY_REASON_MEDIA_ATTENTION",
           {"media attention", "媒体关注"}},
          {"SENSITIVITY_REASON_FOREIGN", {"foreign element", "涉外"}},
          {"SENSITIVITY_REASON_OTHER", {"other", "其他"}},
          // Trend.
          {"TREND_ESCALATING", {"escalating", "扩大"}},
          {"TREND_STABLE", {"stable", "稳定"}},
          {"TREND_EASING", {"easing", "缓解"}},
          {"TREND_CONTROLLED", {"controlled", "已控制"}},
          {"TREND_UNKNOWN", {"unknown", "不明"}},
          // Where the information came from: the notice's 一(一), 一(五)2.
          {"SOURCE_KIND_UNIT_REPORT", {"unit's report", "单位报告"}},
          {"SOURCE_KIND_PUBLIC_TIP", {"public tip", "群众举报"}},
          {"SOURCE_KIND_MEDIA", {"media or internet", "媒体、网络"}},
          {"SOURCE_KIND_HIGHER_NOTICE", {"notice from above", "上级通报"}},
          {"SOURCE_KIND_DEPARTMENT", {"department", "部门通报"}},
          {"SOURCE_KIND_INSPECTION", {"inspection", "检查发现"}},
      };
  return *names;
}

}  // namespace

std::string ValueName(const google::protobuf::EnumDescriptor& descriptor,
                      int value) {
  // Every enum's 0 is <PREFIX>_UNSPECIFIED: not given.
  if (value == 0) return "-";
  const google::protobuf::EnumValueDescriptor* known =
      descriptor.FindValueByNumber(value);
  if (known != nullptr) {
    auto it = Names().find(known->name());
    if (it != Names().end()) {
      return std::string(Say(CurrentDisplay().lang, it->second));
    }
  }
  return EnumLabel(descriptor, value);
}

}  // namespace kuaibao
