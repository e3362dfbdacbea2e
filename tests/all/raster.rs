//! The PNG charts as rasterised from their SVG: their size at each scale,
//! and where the text lands, checked against the font's own metrics.

use wfsim::report::chart::{self, Look};
use wfsim::report::font;
use wfsim::report::results::Results;
use wfsim::report::{OutputDir, write_briefing};

use crate::common::*;

/// The template plan, retitled with a label of Chinese characters only, so
/// that every glyph of the chart title's first word has a full-width advance.
const TITLE: &str = "社会工作专业人才队伍建设规划";

fn template_results() -> Results {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/template.toml"
    ))
    .unwrap()
    .replace(
        "label = \"示例城市社会工作人才规划 2020–2025\"",
        &format!("label = \"{TITLE}\""),
    );
    let sc = parse(&text);
    let r = run(&sc, 200, 3, 1);
    Results::from_run(&sc, &r).unwrap()
}

fn decode(png: &[u8]) -> image::GrayImage {
    image::load_from_memory(png).unwrap().to_luma8()
}

/// The numeric value of `name="…"` in an SVG element's text.
fn attr(element: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    let at = element
        .find(&key)
        .unwrap_or_else(|| panic!("{name} in {element}"))
        + key.len();
    element[at..].split('"').next().unwrap().to_string()
}

#[test]
fn every_chart_is_its_svg_size_times_the_scale() {
    let r = template_results();
    for scale in [1.0f32, 2.0] {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::prepare(dir.path()).unwrap();
        let look = Look { font: None, scale };
        write_briefing(&out, &r, &look).unwrap();
        let mut n = 0;
        for e in std::fs::read_dir(dir.path().join("charts")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|e| e == "png") {
                let svg = std::fs::read_to_string(p.with_extension("svg")).unwrap();
                let head = &svg[..svg.find('>').unwrap()];
                let (w, h): (f32, f32) = (
                    attr(head, "width").parse().unwrap(),
                    attr(head, "height").parse().unwrap(),
                );
                let img = decode(&std::fs::read(&p).unwrap());
                assert_eq!(
                    (img.width(), img.height()),
                    ((w * scale).round() as u32, (h * scale).round() as u32),
                    "{} at {scale}×",
                    p.display()
                );
                n += 1;
            }
        }
        assert!(n >= 8, "{n} charts");
    }
}

#[test]
fn a_scale_out_of_range_is_refused_in_words() {
    let e = chart::rasterise("<svg width=\"10\" height=\"10\"/>", 9.0).unwrap_err();
    assert!(e.contains("scale of 9") && e.contains("0.5–4"), "{e}");
}

/// The golden test of text placement. The probability chart's title is a
/// `<text>` centred at `x`: with the font's advances, every glyph's pen
/// position is known, and so is where its ink must start and end (its
/// bounding box). In the 2× PNG each Chinese glyph's ink is found within a
/// pixel of that place, so advances are the font's — even for a run of
/// full-width characters — which is what plotters' bitmap layout got wrong
/// ("各目 标实现的概率").
#[test]
fn a_chinese_title_lands_where_the_font_puts_it() {
    let r = template_results();
    let scale = 2.0f32;
    let fig = chart::probability::Probability::new(&r);
    let rendered = chart::render("probability".into(), String::new(), &fig, scale).unwrap();

    // The title element and its text.
    let svg = &rendered.svg;
    let start = svg
        .match_indices("<text")
        .map(|(i, _)| i)
        .find(|&i| svg[i..].split("</text>").next().unwrap().contains(TITLE))
        .expect("the title's <text>");
    let element = &svg[start..start + svg[start..].find("</text>").unwrap()];
    let (open, content) = element.split_once('>').unwrap();
    // SVG drops the whitespace around a text's content.
    let content = content.trim();
    assert_eq!(attr(open, "text-anchor"), "middle");
    let x: f32 = attr(open, "x").parse().unwrap();
    let y: f32 = attr(open, "y").parse().unwrap();
    let size: f32 = attr(open, "font-size").parse().unwrap();

    // Pen positions and ink boxes from the font itself.
    let face = ttf_parser::Face::parse(font::BUNDLED, 0).unwrap();
    let em = size / face.units_per_em() as f32;
    let advance = |c: char| {
        let g = face
            .glyph_index(c)
            .unwrap_or_else(|| panic!("the font has no {c:?}"));
        face.glyph_hor_advance(g).unwrap() as f32 * em
    };
    let width: f32 = content.chars().map(advance).sum();
    let mut pen = x - width / 2.0;
    let mut expected = Vec::new();
    for c in content.chars() {
        let g = face.glyph_index(c).unwrap();
        if TITLE.contains(c)
            && let Some(b) = face.glyph_bounding_box(g)
        {
            expected.push((c, pen + b.x_min as f32 * em, pen + b.x_max as f32 * em, pen));
        }
        pen += advance(c);
    }
    assert_eq!(expected.len(), TITLE.chars().count());

    // Ink in the title's band of rows (it is the only text there).
    let img = decode(&rendered.png);
    let (top, bottom) = ((y * scale) as u32, ((y + 1.3 * size) * scale) as u32);
    let inked = |col: u32| (top..bottom).any(|row| img.get_pixel(col, row).0[0] < 128);
    let full = advance('社');
    let mut pens = Vec::new();
    for (c, left, right, pen) in &expected {
        // Search the glyph's own advance cell (its neighbours' ink is outside).
        let cell = ((pen * scale) as u32)..(((pen + full) * scale).ceil() as u32);
        let cols: Vec<u32> = cell.filter(|&col| inked(col)).collect();
        assert!(!cols.is_empty(), "{c}: no ink in its cell");
        let (first, last) = (cols[0] as f32, *cols.last().unwrap() as f32 + 1.0);
        assert!(
            (first - left * scale).abs() <= 1.5 && (last - right * scale).abs() <= 1.5,
            "{c}: ink at {first}–{last} px, the font puts it at {:.1}–{:.1}",
            left * scale,
            right * scale
        );
        // The pen position the ink shows: its left edge less the bearing.
        pens.push(first - (left - pen) * scale);
    }
    // The advances the picture shows are even: one em, glyph after glyph.
    for w in pens.windows(2) {
        let step = w[1] - w[0];
        assert!(
            (step - full * scale).abs() <= 1.5,
            "an advance of {step:.1} px where the font's is {:.1}",
            full * scale
        );
    }
}
