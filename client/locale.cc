#include "client/locale.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kuaibao {

Lang LangFromEnv(const char* lang_env) {
  if (lang_env != nullptr && absl::StartsWithIgnoreCase(lang_env, "zh")) {
    return Lang::kZh;
  }
  return Lang::kEn;
}

absl::StatusOr<Lang> ParseLang(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  auto is = [&lower](absl::string_view code) {
    return lower == code || absl::StartsWith(lower, absl::StrCat(code, "-")) ||
           absl::StartsWith(lower, absl::StrCat(code, "_"));
  };
  if (is("zh")) return Lang::kZh;
  if (is("en")) return Lang::kEn;
  return absl::InvalidArgumentError(
      absl::StrCat("--lang: \"", text, "\" is not zh or en"));
}

absl::string_view LangCode(Lang lang) {
  return lang == Lang::kZh ? "zh" : "en";
}

}  // namespace kuaibao
