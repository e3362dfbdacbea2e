//! The font of the charts and of the HTML briefing. Charts are measured and
//! drawn with a font registered from memory, never from the system: a fresh
//! machine has no fonts, and plotters' system-font backend panics without
//! them. The same bytes feed three consumers:
//! - plotters' `ab_glyph`, which measures labels while a chart is laid out;
//! - resvg's font database, which shapes the SVG's text (rustybuzz) when a
//!   chart is rasterised to PNG, so PNG and SVG set text the same way;
//! - [`subset`], which cuts the glyphs a page uses into a font embedded in
//!   `report.html` (skera, the fontations port of HarfBuzz's subsetter).
//!
//! The bundled font is WenQuanYi Micro Hei (Apache License 2.0; notice and
//! provenance in `assets/fonts/`), one face covering Chinese and Latin text:
//! plotters measures a label with a single font, so a CJK-only face would
//! measure every digit wrong. `--font PATH` draws with another
//! TrueType/OpenType font.
//!
//! The family is registered under a name that is also a CSS font-family
//! list, because plotters writes the name verbatim into SVG: a browser that
//! has none of the named fonts still fills Chinese glyphs from `sans-serif`,
//! and the HTML's embedded subset is declared as its first name, `wfsim-sans`.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use plotters::style::FontStyle;
use resvg::usvg::fontdb;

/// The bundled font.
pub const BUNDLED: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

/// The family name used by every chart (and written into SVG as is).
pub const FAMILY: &str = "wfsim-sans, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, WenQuanYi Micro Hei, sans-serif";

/// The CSS name of the font embedded in HTML pages.
pub const WEB_FAMILY: &str = "wfsim-sans";

/// The chart font of this process: its bytes and resvg's database of it.
struct Registered {
    bytes: &'static [u8],
    database: Arc<fontdb::Database>,
}

static REGISTERED: OnceLock<Result<Registered, String>> = OnceLock::new();

/// Registers the chart font once per process: the bundled one, or the file
/// at `path`. A second call keeps the first font.
pub fn register(path: Option<&Path>) -> Result<(), String> {
    REGISTERED
        .get_or_init(|| {
            let bytes: &'static [u8] = match path {
                None => BUNDLED,
                Some(p) => {
                    let data = std::fs::read(p)
                        .map_err(|e| format!("cannot read font {}: {e}", p.display()))?;
                    // plotters keeps fonts for the life of the process and asks
                    // for 'static bytes; one font per process is leaked on purpose.
                    Box::leak(data.into_boxed_slice())
                }
            };
            let not_a_font = || match path {
                Some(p) => format!("{} is not a TrueType/OpenType font", p.display()),
                None => "the bundled font does not load".to_string(),
            };
            plotters::style::register_font(FAMILY, FontStyle::Normal, bytes)
                .map_err(|_| not_a_font())?;
            let database = database(bytes).ok_or_else(not_a_font)?;
            Ok(Registered {
                bytes,
                database: Arc::new(database),
            })
        })
        .as_ref()
        .map(|_| ())
        .map_err(Clone::clone)
}

/// resvg's font database holding only `bytes`, with every generic family
/// (`sans-serif`, `serif`, …) pointing at its first face: the SVG's family
/// list ends in `sans-serif`, so text always finds this font and never
/// depends on what the machine has installed.
fn database(bytes: &'static [u8]) -> Option<fontdb::Database> {
    let mut db = fontdb::Database::new();
    db.load_font_source(fontdb::Source::Binary(Arc::new(bytes)));
    let family = db.faces().next()?.families.first()?.0.clone();
    db.set_sans_serif_family(family.clone());
    db.set_serif_family(family.clone());
    db.set_monospace_family(family.clone());
    db.set_cursive_family(family.clone());
    db.set_fantasy_family(family);
    Some(db)
}

/// The registered font's database, registering the bundled font if none is.
pub(crate) fn chart_database() -> Result<Arc<fontdb::Database>, String> {
    register(None)?;
    match REGISTERED.get() {
        Some(Ok(r)) => Ok(r.database.clone()),
        Some(Err(e)) => Err(e.clone()),
        None => Err("the chart font is not registered".into()),
    }
}

/// The registered font's bytes (the bundled font if none is registered).
fn chart_bytes() -> Result<&'static [u8], String> {
    register(None)?;
    match REGISTERED.get() {
        Some(Ok(r)) => Ok(r.bytes),
        Some(Err(e)) => Err(e.clone()),
        None => Err("the chart font is not registered".into()),
    }
}

/// A TrueType font holding only the glyphs of `text` (and the font's
/// fallback glyph), cut from the chart font, for `@font-face` in a page.
/// Characters the font lacks are left to the browser's own fonts.
pub fn subset(text: &str) -> Result<Vec<u8>, String> {
    use read_fonts::collections::IntSet;
    use read_fonts::types::{GlyphId, NameId, Tag};
    use read_fonts::{FileRef, FontRef};
    use skera::{Plan, SubsetFlags, subset_font};

    let bytes = chart_bytes()?;
    let font: FontRef = match FileRef::new(bytes).map_err(|e| format!("the chart font: {e}"))? {
        FileRef::Font(f) => f,
        FileRef::Collection(c) => c.get(0).map_err(|e| format!("the chart font: {e}"))?,
    };
    let mut unicodes = IntSet::empty();
    for c in text.chars() {
        unicodes.insert(c as u32);
    }
    let mut gids = IntSet::empty();
    gids.insert(GlyphId::NOTDEF);
    // HarfBuzz's defaults (as skera's command line): name records 0–6 in
    // English, every script, the default layout features; plus the licence
    // records (13, 14) the font's licence asks to travel with it. Hinting is
    // dropped: browsers do without it, and it is a third of the bytes.
    let mut names = IntSet::empty();
    for id in [0u16, 1, 2, 3, 4, 5, 6, 13, 14] {
        names.insert(NameId::new(id));
    }
    let mut languages = IntSet::empty();
    languages.insert(0x0409);
    let mut scripts = IntSet::<Tag>::empty();
    scripts.invert();
    let mut features = IntSet::<Tag>::empty();
    features.extend(skera::DEFAULT_LAYOUT_FEATURES.iter().copied());
    let plan = Plan::new(
        &gids,
        &unicodes,
        &font,
        SubsetFlags::SUBSET_FLAGS_NO_HINTING,
        &IntSet::<Tag>::empty(),
        &scripts,
        &features,
        &names,
        &languages,
    );
    subset_font(&font, &plan).map_err(|e| format!("cannot subset the chart font: {e:?}"))
}
