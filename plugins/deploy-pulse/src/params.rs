//! Query and path parameters of the API, parsed by hand so that a bad value answers a 400 problem naming the
//! parameter (axum's own rejection is plain text).

use std::collections::HashMap;

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use temps_bundle_sdk::Problem;
use temps_bundle_store::timestamp;

use crate::metrics::Window;

/// The windows the metrics offer, in days.
pub const WINDOWS: [u32; 3] = [7, 30, 90];
/// The default window.
pub const DEFAULT_WINDOW: u32 = 30;
/// `GET /projects/{id}/deployments`: the default and largest page.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

pub type Params = HashMap<String, String>;

/// The query string as a map, or a 400 problem when it cannot be decoded at all.
pub fn query(extracted: Result<Query<Params>, QueryRejection>) -> Result<Params, Problem> {
    extracted.map(|Query(params)| params).map_err(|rejection| Problem::bad_request(rejection.body_text()))
}

/// `window` (`7d`, `30d`, `90d`; default 30d) ending at `until` (RFC 3339; default now).
pub fn window(params: &Params, now: i64) -> Result<Window, Problem> {
    let days = match params.get("window").map(|v| v.trim()) {
        None | Some("") => DEFAULT_WINDOW,
        Some(value) => value
            .strip_suffix('d')
            .unwrap_or(value)
            .parse::<u32>()
            .ok()
            .filter(|days| WINDOWS.contains(days))
            .ok_or_else(|| bad("window", value, "one of 7d, 30d, 90d"))?,
    };
    let end = match params.get("until").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => now,
        Some(value) => timestamp::parse(value).ok_or_else(|| bad("until", value, "an RFC 3339 timestamp"))?,
    };
    Ok(Window::ending(end, days))
}

/// `limit` (1–200, default 50).
pub fn limit(params: &Params) -> Result<u32, Problem> {
    match params.get("limit").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_LIMIT),
        Some(value) => value
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| bad("limit", value, &format!("an integer from 1 to {MAX_LIMIT}"))),
    }
}

/// `before`: a deployment id; the page holds deployments with smaller ids.
pub fn before(params: &Params) -> Result<Option<i64>, Problem> {
    match params.get("before").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(value) => value
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| bad("before", value, "a deployment id")),
    }
}

/// The `{id}` path parameter: a project id.
pub fn project_id(raw: &str) -> Result<i64, Problem> {
    raw.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        Problem::bad_request(format!("path parameter `id` must be a project id (a positive integer); got {raw:?}"))
    })
}

fn bad(name: &str, value: &str, expected: &str) -> Problem {
    Problem::bad_request(format!("query parameter `{name}` must be {expected}; got {value:?}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn parameters_table() {
        let now = timestamp::parse("2026-03-11T00:00:00Z").unwrap();
        assert_eq!(window(&params(&[]), now).unwrap().days, 30);
        assert_eq!(window(&params(&[("window", "7d")]), now).unwrap().days, 7);
        assert_eq!(window(&params(&[("window", "90")]), now).unwrap().days, 90);
        let until = window(&params(&[("until", "2026-03-01T00:00:00Z")]), now).unwrap();
        assert_eq!(until.end, timestamp::parse("2026-03-01T00:00:00Z").unwrap());
        for (name, value) in [("window", "14d"), ("window", "week"), ("until", "tomorrow")] {
            let problem = window(&params(&[(name, value)]), now).unwrap_err();
            assert_eq!(problem.status, 400);
            assert!(problem.detail.contains(&format!("`{name}`")), "{problem}");
        }
        assert_eq!(limit(&params(&[])).unwrap(), 50);
        assert!(limit(&params(&[("limit", "0")])).unwrap_err().detail.contains("`limit`"));
        assert!(limit(&params(&[("limit", "201")])).is_err());
        assert_eq!(before(&params(&[("before", "12")])).unwrap(), Some(12));
        assert!(before(&params(&[("before", "x")])).unwrap_err().detail.contains("`before`"));
        assert!(project_id("abc").unwrap_err().detail.contains("`id`"));
        assert_eq!(project_id("3").unwrap(), 3);
    }
}
