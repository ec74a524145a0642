//! Where each setting's value comes from: its flag, else its variable in
//! the environment, else the TOML file, else its default. clap reads the
//! flags; the environment is read here, through a lookup (tests pass their
//! own), so that every bad value, wherever it came from, is an error naming
//! its variable.

use super::{Settings, values};
use crate::config::ConfigError;
use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Command, FromArgMatches};
use secrecy::SecretString;
use std::path::Path;

/// The settings given as flags, as clap matched them (still text: they are
/// checked with the rest by [`Settings::load`]).
#[derive(Clone, Default)]
pub struct Flags(ArgMatches);

impl Flags {
    /// Flags from `args`, e.g. `["--roles", "gateway"]`.
    pub fn parse<I: IntoIterator<Item = T>, T: Into<std::ffi::OsString> + Clone>(
        args: I,
    ) -> Result<Self, clap::Error> {
        let command = each_setting(Settings::command(), &flags_only);
        command.try_get_matches_from(args).map(Flags)
    }

    /// Whether the setting `id` (its field's name) was given as a flag.
    pub fn given(&self, id: &str) -> bool {
        self.values(id).is_some()
    }

    /// The values given for the setting `id`, empty ones left out.
    fn values(&self, id: &str) -> Option<Vec<String>> {
        if !self.0.ids().any(|i| i == id)
            || self.0.value_source(id) != Some(ValueSource::CommandLine)
        {
            return None;
        }
        let values: Vec<String> = (self.0.get_raw(id)?)
            .map(|v| v.to_string_lossy().into_owned())
            .filter(|v| !v.is_empty())
            .collect();
        (!values.is_empty()).then_some(values)
    }
}

impl FromArgMatches for Flags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(Flags(matches.clone()))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0 = matches.clone();
        Ok(())
    }
}

/// A command that flattens `Flags` gets every setting as a flag.
impl clap::Args for Flags {
    fn augment_args(command: Command) -> Command {
        Settings::augment_args(command)
    }

    fn augment_args_for_update(command: Command) -> Command {
        Settings::augment_args_for_update(command)
    }
}

/// Parses the command line of a program whose commands flatten [`Flags`]:
/// their settings' variables are left for [`Settings::load`] to read, and
/// help shows each one's name.
pub fn parse_command_line<P: clap::Parser>() -> P {
    let for_help = each_setting(P::command(), &|arg| arg.hide_env_values(true));
    let matches = each_setting(for_help.clone(), &flags_only)
        .try_get_matches()
        // Help and the version are not errors: shown from `for_help`.
        .or_else(|e| {
            if e.use_stderr() {
                Err(e)
            } else {
                for_help.try_get_matches()
            }
        })
        .and_then(|matches| P::from_arg_matches(&matches));
    matches.unwrap_or_else(|e| e.exit())
}

/// `command` and its subcommands with `change` made to every setting they
/// flatten.
fn each_setting(command: Command, change: &dyn Fn(Arg) -> Arg) -> Command {
    fn apply(command: Command, ids: &[String], change: &dyn Fn(Arg) -> Arg) -> Command {
        let group = <Settings as clap::Args>::group_id();
        let flattens = command
            .get_groups()
            .any(|g| Some(g.get_id()) == group.as_ref());
        let command = command.mut_args(|arg| {
            if flattens && ids.iter().any(|id| id == arg.get_id()) {
                change(arg)
            } else {
                arg
            }
        });
        command.mut_subcommands(|sub| apply(sub, ids, change))
    }
    let ids: Vec<String> = (Settings::command().get_arguments())
        .map(|a| a.get_id().to_string())
        .collect();
    apply(command, &ids, change)
}

/// A setting as a flag: its text, the environment unread.
fn flags_only(arg: Arg) -> Arg {
    arg.env(None)
        .value_parser(clap::builder::OsStringValueParser::new())
}

/// The environment errand runs in (an empty variable is unset).
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Each setting's values from the highest layer that has one, checked, and
/// matched by clap.
pub(super) fn matches(
    flags: &Flags,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ArgMatches, ConfigError> {
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    let path = (flags.values("config").and_then(|v| v.into_iter().next()))
        .or_else(|| env("ERRAND_CONFIG"));
    let file = match path {
        Some(path) => read_file(Path::new(&path))?,
        None => Vec::new(),
    };
    let in_file = |name: &str| {
        file.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let command = Settings::command();
    let mut args = Vec::new();
    for arg in command.get_arguments() {
        let (Some(long), Some(name)) = (arg.get_long(), variable(arg)) else {
            continue;
        };
        let values = match flags.values(arg.get_id().as_str()) {
            Some(values) => values,
            None => match env(name).or_else(|| in_file(name)) {
                Some(value) => vec![value],
                None => continue,
            },
        };
        for value in values {
            let flag = format!("--{long}={value}");
            check(arg, name, &value, &flag)?;
            args.push(flag);
        }
    }
    let command = command.mut_args(|arg| arg.env(None));
    command.try_get_matches_from(args).map_err(unexpected)
}

/// The typed settings from their matches.
pub(super) fn settings(matches: &ArgMatches) -> Result<Settings, ConfigError> {
    Settings::from_arg_matches(matches).map_err(unexpected)
}

/// An error clap finds once every value is checked (none should be left).
fn unexpected(e: clap::Error) -> ConfigError {
    let arg = e.get(clap::error::ContextKind::InvalidArg);
    let name = arg.map_or_else(|| "the settings".to_owned(), ToString::to_string);
    ConfigError::invalid(&name, "***", e.kind())
}

/// `value` of `arg` as its value parser takes it, or an error naming the
/// variable, the value masked.
fn check(arg: &Arg, name: &str, value: &str, flag: &str) -> Result<(), ConfigError> {
    let one = Command::new("check")
        .no_binary_name(true)
        .disable_help_flag(true)
        .arg(arg.clone().env(None));
    one.try_get_matches_from([flag]).map(drop).map_err(|e| {
        let shown = if secret(arg) {
            "***".to_owned()
        } else {
            values::masked(value)
        };
        let why =
            std::error::Error::source(&e).map_or_else(|| e.kind().to_string(), |s| s.to_string());
        ConfigError::invalid(name, shown, why)
    })
}

/// A setting's variable, e.g. `ERRAND_LISTEN`.
pub(super) fn variable(arg: &Arg) -> Option<&str> {
    arg.get_env().and_then(|name| name.to_str())
}

/// Whether a setting is a secret (read into a [`SecretString`]).
pub(super) fn secret(arg: &Arg) -> bool {
    arg.get_value_parser().type_id() == std::any::TypeId::of::<SecretString>()
}

/// Reads a TOML file of settings into variable names: `listen = "..."` is
/// `ERRAND_LISTEN`, `[cluster] seeds = [...]` is `ERRAND_CLUSTER_SEEDS`
/// (lists join with commas). A key that names no setting is an error.
pub fn read_file(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let invalid = |why: String| ConfigError::invalid("ERRAND_CONFIG", path.display(), why);
    let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| invalid(e.to_string()))?;
    let command = Settings::command();
    let known: Vec<&str> = command
        .get_arguments()
        .filter_map(variable)
        .filter(|name| *name != "ERRAND_CONFIG")
        .collect();
    let mut out = Vec::new();
    flatten("ERRAND", &table, &known, &mut out).map_err(invalid)?;
    Ok(out)
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    known: &[&str],
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    for (key, value) in table {
        let name = format!("{prefix}_{}", key.to_uppercase().replace('-', "_"));
        let text = match value {
            toml::Value::Table(inner) => {
                flatten(&name, inner, known, out)?;
                continue;
            }
            toml::Value::Array(items) => items
                .iter()
                .map(|i| scalar(i).ok_or_else(|| format!("{key:?}: a list of plain values")))
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            other => scalar(other).ok_or_else(|| format!("{key:?}: not a plain value"))?,
        };
        if !known.contains(&name.as_str()) {
            return Err(format!("{key:?} is not a setting (errand env lists them)"));
        }
        out.push((name, text));
    }
    Ok(())
}

fn scalar(value: &toml::Value) -> Option<String> {
    Some(match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(_) | toml::Value::Table(_) => return None,
    })
}
