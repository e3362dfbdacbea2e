//! Tables for the terminal: columns measured by display width (a Chinese
//! character takes two columns, a combining mark none), so that plan
//! wording lines up, and wrapped to the terminal's width when there is one
//! rather than cut (issue 13: the hand-padded table misaligned every Hunan
//! row and cut one label mid-phrase). `comfy-table` does the measuring.

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

/// A table with `header`, the columns in `right` aligned right (numbers).
pub fn table(header: &[&str], right: &[usize]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    // Wrapped to the terminal's width; piped into a file, whole lines.
    if let Some((_, columns)) = console::Term::stdout().size_checked() {
        t.set_width(columns);
    }
    for &c in right {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}
