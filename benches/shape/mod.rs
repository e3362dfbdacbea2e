//! The benchmark shape: the template's two districts repeated seven times
//! (14 regions, the size of the Hunan plan's prefectures) over eight years,
//! every step of the model switched on. Shared by the benchmarks and by a
//! test that keeps it valid as the template changes.

/// A template's text with its two districts repeated seven times, over
/// eight years; the variants that name a district name its first copy.
pub fn fourteen_regions_text(t: &str) -> String {
    let first = t.find("[[region]]").expect("template has regions");
    let after = t
        .find("[parameters.exam]")
        .expect("template has parameters");
    let regions = &t[first..after];
    let mut text = t[..first].replace("end_year = 2025", "end_year = 2028");
    for k in 0..7 {
        text += &regions
            .replace("id = \"centre\"", &format!("id = \"centre{k}\""))
            .replace("id = \"outer\"", &format!("id = \"outer{k}\""))
            .replace("budget_share = 0.6", "budget_share = 0.0857")
            .replace("budget_share = 0.4", "budget_share = 0.0571");
    }
    text += &t[after..]
        .replace("from = \"centre\"", "from = \"centre0\"")
        .replace(
            "\"region.outer.budget_share\" = 0.5",
            "\"region.outer0.budget_share\" = 0.0857",
        )
        .replace(
            "\"region.centre.budget_share\" = 0.5",
            "\"region.centre0.budget_share\" = 0.0571",
        );
    text
}
