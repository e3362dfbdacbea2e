//! `report.html`: one self-contained file for the meeting — the scenario,
//! the headline table, the charts (PNG embedded), the main assumptions and
//! how the run was made — with its text set in an embedded subset of the
//! chart font, so neither fonts nor a network are needed to read it.

use base64::Engine as _;

use super::chart::{Rendered, tr};
use super::format::{count, metric_value, percent, probability};
use super::results::Results;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The report's style, after the shared `body` rule.
const REPORT_CSS: &str = "table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border-bottom:1px solid #ddd;padding:.4em .5em;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}td+td{white-space:nowrap}
.low{color:#b2182b;font-weight:bold}.mid{color:#b35806;font-weight:bold}.high{color:#1a9850;font-weight:bold}
img{max-width:100%;border:1px solid #eee;margin:.5em 0}.note{color:#555;font-size:.9em}
";

/// The comparison's style, after the shared `body` rule.
const COMPARE_CSS: &str = "table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border-bottom:1px solid #ddd;padding:.4em .5em;text-align:right}
th:first-child,td:first-child,td:nth-child(2){text-align:left}th{background:#f4f4f4}
.up{color:#1a9850;font-weight:bold}.down{color:#b2182b;font-weight:bold}img{max-width:100%}.note{color:#555;font-size:.9em}
";

/// A whole page around `body`. Its text is set in a subset of the chart
/// font embedded as a data URL — the glyphs of every character the page
/// holds — so Chinese renders on a machine with no CJK fonts, and the page
/// asks nothing of the network; the system's CJK fonts follow as fallbacks.
fn page(zh: bool, title: &str, meta: &str, css: &str, body: &str) -> Result<String, String> {
    // Printable ASCII always, whatever the body holds: digits and Latin
    // letters look the same in every table.
    let mut chars: std::collections::BTreeSet<char> = (' '..='~').collect();
    chars.extend(
        title
            .chars()
            .chain(body.chars())
            .filter(|c| !c.is_control()),
    );
    let text: String = chars.into_iter().collect();
    let font = super::font::subset(&text)?;
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n{meta}<title>{title}</title>\n<style>\n\
@font-face{{font-family:\"{family}\";src:url(data:font/ttf;base64,{font}) format(\"truetype\")}}\n\
body{{font-family:\"{family}\",\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",\"PingFang SC\",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}\n\
{css}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        lang = if zh { "zh-CN" } else { "en" },
        title = esc(title),
        family = super::font::WEB_FAMILY,
        font = base64::engine::general_purpose::STANDARD.encode(font),
    ))
}

/// The page.
pub fn render(r: &Results, charts: &[Rendered]) -> Result<String, String> {
    let zh = r.chinese();
    let t = |c: &str, e: &str| tr(zh, c, e);
    let sc = &r.scenario;
    let mut h = String::new();
    h.push_str(&format!("<h1>{}</h1>\n", esc(&sc.label)));
    if let (Some(en), true) = (&sc.label_en, zh) {
        h.push_str(&format!("<p class=\"note\">{}</p>\n", esc(en)));
    }
    if !sc.description.is_empty() {
        h.push_str(&format!("<p>{}</p>\n", esc(&sc.description)));
    }
    h.push_str(&format!(
        "<p class=\"note\">{} {}–{}; {} {}.</p>\n",
        t("预测年份", "Projection"),
        sc.start_year + 1,
        sc.end_year,
        t("起点为", "from stocks at the end of"),
        sc.start_year
    ));

    for w in &r.warnings {
        h.push_str(&format!(
            "<p class=\"note low\">{}: {}</p>\n",
            t("⚠ 注意", "⚠ Note"),
            esc(w)
        ));
    }

    h.push_str(&format!("<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        t("各目标实现的概率", "Probability that each target is met"),
        t("目标", "Target"), t("年份", "Year"), t("目标值", "Threshold"),
        t("实现概率 [95% 区间]", "P(met) [95% interval]"), t("中位数", "Median"), t("5%–95%", "5–95% range")));
    for x in &r.targets {
        let class = if x.p_met >= 0.8 {
            "high"
        } else if x.p_met >= 0.5 {
            "mid"
        } else {
            "low"
        };
        h.push_str(&format!(
            "<tr><td>{}{}</td><td>{}</td><td>{} {}</td><td class=\"{class}\">{}</td><td>{}</td><td>{} – {}</td></tr>\n",
            esc(&x.label),
            reading_note(x.reading.as_deref(), zh),
            x.year,
            match x.op.as_str() {
                ">=" => "≥",
                "<=" => "≤",
                other => other,
            },
            metric_value(&x.metric, x.threshold, zh),
            esc(&probability(x.p_met, x.ci_low, x.ci_high)),
            metric_value(&x.metric, x.quantiles.p50, zh),
            metric_value(&x.metric, x.quantiles.p05, zh),
            metric_value(&x.metric, x.quantiles.p95, zh),
        ));
    }
    h.push_str(&format!(
        "<tr><td><b>{}</b></td><td></td><td></td><td><b>{}</b></td><td></td><td></td></tr>\n</table>\n",
        t("全部目标同时实现", "All targets together"),
        esc(&probability(r.joint.p_met, r.joint.ci_low, r.joint.ci_high))
    ));
    for x in &r.targets {
        if let Some(a) = x.attainable.as_ref().filter(|a| a.unreachable) {
            h.push_str(&format!(
                "<p class=\"note low\">{} {}: {} {} {}, {} {}。</p>\n",
                t("⚠ 目标", "⚠ Target"),
                esc(&x.label),
                t(
                    "目标值高于文件固定输入所能达到的最大值",
                    "its threshold is above the most the file's fixed inputs allow"
                ),
                metric_value(&x.metric, a.max, zh),
                t("；限制因素", "— set by"),
                esc(&a.limit),
                t(
                    "无论随机结果如何都无法实现",
                    "no trajectory can meet it: the limit decides, not chance"
                ),
            ));
        }
    }
    h.push_str(&format!(
        "<p class=\"note\">{}: {}.</p>\n",
        t("区间", "Intervals"),
        esc(&super::format::interval_note(&r.interval, zh))
    ));

    // Why the bands are as wide as they are.
    if r.targets.iter().any(|x| x.spread.is_some()) {
        h.push_str(&format!(
            "<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
            t("不确定性来源", "Where the spread comes from"),
            t("目标", "Target"),
            t("未知参数", "The unknowns"),
            t("逐年随机", "Year-to-year chance"),
        ));
        for x in &r.targets {
            if let Some(s) = &x.spread {
                h.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    esc(&x.label),
                    percent((s.unknowns * 100.0).round() / 100.0),
                    percent((s.chance * 100.0).round() / 100.0),
                ));
            }
        }
        h.push_str("</table>\n");
    }

    // What the probabilities rest on: the programmes that may come.
    if !r.programmes.is_empty() {
        h.push_str(&format!(
            "<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
            t("可能实施的专项工程", "Programmes that may come"),
            t("工程", "Programme"),
            t("实施概率 [95% 区间]", "P(it comes) [95% interval]"),
            t("开始年份", "Start"),
            t(
                "建成/培训（均值，5%–95%）",
                "Built or trained (mean, 5–95%)"
            ),
        ));
        for p in &r.programmes {
            let starts: Vec<String> = p
                .start_years
                .iter()
                .map(|s| format!("{} {}", s.year, percent((s.share * 100.0).round() / 100.0)))
                .collect();
            // An exam drive builds nothing: its candidates are in the exam's figures.
            let built = if p.builds_nothing() {
                t("—（见报考与通过人数）", "— (in registrants and passes)")
            } else {
                format!(
                    "{} ({} – {})",
                    count(p.built_mean, zh),
                    count(p.built.p05, zh),
                    count(p.built.p95, zh)
                )
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{built}</td></tr>\n",
                esc(&p.label),
                esc(&probability(p.p_happened, p.ci_low, p.ci_high)),
                esc(&starts.join(", ")),
            ));
        }
        h.push_str("</table>\n");
    }

    if !r.not_modelled.is_empty() {
        h.push_str(&format!(
            "<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
            t(
                "未建模的目标（无概率）",
                "Targets not modelled (no probability)"
            ),
            t("目标", "Target"),
            t("年份", "Year"),
            t("原因", "Why"),
        ));
        for x in &r.not_modelled {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&x.label),
                x.year.map(|y| y.to_string()).unwrap_or_default(),
                esc(&x.reason),
            ));
        }
        h.push_str("</table>\n");
    }

    for c in charts {
        h.push_str(&format!(
            "<h3>{}</h3>\n<img alt=\"{}\" src=\"data:image/png;base64,{}\">\n",
            esc(&c.title),
            esc(&c.title),
            base64::engine::general_purpose::STANDARD.encode(&c.png)
        ));
    }

    if !sc.assumptions.is_empty() {
        h.push_str(&format!(
            "<h2>{}</h2>\n<ul>\n",
            t("主要假设", "Main assumptions")
        ));
        for a in &sc.assumptions {
            h.push_str(&format!("<li>{}</li>\n", esc(a)));
        }
        h.push_str("</ul>\n");
    }
    if !sc.cited().is_empty() {
        h.push_str(&format!("<h2>{}</h2>\n<ul>\n", t("资料来源", "Sources")));
        for s in sc.cited() {
            h.push_str(&format!("<li>{}</li>\n", esc(s)));
        }
        h.push_str("</ul>\n");
    }
    h.push_str(&format!(
        "<h2>{}</h2>\n<p class=\"note\">{}: {} · {}: {} · {}: {} · {}: {} · wfsim {} · {}: {}</p>\n",
        t("运行信息", "The run"),
        t("运行编号", "run id"),
        esc(&r.run.id),
        t("情景文件", "Scenario file"),
        esc(&sc.file),
        t("随机种子", "seed"),
        r.run.seed,
        t("模拟次数", "trajectories"),
        count(r.run.trajectories as f64, false),
        esc(&r.run.wfsim_version),
        t("线程", "threads"),
        r.run.threads
    ));
    let meta = format!("<meta name=\"wfsim-run\" content=\"{}\">\n", esc(&r.run.id));
    page(zh, &sc.label, &meta, REPORT_CSS, &h)
}

/// A target's reading, beneath its label in a table cell (nothing when the
/// file gives none).
fn reading_note(reading: Option<&str>, zh: bool) -> String {
    reading
        .map(|w| {
            format!(
                "<br><small>{}{}</small>",
                tr(zh, "读法：", "Reading: "),
                esc(w)
            )
        })
        .unwrap_or_default()
}

/// `compare.html`: the comparison's table and chart, self-contained.
pub fn render_comparison(
    c: &crate::analysis::compare::Comparison,
    chart: &Rendered,
    zh: bool,
) -> Result<String, String> {
    let t = |a: &str, b: &str| tr(zh, a, b);
    let pts = |x: f64| format!("{:+.1}", x * 100.0);
    let mut h = String::new();
    h.push_str(&format!(
        "<h1>{} — {}</h1>\n",
        esc(&c.label),
        t("政策方案比较", "policy variants compared")
    ));
    h.push_str(&format!(
        "<p class=\"note\">{} {} · {} {} · {}</p>\n",
        t("每个方案模拟次数", "Trajectories per arm:"),
        count(c.trajectories as f64, false),
        t("随机种子", "seed"),
        c.seed,
        t("所有方案使用相同的随机数，差值按逐次配对计算。", "Every arm runs on the same random numbers; differences are paired trajectory by trajectory.")
    ));
    h.push_str(&format!(
        "<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        t("目标", "Target"),
        t("方案", "Variant"),
        t("实现概率 [95% 区间]", "P(met) [95% interval]"),
        t(
            "与基准之差（百分点）[95% 配对区间]",
            "Difference from baseline (points) [95% paired interval]"
        ),
        t("不配对时的区间", "Unpaired interval"),
        t("额外支出", "Extra spend")
    ));
    for tg in &c.targets {
        h.push_str(&format!(
            "<tr><td>{}{}</td><td>{}</td><td>{}</td><td></td><td></td><td></td></tr>\n",
            esc(&tg.label),
            reading_note(tg.reading.as_deref(), zh),
            t("基准", "baseline"),
            esc(&probability(tg.baseline, tg.baseline_low, tg.baseline_high))
        ));
        for v in &tg.variants {
            let class = if v.diff_low > 0.0 {
                "up"
            } else if v.diff_high < 0.0 {
                "down"
            } else {
                ""
            };
            let arm = c.arms.iter().find(|a| a.name == v.variant);
            h.push_str(&format!(
                "<tr><td></td><td>{}</td><td>{}</td><td class=\"{class}\">{} [{}, {}]</td><td>[{}, {}]</td><td>{}</td></tr>\n",
                esc(arm.map_or(&v.variant, |a| &a.label)),
                esc(&probability(v.p_met, v.ci_low, v.ci_high)),
                pts(v.difference),
                pts(v.diff_low),
                pts(v.diff_high),
                pts(v.unpaired_low),
                pts(v.unpaired_high),
                arm.map_or("–".into(), |a| super::format::money(a.extra_cost, zh))
            ));
        }
    }
    h.push_str("</table>\n");
    h.push_str(&format!(
        "<img alt=\"{}\" src=\"data:image/png;base64,{}\">\n<p class=\"note\">{}</p>\n",
        esc(&chart.title),
        base64::engine::general_purpose::STANDARD.encode(&chart.png),
        esc(&super::format::interval_note(&c.interval, zh))
    ));
    page(zh, &c.label, "", COMPARE_CSS, &h)
}
