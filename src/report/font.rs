//! The font of the charts. PNG charts are drawn with a font registered from
//! memory (plotters' `ab_glyph`), never from the system: a fresh machine has
//! no fonts, and plotters' system-font backend panics without them.
//!
//! The bundled font is WenQuanYi Micro Hei (Apache License 2.0; notice and
//! provenance in `assets/fonts/`), one face covering Chinese and Latin text:
//! plotters draws a label with a single font, so a CJK-only fallback font
//! would leave every digit blank. `--font PATH` draws with another
//! TrueType/OpenType font.
//!
//! The family is registered under a name that is also a CSS font-family
//! list, because plotters writes the name verbatim into SVG: a browser that
//! has none of the named fonts still fills Chinese glyphs from `sans-serif`.

use std::path::Path;
use std::sync::OnceLock;

use plotters::style::FontStyle;

/// The bundled font.
pub const BUNDLED: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

/// The family name used by every chart (and written into SVG as is).
pub const FAMILY: &str = "wfsim-sans, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, WenQuanYi Micro Hei, sans-serif";

static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// Registers the chart font once per process: the bundled one, or the file at `path`.
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
            plotters::style::register_font(FAMILY, FontStyle::Normal, bytes).map_err(|_| match path
            {
                Some(p) => format!("{} is not a TrueType/OpenType font", p.display()),
                None => "the bundled font does not load".to_string(),
            })
        })
        .clone()
}
