//! The commented template that `wfsim init` writes: a small scenario that
//! validates and runs as is, and shows every table of the format.

/// The template's text.
pub const TEMPLATE: &str = include_str!("../../scenarios/template.toml");
