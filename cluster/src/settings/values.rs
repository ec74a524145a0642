//! How one setting's text becomes its value: clap value parsers whose
//! errors say what was expected (the loader names the variable).

use crate::roles::Role;
use secrecy::SecretString;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::str::FromStr;

/// A value parser: text to `T`, or why not.
pub trait Parse<T>: Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {}
impl<T, F: Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static> Parse<T> for F {}

/// A number (`why` says which kind when it is not one).
pub fn number<T: FromStr + Clone + Send + Sync + 'static>(why: &'static str) -> impl Parse<T> {
    move |s| s.trim().parse().map_err(|_| why.to_owned())
}

/// A number of at least `min`.
pub fn at_least<T: FromStr + PartialOrd + Copy + Send + Sync + 'static>(
    min: T,
    why: &'static str,
) -> impl Parse<T> {
    move |s| match s.trim().parse() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(why.to_owned()),
    }
}

/// Retries of a model call: 0 to 10.
pub fn retries(s: &str) -> Result<u32, String> {
    match number::<u32>("expected a whole number")(s)? {
        n if n > 10 => Err("expected at most 10".into()),
        n => Ok(n),
    }
}

/// `HOST:PORT` with an IP address.
pub fn address(s: &str) -> Result<SocketAddr, String> {
    s.trim()
        .parse()
        .map_err(|_| "expected HOST:PORT, e.g. 127.0.0.1:8080".into())
}

/// Where a node listens for peers: an IP address and a fixed port.
pub fn peer_address(s: &str) -> Result<SocketAddr, String> {
    match s.trim().parse::<SocketAddr>() {
        Err(_) => Err("expected HOST:PORT with an IP address, e.g. 127.0.0.1:7001".into()),
        Ok(a) if a.port() == 0 => {
            Err("give a fixed port: peers must be able to find this node again".into())
        }
        Ok(a) => Ok(a),
    }
}

/// `HOST:PORT` of a peer (a name or an address); empty is no peer.
pub fn seed(s: &str) -> Result<String, String> {
    let s = s.trim();
    let valid = s.is_empty()
        || s.rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
    valid
        .then(|| s.to_owned())
        .ok_or("expected HOST:PORT".into())
}

/// Redis URLs, comma-separated: `redis://` or `rediss://`.
pub fn redis_url(s: &str) -> Result<Url, String> {
    let valid = s
        .split(',')
        .map(str::trim)
        .all(|one| one.starts_with("redis://") || one.starts_with("rediss://"));
    valid
        .then(|| Url(s.to_owned()))
        .ok_or("expected redis://HOST:PORT or rediss://HOST:PORT".into())
}

/// An `http(s)://` API base (trailing `/` dropped); `example` shows one.
pub fn http_url(example: &'static str) -> impl Parse<Url> {
    move |s| {
        let url = s.trim().trim_end_matches('/');
        if url.starts_with("http://") || url.starts_with("https://") {
            Ok(Url(url.to_owned()))
        } else {
            Err(format!(
                "expected http(s)://host[:port]/path, e.g. {example}"
            ))
        }
    }
}

/// `domain=http(s)://host:port`; empty is none.
pub fn http_agent(s: &str) -> Result<String, String> {
    let s = s.trim();
    let valid = s.is_empty()
        || s.split_once('=').is_some_and(|(domain, url)| {
            !domain.trim().is_empty()
                && (url.trim().starts_with("http://") || url.trim().starts_with("https://"))
        });
    valid
        .then(|| s.to_owned())
        .ok_or("expected domain=http(s)://host:port pairs separated by commas".into())
}

/// One item of a list, trimmed (empty items are dropped later).
pub fn item(s: &str) -> Result<String, String> {
    Ok(s.trim().to_owned())
}

/// `gateway,agents` to roles.
pub fn roles(list: &str) -> Result<BTreeSet<Role>, String> {
    let mut roles = BTreeSet::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        roles.insert(Role::parse(name).ok_or_else(|| {
            format!(
                "unknown role {name:?}; the roles are {}",
                Role::ALL.map(Role::as_str).join(", ")
            )
        })?);
    }
    if roles.is_empty() {
        return Err("give at least one role".into());
    }
    Ok(roles)
}

/// An IANA time zone errand knows.
pub fn time_zone(s: &str) -> Result<String, String> {
    let name = s.trim();
    errand_actors::reading::Reading::time_zone(name)?;
    Ok(name.to_owned())
}

/// `offline` or `decline`.
pub fn fallback(s: &str) -> Result<errand_actors::llm::Fallback, String> {
    errand_actors::llm::Fallback::parse(s).ok_or("expected offline or decline".into())
}

/// Static bearer tokens, `token:subject` pairs.
pub fn tokens(s: &str) -> Result<SecretString, String> {
    errand_gateway::auth::Auth::parse_tokens(s)?;
    Ok(s.into())
}

/// The HMAC secret of JWTs: 16 bytes or more.
pub fn jwt_secret(s: &str) -> Result<SecretString, String> {
    if s.len() < 16 {
        return Err("use at least 16 bytes".into());
    }
    Ok(s.into())
}

/// A URL that may carry a user and password: shown and debugged without them.
#[derive(Clone, PartialEq, Eq)]
pub struct Url(pub String);

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&masked(&self.0))
    }
}

/// `text` with the user and password of every URL in it (comma-separated) as `***`.
pub fn masked(text: &str) -> String {
    let one = |url: &str| match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    };
    text.split(',').map(one).collect::<Vec<_>>().join(",")
}
