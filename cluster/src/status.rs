//! What a running node says of itself: `errand cluster status` asks for
//! `GET /v1/cluster` and prints one line per node; `errand tree --url`
//! asks for `GET /v1/tree` and draws it (or prints the JSON).

use anyhow::Context;
use errand_actors::supervisor::TreeNode;
use serde_json::Value;

pub async fn print(url: &str, token: Option<&str>, json: bool) -> anyhow::Result<()> {
    let body = get(url, "/v1/cluster", token).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&body)?);
    } else {
        print!("{}", render(&body));
    }
    Ok(())
}

/// Draws a running node's supervision tree.
pub async fn print_tree(url: &str, token: Option<&str>, json: bool) -> anyhow::Result<()> {
    let body = get(url, "/v1/tree", token).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&body)?);
    } else {
        let tree: TreeNode =
            serde_json::from_value(body).context("the node's /v1/tree is not a tree")?;
        print!("{}", tree.draw());
    }
    Ok(())
}

/// `GET path` on the node at `url`, as JSON; an error status is an error.
async fn get(url: &str, path: &str, token: Option<&str>) -> anyhow::Result<Value> {
    let endpoint = format!("{}{path}", url.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()?;
    let mut request = client.get(&endpoint);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("cannot reach {endpoint}"))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .with_context(|| format!("{endpoint} did not answer JSON"))?;
    if !status.is_success() {
        anyhow::bail!("{endpoint} answered {status}: {body}");
    }
    Ok(body)
}

/// One line per node: name, roles, health, heartbeat age, addresses.
pub fn render(body: &Value) -> String {
    let mut out = format!(
        "{:<16} {:<46} {:<8} {:>10}  {}\n",
        "NODE", "ROLES", "HEALTH", "HEARTBEAT", "ADDRESS"
    );
    for node in body["nodes"].as_array().into_iter().flatten() {
        let roles: Vec<&str> = node["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let heartbeat = if node["self"] == true {
            "self".to_owned()
        } else {
            format!(
                "{} ms",
                node["heartbeat_age_ms"].as_u64().unwrap_or_default()
            )
        };
        let mut address = node["cluster_addr"].as_str().unwrap_or_default().to_owned();
        if let Some(http) = node["http"].as_str() {
            address = format!("{address} http://{http}");
        }
        out.push_str(&format!(
            "{:<16} {:<46} {:<8} {:>10}  {}\n",
            node["name"].as_str().unwrap_or("?"),
            roles.join(","),
            node["health"].as_str().unwrap_or("?"),
            heartbeat,
            address.trim(),
        ));
    }
    out
}
