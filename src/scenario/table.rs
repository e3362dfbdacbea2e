//! Regions from a table: `[[region]]` with `table = "regions.csv"` (or an
//! `.xlsx` workbook, with `sheet = "…"`) stands for one region per row of
//! the table, so that a province's hundred counties are kept where its
//! statistics already are rather than in a hundred hand-written TOML
//! blocks (Hunan's 47 took 1,379 lines).
//!
//! The first row names the columns with the fields of `[[region]]`: `id`,
//! `label`, `label_en`, `tags` (separated by `;`, `,` or `、`),
//! `budget_share`, the region's facts (`urban_communities`, …) and its
//! stocks (`junior` or `stocks.junior`, …). An empty cell leaves the field
//! to its default. Each mistake is reported with the table's file, its
//! sheet, row and column, and the field it would have set.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::error::did_you_mean;
use super::param::Param;
use super::schema::{RegionFacts, RegionFactsRaw, Stocks};

/// The largest table read (a national table of ~2,800 counties is well
/// under a megabyte).
pub const MAX_TABLE_BYTES: u64 = 32 << 20;

/// Where a region read from a table came from: to put its mistakes where
/// the planner will look for them.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: PathBuf,
    pub sheet: Option<String>,
    /// 1-based row of the table (the header is row 1).
    pub row: usize,
    /// 1-based column of each field, by the field's name.
    pub columns: HashMap<String, usize>,
}

impl Origin {
    /// "sheet 县区, row 7, column F (junior)".
    pub fn place(&self, field: Option<&str>) -> String {
        let column = field.and_then(|f| {
            let c = self
                .columns
                .get(f)
                .or_else(|| self.columns.get(&format!("stocks.{f}")));
            c.map(|&c| (c, f))
        });
        match column {
            Some((c, f)) => format!("{} ({f})", place(self.sheet.as_deref(), self.row, Some(c))),
            None => place(self.sheet.as_deref(), self.row, None),
        }
    }
}

/// "sheet 县区, row 7, column F" (a workbook's columns by letter), or
/// "row 7, column 6" (a CSV's by number).
fn place(sheet: Option<&str>, row: usize, column: Option<usize>) -> String {
    let mut s = match sheet {
        Some(sh) => format!("sheet {sh}, row {row}"),
        None => format!("row {row}"),
    };
    if let Some(c) = column {
        s.push_str(&format!(", column {}", column_name(c, sheet.is_some())));
    }
    s
}

/// A spreadsheet's column letters (A, …, Z, AA, …); a CSV's column number.
pub fn column_name(c: usize, letters: bool) -> String {
    if !letters {
        return c.to_string();
    }
    let mut n = c;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A mistake in a table: the file, where in it, what was expected and
/// found.
#[derive(Debug, Clone)]
pub struct TableError {
    pub file: PathBuf,
    pub place: String,
    pub expected: String,
    pub found: String,
}

/// A cell as read.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Number(f64),
    Text(String),
}

/// The rows of the table (header first) and the sheet read, if a workbook.
fn read_cells(
    path: &Path,
    sheet: Option<&str>,
) -> Result<(Option<String>, Vec<Vec<Cell>>), String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > MAX_TABLE_BYTES {
        return Err(format!(
            "a table of at most {} MB, not {} MB",
            MAX_TABLE_BYTES >> 20,
            len >> 20
        ));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => {
            if sheet.is_some() {
                return Err("no `sheet` for a CSV file (it has one table)".into());
            }
            let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| "UTF-8 text (save the CSV as \"CSV UTF-8\")".to_string())?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let mut rd = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut rows = Vec::new();
            for rec in rd.records() {
                let rec = rec.map_err(|e| e.to_string())?;
                rows.push(
                    rec.iter()
                        .map(|s| {
                            let s = s.trim();
                            if s.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text(s.to_string())
                            }
                        })
                        .collect(),
                );
            }
            Ok((None, rows))
        }
        "xlsx" | "xlsm" | "xls" | "ods" => {
            use calamine::{Data, Reader, open_workbook_auto};
            let mut wb = open_workbook_auto(path).map_err(|e| e.to_string())?;
            let names = wb.sheet_names();
            let name = match sheet {
                Some(s) if names.iter().any(|n| n == s) => s.to_string(),
                Some(s) => {
                    let hint = did_you_mean(s, names.iter().map(String::as_str))
                        .map(|n| format!(" (did you mean \"{n}\"?)"))
                        .unwrap_or_default();
                    return Err(format!(
                        "a sheet of the workbook ({}), not \"{s}\"{hint}",
                        names.join(", ")
                    ));
                }
                None => names.first().cloned().ok_or("a workbook with a sheet")?,
            };
            let range = wb.worksheet_range(&name).map_err(|e| e.to_string())?;
            // Rows and columns as the spreadsheet numbers them, whatever
            // empty rows or columns precede the table.
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); r0 as usize];
            for row in range.rows() {
                let mut cells = vec![Cell::Empty; c0 as usize];
                cells.extend(row.iter().map(|d| match d {
                    Data::Int(i) => Cell::Number(*i as f64),
                    Data::Float(f) => Cell::Number(*f),
                    Data::String(s) if s.trim().is_empty() => Cell::Empty,
                    Data::String(s) => Cell::Text(s.trim().to_string()),
                    Data::Bool(b) => Cell::Text(b.to_string()),
                    Data::Empty => Cell::Empty,
                    other => Cell::Text(other.to_string()),
                }));
                rows.push(cells);
            }
            Ok((Some(name), rows))
        }
        other => Err(format!(
            "a .csv or .xlsx file, not {}",
            if other.is_empty() {
                "a file without an extension".to_string()
            } else {
                format!(".{other}")
            }
        )),
    }
}

/// What a column may be called, and where its value goes.
enum Column {
    Text(&'static str),
    Tags,
    Number(&'static str),
    Stock(&'static str),
}

fn column_for(name: &str) -> Option<Column> {
    match name {
        "id" => return Some(Column::Text("id")),
        "label" => return Some(Column::Text("label")),
        "label_en" => return Some(Column::Text("label_en")),
        "tags" => return Some(Column::Tags),
        "budget_share" => return Some(Column::Number("budget_share")),
        _ => {}
    }
    if let Some(&(f, _)) = RegionFacts::<Param>::FIELDS
        .iter()
        .find(|(f, _)| *f == name)
    {
        return Some(Column::Number(f));
    }
    let stock = name.strip_prefix("stocks.").unwrap_or(name);
    Stocks::<Param>::FIELDS
        .iter()
        .find(|(f, _)| *f == stock)
        .map(|&(f, _)| Column::Stock(f))
}

fn column_names() -> Vec<&'static str> {
    ["id", "label", "label_en", "tags", "budget_share"]
        .into_iter()
        .chain(RegionFacts::<Param>::FIELDS.iter().map(|(f, _)| *f))
        .chain(Stocks::<Param>::FIELDS.iter().map(|(f, _)| *f))
        .collect()
}

/// The regions of the table at `file` (relative to the scenario's folder),
/// each with where it came from; or every mistake found in it.
pub fn regions_from_table(
    scenario: &Path,
    file: &str,
    sheet: Option<&str>,
) -> Result<Vec<(RegionFactsRaw, Origin)>, Vec<TableError>> {
    let rows = region_rows(scenario, file, sheet)?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (row, origin) in rows {
        match RegionFactsRaw::deserialize_from(toml::Value::Table(row)) {
            Ok(raw) => out.push((raw, origin)),
            Err(e) => errors.push(TableError {
                file: origin.file.clone(),
                place: origin.place(None),
                expected: "a row that makes a region".into(),
                found: e,
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The table's rows as `[[region]]` tables would be written, each with
/// where it came from (what a variant's `set` changes, by region id).
pub fn region_rows(
    scenario: &Path,
    file: &str,
    sheet: Option<&str>,
) -> Result<Vec<(toml::Table, Origin)>, Vec<TableError>> {
    let path = scenario
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from(file), |d| d.join(file));
    let fail = |place: String, expected: String, found: String| TableError {
        file: path.clone(),
        place,
        expected,
        found,
    };
    let (sheet, rows) = read_cells(&path, sheet)
        .map_err(|e| vec![fail(String::new(), "a table of regions to read".into(), e)])?;
    let at = |r: usize, c: Option<usize>| place(sheet.as_deref(), r, c);
    let mut errors = Vec::new();
    let Some(hi) = rows
        .iter()
        .position(|r| r.iter().any(|c| *c != Cell::Empty))
    else {
        return Err(vec![fail(
            String::new(),
            "a header row naming the columns (id, label, tags, junior, …) and a row per region"
                .into(),
            "an empty table".into(),
        )]);
    };
    // The header: each column's field.
    let mut columns: Vec<Option<(Column, String)>> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (c, cell) in rows[hi].iter().enumerate() {
        let name = match cell {
            Cell::Empty => {
                columns.push(None);
                continue;
            }
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => n.to_string(),
        };
        match column_for(&name) {
            Some(col) => {
                let key = match &col {
                    Column::Stock(f) => f.to_string(),
                    _ => name.clone(),
                };
                if by_name.insert(key, c + 1).is_some() {
                    errors.push(fail(
                        at(hi + 1, Some(c + 1)),
                        "each column once".into(),
                        format!("\"{name}\" again"),
                    ));
                }
                columns.push(Some((col, name)));
            }
            None => {
                let hint = did_you_mean(&name, column_names())
                    .map(|n| format!(" (did you mean \"{n}\"?)"))
                    .unwrap_or_default();
                errors.push(fail(
                    at(hi + 1, Some(c + 1)),
                    "a column named by a field of [[region]] (id, label, label_en, tags, budget_share, a fact such as urban_communities, or a stock such as junior)".into(),
                    format!("the column \"{name}\"{hint}"),
                ));
                columns.push(None);
            }
        }
    }
    if !by_name.contains_key("id") {
        errors.push(fail(
            at(hi + 1, None),
            "a column \"id\" (each region's short name)".into(),
            "no id column".into(),
        ));
    }
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate().skip(hi + 1) {
        if row.iter().all(|c| *c == Cell::Empty) {
            continue;
        }
        let mut region = toml::Table::new();
        let mut stocks = toml::Table::new();
        for (c, cell) in row.iter().enumerate() {
            let Some(Some((col, name))) = columns.get(c) else {
                if *cell != Cell::Empty && columns.get(c).is_none() {
                    errors.push(fail(
                        at(r + 1, Some(c + 1)),
                        "a value under a named column".into(),
                        "a value beyond the header's columns".into(),
                    ));
                }
                continue;
            };
            if *cell == Cell::Empty {
                continue;
            }
            let text = |cell: &Cell| match cell {
                Cell::Text(t) => t.clone(),
                Cell::Number(n) => {
                    if n.fract() == 0.0 && n.abs() < 1e15 {
                        format!("{}", *n as i64)
                    } else {
                        n.to_string()
                    }
                }
                Cell::Empty => String::new(),
            };
            match col {
                Column::Text(f) => {
                    region.insert(f.to_string(), toml::Value::String(text(cell)));
                }
                Column::Tags => {
                    let tags: Vec<toml::Value> = text(cell)
                        .split([';', ',', '、', '，', '；'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(|t| toml::Value::String(t.to_string()))
                        .collect();
                    region.insert("tags".into(), toml::Value::Array(tags));
                }
                Column::Number(f) | Column::Stock(f) => {
                    let n = match cell {
                        Cell::Number(n) => Some(*n),
                        Cell::Text(t) => t.replace([',', '_'], "").parse::<f64>().ok(),
                        Cell::Empty => None,
                    };
                    let Some(n) = n.filter(|n| n.is_finite()) else {
                        errors.push(fail(
                            at(r + 1, Some(c + 1)),
                            format!("a number for {name}"),
                            format!("the text \"{}\"", text(cell)),
                        ));
                        continue;
                    };
                    let v = toml::Value::Float(n);
                    if matches!(col, Column::Stock(_)) {
                        stocks.insert(f.to_string(), v);
                    } else {
                        region.insert(f.to_string(), v);
                    }
                }
            }
        }
        if !stocks.is_empty() {
            region.insert("stocks".into(), toml::Value::Table(stocks));
        }
        out.push((
            region,
            Origin {
                file: path.clone(),
                sheet: sheet.clone(),
                row: r + 1,
                columns: by_name.clone(),
            },
        ));
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(fail(
            at(hi + 2, None),
            "a row per region below the header".into(),
            "no rows".into(),
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

impl RegionFactsRaw {
    fn deserialize_from(v: toml::Value) -> Result<RegionFactsRaw, String> {
        use serde::Deserialize;
        RegionFactsRaw::deserialize(v).map_err(|e| e.to_string())
    }
}
