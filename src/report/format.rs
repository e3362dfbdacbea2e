//! Numbers as a reader expects them: thousands separators in English, 万 for
//! ten thousands in Chinese, shares as percentages.

/// A count or amount, e.g. `60,000` or `6万`.
pub fn count(v: f64, chinese: bool) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if chinese && v.abs() >= 10_000.0 {
        let wan = v / 10_000.0;
        let digits = if wan.abs() >= 100.0 || wan.fract().abs() < 1e-9 {
            0
        } else if wan.abs() >= 10.0 {
            1
        } else {
            2
        };
        let s = format!("{wan:.digits$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        return format!("{}万", thousands_str(&s));
    }
    let r = v.round();
    let s = format!("{}", r.abs() as u64);
    format!("{}{}", if r < 0.0 { "-" } else { "" }, thousands_str(&s))
}

/// Money as a briefing writes it: `4,706万元` in Chinese (yuan below 1万),
/// `47,057,292 yuan` in English.
pub fn money(v: f64, chinese: bool) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if chinese {
        format!("{}元", count(v, true))
    } else {
        format!("{} yuan", count(v, false))
    }
}

/// A share as a percentage, e.g. `87.5%`.
pub fn percent(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// A probability without its interval, as [`probability`] prints it —
/// `32.4%`, `< 0.8%`, `> 99.2%` — for charts, whose whiskers show the
/// interval: never a bare 0 or 100.
pub fn probability_point(p: f64, low: f64, high: f64) -> String {
    let full = probability(p, low, high);
    match full.split_once(" [") {
        Some((point, _)) => point.to_string(),
        None => full,
    }
}

/// A probability with its 95% interval, with as many decimals as the
/// interval's width needs and never a bare 0 or 100: `32.4% [31.4, 33.3]`,
/// `0.35% [0.25, 0.49]`, `< 0.05% [0, 0.039%]`, `> 99.95% [99.961%, 100]`.
/// A probability of 0 means no trajectory met the target; the interval
/// says how small the truth may still be, so that is what is printed.
pub fn probability(p: f64, low: f64, high: f64) -> String {
    if !(p.is_finite() && low.is_finite() && high.is_finite()) {
        return "–".into();
    }
    let (p, low, high) = (p * 100.0, low * 100.0, high * 100.0);
    if p <= 0.0 {
        return format!("< {} [0, {}%]", bound_above(high), significant(high));
    }
    if p >= 100.0 {
        let gap = 100.0 - low;
        return format!(
            "> {}% [{}%, 100]",
            trim(100.0 - step_above(gap), 4),
            trim(100.0 - gap_sig(gap), 4)
        );
    }
    let width = (high - low).max(1e-12);
    let mut d = (1.0 - width.log10().floor()).clamp(1.0, 4.0) as usize;
    // A probability above 0 never prints as 0, nor one below 1 as 100.
    while d < 6
        && (format!("{p:.d$}").parse::<f64>().unwrap_or(0.0) <= 0.0
            || format!("{p:.d$}").parse::<f64>().unwrap_or(100.0) >= 100.0)
    {
        d += 1;
    }
    format!("{p:.d$}% [{low:.d$}, {high:.d$}]")
}

/// The smallest of 0.001%, 0.002%, 0.005%, 0.01%, …, 10%, 20%, 50% at or
/// above `x` (in percent): a round bound a reader takes in at a glance.
fn step_above(x: f64) -> f64 {
    let mut decade = 0.001;
    loop {
        for m in [1.0, 2.0, 5.0] {
            let s = decade * m;
            if s >= x || s >= 50.0 {
                return s;
            }
        }
        decade *= 10.0;
    }
}

fn bound_above(x: f64) -> String {
    format!("{}%", trim(step_above(x), 3))
}

/// `x` (percent) to two significant digits, rounded up so the bound is kept.
fn significant(x: f64) -> String {
    if x <= 0.0 {
        return "0".into();
    }
    let e = x.log10().floor() as i32;
    let d = (1 - e).max(0) as usize;
    let scale = 10f64.powi(1 - e);
    trim((x * scale).ceil() / scale, d)
}

/// 100 − low (percent) to two significant digits, rounded up.
fn gap_sig(gap: f64) -> f64 {
    if gap <= 0.0 {
        return 0.0;
    }
    let e = gap.log10().floor() as i32;
    let scale = 10f64.powi(1 - e);
    (gap * scale).ceil() / scale
}

fn trim(x: f64, d: usize) -> String {
    let s = format!("{x:.d$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A value of a metric: a share or a count.
pub fn value(v: f64, share: bool, chinese: bool) -> String {
    if share { percent(v) } else { count(v, chinese) }
}

/// Whether a metric is a share (shown as a percentage), by its unit.
pub fn is_share(metric: &str) -> bool {
    crate::scenario::Metric::from_name(metric)
        .is_some_and(|m| m.unit() == crate::scenario::Unit::Share)
}

/// Whether a metric is money (yuan), by its unit.
pub fn is_money(metric: &str) -> bool {
    crate::scenario::Metric::from_name(metric)
        .is_some_and(|m| m.unit() == crate::scenario::Unit::Yuan)
}

/// A value that is a share, money or a count, as a reader expects it.
pub fn amount(v: f64, share: bool, is_money: bool, chinese: bool) -> String {
    if is_money {
        money(v, chinese)
    } else {
        value(v, share, chinese)
    }
}

/// A value of `metric` as a reader expects it: a percentage for a share,
/// 万元 (yuan) for money, else a count.
pub fn metric_value(metric: &str, v: f64, chinese: bool) -> String {
    amount(v, is_share(metric), is_money(metric), chinese)
}

fn thousands_str(s: &str) -> String {
    let (int, frac) = s.split_once('.').map_or((s, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A metric's name for readers: Chinese for Chinese scenarios.
pub fn metric_label(metric: &str, chinese: bool) -> String {
    let zh = match metric {
        "uncertified" => "未持证从业人员",
        "trained" => "经培训人员",
        "graduates" => "社工专业毕业生",
        "junior" => "助理社会工作师",
        "intermediate" => "社会工作师",
        "senior" => "高级社会工作师",
        "supervisors" => "督导人才",
        "certified" => "在岗持证社工",
        "talent" => "社会工作专业人才总量",
        "practitioners" => "从业人员",
        "intermediate_or_equivalent" => "中级社会工作专业人才（含同等能力）",
        "senior_or_equivalent" => "高级社会工作专业人才（含同等能力）",
        "certificates_issued" => "累计持证人数",
        "certificates_issued_junior" => "累计助理社会工作师证书",
        "certificates_issued_intermediate" => "累计社会工作师证书",
        "certificates_issued_senior" => "累计高级社会工作师证书",
        "posts" => "社会工作岗位",
        "posts_filled" => "已聘岗位",
        "orgs" => "社会工作服务机构",
        "stations" => "社会工作站",
        "stations_staffed" => "有人员的社会工作站",
        "township_coverage" => "街道（乡镇）社工站覆盖率",
        "urban_coverage" => "城市社区覆盖率",
        "rural_coverage" => "农村社区覆盖率",
        "qualified_share" => "购买服务项目持证或专业人员比例",
        "registrants" => "报考人数",
        "passes" => "通过人数",
        "posts_created" => "新设岗位",
        _ => "",
    };
    if chinese && !zh.is_empty() {
        zh.to_string()
    } else {
        metric.replace('_', " ")
    }
}

/// A run's note on its intervals in the reader's language (the JSON keeps
/// the method's English name, for scripts).
pub fn interval_note(method: &str, chinese: bool) -> String {
    if !chinese {
        method.to_string()
    } else if method == crate::stats::interval::METHOD {
        "Wilson 得分区间，95%（只含模拟次数有限带来的误差）".into()
    } else if method == crate::analysis::compare::METHOD {
        "差值：逐条模拟轨迹配对差值的正态区间，95%；实现概率：Wilson 得分区间，95%".into()
    } else {
        method.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_reads_by_its_unit_money_in_wan_yuan() {
        assert_eq!(metric_value("budget", 47_057_292.0, true), "4,706万元");
        assert_eq!(
            metric_value("budget", 47_057_292.0, false),
            "47,057,292 yuan"
        );
        assert_eq!(metric_value("urban_coverage", 0.9, true), "90%");
        assert_eq!(metric_value("certified", 60_000.0, true), "6万");
        assert_eq!(money(3_000.0, true), "3,000元");
    }

    #[test]
    fn readable_numbers() {
        assert_eq!(count(60_000.0, false), "60,000");
        assert_eq!(count(60_000.0, true), "6万");
        assert_eq!(count(15_000.0, true), "1.5万");
        assert_eq!(count(123_456.0, true), "12.3万");
        assert_eq!(count(2_000_000.0, true), "200万");
        assert_eq!(count(9_999.0, true), "9,999");
        assert_eq!(count(-1234.4, false), "-1,234");
        assert_eq!(percent(0.875), "87.5%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(count(f64::NAN, false), "–");
    }

    use crate::stats::interval::wilson;

    fn of(k: u64, n: u64) -> String {
        let i = wilson(k, n);
        probability(i.p, i.low, i.high)
    }

    #[test]
    fn probabilities_carry_the_precision_their_interval_needs() {
        assert_eq!(of(3240, 10_000), "32.4% [31.5, 33.3]");
        assert_eq!(of(0, 10_000), "< 0.05% [0, 0.039%]");
        assert_eq!(of(0, 500), "< 1% [0, 0.77%]");
        assert_eq!(of(0, 300), "< 2% [0, 1.3%]");
        assert_eq!(of(300, 300), "> 98% [98.7%, 100]");
        assert_eq!(of(10_000, 10_000), "> 99.95% [99.961%, 100]");
        assert_eq!(of(35, 10_000), "0.35% [0.25, 0.49]");
        // One in a million never prints as 0.
        assert!(
            !of(1, 1_000_000).starts_with("0.0%"),
            "{}",
            of(1, 1_000_000)
        );
        assert!(
            !of(999_999, 1_000_000).starts_with("100"),
            "{}",
            of(999_999, 1_000_000)
        );
    }
}
