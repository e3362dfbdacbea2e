//! `report.html` in a real browser: Debian's headless Chromium, on a machine
//! whose fonts include no Chinese, Japanese or Korean face (a fontconfig
//! file of the test's own hides any that are installed). The page must set
//! its Chinese in its embedded font, ask nothing of the network, and carry
//! every target's label.
//!
//! Chromium is found as `$WFSIM_CHROMIUM`, `chromium` or `chromium-browser`;
//! `.ci/run` installs Debian's `chromium`, and on a fresh machine this test
//! installs it itself when it runs as root with apt. Otherwise it fails and
//! says how to install it: it never passes without a browser.

use std::path::{Path, PathBuf};
use std::process::Command;

use wfsim::report::chart::Look;
use wfsim::report::results::Results;
use wfsim::report::{OutputDir, write_briefing};

use crate::common::*;

/// The probe added to a copy of the page. For a dozen distinct Chinese
/// characters of the heading it draws each glyph on a canvas in the page's
/// font and in the system's `sans-serif`, and counts distinct pictures:
/// tofu draws every missing character as the same box, so a font that has
/// them gives a dozen pictures and one that lacks them gives one. It also
/// lists the resources the page loaded and any request the page's content
/// security policy blocked (the copy allows only `data:` URLs).
const PROBE: &str = r#"<script>
document.fonts.ready.then(() => {
  const h1 = document.querySelector('h1');
  const chars = [...new Set([...h1.textContent].filter(c => c.charCodeAt(0) > 0x2e80))].slice(0, 12);
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 64;
  document.body.appendChild(canvas);
  const g = canvas.getContext('2d');
  function pictures(family) {
    const seen = new Set();
    let inked = 0;
    for (const ch of chars) {
      g.clearRect(0, 0, 64, 64);
      g.font = '48px ' + family;
      g.fillStyle = '#000';
      g.fillText(ch, 4, 52);
      const d = g.getImageData(0, 0, 64, 64).data;
      let h = 0, ink = 0;
      for (let i = 3; i < d.length; i += 4) { h = (Math.imul(h, 31) + d[i]) >>> 0; if (d[i] > 0) ink++; }
      seen.add(h);
      if (ink > 0) inked++;
    }
    return { distinct: seen.size, inked: inked };
  }
  const out = {
    chars: chars.length,
    page: pictures('"wfsim-sans"'),
    system: pictures('sans-serif'),
    resources: performance.getEntriesByType('resource').map(e => e.name),
    blocked: window.__blocked,
  };
  const pre = document.createElement('pre');
  pre.id = 'wfsim-browser-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"#;

/// Put first in the copy's head: only `data:` URLs may load, and whatever
/// the page tries beyond them is recorded.
const GUARD: &str = r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<script>window.__blocked = []; document.addEventListener('securitypolicyviolation', e => window.__blocked.push(e.blockedURI));</script>
"#;

/// A fontconfig file with the machine's fonts less every face that covers
/// Chinese, Japanese or Korean: the machine a planner's colleague may have.
fn fonts_conf(dir: &Path) -> PathBuf {
    let conf = dir.join("fonts.conf");
    let reject: String = ["zh-cn", "zh-tw", "zh-hk", "ja", "ko"]
        .iter()
        .map(|l| format!("<pattern><patelt name=\"lang\"><string>{l}</string></patelt></pattern>"))
        .collect();
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n\
             <dir>/usr/share/fonts</dir><dir>/usr/local/share/fonts</dir>\n\
             <cachedir>{}</cachedir>\n<selectfont><rejectfont>{reject}</rejectfont></selectfont>\n</fontconfig>\n",
            dir.join("cache").display()
        ),
    )
    .unwrap();
    conf
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|f| f.is_file())
    })
}

/// The browser, installed from Debian's packages if it is missing and this
/// is a root shell with apt (a fresh machine); otherwise a clear failure.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("WFSIM_CHROMIUM") {
        return PathBuf::from(p);
    }
    let find = || on_path("chromium").or_else(|| on_path("chromium-browser"));
    if let Some(p) = find() {
        return p;
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if root && on_path("apt-get").is_some() {
        eprintln!("browser test: installing Debian's chromium (apt-get)…");
        let ok = Command::new("sh")
            .args([
                "-c",
                "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null",
            ])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "apt-get could not install chromium");
    }
    find().unwrap_or_else(|| {
        panic!(
            "the browser test needs Chromium: `apt-get install chromium` (Debian), \
             or set WFSIM_CHROMIUM to a Chromium or Chrome binary"
        )
    })
}

/// Runs headless Chromium on `page` with the fonts of `conf`; `what` is
/// `--dump-dom` or `--screenshot=…`. Returns stdout.
fn browse(browser: &Path, dir: &Path, conf: &Path, page: &Path, what: &[String]) -> String {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let out = Command::new(browser)
        .env("FONTCONFIG_FILE", conf)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1200,900",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(what)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("Chromium starts");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn report_html_renders_its_chinese_without_cjk_fonts_or_network() {
    let browser = chromium();
    let dir = tempfile::tempdir().unwrap();
    let conf = fonts_conf(dir.path());

    // Hunan's plan: 26 targets in the plan's own wording.
    let sc = wfsim::scenario::Scenario::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/hunan-2012-2020.toml"
    )))
    .unwrap();
    let r = run(&sc, 100, 1, 1);
    let out_dir = dir.path().join("out");
    let out = OutputDir::prepare(&out_dir).unwrap();
    out.write_all(&sc, &r).unwrap();
    let results = Results::from_run(&sc, &r).unwrap();
    write_briefing(&out, &results, &Look::default()).unwrap();
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();

    // The probed copy: the guard first in the head, the probe last.
    let probed = html
        .replacen("<head>\n", &format!("<head>\n{GUARD}"), 1)
        .replacen("</body>", &format!("{PROBE}</body>"), 1);
    assert!(probed.contains("__blocked") && probed.contains("wfsim-browser-check"));
    let page = dir.path().join("probed.html");
    std::fs::write(&page, probed).unwrap();

    let dom = browse(&browser, dir.path(), &conf, &page, &["--dump-dom".into()]);
    let found = dom
        .split("<pre id=\"wfsim-browser-check\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or_else(|| {
            panic!("the probe did not report; the page as Chromium left it:\n{dom}")
        });
    let check: serde_json::Value = serde_json::from_str(&unescape(found)).unwrap();

    let n = check["chars"].as_u64().unwrap();
    assert_eq!(n, 12, "a dozen distinct Chinese characters in the heading");
    // The machine as the test sees it has no CJK face: the system's
    // sans-serif draws all twelve as one picture (tofu)…
    assert_eq!(
        check["system"]["distinct"], 1,
        "the fonts hidden from Chromium still cover Chinese: {check}"
    );
    // …and the page's embedded font draws twelve different glyphs, all inked.
    assert_eq!(check["page"]["distinct"], 12, "tofu in the page: {check}");
    assert_eq!(check["page"]["inked"], 12, "{check}");
    // Nothing loaded but the page and its data: URLs; nothing was blocked.
    assert_eq!(check["resources"], serde_json::json!([]), "{check}");
    assert_eq!(check["blocked"], serde_json::json!([]), "{check}");

    // Every target's label is in the page as the browser read it.
    let text = unescape(&dom);
    for t in &sc.targets {
        assert!(text.contains(&t.label), "{} is not in the page", t.label);
    }

    // The screenshot a person would see, kept for looking at: the heading
    // band holds ink.
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-no-cjk-fonts.png");
    browse(
        &browser,
        dir.path(),
        &conf,
        &out_dir.join("report.html"),
        &[format!("--screenshot={}", shot.display())],
    );
    let img = image::open(&shot).unwrap().to_luma8();
    assert_eq!((img.width(), img.height()), (1200, 900));
    let dark = (0..1200)
        .filter(|&x| (20..90).any(|y| img.get_pixel(x, y).0[0] < 100))
        .count();
    assert!(
        dark > 200,
        "{dark} inked columns in the heading band of {}",
        shot.display()
    );
}
