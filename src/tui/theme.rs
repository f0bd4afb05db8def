//! Colours from `themes/*.toml`: a theme names only what it changes from the built-in default, an
//! unknown key is an error that names it, and colours are fitted to what the terminal can show.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::path::Path;

const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    fg: Option<String>,
    bg: Option<String>,
    muted: Option<String>,
    accent: Option<String>,
    header: Option<String>,
    border: Option<String>,
    selected_fg: Option<String>,
    selected_bg: Option<String>,
    #[serde(rename = "match")]
    matched: Option<String>,
    good: Option<String>,
    warn: Option<String>,
    bad: Option<String>,
    /// No colour at all, whatever the terminal can do: bold, reverse and underline only.
    monochrome: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorDepth {
    /// NO_COLOR: bold, reverse and underline only.
    None,
    Ansi16,
    Indexed256,
    TrueColor,
}

impl ColorDepth {
    /// What the environment says the terminal shows.
    pub fn detect() -> ColorDepth {
        let var = |name| std::env::var(name).ok();
        ColorDepth::from_vars(
            var("NO_COLOR").as_deref(),
            var("COLORTERM").as_deref(),
            var("TERM").as_deref(),
        )
    }

    /// From the variables a terminal sets, locally or sent by an SSH client: `NO_COLOR` (any
    /// value but empty) wins, then `COLORTERM`, then `TERM`. With no `TERM` at all, 256 colours.
    pub fn from_vars(
        no_color: Option<&str>,
        colorterm: Option<&str>,
        term: Option<&str>,
    ) -> ColorDepth {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return ColorDepth::None;
        }
        if matches!(colorterm, Some("truecolor" | "24bit")) {
            return ColorDepth::TrueColor;
        }
        match term {
            None => ColorDepth::Indexed256,
            Some(t) if t.contains("256color") || t.contains("direct") => ColorDepth::Indexed256,
            Some("dumb") => ColorDepth::None,
            Some(_) => ColorDepth::Ansi16,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    pub base: Style,
    pub muted: Style,
    pub accent: Style,
    pub header: Style,
    pub border: Style,
    pub selected: Style,
    pub matched: Style,
    pub good: Style,
    pub warn: Style,
    pub bad: Style,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("no theme named '{0}' (built in: default, light, high-contrast, mono)")]
    Unknown(String),
    #[error("theme {name}: {message}")]
    Invalid { name: String, message: String },
}

impl Theme {
    pub fn names() -> impl Iterator<Item = &'static str> {
        BUILT_IN.iter().map(|(n, _)| *n)
    }

    /// Loads a theme by name: `NAME.toml` in the user's theme folder first, then the built-in ones.
    pub fn load(
        name: &str,
        user_dir: Option<&Path>,
        depth: ColorDepth,
    ) -> Result<Theme, ThemeError> {
        let user_file = user_dir
            .map(|d| d.join(format!("{name}.toml")))
            .filter(|p| p.exists());
        let text = match &user_file {
            Some(path) => std::fs::read_to_string(path).map_err(|e| ThemeError::Invalid {
                name: name.to_string(),
                message: e.to_string(),
            })?,
            None => BUILT_IN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| ThemeError::Unknown(name.to_string()))?,
        };
        Theme::from_toml(name, &text, depth)
    }

    pub fn from_toml(name: &str, text: &str, depth: ColorDepth) -> Result<Theme, ThemeError> {
        let invalid = |message: String| ThemeError::Invalid {
            name: name.to_string(),
            message,
        };
        let base: ThemeFile = toml::from_str(BUILT_IN[0].1).expect("the default theme parses");
        let over: ThemeFile = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        let depth = match over.monochrome {
            Some(true) => ColorDepth::None,
            _ => depth,
        };
        let pick =
            |o: &Option<String>, b: &Option<String>, key: &str| -> Result<Color, ThemeError> {
                let value = o
                    .as_ref()
                    .or(b.as_ref())
                    .expect("the default theme sets every key");
                parse_color(value, depth).map_err(|e| invalid(format!("{key}: {e}")))
            };
        let fg = pick(&over.fg, &base.fg, "fg")?;
        let bg = pick(&over.bg, &base.bg, "bg")?;
        let fg_style = |c: Color| Style::new().fg(c);
        let mut theme = Theme {
            name: name.to_string(),
            base: Style::new().fg(fg).bg(bg),
            muted: fg_style(pick(&over.muted, &base.muted, "muted")?),
            accent: fg_style(pick(&over.accent, &base.accent, "accent")?),
            header: fg_style(pick(&over.header, &base.header, "header")?)
                .add_modifier(Modifier::BOLD),
            border: fg_style(pick(&over.border, &base.border, "border")?),
            selected: Style::new()
                .fg(pick(&over.selected_fg, &base.selected_fg, "selected_fg")?)
                .bg(pick(&over.selected_bg, &base.selected_bg, "selected_bg")?),
            matched: fg_style(pick(&over.matched, &base.matched, "match")?)
                .add_modifier(Modifier::BOLD),
            good: fg_style(pick(&over.good, &base.good, "good")?),
            warn: fg_style(pick(&over.warn, &base.warn, "warn")?),
            bad: fg_style(pick(&over.bad, &base.bad, "bad")?).add_modifier(Modifier::BOLD),
        };
        if depth == ColorDepth::None {
            theme.selected = Style::new().add_modifier(Modifier::REVERSED);
            theme.matched = Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD);
            theme.header = Style::new().add_modifier(Modifier::BOLD);
            theme.bad = Style::new().add_modifier(Modifier::BOLD);
        }
        Ok(theme)
    }
}

fn parse_color(text: &str, depth: ColorDepth) -> Result<Color, String> {
    if depth == ColorDepth::None {
        return Ok(Color::Reset);
    }
    let t = text.trim().to_lowercase();
    if let Some(hex) = t.strip_prefix('#') {
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("'{text}' is not a #rrggbb colour"));
        }
        let v = u32::from_str_radix(hex, 16).expect("checked hex");
        let (r, g, b) = ((v >> 16) as u8, (v >> 8) as u8, v as u8);
        return Ok(match depth {
            ColorDepth::TrueColor => Color::Rgb(r, g, b),
            ColorDepth::Ansi16 => nearest_16((r, g, b)),
            _ => Color::Indexed(nearest_256(r, g, b)),
        });
    }
    if let Ok(index) = t.parse::<u8>() {
        return Ok(match depth {
            // A 16-colour terminal shows 256-colour codes wrongly or not at all.
            ColorDepth::Ansi16 if index >= 16 => nearest_16(rgb_of_256(index)),
            ColorDepth::Ansi16 => ANSI16[usize::from(index)].0,
            _ => Color::Indexed(index),
        });
    }
    Ok(match t.as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => {
            return Err(format!(
                "'{text}' is not a colour (#rrggbb, 0-255, or a name like cyan)"
            ));
        }
    })
}

/// The closest colour in xterm's 6x6x6 cube or grey ramp.
fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let level = |v: u8| {
        (0..6)
            .min_by_key(|&i| (LEVELS[i] as i32 - v as i32).abs())
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let cube = (16 + 36 * ri + 6 * gi + bi) as u8;
    let cube_err = dist((LEVELS[ri], LEVELS[gi], LEVELS[bi]), (r, g, b));
    let avg = (r as u32 + g as u32 + b as u32) / 3;
    let grey_i = ((avg.saturating_sub(8)) / 10).min(23) as u8;
    let grey_v = 8 + 10 * grey_i;
    if dist((grey_v, grey_v, grey_v), (r, g, b)) < cube_err {
        232 + grey_i
    } else {
        cube
    }
}

/// The 16 ANSI colours as xterm draws them by default.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn nearest_16(rgb: (u8, u8, u8)) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, c)| dist(*c, rgb))
        .map_or(Color::Reset, |(color, _)| *color)
}

/// What xterm shows for a colour of its 256 (the cube and the grey ramp; the first 16 as above).
fn rgb_of_256(index: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match index {
        0..=15 => ANSI16[usize::from(index)].1,
        16..=231 => {
            let i = index - 16;
            let level = |v: u8| LEVELS[usize::from(v)];
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let v = 8 + 10 * (index - 232);
            (v, v, v)
        }
    }
}

fn dist(a: (u8, u8, u8), b: (u8, u8, u8)) -> i32 {
    let d = |x: u8, y: u8| (x as i32 - y as i32).pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_depth_follows_no_color_then_colorterm_then_term() {
        let depth = ColorDepth::from_vars;
        assert_eq!(
            depth(Some("1"), Some("truecolor"), Some("xterm-256color")),
            ColorDepth::None
        );
        assert_eq!(
            depth(Some(""), Some("truecolor"), None),
            ColorDepth::TrueColor
        );
        assert_eq!(
            depth(None, None, Some("tmux-256color")),
            ColorDepth::Indexed256
        );
        assert_eq!(depth(None, None, Some("linux")), ColorDepth::Ansi16);
        assert_eq!(depth(None, None, Some("dumb")), ColorDepth::None);
        assert_eq!(depth(None, None, None), ColorDepth::Indexed256);
    }

    #[test]
    fn every_built_in_theme_loads_at_every_depth() {
        for name in Theme::names() {
            for depth in [
                ColorDepth::None,
                ColorDepth::Ansi16,
                ColorDepth::Indexed256,
                ColorDepth::TrueColor,
            ] {
                Theme::load(name, None, depth).unwrap();
            }
        }
    }

    /// Every colour a theme can send to a 16-colour terminal is one of the 16.
    #[test]
    fn sixteen_colour_terminals_get_no_256_colour_codes() {
        for name in Theme::names() {
            let t = Theme::load(name, None, ColorDepth::Ansi16).unwrap();
            let styles = [
                t.base, t.muted, t.accent, t.header, t.border, t.selected, t.matched, t.good,
                t.warn, t.bad,
            ];
            for colour in styles.iter().flat_map(|s| [s.fg, s.bg]).flatten() {
                assert!(
                    !matches!(colour, Color::Indexed(_) | Color::Rgb(..)),
                    "{name}: {colour:?}"
                );
            }
        }
    }

    #[test]
    fn mono_sends_no_colour() {
        let t = Theme::load("mono", None, ColorDepth::TrueColor).unwrap();
        let styles = [
            t.base, t.muted, t.accent, t.header, t.border, t.selected, t.matched, t.good, t.warn,
            t.bad,
        ];
        for colour in styles.iter().flat_map(|s| [s.fg, s.bg]).flatten() {
            assert_eq!(colour, Color::Reset);
        }
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn a_theme_overrides_only_what_it_names() {
        let t = Theme::from_toml("mine", "accent = \"#ff0000\"", ColorDepth::TrueColor).unwrap();
        let d = Theme::load("default", None, ColorDepth::TrueColor).unwrap();
        assert_eq!(t.accent.fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.base, d.base);
    }

    #[test]
    fn unknown_keys_and_bad_colours_are_named() {
        let err = Theme::from_toml("x", "acent = \"red\"", ColorDepth::TrueColor).unwrap_err();
        assert!(err.to_string().contains("acent"), "{err}");
        let err = Theme::from_toml("x", "accent = \"#12\"", ColorDepth::TrueColor).unwrap_err();
        assert!(err.to_string().contains("accent"), "{err}");
    }

    #[test]
    fn colours_fit_the_terminal() {
        assert_eq!(
            parse_color("#ff0000", ColorDepth::Indexed256),
            Ok(Color::Indexed(196))
        );
        assert_eq!(
            parse_color("#808080", ColorDepth::Indexed256),
            Ok(Color::Indexed(244))
        );
        assert_eq!(
            parse_color("#ff0000", ColorDepth::TrueColor),
            Ok(Color::Rgb(255, 0, 0))
        );
        assert_eq!(parse_color("#ff0000", ColorDepth::None), Ok(Color::Reset));
        assert_eq!(
            parse_color("#ff0000", ColorDepth::Ansi16),
            Ok(Color::LightRed)
        );
        assert_eq!(parse_color("244", ColorDepth::Ansi16), Ok(Color::DarkGray));
        assert_eq!(parse_color("4", ColorDepth::Ansi16), Ok(Color::Blue));
        let mono = Theme::load("default", None, ColorDepth::None).unwrap();
        assert!(mono.selected.add_modifier.contains(Modifier::REVERSED));
    }
}
