//! `errand env` and `errand config show`, generated from [`Settings`].

use super::load::{self, Flags, secret, variable};
use super::{Settings, values};
use crate::config::{Config, ConfigError};
use clap::{Arg, ArgAction};

/// Every variable errand reads: its name, its default (or what leaving it
/// unset means) and its meaning.
pub fn variables() -> Vec<(String, String, String)> {
    let command = Settings::command();
    let listed = command.get_arguments().filter_map(|arg| {
        let name = variable(arg)?.to_owned();
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        // An optional setting ends its meaning with what unset means.
        let (meaning, unset) = match help.rsplit_once(" [default: ") {
            Some((meaning, unset)) => (meaning, unset.trim_end_matches(']')),
            None => (help.as_str(), ""),
        };
        let default = match arg.get_default_values() {
            [] => unset.to_owned(),
            values => (values.iter())
                .map(|v| v.to_string_lossy())
                .collect::<Vec<_>>()
                .join(","),
        };
        Some((name, default, meaning.to_owned()))
    });
    listed.collect()
}

/// The effective settings as JSON, keyed as in the TOML file, secrets as
/// `***`; an error if a node could not start with them.
pub fn show(
    flags: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<serde_json::Value, ConfigError> {
    let matches = load::matches(flags, env)?;
    Config::try_from(load::settings(&matches)?)?;
    let command = Settings::command();
    let shown = command.get_arguments().filter_map(|arg| {
        let key = variable(arg)?.trim_start_matches("ERRAND_").to_lowercase();
        let text = |v: &std::ffi::OsStr| {
            if secret(arg) {
                "***".to_owned()
            } else {
                values::masked(&v.to_string_lossy())
            }
        };
        let given: Vec<String> = (matches.get_raw(arg.get_id().as_str()))
            .map(|raw| raw.map(text).collect())
            .unwrap_or_default();
        let value = match given.as_slice() {
            [] => serde_json::Value::Null,
            _ if listed(arg) => given.into(),
            _ => json(arg, given.join(",")),
        };
        Some((key, value))
    });
    Ok(serde_json::Value::Object(shown.collect()))
}

/// Whether a setting is a list (a flag given again adds to it).
fn listed(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Append)
}

/// One value as JSON: a number when the setting is one.
fn json(arg: &Arg, text: String) -> serde_json::Value {
    use std::any::TypeId;
    let parsed = arg.get_value_parser().type_id();
    let numbers = [
        TypeId::of::<u32>(),
        TypeId::of::<u64>(),
        TypeId::of::<usize>(),
        TypeId::of::<i32>(),
        TypeId::of::<i64>(),
        TypeId::of::<f64>(),
    ];
    match text.parse::<serde_json::Number>() {
        Ok(number) if numbers.iter().any(|n| parsed == *n) => number.into(),
        _ => text.into(),
    }
}
