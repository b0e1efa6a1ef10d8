#ifndef KUAIBAO_RELAY_DEADLINE_POLICY_H_
#define KUAIBAO_RELAY_DEADLINE_POLICY_H_

#include "absl/time/time.h"

namespace kuaibao {

// The notice's deadlines as data (defaults: the 2007 Shanxi notice, section
// 一(三)). node/ fills it from the configuration; a drill scales it.
struct DeadlinePolicy {
  // R1: the reporting unit's head learned of it → the local government.
  absl::Duration unit_to_local = absl::Hours(1);
  // R2: each level passes it on within this.
  absl::Duration per_hop = absl::Hours(2);
  // R2 read end to end: reportable → the province (1 h + 2 h).
  absl::Duration end_to_end = absl::Hours(3);
  // R3: grade I/II and sensitive: the local government learned → province.
  absl::Duration direct_to_province = absl::Hours(1);
  // R3's "at the same time": how long after the province a level on the
  // level-by-level path may learn of an urgent report. Local practice.
  absl::Duration same_time = absl::Minutes(10);
  // R5: the province received it → the State Council.
  absl::Duration province_to_national = absl::Hours(4);
  // R6: a brief (oral) report → the detailed written one. Local practice.
  absl::Duration brief_to_detailed = absl::Minutes(40);
  // R7: the follow-up cadence when the author declared no next report time.
  absl::Duration follow_up_interval = absl::Hours(24);
  // An instruction (批示): issued → the target locality has it.
  absl::Duration instruction_relay = absl::Hours(1);
  // ... → its final feedback is back, unless the leader set a due time.
  absl::Duration feedback = absl::Hours(24);
  // A deadline is "at risk" once this share of its budget is used.
  double at_risk_fraction = 0.75;
  // The factor Scaled() applied (a leader's own due times scale alike).
  double time_scale = 1.0;

  // Every duration multiplied by `factor` (a drill passes 2 h in seconds).
  DeadlinePolicy Scaled(double factor) const {
    DeadlinePolicy p = *this;
    for (absl::Duration* d :
         {&p.unit_to_local, &p.per_hop, &p.end_to_end, &p.direct_to_province,
          &p.same_time, &p.province_to_national, &p.brief_to_detailed,
          &p.follow_up_interval, &p.instruction_relay, &p.feedback}) {
      *d = *d * factor;
    }
    p.time_scale *= factor;
    return p;
  }
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_DEADLINE_POLICY_H_
