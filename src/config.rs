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
    /// The country a phone with no country code is read in when its customer has none ("GB",
    /// "United Kingdom"), for matching and `rapport check`.
    pub phone_region: Option<String>,
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
        let config: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
        config
            .phone_region()
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(config)
    }

    /// The phone region the config names, if any; an unknown one is an error.
    pub fn phone_region(&self) -> anyhow::Result<Option<crate::clean::normal::Region>> {
        match self.phone_region.as_deref() {
            None => Ok(None),
            Some(written) => crate::clean::normal::region_of(written).map(Some).ok_or_else(|| {
                anyhow::anyhow!(
                    "phone_region '{}' is no country rapport knows (try a two-letter code such as \"GB\")",
                    crate::text::safe(written)
                )
            }),
        }
    }

    /// Puts the config's process-wide settings in force: the phone region.
    pub fn apply(&self) {
        if let Ok(Some(region)) = self.phone_region() {
            crate::clean::normal::set_default_region(region);
        }
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
