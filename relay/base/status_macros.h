#ifndef KUAIBAO_RELAY_BASE_STATUS_MACROS_H_
#define KUAIBAO_RELAY_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// RETURN_IF_ERROR(expr): returns the status of `expr` from the enclosing
// function when it is not OK. Named like Abseil's later macros so that moving
// to them is a deletion.
// (Not const, so that the status is moved out, not copied: clang-tidy's
// performance-no-automatic-move.)
#define RETURN_IF_ERROR(expr)                              \
  do {                                                     \
    ::absl::Status kuaibao_status_ = ::absl::Status(expr); \
    if (!kuaibao_status_.ok()) return kuaibao_status_;     \
  } while (0)

#define KUAIBAO_CONCAT_INNER_(a, b) a##b
#define KUAIBAO_CONCAT_(a, b) KUAIBAO_CONCAT_INNER_(a, b)

// ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (an absl::StatusOr<T>);
// returns its status when not OK, else assigns the value to `lhs`, which may
// be a declaration (`auto x`).
#define ASSIGN_OR_RETURN(lhs, expr)                                           \
  KUAIBAO_ASSIGN_OR_RETURN_IMPL_(KUAIBAO_CONCAT_(kuaibao_or_, __LINE__), lhs, \
                                 expr)

// `tmp` is a name and `lhs` may be a declaration: neither can be put in
// parentheses, which bugprone-macro-parentheses asks for.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define KUAIBAO_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // KUAIBAO_RELAY_BASE_STATUS_MACROS_H_
