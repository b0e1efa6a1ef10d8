#include "tests/bench/report_generator.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "relay/proto_time.h"

namespace kuaibao::bench {
namespace {

struct Template {
  Category category;
  const char* headline;
  const char* cause;
  const char* measures;
  const char* help;
  // The narrative, a sentence at a time.
  std::vector<const char*> course;
};

const std::vector<Template>& Templates() {
  static const auto* templates = new std::vector<Template>{
      {CATEGORY_MAJOR_ACCIDENT,
       "煤矿井下瓦斯浓度超限 人员撤离",
       "回采工作面上隅角瓦斯积聚，局部通风机短时停运，原因正在调查。",
       "立即停止作业，切断井下电源，组织井下人员全部撤离；矿山救护队已下井侦察"
       "；"
       "乡政府安监站人员赶赴现场。",
       "请求县应急管理局和矿山救护大队派员指导处置。",
       {"今日凌晨，辖区内一煤矿井下回采工作面瓦斯监测传感器报警，浓度超过规定值"
        "。",
        "当班带班矿长立即下达撤人指令，井下作业人员按避灾路线撤离。",
        "截至报告时，已升井人员正在清点核对，尚有个别人员未联系上。",
        "矿山救护队已入井侦察，通风系统正在恢复，井口已设置警戒。",
        "乡政府主要负责人已赶赴现场，县应急管理局已接到电话报告。",
        "现场天气晴，交通正常，医疗救护人员和车辆已在井口待命。"}},
      {CATEGORY_NATURAL_DISASTER,
       "强降雨致河道漫堤 村庄进水",
       "持续强降雨，上游来水量大，河道行洪能力不足。",
       "启动防汛应急响应，组织干部群众转移低洼地带群众；抢修堤防缺口；"
       "设置危险区域警示标志。",
       "请求调拨编织袋3000条、冲锋舟2艘，派出抢险队伍支援。",
       {"受持续强降雨影响，辖区内河道水位快速上涨，部分河段发生漫堤。",
        "沿河两个村庄部分农户院落和耕地进水，积水深约0.5米。",
        "乡村两级干部已组织转移沿河低洼地带群众，安置在村委会和学校。",
        "一处桥梁过水，已实行交通管制，车辆和行人绕行。",
        "暂无人员伤亡报告，具体受灾情况正在逐户核实统计。",
        "气象部门预报未来六小时仍有中到大雨，防汛形势严峻。"}},
      {CATEGORY_MAJOR_ACCIDENT,
       "国道货车与客车相撞 多人受伤",
       "雨天路滑，货车在弯道处越过中心线，具体原因待交警部门认定。",
       "交警、消防、医疗人员已到达现场救援；伤员已送往县人民医院救治；"
       "事故路段实行交通管制，疏导滞留车辆。",
       "请求县卫健局协调医院开通绿色通道，必要时派出专家会诊。",
       {"今日上午，一辆重型货车与一辆中型客车在国道辖区路段相撞。",
        "客车核载三十五人，事发时实载二十余人，部分乘客被困车内。",
        "消防救援人员已将被困人员全部救出，伤员分批送往医院救治。",
        "事故造成道路双向中断，已设置绕行路线，滞留车辆正在疏导。",
        "伤员中有数人伤情较重，其余为轻伤，身份信息正在核实。",
        "客车所属运输公司已通知，相关负责人正在赶往现场。"}},
      {CATEGORY_PUBLIC_HEALTH,
       "学校学生食用午餐后出现呕吐腹泻",
       "疑似食源性疾病，留样食品已封存送检，结果待出。",
       "停止学校食堂供餐，封存留样食品和原料；患病学生已送医；"
       "疾控中心开展流行病学调查。",
       "请求县疾控中心加快样品检测，县市场监管局派员调查。",
       {"今日午餐后，辖区一所中心小学陆续有学生出现呕吐、腹痛、腹泻症状。",
        "学校立即报告乡卫生院，卫生院派出医护人员到校初步诊治。",
        "目前就诊学生病情平稳，无危重病例，部分学生已转送县医院观察。",
        "学校已停止食堂供餐，留样食品和原料已封存，等待检测。",
        "家长情绪总体稳定，学校和乡政府正在逐一联系学生家长做好解释。",
        "县教育局、县市场监管局已派员赶赴学校开展调查。"}},
      {CATEGORY_MAJOR_ACCIDENT,
       "居民楼燃气泄漏引发爆燃",
       "疑似室内燃气管道老化破损，具体原因待燃气公司和消防部门调查。",
       "关闭片区燃气总阀，疏散周边居民；消防人员扑灭明火；"
       "伤员送医救治；对受损楼体进行安全评估。",
       "请求县住建局组织房屋安全鉴定，民政部门协助安置受影响住户。",
       {"今日傍晚，辖区一居民楼发生燃气爆燃，部分门窗玻璃震碎。",
        "消防救援人员到场后迅速扑灭明火，搜救被困人员。",
        "燃气公司已关闭片区总阀，对周边管线逐一排查。",
        "周边楼栋居民已疏散至安全地带，社区正在清点人数。",
        "伤员已送医，其中一人伤势较重，其余为轻微擦伤。",
        "受损楼体正在进行安全评估，评估前禁止居民返回。"}},
  };
  return *templates;
}

const char* const kTrendText[] = {
    "事态仍在发展，正在全力处置。", "事态基本稳定，无进一步扩大迹象。",
    "险情已得到初步控制。", "处置已基本结束，正在做好善后工作。"};

}  // namespace

ReportGenerator::ReportGenerator(uint64_t seed, size_t target_bytes)
    : rng_(seed), target_bytes_(target_bytes) {}

Grade ReportGenerator::PickGrade() {
  // Roughly as incidents come: most are ordinary (IV), few are major.
  int roll = static_cast<int>(rng_() % 100);
  if (roll < 2) return GRADE_I;
  if (roll < 8) return GRADE_II;
  if (roll < 25) return GRADE_III;
  return GRADE_IV;
}

void ReportGenerator::Fill(IncidentReport* r, size_t t,
                           const std::string& region, const std::string& place,
                           absl::Time authored) {
  const Template& tpl = Templates()[t % Templates().size()];
  r->set_status(REPORT_STATUS_ACTUAL);
  r->set_category(tpl.category);
  r->set_classification(CLASSIFICATION_INTERNAL);
  *r->mutable_occurred_at() = ToProto(authored - absl::Minutes(40));
  *r->mutable_reportable_at() = ToProto(authored - absl::Minutes(35));
  *r->mutable_unit_informed_at() = ToProto(authored - absl::Minutes(30));
  *r->mutable_authored_at() = ToProto(authored);
  r->mutable_location()->set_region_code(region);
  r->mutable_location()->set_address(
      absl::StrCat("山西省", place, "辖区", 1 + rng_() % 30, "号附近"));
  r->mutable_unit()->set_name(absl::StrCat(place, "人民政府（办事处）"));
  r->mutable_unit()->set_preparer("王建国（值班员）");
  r->mutable_unit()->set_phone(
      absl::StrCat("0351-", 7000000 + rng_() % 999999));
  r->mutable_unit()->set_authorized_by("李志强（值班领导）");
  r->set_headline(tpl.headline);
  r->set_cause(tpl.cause);
  r->set_measures(tpl.measures);
  r->set_help_needed(tpl.help);
  r->set_trend(TREND_STABLE);
  r->set_trend_text(kTrendText[rng_() % 4]);
  Harm* harm = r->mutable_harm();
  harm->set_injured(static_cast<uint32_t>(rng_() % 6));
  harm->set_affected(static_cast<uint32_t>(rng_() % 500));
  harm->set_economic_loss_yuan(rng_() % 2000000);
  *harm->mutable_as_of() = ToProto(authored - absl::Minutes(5));
  harm->set_description("人员伤亡和财产损失情况正在进一步核实。");
  // Grow the narrative to the target size, a whole sentence at a time.
  r->clear_course();
  for (size_t i = 0; r->ByteSizeLong() + 60 < target_bytes_; ++i) {
    r->mutable_course()->append(tpl.course[i % tpl.course.size()]);
  }
}

IncidentReport ReportGenerator::Make(const std::string& id,
                                     const std::string& region,
                                     const std::string& place,
                                     absl::Time authored) {
  IncidentReport r;
  r.set_report_id(id);
  r.set_event_id(absl::StrCat("ev-", id));
  r.set_kind(REPORT_KIND_INITIAL);
  r.set_grade(PickGrade());
  Fill(&r, rng_() % Templates().size(), region, place, authored);
  return r;
}

std::vector<IncidentReport> ReportGenerator::Event(const std::string& event_id,
                                                   const std::string& region,
                                                   const std::string& place,
                                                   absl::Time start,
                                                   int follow_ups, Grade grade,
                                                   Category category) {
  if (grade == GRADE_UNSPECIFIED) grade = PickGrade();
  size_t t = rng_() % Templates().size();
  if (category != CATEGORY_UNSPECIFIED) {
    for (size_t i = 0; i < Templates().size(); ++i) {
      if (Templates()[(t + i) % Templates().size()].category == category) {
        t = (t + i) % Templates().size();
        break;
      }
    }
  }
  std::vector<IncidentReport> reports;
  int count = follow_ups + 3;
  for (int n = 0; n < count; ++n) {
    IncidentReport r;
    r.set_report_id(absl::StrCat(event_id, "-", n));
    r.set_event_id(event_id);
    r.set_event_seq(n);
    r.set_kind(n == 0           ? REPORT_KIND_BRIEF
               : n == 1         ? REPORT_KIND_INITIAL
               : n == count - 1 ? REPORT_KIND_FINAL
                                : REPORT_KIND_FOLLOW_UP);
    // A brief report comes before anyone has assessed the grade.
    r.set_grade(n == 0 ? GRADE_UNKNOWN : grade);
    if (n > 0) r.set_supersedes(reports.back().report_id());
    Fill(&r, t, region, place, start);
    r.set_trend(n == count - 1 ? TREND_CONTROLLED : TREND_STABLE);
    reports.push_back(std::move(r));
  }
  return reports;
}

std::vector<IncidentReport> ReportGenerator::Series(
    const std::function<std::string(size_t)>& report_id, size_t first,
    size_t count, size_t per_event, const std::string& region,
    const std::string& place, absl::Time start, Grade grade) {
  std::vector<IncidentReport> reports;
  const int follow_ups = static_cast<int>(std::max<size_t>(per_event, 3) - 3);
  while (reports.size() < count) {
    const size_t base = first + reports.size();
    std::vector<IncidentReport> event =
        Event(absl::StrCat("ev-", report_id(base)), region, place, start,
              follow_ups, grade);
    for (size_t k = 0; k < event.size() && reports.size() < count; ++k) {
      event[k].set_report_id(report_id(base + k));
      if (k > 0) event[k].set_supersedes(report_id(base + k - 1));
      reports.push_back(std::move(event[k]));
    }
  }
  return reports;
}

}  // namespace kuaibao::bench
