//! `errand trace <trace_id>`: a command's lifecycle as the store has it.

use errand_schemas::CommandState;
use std::fmt::Write;

/// `2026-11-24 09:35:36.926Z` for milliseconds since the epoch (UTC).
pub fn format_ms(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// The human-readable lifecycle of one command.
pub fn render(state: &CommandState) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "trace    {}", state.trace_id);
    let _ = writeln!(out, "session  {}  user {}", state.session_id, state.user_id);
    let _ = writeln!(
        out,
        "status   {}{}{}",
        state.status,
        state
            .domain
            .as_ref()
            .map(|d| format!("  domain {d}"))
            .unwrap_or_default(),
        state
            .intent
            .as_ref()
            .map(|i| format!("  intent {i}"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "history");
    for entry in &state.history {
        let _ = writeln!(out, "  {}  {}", format_ms(entry.at_ms), entry.status);
    }
    if let Some(result) = &state.result {
        let _ = writeln!(
            out,
            "result   {}",
            String::from_utf8(errand_schemas::codec::to_json(result)).unwrap_or_default()
        );
    }
    if let Some(error) = &state.error {
        let _ = writeln!(out, "error    {}: {}", error.code, error.message);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc() {
        assert_eq!(format_ms(0), "1970-01-01 00:00:00.000Z");
        assert_eq!(format_ms(1_795_944_936_926), "2026-11-29 09:35:36.926Z");
        assert_eq!(format_ms(951_782_400_000), "2000-02-29 00:00:00.000Z");
    }
}
