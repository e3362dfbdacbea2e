//! Errors in a scenario file, as a planner should see them: the file, line
//! and column, the field's path, what was expected and what was found, and
//! the offending line of the file under it.
//!
//! Positions come from two places: serde errors carry toml's span; errors
//! found by validation carry a field path, which [`Locator`] resolves to a
//! span by walking toml's spanned document tree.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

/// One step of a field path: `region[2].stocks.junior` is
/// `[Key("region"), Index(2), Key("stocks"), Key("junior")]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path to a field of the scenario file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    /// Parses `a.b[3].c` (keys may not contain dots or brackets).
    pub fn parse(s: &str) -> FieldPath {
        let mut segs = Vec::new();
        for part in s.split('.').filter(|p| !p.is_empty()) {
            let mut rest = part;
            if let Some(i) = rest.find('[') {
                segs.push(Seg::Key(rest[..i].to_string()));
                rest = &rest[i..];
                while let Some(end) = rest.find(']') {
                    if let Ok(n) = rest[1..end].parse() {
                        segs.push(Seg::Index(n));
                    }
                    rest = &rest[end + 1..];
                }
            } else {
                segs.push(Seg::Key(rest.to_string()));
            }
        }
        FieldPath(segs)
    }

    /// This path extended by a key.
    pub fn key(&self, k: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    /// This path extended by an index.
    pub fn index(&self, i: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in &self.0 {
            match s {
                Seg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        if first {
            f.write_str("(top level)")?;
        }
        Ok(())
    }
}

/// A problem in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line and column, when the problem has a place in the file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The field's path, e.g. `region[2].stocks.junior`.
    pub path: String,
    /// What the field should hold.
    pub expected: String,
    /// What it holds.
    pub found: String,
    /// The line of the file and a caret under the place, for display.
    pub snippet: Option<String>,
    /// Where in a table the mistake is ("sheet 县区, row 7, column F
    /// (junior)"), for a region read from one.
    pub place: Option<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        if let Some(p) = &self.place {
            write!(f, " ({p})")?;
        }
        write!(
            f,
            ": `{}`: expected {}, found {}",
            self.path, self.expected, self.found
        )?;
        if let Some(s) = &self.snippet {
            write!(f, "\n{s}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Several problems found in one file (validation reports them all at once).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

/// Maps field paths and byte offsets of one file to lines and columns.
pub struct Locator<'a> {
    file: &'a Path,
    text: &'a str,
    doc: Option<toml::Spanned<DeTable<'a>>>,
}

impl<'a> Locator<'a> {
    /// Parses `text` for spans; a file that does not parse still locates byte offsets.
    pub fn new(file: &'a Path, text: &'a str) -> Locator<'a> {
        Locator {
            file,
            text,
            doc: DeTable::parse(text).ok(),
        }
    }

    /// The span of the value at `path`, or of its nearest ancestor that exists.
    pub fn span_of(&self, path: &FieldPath) -> Option<Range<usize>> {
        let doc = self.doc.as_ref()?;
        let mut best: Option<Range<usize>> = None;
        let mut table: &DeTable = doc.get_ref();
        let mut value: Option<&toml::Spanned<DeValue>> = None;
        for seg in &path.0 {
            let next = match (seg, value) {
                (Seg::Key(k), None) => table.get(k.as_str()),
                (Seg::Key(k), Some(v)) => v.get_ref().get(k.as_str()),
                (Seg::Index(i), Some(v)) => v.get_ref().get(*i),
                (Seg::Index(_), None) => None,
            };
            match next {
                Some(v) => {
                    best = Some(v.span());
                    value = Some(v);
                    if let DeValue::Table(t) = v.get_ref() {
                        table = t;
                    }
                }
                None => break,
            }
        }
        best
    }

    /// An error at a field path.
    pub fn at(
        &self,
        path: &FieldPath,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> ScenarioError {
        let span = self.span_of(path);
        self.at_span(span, path.to_string(), expected, found)
    }

    /// An error at a byte span (or none).
    /// An error at the end of the file: for what is missing from it.
    pub fn at_end(
        &self,
        path: String,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> ScenarioError {
        let end = self.text.trim_end().len();
        self.at_span(Some(end..end), path, expected, found)
    }

    pub fn at_span(
        &self,
        span: Option<Range<usize>>,
        path: String,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> ScenarioError {
        let (line, column, snippet) = match span {
            Some(s) => {
                let (l, c) = line_col(self.text, s.start);
                (Some(l), Some(c), Some(self.snippet(l, c, &s)))
            }
            None => (None, None, None),
        };
        ScenarioError {
            file: self.file.to_path_buf(),
            line,
            column,
            path,
            expected: expected.into(),
            found: found.into(),
            snippet,
            place: None,
        }
    }

    fn snippet(&self, line: usize, col: usize, span: &Range<usize>) -> String {
        let text = self.text.lines().nth(line - 1).unwrap_or("");
        let width = self.text[span.start.min(self.text.len())..span.end.min(self.text.len())]
            .lines()
            .next()
            .map(|s| s.chars().count())
            .unwrap_or(1)
            .max(1);
        let gutter = line.to_string().len();
        // A long line (minified input, a pasted blob) is shown as a window
        // around the column, so one error never echoes megabytes.
        let chars: Vec<char> = text.chars().collect();
        let (from, to) = if chars.len() > SNIPPET_CHARS {
            let from = (col - 1).saturating_sub(SNIPPET_CHARS / 2);
            (from, (from + SNIPPET_CHARS).min(chars.len()))
        } else {
            (0, chars.len())
        };
        let lead = if from > 0 { "…" } else { "" };
        let tail = if to < chars.len() { "…" } else { "" };
        let shown: String = chars[from.min(chars.len())..to].iter().collect();
        let caret_at = col - 1 - from.min(col - 1) + lead.chars().count();
        format!(
            "{:gutter$} |\n{line} | {lead}{shown}{tail}\n{:gutter$} | {}{}",
            "",
            "",
            " ".repeat(caret_at),
            "^".repeat(width.min(to.saturating_sub(col - 1).max(1)))
        )
    }
}

/// Most characters of a file's line shown under an error.
const SNIPPET_CHARS: usize = 120;

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// The candidate a misspelt name most likely meant: the closest by edit
/// distance (a swap of two neighbours counting as one), if it is close
/// enough to be a slip — at most one edit in four characters, and at least
/// one — and no other candidate is as close.
pub fn did_you_mean<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let found = found.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    for c in candidates {
        let d = strsim::damerau_levenshtein(&found, &c.to_lowercase());
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tied = true,
            _ => {
                best = Some((d, c));
                tied = false;
            }
        }
    }
    let (d, c) = best?;
    let allowed = (found.chars().count() / 4).max(1);
    (d > 0 && d <= allowed && !tied).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        let p = FieldPath::parse("region[2].stocks.junior");
        assert_eq!(p.to_string(), "region[2].stocks.junior");
        assert_eq!(p.0.len(), 4);
    }

    #[test]
    fn locates_nested_fields() {
        let text =
            "a = 1\n[[region]]\nid = \"x\"\n[[region]]\nid = \"y\"\n[region.stocks]\njunior = -5\n";
        let loc = Locator::new(Path::new("f.toml"), text);
        let e = loc.at(
            &FieldPath::parse("region[1].stocks.junior"),
            "a count ≥ 0",
            "-5",
        );
        assert_eq!((e.line, e.column), (Some(7), Some(10)));
        // A field that is absent points at its nearest ancestor.
        let e = loc.at(&FieldPath::parse("region[0].stocks.senior"), "x", "y");
        assert_eq!(e.line, Some(2));
    }
}
