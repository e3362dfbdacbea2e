//! Regions from a CSV or XLSX table (`[[region]] table = "…"`): the same
//! scenario as the hand-written blocks, and every mistake in the table
//! named by its file, sheet, row and column (issue 13).

use std::path::Path;

use wfsim::scenario::Scenario;

use crate::common::*;

const TEMPLATE: &str = include_str!("../../scenarios/template.toml");

/// The template with the centre's headcount fixed (a table holds numbers,
/// not distributions) and its two region blocks as written.
fn template_fixed() -> String {
    let pert = "uncertified = { dist = \"pert\", min = 3000, mode = 4000, max = 5000 }";
    assert!(TEMPLATE.contains(pert));
    TEMPLATE.replacen(pert, "uncertified = 4000", 1)
}

/// The same file with both region blocks replaced by `block`.
fn with_region_table(block: &str) -> String {
    let text = template_fixed();
    let start = text.find("[[region]]").unwrap();
    let end = text.find("[parameters.exam]").unwrap();
    format!("{}{block}\n\n{}", &text[..start], &text[end..])
}

const HEADER: [&str; 20] = [
    "id",
    "label",
    "tags",
    "budget_share",
    "urban_communities",
    "rural_communities",
    "townships",
    "graduates_per_year",
    "outside_candidates",
    "wage_index",
    "uncertified",
    "trained",
    "graduates",
    "junior",
    "intermediate",
    "senior",
    "supervisors",
    "posts",
    "stocks.project_positions",
    "orgs",
];
const CENTRE: [&str; 20] = [
    "centre",
    "中心区",
    "urban",
    "0.6",
    "300",
    "20",
    "12",
    "150",
    "600",
    "1.1",
    "4000",
    "300",
    "200",
    "900",
    "250",
    "5",
    "10",
    "200",
    "150",
    "60",
];
const OUTER: [&str; 20] = [
    "outer", "郊区", "rural", "0.4", "80", "250", "18", "40", "200", "", "2500", "100", "50",
    "300", "60", "0", "0", "50", "40", "15",
];

/// The stations column, which the template sets for both.
fn rows() -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = [HEADER, CENTRE, OUTER]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
    for (r, v) in rows.iter_mut().zip(["stations", "2", "0"]) {
        r.push(v.to_string());
    }
    rows
}

fn write_csv(path: &Path, rows: &[Vec<String>]) {
    let text: String = rows.iter().map(|r| r.join(",") + "\n").collect();
    // Excel on Chinese Windows writes a byte-order mark.
    std::fs::write(path, format!("\u{feff}{text}")).unwrap();
}

fn write_xlsx(path: &Path, sheet: &str, rows: &[Vec<String>]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            // Numbers as numbers, as a statistics office's sheet has them.
            match v.parse::<f64>() {
                Ok(n) if r > 0 => ws.write_number(r as u32, c as u16, n).unwrap(),
                _ => ws.write_string(r as u32, c as u16, v).unwrap(),
            };
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn regions_from_a_csv_or_xlsx_table_make_the_same_scenario_as_written_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let written = parse(&template_fixed());
    let want = run(&written, 300, 4, 2);

    write_csv(&dir.path().join("regions.csv"), &rows());
    write_xlsx(&dir.path().join("regions.xlsx"), "县区", &rows());
    for block in [
        "[[region]]\ntable = \"regions.csv\"",
        "[[region]]\ntable = \"regions.xlsx\"\nsheet = \"县区\"",
        "[[region]]\ntable = \"regions.xlsx\"",
    ] {
        let file = dir.path().join("plan.toml");
        std::fs::write(&file, with_region_table(block)).unwrap();
        let sc = Scenario::load(&file).unwrap_or_else(|e| panic!("{block}: {e}"));
        assert_eq!(sc.regions, written.regions, "{block}");
        let got = run(&sc, 300, 4, 2);
        assert_eq!(got.metrics, want.metrics, "{block}");
        assert_eq!(got.records, want.records, "{block}");
    }
}

fn load_errors(dir: &Path, toml_block: &str) -> String {
    let file = dir.join("plan.toml");
    std::fs::write(&file, with_region_table(toml_block)).unwrap();
    match Scenario::load(&file) {
        Ok(_) => panic!("should not validate"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_bad_cell_is_named_by_its_sheet_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = rows();
    bad[2][13] = "三百".into(); // outer's junior: text where a number goes
    bad[1][17] = "-200".into(); // centre's posts: a negative count
    bad[0][5] = "rural_comunities".into(); // a misspelt column
    write_xlsx(&dir.path().join("regions.xlsx"), "县区", &bad);
    let e = load_errors(
        dir.path(),
        "[[region]]\ntable = \"regions.xlsx\"\nsheet = \"县区\"",
    );
    assert!(
        e.contains("regions.xlsx (sheet 县区, row 3, column N)")
            && e.contains("a number for junior, found the text \"三百\""),
        "{e}"
    );
    assert!(
        e.contains("(sheet 县区, row 1, column F)")
            && e.contains("(did you mean \"rural_communities\"?)"),
        "{e}"
    );
    // A mistake the scenario's checks find, in a region from the table, is
    // put in the table too. (Found once the table reads cleanly.)
    let mut negative = rows();
    negative[1][17] = "-200".into();
    write_csv(&dir.path().join("regions.csv"), &negative);
    let e = load_errors(dir.path(), "[[region]]\ntable = \"regions.csv\"");
    assert!(e.contains("regions.csv (row 2, column 18 (posts))"), "{e}");
    assert!(e.contains("region[0].stocks.posts"), "{e}");

    // A sheet that is not there, and a file that is not there.
    write_xlsx(&dir.path().join("regions.xlsx"), "县区", &rows());
    let e = load_errors(
        dir.path(),
        "[[region]]\ntable = \"regions.xlsx\"\nsheet = \"县\"",
    );
    assert!(e.contains("a sheet of the workbook (县区)"), "{e}");
    let e = load_errors(dir.path(), "[[region]]\ntable = \"nowhere.csv\"");
    assert!(
        e.contains("nowhere.csv") && e.contains("a table of regions to read"),
        "{e}"
    );
    // Nothing else beside `table`.
    let e = load_errors(
        dir.path(),
        "[[region]]\ntable = \"regions.csv\"\nid = \"x\"",
    );
    assert!(e.contains("`id` beside `table`"), "{e}");
}
