//! The settings as a node reads them: names, defaults, precedence,
//! validation, secrets kept out of what is shown.

use super::{Flags, parse_roles};
use crate::config::{Config, ConfigError};
use crate::roles::Role;
use crate::settings;
use errand_actors::dialogue::ConfirmPolicy;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// The environment `pairs` make.
fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::load(&Flags::default(), env(pairs))
}

fn shown(pairs: &[(&str, &str)]) -> String {
    settings::show(&Flags::default(), &env(pairs))
        .unwrap()
        .to_string()
}

#[test]
fn defaults_and_validation() {
    let c = from(&[]).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert!(c.redis.is_none() && c.kafka.is_none() && c.cluster.is_none());
    assert_eq!(c.roles, Role::ALL.into_iter().collect());
    assert_eq!(c.limits.max_frame_bytes, 65536);
    assert_eq!(c.confirm, ConfirmPolicy::Always);
    let c = from(&[
        ("ERRAND_REDIS_URL", "redis://:pw@localhost:6379"),
        ("ERRAND_REDIS_TIMEOUT_MS", " 250 "),
        ("ERRAND_CONFIRM", "above:1000"),
    ])
    .unwrap();
    assert_eq!(c.redis.unwrap().timeout, Duration::from_millis(250));
    assert_eq!(c.confirm, ConfirmPolicy::Above(1000));
    let e = from(&[("ERRAND_REDIS_URL", "http://:secret@x")]).unwrap_err();
    assert!(e.to_string().contains("ERRAND_REDIS_URL"), "{e}");
    assert!(
        !e.to_string().contains("secret"),
        "secrets never appear in errors"
    );
    for (name, bad) in [
        ("ERRAND_LISTEN", "nowhere"),
        ("ERRAND_SESSION_TTL_SECS", "0"),
        ("ERRAND_KAFKA_PARTITIONS", "0"),
        ("ERRAND_MAX_FRAME_BYTES", "lots"),
        ("ERRAND_CONFIRM", "sometimes"),
        ("ERRAND_TIME_ZONE", "Mars/Olympus"),
        ("ERRAND_RATE_BURST", "0.5"),
        ("ERRAND_HTTP_AGENTS", "food=ftp://x"),
        ("ERRAND_CLUSTER_SEEDS", "nohost"),
        ("ERRAND_CLUSTER_LISTEN", "127.0.0.1:0"),
    ] {
        let e = from(&[("ERRAND_REDIS_URL", "redis://h:1"), (name, bad)]).unwrap_err();
        assert!(e.to_string().contains(name), "{name}: {e}");
    }
    for (name, secret) in [
        ("ERRAND_AUTH_JWT_SECRET", "short-secret"),
        ("ERRAND_AUTH_TOKENS", "tok-secret-without-subject"),
    ] {
        let e = from(&[(name, secret)]).unwrap_err().to_string();
        assert!(e.contains(name) && !e.contains(secret), "{e}");
    }
    let secrets = [
        ("ERRAND_REDIS_URL", "redis://:hunter2@h:1"),
        ("ERRAND_AUTH_TOKENS", "tok-secret:alice"),
        ("ERRAND_AUTH_JWT_SECRET", "jwt-secret-of-16-bytes"),
        ("ERRAND_KAFKA_BROKERS", "k:9092"),
        ("ERRAND_KAFKA_SASL_PASSWORD", "pw-secret"),
        ("ERRAND_STT_URL", "http://127.0.0.1:9/v1"),
        ("ERRAND_STT_API_KEY", "stt-secret"),
    ];
    let shown = shown(&secrets);
    let config = from(&secrets).unwrap();
    let loaded = settings::Settings::load(&Flags::default(), &env(&secrets)).unwrap();
    assert!(config.auth.enabled() && config.stt.is_some());
    for text in [&shown, &format!("{config:?}"), &format!("{loaded:?}")] {
        for secret in [
            "hunter2",
            "tok-secret",
            "jwt-secret",
            "pw-secret",
            "stt-secret",
        ] {
            assert!(!text.contains(secret), "{secret} masked in {text}");
        }
    }
    assert!(shown.contains("k:9092") && shown.contains("\"auth_tokens\":\"***\""));
    assert!(
        shown.contains("\"redis_url\":\"redis://***@h:1\""),
        "{shown}"
    );
}

#[test]
fn a_node_alone_lets_its_fetches_wait_long() {
    let waits = |pairs: &[(&str, &str)]| {
        let mut pairs = pairs.to_vec();
        pairs.push(("ERRAND_KAFKA_BROKERS", "k:9092"));
        let kafka = from(&pairs).unwrap().kafka.unwrap();
        (kafka.fetch_wait_ms, kafka.linger_ms)
    };
    assert_eq!(waits(&[]), (500, 0), "every role, no peers");
    // Records from other processes are waited for: short waits.
    for with_others in [
        ("ERRAND_ROLES", "gateway,reasoner"),
        ("ERRAND_EXTERNAL_DOMAINS", "pharmacy"),
        // Its own records fetched back.
        ("ERRAND_KAFKA_HANDOFF", "false"),
    ] {
        assert_eq!(waits(&[with_others]), (5, 1), "{with_others:?}");
    }
    let set = [
        ("ERRAND_KAFKA_FETCH_WAIT_MS", "50"),
        ("ERRAND_KAFKA_LINGER_MS", "2"),
    ];
    assert_eq!(waits(&set), (50, 2), "what is set wins");
}

#[test]
fn the_llm_reasoner_is_configured_by_its_base_url() {
    assert!(
        from(&[("ERRAND_LLM_API_KEY", "sk-x")])
            .unwrap()
            .llm
            .is_none()
    );
    let pairs = [
        ("ERRAND_LLM_BASE_URL", "http://127.0.0.1:9/v1/"),
        ("ERRAND_LLM_API_KEY", "sk-very-secret"),
        ("ERRAND_LLM_MODEL", "small"),
        ("ERRAND_LLM_TIMEOUT_MS", "2500"),
        ("ERRAND_LLM_RETRIES", "1"),
        ("ERRAND_LLM_FALLBACK", "decline"),
        ("ERRAND_LLM_HISTORY", "3"),
    ];
    let c = from(&pairs).unwrap();
    let llm = c.llm.clone().unwrap();
    assert_eq!(llm.base_url, "http://127.0.0.1:9/v1");
    assert_eq!(llm.api_key.as_deref(), Some("sk-very-secret"));
    assert_eq!(llm.model, "small");
    assert_eq!(llm.timeout, Duration::from_millis(2500));
    assert_eq!((llm.retries, llm.history_turns), (1, 3));
    assert_eq!(llm.fallback, errand_actors::llm::Fallback::Decline);
    let shown = shown(&pairs);
    assert!(!shown.contains("sk-very-secret"), "{shown}");
    assert!(shown.contains("\"llm_api_key\":\"***\""), "{shown}");
    assert!(!format!("{c:?}").contains("sk-very-secret"));
    for bad in [
        ("ERRAND_LLM_BASE_URL", "api.openai.com"),
        ("ERRAND_LLM_FALLBACK", "guess"),
        ("ERRAND_LLM_TIMEOUT_MS", "0"),
        ("ERRAND_LLM_RETRIES", "lots"),
        ("ERRAND_LLM_RETRIES", "11"),
    ] {
        let e = from(&[("ERRAND_LLM_BASE_URL", "http://h/v1"), bad]).unwrap_err();
        assert!(e.to_string().contains(bad.0), "{e}");
    }
}

#[test]
fn a_cluster_node_from_a_toml_file_with_the_environment_winning() {
    let dir = std::env::temp_dir().join(format!("errand-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("node.toml");
    let path = file.display().to_string();
    std::fs::write(
        &file,
        r#"
node_name = "hands"
roles = ["agents", "tracker"]
[cluster]
listen = "127.0.0.1:7003"
seeds = ["127.0.0.1:7001", "127.0.0.1:7002"]
cookie = "a-long-cookie"
[heartbeat]
ms = 250
timeout_ms = 2000
"#,
    )
    .unwrap();
    let load = |flags: &[&str], pairs: &[(&str, &str)]| {
        let mut pairs = pairs.to_vec();
        pairs.push(("ERRAND_CONFIG", &path));
        Config::load(&Flags::parse(flags).unwrap(), env(&pairs))
    };
    let config = load(&[], &[]).unwrap();
    assert_eq!(config.node_name.as_deref(), Some("hands"));
    assert_eq!(
        config.roles,
        [Role::Agents, Role::Tracker].into_iter().collect()
    );
    let cluster = config.cluster.clone().unwrap();
    assert_eq!(cluster.seeds, ["127.0.0.1:7001", "127.0.0.1:7002"]);
    assert_eq!(cluster.heartbeat, Duration::from_millis(250));
    assert_eq!(cluster.cookie, "a-long-cookie");
    assert!(!format!("{config:?}").contains("a-long-cookie"));
    let shown = shown(&[("ERRAND_CONFIG", &path)]);
    assert!(
        !shown.contains("a-long-cookie"),
        "the cookie is masked: {shown}"
    );
    assert!(shown.contains("\"node_name\":\"hands\""), "{shown}");
    // The environment wins over the file, a flag over both; an empty
    // variable is unset.
    let roles = ("ERRAND_ROLES", "gateway");
    let config = load(&[], &[roles, ("ERRAND_NODE_NAME", "")]).unwrap();
    assert_eq!(config.roles, [Role::Gateway].into_iter().collect());
    assert_eq!(config.node_name.as_deref(), Some("hands"));
    let flags = [
        "--roles", "router", "--seed", "a:1", "--seed", "b:2", "--name=n",
    ];
    let config = load(&flags, &[roles]).unwrap();
    assert_eq!(config.roles, [Role::Router].into_iter().collect());
    assert_eq!(config.cluster.unwrap().seeds, ["a:1", "b:2"]);
    assert_eq!(config.node_name.as_deref(), Some("n"));
    let e = load(&["--heartbeat-ms", "2000"], &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("ERRAND_HEARTBEAT_TIMEOUT_MS"), "{e}");
    let e = load(&[], &[("ERRAND_CLUSTER_TLS_KEY", "k.pem")]).unwrap_err();
    assert!(e.to_string().contains("ERRAND_CLUSTER_TLS_CERT"), "{e}");

    for (text, name, word) in [
        ("rolez = [\"agents\"]\n", "ERRAND_CONFIG", "not a setting"),
        (
            "config = \"other.toml\"\n",
            "ERRAND_CONFIG",
            "not a setting",
        ),
        ("roles = [\"chef\"]\n", "ERRAND_ROLES", "chef"),
        (
            "[cluster]\nlisten = \"127.0.0.1:7001\"\n",
            "ERRAND_CLUSTER_COOKIE",
            "cookie",
        ),
    ] {
        std::fs::write(&file, text).unwrap();
        let e = load(&[], &[]).unwrap_err().to_string();
        assert!(e.contains(name) && e.contains(word), "{text}: {e}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_setting_has_a_variable_a_default_and_a_meaning() {
    let listed = settings::variables();
    assert!(listed.len() > 50, "{}", listed.len());
    let mut names = BTreeSet::new();
    for (name, default, meaning) in &listed {
        assert!(
            name.starts_with("ERRAND_") && !name.contains("__"),
            "{name}"
        );
        assert!(names.insert(name.clone()), "{name} twice");
        assert!(!default.is_empty() && !meaning.is_empty(), "{name}");
        assert!(!meaning.contains("[default"), "{name}: {meaning}");
    }
    let line = |n: &str| listed.iter().find(|(name, ..)| name == n).cloned().unwrap();
    assert_eq!(line("ERRAND_REDIS_URL").1, "(unset: in memory)");
    assert_eq!(line("ERRAND_HEARTBEAT_MS").1, "500");
    assert_eq!(parse_roles("gateway, agents").unwrap().len(), 2);
    assert!(parse_roles("").is_err());
}
