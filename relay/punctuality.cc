#include "relay/punctuality.h"

#include <algorithm>

#include "relay/proto_time.h"

namespace kuaibao {

void PunctualityTally::Add(const std::vector<DeadlineStatus>& deadlines,
                           const std::string& reporting_region) {
  for (const DeadlineStatus& d : deadlines) {
    absl::Time start = FromProto(d.start());
    if (d.drill() || start < from_ || start >= to_) continue;
    switch (d.rule()) {
      case DEADLINE_RULE_PER_HOP:
        Count(d, &nodes_[d.responsible()]);
        break;
      case DEADLINE_RULE_UNIT_TO_LOCAL:
        Count(d, &units_[d.responsible()]);
        break;
      case DEADLINE_RULE_END_TO_END:
        Count(d, &end_to_end_[reporting_region]);
        end_to_end_[reporting_region].set_responsible(reporting_region);
        break;
      default:
        break;
    }
  }
}

void PunctualityTally::Count(const DeadlineStatus& d,
                             PunctualityRow* row) const {
  row->set_responsible(d.responsible());
  row->set_handled(row->handled() + 1);
  absl::Duration delay;
  switch (d.state()) {
    case DEADLINE_STATE_MET:
      row->set_on_time(row->on_time() + 1);
      return;
    case DEADLINE_STATE_MET_LATE:
      delay = FromProto(d.met_at()) - FromProto(d.due());
      break;
    case DEADLINE_STATE_OVERDUE:
      delay = now_ - FromProto(d.due());
      break;
    default:
      row->set_open(row->open() + 1);
      return;
  }
  row->set_late(row->late() + 1);
  if (delay > FromDurationProto(row->worst_delay())) {
    *row->mutable_worst_delay() = ToDurationProto(delay);
    row->set_worst_report_id(d.report_id());
  }
}

std::vector<PunctualityRow> PunctualityTally::Sorted(
    const absl::flat_hash_map<std::string, PunctualityRow>& rows) {
  std::vector<PunctualityRow> out;
  for (const auto& [name, row] : rows) {
    PunctualityRow r = row;
    uint32_t due = r.on_time() + r.late();
    r.set_share_on_time(due == 0 ? 1.0
                                 : static_cast<double>(r.on_time()) / due);
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(),
            [](const PunctualityRow& a, const PunctualityRow& b) {
              if (a.share_on_time() != b.share_on_time()) {
                return a.share_on_time() < b.share_on_time();
              }
              if (a.late() != b.late()) return a.late() > b.late();
              return a.responsible() < b.responsible();
            });
  return out;
}

}  // namespace kuaibao
