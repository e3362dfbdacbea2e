//! What a number of the file is called in a briefing. Tornado bars, sweep
//! axes and solve's answer name parameters and levers; a dotted path
//! (`levers.services.cost_per_position`) means nothing to a department
//! head. A number's label is, first to last:
//! 1. the file's `[labels]` entry for its path (or for `region.*.…`);
//! 2. the `label` of its distribution table;
//! 3. the built-in name of the field below, in the scenario's language —
//!    for one region's number, prefixed with the region's label;
//! 4. the path itself.

use std::collections::BTreeSet;

use super::Scenario;

/// Built-in names of the fields of a scenario file: (path, Chinese, English).
/// Region fields are written `region.…`, without the region's id.
const BUILT_IN: &[(&str, &str, &str)] = &[
    ("funding.budget", "起始年度资金", "first year's budget"),
    ("funding.growth", "资金年增长率", "budget growth per year"),
    (
        "funding.growth_year_sd",
        "资金增长的年度波动",
        "year-to-year swing of budget growth",
    ),
    (
        "funding.max_committed_share",
        "可用于长期承诺的资金比例上限",
        "most of the budget that may be committed",
    ),
    ("levers.exam_support.fee", "考试报名费", "exam fee"),
    (
        "levers.exam_support.prep_cost",
        "考前辅导费用",
        "exam preparation cost",
    ),
    (
        "levers.exam_support.prep_pass_odds",
        "考前辅导对通过几率的提升",
        "exam preparation's effect on the odds of passing",
    ),
    (
        "levers.exam_support.registration_uplift",
        "考试补贴带来的报考率提高",
        "exam subsidy's rise in registration",
    ),
    (
        "levers.exam_support.reward",
        "考试通过奖励",
        "reward for passing",
    ),
    (
        "levers.exam_support.share",
        "考试补贴占资金比例",
        "share of the budget for exam support",
    ),
    (
        "levers.orgs.share",
        "社会组织培育占资金比例",
        "share of the budget for organisations",
    ),
    (
        "levers.orgs.startup_grant",
        "每家机构开办补助",
        "start-up grant per organisation",
    ),
    (
        "levers.pay.floor_ratio",
        "薪酬底线（相对基准）",
        "pay floor (of the benchmark)",
    ),
    (
        "levers.posts.cost_per_post",
        "每个岗位年成本",
        "cost of a post per year",
    ),
    (
        "levers.posts.planned_per_year",
        "每年计划开发岗位数",
        "posts planned per year",
    ),
    (
        "levers.posts.share",
        "岗位开发占资金比例",
        "share of the budget for posts",
    ),
    (
        "levers.services.cost_per_position",
        "购买服务每个岗位年成本",
        "cost of a bought-service position per year",
    ),
    (
        "levers.services.qualified_hiring",
        "购买服务岗位中持证者比例",
        "share of bought-service hires who are qualified",
    ),
    (
        "levers.services.share",
        "购买服务占资金比例",
        "share of the budget for bought services",
    ),
    (
        "levers.stations.cost_per_station",
        "每个社工站年成本",
        "cost of a station per year",
    ),
    (
        "levers.stations.min_staff",
        "每站最少配备社工数",
        "least staff per station",
    ),
    (
        "levers.stations.planned_per_year",
        "每年计划建站数",
        "stations planned per year",
    ),
    (
        "levers.stations.share",
        "社工站建设占资金比例",
        "share of the budget for stations",
    ),
    (
        "levers.supervision.capacity",
        "每名督导可带社工数",
        "workers per supervisor",
    ),
    (
        "levers.supervision.cost_per_supervisor",
        "每名督导年成本",
        "cost of a supervisor per year",
    ),
    (
        "levers.supervision.share",
        "督导占资金比例",
        "share of the budget for supervision",
    ),
    (
        "levers.training.capacity",
        "每年培训名额",
        "training places per year",
    ),
    (
        "levers.training.cost_per_seat",
        "每个培训名额成本",
        "cost of a training place",
    ),
    (
        "levers.training.share",
        "培训占资金比例",
        "share of the budget for training",
    ),
    (
        "parameters.attrition.graduates",
        "社工专业毕业在岗者年流失率",
        "yearly attrition of social-work graduates",
    ),
    (
        "parameters.attrition.intermediate",
        "中级社工师年流失率",
        "yearly attrition of intermediate holders",
    ),
    (
        "parameters.attrition.junior",
        "助理社工师年流失率",
        "yearly attrition of junior holders",
    ),
    (
        "parameters.attrition.no_post_multiplier",
        "无编制岗位者流失倍数",
        "attrition multiplier without a post",
    ),
    (
        "parameters.attrition.pay_elasticity",
        "流失率对薪酬的弹性",
        "attrition's response to pay",
    ),
    (
        "parameters.attrition.senior",
        "高级社工师年流失率",
        "yearly attrition of senior holders",
    ),
    (
        "parameters.attrition.trained",
        "经培训在岗者年流失率",
        "yearly attrition of the trained",
    ),
    (
        "parameters.attrition.uncertified",
        "未持证在岗者年流失率",
        "yearly attrition of the uncertified",
    ),
    (
        "parameters.coverage.community_facing_share",
        "面向社区服务的社工比例",
        "share of workers facing communities",
    ),
    (
        "parameters.coverage.rural_min",
        "农村社区最少配备人数",
        "least workers per rural community",
    ),
    (
        "parameters.coverage.targeting",
        "社工向未覆盖社区配置的程度",
        "how well workers go to uncovered communities",
    ),
    (
        "parameters.coverage.urban_min",
        "城市社区最少配备人数",
        "least workers per urban community",
    ),
    (
        "parameters.coverage.urban_share",
        "社工在城市社区的比例",
        "share of workers in urban communities",
    ),
    (
        "parameters.entry.graduate_entry_share",
        "社工专业毕业生入职比例",
        "share of social-work graduates who enter the field",
    ),
    (
        "parameters.entry.replacement_rate",
        "离职岗位补员率",
        "rate at which leavers are replaced",
    ),
    (
        "parameters.entry.role_growth",
        "岗位需求年增长",
        "growth of roles per year",
    ),
    (
        "parameters.equivalence.graduates_as_intermediate",
        "社工专业毕业生计为中级同等能力的比例",
        "graduates counted as intermediate-equivalent",
    ),
    (
        "parameters.equivalence.intermediate_as_senior",
        "中级计为高级同等能力的比例",
        "intermediate holders counted as senior-equivalent",
    ),
    (
        "parameters.equivalence.trained_as_intermediate",
        "经培训者计为中级同等能力的比例",
        "trained workers counted as intermediate-equivalent",
    ),
    (
        "parameters.exam.intermediate_eligible_share",
        "具备中级报考资格的比例",
        "share eligible for the intermediate exam",
    ),
    (
        "parameters.exam.intermediate_pass_rate",
        "中级考试通过率",
        "intermediate exam pass rate",
    ),
    (
        "parameters.exam.intermediate_registration_rate",
        "中级考试报考率",
        "intermediate exam registration rate",
    ),
    (
        "parameters.exam.junior_pass_rate",
        "助理社工师考试通过率",
        "junior exam pass rate",
    ),
    (
        "parameters.exam.junior_registration_rate",
        "助理社工师考试报考率",
        "junior exam registration rate",
    ),
    (
        "parameters.exam.outside_entry_share",
        "系统外考生持证后入职比例",
        "share of outside candidates who enter after passing",
    ),
    (
        "parameters.exam.pass_rate_concentration",
        "各地通过率的一致程度",
        "how alike pass rates are across regions",
    ),
    (
        "parameters.exam.trained_pass_odds",
        "培训对通过几率的提升",
        "training's effect on the odds of passing",
    ),
    (
        "parameters.orgs.base_births",
        "每年自发成立的机构数",
        "organisations founded a year without grants",
    ),
    (
        "parameters.orgs.births_per_grant",
        "每笔开办补助带来的新机构",
        "organisations founded per grant",
    ),
    (
        "parameters.orgs.closure_rate",
        "机构年关闭率",
        "yearly closure rate of organisations",
    ),
    (
        "parameters.pay.benchmark",
        "当地平均工资",
        "local average wage",
    ),
    (
        "parameters.pay.benchmark_growth",
        "当地平均工资年增长",
        "growth of the local average wage",
    ),
    (
        "parameters.pay.salary",
        "社工平均年薪",
        "social workers' average salary",
    ),
    (
        "parameters.pay.wage_growth",
        "社工工资年增长",
        "growth of social workers' pay",
    ),
    (
        "parameters.promotion.senior_rate",
        "中级晋升高级的年比例",
        "yearly promotion from intermediate to senior",
    ),
    (
        "parameters.promotion.senior_review_from",
        "高级评审开始年份",
        "first year of the senior review",
    ),
    (
        "parameters.promotion.supervisor_eligible_share",
        "可任督导的比例",
        "share eligible to supervise",
    ),
    (
        "parameters.training.completion_rate",
        "培训完成率",
        "training completion rate",
    ),
    ("region.budget_share", "资金分配比例", "share of the budget"),
    (
        "region.graduates_per_year",
        "每年社工专业毕业生",
        "social-work graduates a year",
    ),
    (
        "region.outside_candidates",
        "每年系统外考生",
        "outside exam candidates a year",
    ),
    (
        "region.rural_communities",
        "农村社区数",
        "rural communities",
    ),
    (
        "region.townships",
        "街道（乡镇）数",
        "townships and streets",
    ),
    (
        "region.urban_communities",
        "城市社区数",
        "urban communities",
    ),
    ("region.wage_index", "工资水平指数", "wage index"),
    (
        "region.stocks.certificates_intermediate",
        "起点：中级证书数",
        "start: intermediate certificates",
    ),
    (
        "region.stocks.certificates_junior",
        "起点：助理证书数",
        "start: junior certificates",
    ),
    (
        "region.stocks.graduates",
        "起点：社工专业毕业在岗者",
        "start: graduates in post",
    ),
    (
        "region.stocks.intermediate",
        "起点：中级社工师",
        "start: intermediate holders",
    ),
    (
        "region.stocks.junior",
        "起点：助理社工师",
        "start: junior holders",
    ),
    (
        "region.stocks.orgs",
        "起点：社会工作服务机构",
        "start: service organisations",
    ),
    (
        "region.stocks.posts",
        "起点：社工岗位",
        "start: social-work posts",
    ),
    (
        "region.stocks.project_positions",
        "起点：购买服务岗位",
        "start: bought-service positions",
    ),
    (
        "region.stocks.senior",
        "起点：高级社工师",
        "start: senior holders",
    ),
    ("region.stocks.stations", "起点：社工站", "start: stations"),
    (
        "region.stocks.supervisors",
        "起点：督导",
        "start: supervisors",
    ),
    (
        "region.stocks.trained",
        "起点：经培训在岗者",
        "start: trained workers",
    ),
    (
        "region.stocks.uncertified",
        "起点：未持证在岗者",
        "start: uncertified workers",
    ),
];

/// The built-in name of a path (`region.…` without the region's id).
pub fn built_in(path: &str, zh: bool) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|(_, c, e)| if zh { *c } else { *e })
}

impl Scenario {
    /// Every path `[labels]` may name: each number `wfsim levers --regions`
    /// lists, and `region.*.…` for each field some region has.
    pub fn labelled_paths(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for s in self.lever_paths(true) {
            if let Some((_, tail)) = region_tail(&s.path) {
                out.insert(format!("region.*.{tail}"));
            }
            out.insert(s.path);
        }
        // Regions read from a table have their fields too.
        for r in &self.regions {
            for (p, _, _) in BUILT_IN {
                if let Some(tail) = p.strip_prefix("region.") {
                    out.insert(format!("region.{}.{tail}", r.id));
                    out.insert(format!("region.*.{tail}"));
                }
            }
        }
        out
    }

    /// What the number at `path` is called in a briefing (see the module
    /// doc for the order); the path when nothing names it.
    pub fn parameter_label(&self, path: &str) -> String {
        let zh = self.meta.language == "zh";
        if let Some(l) = self.parameter_labels.get(path) {
            return l.clone();
        }
        let region = region_tail(path);
        if let Some((_, tail)) = region
            && let Some(l) = self.parameter_labels.get(&format!("region.*.{tail}"))
        {
            return self.in_region(path, l);
        }
        let own = self
            .lever_paths(region.is_some())
            .into_iter()
            .find_map(|s| {
                let same = s.path == path
                    || match (region, region_tail(&s.path)) {
                        (Some(("*", a)), Some((_, b))) => a == b,
                        _ => false,
                    };
                if same { s.label } else { None }
            });
        if let Some(l) = own {
            return self.in_region(path, &l);
        }
        let field = match region {
            Some((_, tail)) => format!("region.{tail}"),
            None => path.to_string(),
        };
        match built_in(&field, zh) {
            Some(l) => self.in_region(path, l),
            None => path.to_string(),
        }
    }

    /// `label` for a region's number: "every region's" for `region.*.…`,
    /// the region's own label for one region's.
    fn in_region(&self, path: &str, label: &str) -> String {
        let zh = self.meta.language == "zh";
        match region_tail(path) {
            Some(("*", _)) => {
                if zh {
                    format!("各地区{label}")
                } else {
                    format!("{label}, every region")
                }
            }
            Some((id, _)) => {
                let name = self
                    .regions
                    .iter()
                    .find(|r| r.id == id)
                    .map_or(id, |r| r.label.as_str());
                if zh {
                    format!("{name}：{label}")
                } else {
                    format!("{label}, {name}")
                }
            }
            None => label.to_string(),
        }
    }
}

/// Whether the number at `path` is money (yuan): the budget, a lever's
/// costs, fees, rewards and grants, and pay.
pub fn is_money(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    path == "funding.budget"
        || last.starts_with("cost_per_")
        || matches!(
            last,
            "fee" | "reward" | "prep_cost" | "startup_grant" | "salary" | "benchmark"
        )
}

/// `region.<id>.<tail>` as (id, tail).
fn region_tail(path: &str) -> Option<(&str, &str)> {
    path.strip_prefix("region.").and_then(|r| r.split_once('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_name_is_given_in_both_languages_once() {
        let mut seen = BTreeSet::new();
        for (p, zh, en) in BUILT_IN {
            assert!(seen.insert(*p), "{p} twice");
            assert!(!zh.is_empty() && !en.is_empty() && !zh.is_ascii(), "{p}");
        }
    }
}
