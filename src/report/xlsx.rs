//! `summary.xlsx`: the tables a planner pastes — targets, metrics by year,
//! and the run's settings — with headers in the scenario's language.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::chart::tr;
use super::results::Results;

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
        let share = x.metric.ends_with("coverage") || x.metric.ends_with("share");
        let vf = if share { &pct } else { &num };
        ws.write_string(row, 0, &x.id)?;
        ws.write_string(row, 1, &x.label)?;
        ws.write_string(row, 2, &x.metric)?;
        ws.write_string(row, 3, &x.scope)?;
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

    let ws = wb.add_worksheet();
    ws.set_name(t("逐年指标", "Metrics by year"))?;
    let cols = [
        t("指标", "Metric"),
        t("范围", "Scope"),
        t("年份", "Year"),
        t("均值", "Mean"),
        t("5% 分位", "5th percentile"),
        t("25% 分位", "25th percentile"),
        t("中位数", "Median"),
        t("75% 分位", "75th percentile"),
        t("95% 分位", "95th percentile"),
    ];
    header(ws, &cols, &bold)?;
    for (i, m) in r.metrics.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &m.metric)?;
        ws.write_string(row, 1, &m.scope)?;
        ws.write_number(row, 2, m.year)?;
        for (c, v) in [
            (3, m.mean),
            (4, m.p05),
            (5, m.p25),
            (6, m.p50),
            (7, m.p75),
            (8, m.p95),
        ] {
            if v.is_finite() {
                ws.write_number(row, c, v)?;
            }
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name(t("运行设置", "Run settings"))?;
    header(ws, &[t("项目", "Setting"), t("值", "Value")], &bold)?;
    ws.set_column_width(1, 60)?;
    let sc = &r.scenario;
    let rows: Vec<(String, String)> = vec![
        (t("情景", "Scenario"), sc.label.clone()),
        (t("运行编号", "Run id"), r.run.id.clone()),
        (t("情景名称", "Scenario name"), sc.name.clone()),
        (t("情景文件", "Scenario file"), sc.file.clone()),
        (
            t(
                "起始年份（存量截至该年末）",
                "Start year (stocks at its end)",
            ),
            sc.start_year.to_string(),
        ),
        (t("结束年份", "End year"), sc.end_year.to_string()),
        (t("随机种子", "Seed"), r.run.seed.to_string()),
        (
            t("模拟次数", "Trajectories"),
            r.run.trajectories.to_string(),
        ),
        (t("线程数", "Threads"), r.run.threads.to_string()),
        (
            t("耗时（秒）", "Elapsed seconds"),
            format!("{:.2}", r.run.elapsed_seconds),
        ),
        (
            t("wfsim 版本", "wfsim version"),
            r.run.wfsim_version.clone(),
        ),
        (t("区间方法", "Interval method"), r.interval.clone()),
    ];
    let mut row = 1;
    for (k, v) in rows {
        ws.write_string(row, 0, &k)?;
        ws.write_string(row, 1, &v)?;
        row += 1;
    }
    for a in &sc.assumptions {
        ws.write_string(row, 0, t("假设", "Assumption"))?;
        ws.write_string(row, 1, a)?;
        row += 1;
    }
    for s in &sc.sources {
        ws.write_string(row, 0, t("来源", "Source"))?;
        ws.write_string(row, 1, s)?;
        row += 1;
    }
    wb.save_to_buffer()
}
