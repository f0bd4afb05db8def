use super::FieldId;
use serde::{Deserialize, Serialize};

/// A saved filter: a pane, its text filter and whether only "my" records show. From config.toml,
/// or saved in the app (then kept in the database, per person, so it follows them over SSH).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub name: String,
    #[serde(default)]
    pub pane: Option<String>,
    #[serde(default)]
    pub filter: Option<String>,
    #[serde(default)]
    pub mine: bool,
}

/// Longest name a saved view takes.
pub const MAX_VIEW_NAME: usize = 40;

impl View {
    pub fn validate(&self) -> Result<(), super::ValidationError> {
        super::validate::require_text(FieldId::Name, &self.name)?;
        if self.name.chars().count() > MAX_VIEW_NAME || self.name.chars().any(char::is_control) {
            return Err(super::ValidationError::new(
                FieldId::Name,
                format!("a view's name is up to {MAX_VIEW_NAME} plain characters"),
            ));
        }
        Ok(())
    }
}
