//! `summary.xlsx`: the tables a planner pastes — targets, metrics by year,
//! and the run's settings — with headers in the scenario's language.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::chart::tr;
use super::results::Results;
use crate::engine::MetricRow;

fn header(ws: &mut Worksheet, cols: &[String], bold: &Format) -> Result<(), XlsxError> {
    for (c, h) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, bold)?;
        ws.set_column_width(c as u16, (h.chars().count() as f64 * 1.6).clamp(10.0, 48.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The workbook's bytes.
pub fn render(r: &Results) -> Result<Vec<u8>, XlsxError> {
    let zh = r.chinese();
    let t = |c: &str, e: &str| tr(zh, c, e);
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let num = Format::new().set_num_format("#,##0");
    let mut wb = Workbook::new();

    let ws = wb.add_worksheet();
    ws.set_name(t("目标", "Targets"))?;
    let cols = [
        t("目标编号", "Target id"),
        t("目标（文件原文）", "Target (document's wording)"),
        t("指标", "Metric"),
        t("范围", "Scope"),
        t("年份", "Year"),
        t("比较", "Comparison"),
        t("目标值", "Threshold"),
        t("实现概率", "Probability met"),
        t("95% 区间下限", "95% interval, low"),
        t("95% 区间上限", "95% interval, high"),
        t("均值", "Mean"),
        t("5% 分位", "5th percentile"),
        t("中位数", "Median"),
        t("95% 分位", "95th percentile"),
        t("未实现时的平均缺口", "Mean shortfall when missed"),
        t("达到目标的中位年份", "Median year reached"),
    ];
    header(ws, &cols, &bold)?;
    for (i, x) in r.targets.iter().enumerate() {
        let row = i as u32 + 1;
        let share = super::format::is_share(&x.metric);
        let vf = if share { &pct } else { &num };
        ws.write_string(row, 0, &x.id)?;
        ws.write_string(row, 1, &x.label)?;
        ws.write_string(row, 2, super::format::metric_label(&x.metric, zh))?;
        ws.write_string(row, 3, r.scenario.scope_label(&x.scope, zh))?;
        ws.write_number(row, 4, x.year)?;
        ws.write_string(row, 5, &x.op)?;
        ws.write_number_with_format(row, 6, x.threshold, vf)?;
        ws.write_number_with_format(row, 7, x.p_met, &pct)?;
        ws.write_number_with_format(row, 8, x.ci_low, &pct)?;
        ws.write_number_with_format(row, 9, x.ci_high, &pct)?;
        for (c, v) in [
            (10, x.mean),
            (11, x.quantiles.p05),
            (12, x.quantiles.p50),
            (13, x.quantiles.p95),
        ] {
            if v.is_finite() {
                ws.write_number_with_format(row, c, v, vf)?;
            }
        }
        if let Some(s) = x.expected_shortfall {
            ws.write_number_with_format(row, 14, s, vf)?;
        }
        if let Some(y) = x.first_year_reached.median_year {
            ws.write_number(row, 15, y)?;
        }
    }
    let row = r.targets.len() as u32 + 1;
    ws.write_string_with_format(row, 1, t("全部目标同时实现", "All targets together"), &bold)?;
    ws.write_number_with_format(row, 7, r.joint.p_met, &pct)?;
    ws.write_number_with_format(row, 8, r.joint.ci_low, &pct)?;
    ws.write_number_with_format(row, 9, r.joint.ci_high, &pct)?;

    metric_sheets(&mut wb, r, &bold)?;

    let ws = wb.add_worksheet();
    ws.set_name(t("运行设置", "Run settings"))?;
    header(ws, &[t("项目", "Setting"), t("值", "Value")], &bold)?;
    ws.set_column_width(1, 60)?;
    let sc = &r.scenario;
    // Numbers as numbers, so that a planner can compute with them.
    enum V {
        Text(String),
        Num(f64),
    }
    let rows: Vec<(String, V)> = vec![
        (t("情景", "Scenario"), V::Text(sc.label.clone())),
        (t("运行编号", "Run id"), V::Text(r.run.id.clone())),
        (t("情景名称", "Scenario name"), V::Text(sc.name.clone())),
        (t("情景文件", "Scenario file"), V::Text(sc.file.clone())),
        (
            t(
                "起始年份（存量截至该年末）",
                "Start year (stocks at its end)",
            ),
            V::Num(f64::from(sc.start_year)),
        ),
        (t("结束年份", "End year"), V::Num(f64::from(sc.end_year))),
        (t("随机种子", "Seed"), V::Num(r.run.seed as f64)),
        (
            t("模拟次数", "Trajectories"),
            V::Num(r.run.trajectories as f64),
        ),
        (t("线程数", "Threads"), V::Num(r.run.threads as f64)),
        (
            t("耗时（秒）", "Elapsed seconds"),
            V::Num(r.run.elapsed_seconds),
        ),
        (
            t("wfsim 版本", "wfsim version"),
            V::Text(r.run.wfsim_version.clone()),
        ),
        (
            t("区间方法", "Interval method"),
            V::Text(super::format::interval_note(&r.interval, zh)),
        ),
    ];
    let mut row = 1;
    for (k, v) in rows {
        ws.write_string(row, 0, &k)?;
        match v {
            V::Text(v) => ws.write_string(row, 1, &v)?,
            V::Num(v) => ws.write_number(row, 1, v)?,
        };
        row += 1;
    }
    for a in &sc.assumptions {
        ws.write_string(row, 0, t("假设", "Assumption"))?;
        ws.write_string(row, 1, a)?;
        row += 1;
    }
    for s in sc.cited() {
        ws.write_string(row, 0, t("来源", "Source"))?;
        ws.write_string(row, 1, s)?;
        row += 1;
    }
    wb.save_to_buffer()
}

/// A metric of a scope: (metric, scope).
type Series<'a> = (&'a str, &'a str);

/// A statistic of a metric's row.
type Statistic = fn(&MetricRow) -> f64;

/// A sheet of the metrics, grouped as a planner reads them.
const GROUPS: [(&str, &str); 5] = [
    ("人才队伍", "People"),
    ("岗位机构站点", "Posts, orgs, stations"),
    ("覆盖率与比例", "Coverage and shares"),
    ("年度流量", "Flows of the year"),
    ("资金", "Money"),
];

fn group_of(metric: &str) -> usize {
    const PLACES: [&str; 7] = [
        "posts",
        "posts_filled",
        "vacancies",
        "project_positions",
        "orgs",
        "stations",
        "stations_staffed",
    ];
    const FLOWS: [&str; 10] = [
        "registrants",
        "passes",
        "trainees",
        "leavers",
        "entrants",
        "promotions",
        "supervisors_trained",
        "org_births",
        "posts_created",
        "programme_places",
    ];
    match crate::scenario::Metric::from_name(metric).map(|m| m.unit()) {
        Some(crate::scenario::Unit::Share) => 2,
        Some(crate::scenario::Unit::Yuan) => 4,
        _ if PLACES.contains(&metric) => 1,
        _ if FLOWS.contains(&metric) => 3,
        _ => 0,
    }
}

/// The metrics by year, wide: a sheet per group, a row per metric, scope
/// and statistic (median, 5% and 95%), a column per year; headers in the
/// scenario's language, number formats by unit, an autofilter and the
/// labels frozen (issue 13: one long sheet of 20,727 rows of ids).
fn metric_sheets(wb: &mut Workbook, r: &Results, bold: &Format) -> Result<(), XlsxError> {
    let zh = r.chinese();
    let t = |c: &str, e: &str| tr(zh, c, e);
    let pct = Format::new().set_num_format("0.0%");
    let num = Format::new().set_num_format("#,##0");
    let years: Vec<i32> = (r.scenario.start_year..=r.scenario.end_year).collect();
    // (metric, scope) → its row of each year, in the order metrics.csv has.
    let mut series: Vec<(Series, Vec<Option<&MetricRow>>)> = Vec::new();
    for m in &r.metrics {
        let key = (m.metric.as_str(), m.scope.as_str());
        if series.last().map(|(k, _)| *k) != Some(key) {
            series.push((key, vec![None; years.len()]));
        }
        if let (Some((_, row)), Ok(i)) = (series.last_mut(), usize::try_from(m.year - years[0]))
            && i < years.len()
        {
            row[i] = Some(m);
        }
    }
    let stats: [(String, Statistic); 3] = [
        (t("中位数", "Median"), |m| m.p50),
        (t("5% 分位", "5th percentile"), |m| m.p05),
        (t("95% 分位", "95th percentile"), |m| m.p95),
    ];
    for (g, (gzh, english)) in GROUPS.iter().enumerate() {
        let members: Vec<_> = series
            .iter()
            .filter(|((metric, _), _)| group_of(metric) == g)
            .collect();
        if members.is_empty() {
            continue;
        }
        let ws = wb.add_worksheet();
        ws.set_name(t(gzh, english))?;
        let mut cols = vec![
            t("指标", "Metric"),
            t("范围", "Scope"),
            t("统计量", "Statistic"),
        ];
        cols.extend(years.iter().map(|y| y.to_string()));
        header(ws, &cols, bold)?;
        ws.set_column_width(0, 28)?;
        ws.set_freeze_panes(1, 3)?;
        let mut row = 0u32;
        for ((metric, scope), by_year) in members {
            let share = group_of(metric) == 2;
            let f = if share { &pct } else { &num };
            let label = super::format::metric_label(metric, zh);
            let scope = if *scope == "total" {
                t("合计", "Total")
            } else {
                r.scenario.scope_label(scope, zh)
            };
            for (name, stat) in &stats {
                row += 1;
                ws.write_string(row, 0, &label)?;
                ws.write_string(row, 1, &scope)?;
                ws.write_string(row, 2, name)?;
                for (c, m) in by_year.iter().enumerate() {
                    if let Some(v) = m.map(stat).filter(|v| v.is_finite()) {
                        ws.write_number_with_format(row, 3 + c as u16, v, f)?;
                    }
                }
            }
        }
        ws.autofilter(0, 0, row, 2 + years.len() as u16)?;
    }
    Ok(())
}
