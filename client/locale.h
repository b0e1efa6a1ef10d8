#ifndef KUAIBAO_CLIENT_LOCALE_H_
#define KUAIBAO_CLIENT_LOCALE_H_

// The language a client speaks to people: 简体中文 or English. Pure: no I/O
// beyond reading the value it is given, no gRPC. Shared by the `kuaibao` CLI
// and the web console so that both use the same words.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kuaibao {

enum class Lang { kZh, kEn };

// The language for a value of the LANG environment variable (nullptr when
// unset): Chinese for "zh…" ("zh_CN.UTF-8"), English for anything else
// ("C", "en_US.UTF-8", unset) — a terminal that cannot show Chinese is more
// likely than a Chinese user with an English locale.
Lang LangFromEnv(const char* lang_env);

// "zh" or "en" (what --lang accepts, case-insensitive; "zh-CN", "zh_CN" and
// "en-US" too). INVALID_ARGUMENT naming --lang otherwise.
absl::StatusOr<Lang> ParseLang(absl::string_view text);

// "zh" / "en".
absl::string_view LangCode(Lang lang);

// One phrase in both languages. Kept beside the code that prints it, so a
// phrase and its translation change together.
struct Phrase {
  absl::string_view en;
  absl::string_view zh;
};

inline absl::string_view Say(Lang lang, const Phrase& phrase) {
  return lang == Lang::kZh ? phrase.zh : phrase.en;
}

// The shared catalog: words every view uses, so that the CLI's table, its
// CSV and the console name a thing the same way.
namespace phrases {
// Administrative levels (relay/region.h's Level).
inline constexpr Phrase kProvince{"province", "省"};
inline constexpr Phrase kCity{"city", "市"};
inline constexpr Phrase kCounty{"county", "县"};
inline constexpr Phrase kTownship{"township", "乡镇"};
inline constexpr Phrase kVillage{"village", "村"};
inline constexpr Phrase kNational{"State Council", "国务院"};
// Report grades (the notice's 特别重大/重大/较大/一般).
inline constexpr Phrase kGradeI{"grade I (extraordinarily serious)",
                                "特别重大（Ⅰ级）"};
inline constexpr Phrase kGradeII{"grade II (serious)", "重大（Ⅱ级）"};
inline constexpr Phrase kGradeIII{"grade III (relatively serious)",
                                  "较大（Ⅲ级）"};
inline constexpr Phrase kGradeIV{"grade IV (ordinary)", "一般（Ⅳ级）"};
// Report kinds.
inline constexpr Phrase kBrief{"brief", "快报"};
inline constexpr Phrase kDetailed{"detailed", "详报"};
inline constexpr Phrase kFollowUp{"follow-up", "续报"};
inline constexpr Phrase kFinal{"final", "终报"};
// Deadline outcomes.
inline constexpr Phrase kMet{"met", "按时"};
inline constexpr Phrase kMetLate{"met late", "迟报"};
inline constexpr Phrase kOverdue{"overdue", "超时未报"};
inline constexpr Phrase kAtRisk{"at risk", "即将超时"};
inline constexpr Phrase kReviewed{"reviewed", "已审阅"};
inline constexpr Phrase kBeijingTime{"Beijing time", "北京时间"};
}  // namespace phrases

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_LOCALE_H_
