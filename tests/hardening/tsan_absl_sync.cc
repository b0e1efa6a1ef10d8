// ThreadSanitizer and Debian's Abseil: Debian's libabsl_synchronization is
// not built with -fsanitize=thread, so TSan cannot see absl::Mutex lock and
// unlock (they are futex calls inside an uninstrumented library) and would
// report every member guarded by an absl::Mutex as a data race.
//
// Linked into every executable of the TSan build (CMakeLists.txt), this file
// defines absl::Mutex's and absl::CondVar's out-of-line members itself. The
// executable's definitions take precedence over the shared library's for
// every caller (ours, gRPC's), and each one calls the library's own through
// dlsym(RTLD_NEXT) and tells TSan what it did: acquire after taking the
// mutex, release before letting it go. Reader locks are treated like writer
// locks (a little stricter than needed, never hiding a race between a writer
// and anyone else).
//
// The mangled names are those of Debian 12's Abseil 20220623 (inline
// namespace debian3); a missing symbol stops the program at once.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

template <typename Fn>
Fn Real(const char* mangled) {
  void* fn = dlsym(RTLD_NEXT, mangled);
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found in Abseil\n", mangled);
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

#define KB_REAL(type, mangled) static const auto real = Real<type>(mangled)

// A Condition is evaluated inside Abseil while the mutex is held: by the
// waiting thread as it takes the mutex again, or by the thread letting the
// mutex go (on behalf of a waiter). Either happens before the wrappers
// below get control back, so the condition's reads of guarded members would
// look unsynchronized: each condition is wrapped to tell TSan of the
// acquisition first.
struct Announced {
  absl::Mutex* mu;
  const absl::Condition* cond;
};

extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);

// The evaluation is a critical section of its own to TSan: acquire before,
// release after (a false condition lets Abseil give the mutex to another
// thread without telling anyone).
bool EvalAnnounced(Announced* a) {
  // `a` lives on the waiting thread's stack and may be read by the thread
  // releasing the mutex: Abseil hands it over in its own (uninstrumented)
  // queue, so these two reads are ordered where TSan cannot see.
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  absl::Mutex* mu = a->mu;
  const absl::Condition* cond = a->cond;
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  __tsan_acquire(mu);
  const bool met = cond->Eval();
  __tsan_release(mu);
  return met;
}

}  // namespace

#define KB_ANNOUNCED(mu, cond)            \
  Announced announced_arg{(mu), &(cond)}; \
  const absl::Condition announced(&EvalAnnounced, &announced_arg)

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  KB_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex4LockEv");
  real(this);
  __tsan_acquire(this);
}

void Mutex::ReaderLock() {
  KB_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex10ReaderLockEv");
  real(this);
  __tsan_acquire(this);
}

bool Mutex::TryLock() {
  KB_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex7TryLockEv");
  bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  KB_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

void Mutex::Unlock() {
  KB_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex6UnlockEv");
  __tsan_release(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  KB_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  __tsan_release(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  KB_REAL(void (*)(Mutex*, const Condition&),
          "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  KB_ANNOUNCED(this, cond);
  real(this, announced);
  __tsan_acquire(this);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  KB_REAL(void (*)(Mutex*, const Condition&),
          "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  KB_ANNOUNCED(this, cond);
  real(this, announced);
  __tsan_acquire(this);
}

// The timed forms hold the mutex on return whatever they return.
bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  KB_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
          "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_"
          "8DurationE");
  KB_ANNOUNCED(this, cond);
  bool met = real(this, announced, timeout);
  __tsan_acquire(this);
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  KB_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
          "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_"
          "4TimeE");
  KB_ANNOUNCED(this, cond);
  bool met = real(this, announced, deadline);
  __tsan_acquire(this);
  return met;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond,
                                      absl::Duration timeout) {
  KB_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
          "_ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_"
          "9ConditionENS0_8DurationE");
  KB_ANNOUNCED(this, cond);
  bool met = real(this, announced, timeout);
  __tsan_acquire(this);
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond,
                                       absl::Time deadline) {
  KB_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
          "_ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_"
          "9ConditionENS0_4TimeE");
  KB_ANNOUNCED(this, cond);
  bool met = real(this, announced, deadline);
  __tsan_acquire(this);
  return met;
}

// Await and CondVar::Wait let the mutex go and take it again inside.
void Mutex::Await(const Condition& cond) {
  KB_REAL(void (*)(Mutex*, const Condition&),
          "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  __tsan_release(this);
  KB_ANNOUNCED(this, cond);
  real(this, announced);
  __tsan_acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  KB_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
          "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_"
          "8DurationE");
  __tsan_release(this);
  KB_ANNOUNCED(this, cond);
  bool met = real(this, announced, timeout);
  __tsan_acquire(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  KB_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
          "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_"
          "4TimeE");
  __tsan_release(this);
  KB_ANNOUNCED(this, cond);
  bool met = real(this, announced, deadline);
  __tsan_acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  KB_REAL(void (*)(CondVar*, Mutex*),
          "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  real(this, mu);
  __tsan_acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  KB_REAL(bool (*)(CondVar*, Mutex*, absl::Duration),
          "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_"
          "8DurationE");
  __tsan_release(mu);
  bool timed_out = real(this, mu, timeout);
  __tsan_acquire(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  KB_REAL(bool (*)(CondVar*, Mutex*, absl::Time),
          "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  __tsan_release(mu);
  bool timed_out = real(this, mu, deadline);
  __tsan_acquire(mu);
  return timed_out;
}

// absl::Notification: Notify() publishes, a wait that sees it notified
// acquires. Both happen inside the library (its fast path is an atomic load
// there, with no mutex taken), so without these TSan sees no order between
// what a thread wrote before Notify() and what the waiter reads after.
void Notification::Notify() {
  KB_REAL(void (*)(Notification*), "_ZN4absl7debian312Notification6NotifyEv");
  __tsan_release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  KB_REAL(void (*)(const Notification*),
          "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  real(this);
  __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(
    absl::Duration timeout) const {
  KB_REAL(bool (*)(const Notification*, absl::Duration),
          "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_"
          "8DurationE");
  bool notified = real(this, timeout);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  KB_REAL(
      bool (*)(const Notification*, absl::Time),
      "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_"
      "4TimeE");
  bool notified = real(this, deadline);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
