//! `config.toml` in the user's config folder: the theme, who "me" is, and saved views.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub theme: Option<String>,
    /// Whose records "mine" shows, and whose name goes on what this user writes, when it is not
    /// their login name (`--as` overrides it).
    pub me: Option<String>,
    /// Named filters, kept across sessions.
    #[serde(default)]
    pub views: Vec<View>,
}

pub use crate::domain::View;

/// The user's config folder, if the system has one.
pub fn dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "rapport").map(|d| d.config_dir().to_path_buf())
}

impl Config {
    /// The config in `dir`, or the defaults when there is no file. A file that does not parse is
    /// an error naming it, not silently ignored.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Config> {
        let Some(path) = dir.map(|d| d.join("config.toml")).filter(|p| p.exists()) else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(&path)?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))
    }
}

/// Who "me" is: `--as`, else the config's `me`, else the login name.
pub fn me(as_name: Option<&str>) -> anyhow::Result<String> {
    if let Some(name) = as_name {
        return Ok(name.to_string());
    }
    if let Some(me) = Config::load(dir().as_deref())?.me {
        return Ok(me);
    }
    Ok(crate::ops::Actor::local().name)
}
