//! Workbooks of the analysis commands — `compare.xlsx`, `sweep.xlsx`,
//! `sensitivity.xlsx`, `solve.xlsx` — as `summary.xlsx` is the run's: one
//! long table a sheet, numbers as numbers with formats by unit (shares as
//! percentages, money in 万元 or thousands of yuan, probability differences
//! in points), headers in the scenario's language, an autofilter and the
//! header row frozen, so a planner can filter, pivot and paste.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::chart::tr;
use crate::analysis::compare::Comparison;
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::solve::Solution;
use crate::analysis::sweep::Sweep;

/// How a number is shown.
#[derive(Clone, Copy)]
enum Unit {
    /// A probability or share: 12.3%.
    Share,
    /// Percentage points: +4.2.
    Points,
    /// Money, written in 万元 (Chinese) or thousands of yuan (English).
    Money,
    /// A count or a lever's value: 1,234.5.
    Plain,
    /// A correlation: 0.42.
    Ratio,
}

enum Cell {
    Text(String),
    Num(f64, Unit),
}

/// One sheet: a name, its headers and rows.
struct Sheet {
    name: String,
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

/// Money's divisor and header suffix in the scenario's language.
fn money(zh: bool) -> (f64, &'static str) {
    if zh {
        (1e4, "（万元）")
    } else {
        (1e3, " (thousand yuan)")
    }
}

fn book(sheets: &[Sheet], zh: bool) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let share = Format::new().set_num_format("0.0%");
    let points = Format::new().set_num_format("+0.0;-0.0;0.0");
    let plain = Format::new().set_num_format("#,##0.##");
    let cash = Format::new().set_num_format("#,##0.0");
    let ratio = Format::new().set_num_format("0.00");
    let (per, _) = money(zh);
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name)?;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
            let widest = s
                .rows
                .iter()
                .filter_map(|r| match r.get(c) {
                    Some(Cell::Text(t)) => Some(t.chars().count()),
                    _ => None,
                })
                .max()
                .unwrap_or(0)
                .max(h.chars().count());
            ws.set_column_width(c as u16, (widest as f64 * 1.5).clamp(10.0, 60.0))?;
        }
        for (i, row) in s.rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(r, c, t)?;
                    }
                    Cell::Num(v, _) if !v.is_finite() => {}
                    Cell::Num(v, u) => {
                        let (v, f) = match u {
                            Unit::Share => (*v, &share),
                            Unit::Points => (v * 100.0, &points),
                            Unit::Money => (v / per, &cash),
                            Unit::Plain => (*v, &plain),
                            Unit::Ratio => (*v, &ratio),
                        };
                        ws.write_number_with_format(r, c, v, f)?;
                    }
                }
            }
        }
        let last = s.headers.len().saturating_sub(1) as u16;
        ws.autofilter(0, 0, s.rows.len() as u32, last)?;
        ws.set_freeze_panes(1, 0)?;
    }
    wb.save_to_buffer()
}

/// Trajectories a point ran: its own count (with `--precision`), else the
/// command's.
fn ran(own: u64, command: u64) -> Cell {
    Cell::Num(if own > 0 { own } else { command } as f64, Unit::Plain)
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// `compare.xlsx`: a row per target and arm, the baseline first.
pub fn comparison(c: &Comparison, zh: bool) -> Result<Vec<u8>, XlsxError> {
    let t = |a: &str, b: &str| tr(zh, a, b);
    let (_, yuan) = money(zh);
    let headers = vec![
        t("目标编号", "Target id"),
        t("目标", "Target"),
        t("方案", "Variant"),
        t("实现概率", "P(met)"),
        t("95% 区间下限", "95% interval, low"),
        t("95% 区间上限", "95% interval, high"),
        t("与基准之差（百分点）", "Difference from baseline (points)"),
        t("配对区间下限（百分点）", "Paired interval, low (points)"),
        t("配对区间上限（百分点）", "Paired interval, high (points)"),
        t(
            "不配对区间下限（百分点）",
            "Unpaired interval, low (points)",
        ),
        t(
            "不配对区间上限（百分点）",
            "Unpaired interval, high (points)",
        ),
        format!("{}{yuan}", t("年均支出", "Mean spend a year")),
        format!("{}{yuan}", t("比基准多支出", "Extra spend over baseline")),
    ];
    let arm = |name: &str| c.arms.iter().find(|a| a.name == name);
    let mut rows = Vec::new();
    for tg in &c.targets {
        let base = c.arms.first();
        rows.push(vec![
            text(&tg.id),
            text(&tg.label),
            text(&base.map_or_else(|| t("基准", "baseline"), |a| a.label.clone())),
            Cell::Num(tg.baseline, Unit::Share),
            Cell::Num(tg.baseline_low, Unit::Share),
            Cell::Num(tg.baseline_high, Unit::Share),
            Cell::Num(0.0, Unit::Points),
            Cell::Num(f64::NAN, Unit::Points),
            Cell::Num(f64::NAN, Unit::Points),
            Cell::Num(f64::NAN, Unit::Points),
            Cell::Num(f64::NAN, Unit::Points),
            Cell::Num(base.map_or(f64::NAN, |a| a.spend), Unit::Money),
            Cell::Num(0.0, Unit::Money),
        ]);
        for v in &tg.variants {
            let a = arm(&v.variant);
            rows.push(vec![
                text(&tg.id),
                text(&tg.label),
                text(a.map_or(&v.variant, |a| &a.label)),
                Cell::Num(v.p_met, Unit::Share),
                Cell::Num(v.ci_low, Unit::Share),
                Cell::Num(v.ci_high, Unit::Share),
                Cell::Num(v.difference, Unit::Points),
                Cell::Num(v.diff_low, Unit::Points),
                Cell::Num(v.diff_high, Unit::Points),
                Cell::Num(v.unpaired_low, Unit::Points),
                Cell::Num(v.unpaired_high, Unit::Points),
                Cell::Num(a.map_or(f64::NAN, |a| a.spend), Unit::Money),
                Cell::Num(a.map_or(f64::NAN, |a| a.extra_cost), Unit::Money),
            ]);
        }
    }
    book(
        &[Sheet {
            name: t("方案比较", "Comparison"),
            headers,
            rows,
        }],
        zh,
    )
}

/// `sweep.xlsx`: a row per grid point and target (long, for a pivot table).
pub fn sweep(s: &Sweep, zh: bool) -> Result<Vec<u8>, XlsxError> {
    let t = |a: &str, b: &str| tr(zh, a, b);
    let (_, yuan) = money(zh);
    let mut headers: Vec<String> = s
        .axes
        .iter()
        .map(|a| {
            if a.label.is_empty() {
                a.path.clone()
            } else {
                a.label.clone()
            }
        })
        .collect();
    headers.extend([
        t("目标", "Target"),
        t("实现概率", "P(met)"),
        t("95% 区间下限", "95% interval, low"),
        t("95% 区间上限", "95% interval, high"),
        format!("{}{yuan}", t("年均支出", "Mean spend a year")),
        t("模拟次数", "Trajectories"),
    ]);
    let mut rows = Vec::new();
    for p in &s.points {
        for (k, o) in p.outcomes.iter().enumerate() {
            let mut row: Vec<Cell> = p
                .values
                .iter()
                .map(|v| Cell::Num(*v, Unit::Plain))
                .collect();
            row.extend([
                text(s.target_labels.get(k).map_or("", String::as_str)),
                Cell::Num(o.p_met, Unit::Share),
                Cell::Num(o.ci_low, Unit::Share),
                Cell::Num(o.ci_high, Unit::Share),
                Cell::Num(p.spend, Unit::Money),
                ran(p.trajectories, s.trajectories),
            ]);
            rows.push(row);
        }
    }
    book(
        &[Sheet {
            name: t("政策变量扫描", "Sweep"),
            headers,
            rows,
        }],
        zh,
    )
}

/// `sensitivity.xlsx`: a row per target and parameter, most influential first.
pub fn sensitivity(s: &Sensitivity, zh: bool) -> Result<Vec<u8>, XlsxError> {
    let t = |a: &str, b: &str| tr(zh, a, b);
    let headers = vec![
        t("目标编号", "Target id"),
        t("目标", "Target"),
        t("排序", "Rank"),
        t("参数", "Parameter"),
        t("参数路径", "Path"),
        t(
            "实现概率之差（百分点，高 10% 对低 10%）",
            "Swing of P(met) (points, top vs bottom decile)",
        ),
        t("低 10% 时的实现概率", "P(met), bottom decile"),
        t("高 10% 时的实现概率", "P(met), top decile"),
        t(
            "与目标指标的秩相关",
            "Rank correlation with the target's value",
        ),
    ];
    let mut rows = Vec::new();
    for tg in &s.targets {
        for (i, f) in tg.influences.iter().enumerate() {
            rows.push(vec![
                text(&tg.id),
                text(&tg.label),
                Cell::Num((i + 1) as f64, Unit::Plain),
                text(s.labels.get(&f.parameter).unwrap_or(&f.parameter)),
                text(&f.parameter),
                Cell::Num(f.swing, Unit::Points),
                Cell::Num(f.p_low_decile, Unit::Share),
                Cell::Num(f.p_high_decile, Unit::Share),
                Cell::Num(f.rank_correlation, Unit::Ratio),
            ]);
        }
    }
    book(
        &[Sheet {
            name: t("敏感性", "Sensitivity"),
            headers,
            rows,
        }],
        zh,
    )
}

/// `solve.xlsx`: the answer, then every evaluation.
pub fn solve(s: &Solution, lever_label: &str, zh: bool) -> Result<Vec<u8>, XlsxError> {
    let t = |a: &str, b: &str| tr(zh, a, b);
    let answer = Sheet {
        name: t("答案", "Answer"),
        headers: vec![t("项目", "Item"), t("值", "Value")],
        rows: vec![
            vec![text(&t("政策变量", "Lever")), text(lever_label)],
            vec![text(&t("参数路径", "Path")), text(&s.lever)],
            vec![text(&t("目标", "Target")), text(&s.target)],
            vec![
                text(&t("要求的实现概率", "Probability asked for")),
                Cell::Num(s.probability, Unit::Share),
            ],
            vec![
                text(&t("本种子下的最小值", "Least value on this seed")),
                Cell::Num(s.value, Unit::Plain),
            ],
            vec![
                text(&t("答案的蒙特卡洛范围下限", "Monte Carlo range, low")),
                Cell::Num(s.range_low, Unit::Plain),
            ],
            vec![
                text(&t(
                    "建议值（有把握达到）",
                    "Recommended (met with confidence)",
                )),
                Cell::Num(s.recommended, Unit::Plain),
            ],
            vec![
                text(&t("随机种子", "Seed")),
                Cell::Num(s.seed as f64, Unit::Plain),
            ],
            vec![
                text(&t("每次评估的模拟次数", "Trajectories per evaluation")),
                Cell::Num(s.trajectories as f64, Unit::Plain),
            ],
        ],
    };
    let evaluations = Sheet {
        name: t("各次评估", "Evaluations"),
        headers: vec![
            lever_label.to_string(),
            t("实现概率", "P(met)"),
            t("95% 区间下限", "95% interval, low"),
            t("95% 区间上限", "95% interval, high"),
            t("模拟次数", "Trajectories"),
        ],
        rows: s
            .evaluations
            .iter()
            .map(|e| {
                vec![
                    Cell::Num(e.value, Unit::Plain),
                    Cell::Num(e.p_met, Unit::Share),
                    Cell::Num(e.ci_low, Unit::Share),
                    Cell::Num(e.ci_high, Unit::Share),
                    ran(e.trajectories, s.trajectories),
                ]
            })
            .collect(),
    };
    book(&[answer, evaluations], zh)
}
