//! robots.txt: fetched once per crawl and applied as RFC 9309 says (through the `robotxt` parser).

use robotxt::{AccessResult, Robots};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::fetch::{Fetcher, read_capped};

/// The product token matched against `User-agent:` lines (the full user agent is `temps-bundle/<v> (+member m)`).
pub const ROBOTS_AGENT: &str = "temps-bundle";
/// RFC 9309 lets crawlers stop parsing after 500 KiB.
const MAX_ROBOTS_BYTES: u64 = 500 * 1024;

/// How robots.txt was found; the rules applied follow from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RobotsStatus {
    /// The file was read and its rules applied.
    Applied { url: String, sitemaps: Vec<String> },
    /// 4xx (or too many redirects): everything may be crawled.
    Missing { url: String, status: Option<u16> },
    /// 5xx or a network error: nothing may be crawled (RFC 9309 §2.3.1.4), the start page included.
    Unreachable { url: String, error: String },
    /// The crawl was told to ignore robots.txt.
    Ignored,
}

/// The rules of one crawl.
#[derive(Debug)]
pub struct RobotsRules {
    robots: Robots,
    pub status: RobotsStatus,
}

impl RobotsRules {
    /// Rules that allow everything, for crawls that ignore robots.txt.
    pub fn ignored() -> Self {
        Self { robots: Robots::allow_all(), status: RobotsStatus::Ignored }
    }

    pub fn allows(&self, url: &Url) -> bool {
        self.robots.is_url_allowed(url)
    }

    /// The `Sitemap:` lines of the file.
    pub fn sitemaps(&self) -> Vec<Url> {
        self.robots.sitemaps().to_vec()
    }

    /// Fetches `<origin>/robots.txt` (redirects followed up to the fetcher's limit).
    pub(crate) async fn fetch(fetcher: &Fetcher, origin: &Url) -> Self {
        let mut url = origin.clone();
        url.set_path("/robots.txt");
        url.set_query(None);
        let shown = url.to_string();
        let (access, status) = match fetcher.get_following(&url).await {
            Ok(mut response) if response.status.is_success() => {
                match read_capped(&mut response, MAX_ROBOTS_BYTES).await {
                    Ok((body, _)) => {
                        let robots = Robots::parse(&body, ROBOTS_AGENT);
                        let sitemaps = robots.sitemaps().iter().map(Url::to_string).collect();
                        return Self { robots, status: RobotsStatus::Applied { url: shown, sitemaps } };
                    }
                    Err(error) => {
                        (AccessResult::Unreachable, RobotsStatus::Unreachable { url: shown, error: error.to_string() })
                    }
                }
            }
            Ok(response) if response.status.is_server_error() => {
                let error = format!("answered {}", response.status);
                (AccessResult::Unreachable, RobotsStatus::Unreachable { url: shown, error })
            }
            Ok(response) => {
                let status = Some(response.status.as_u16());
                (AccessResult::Unavailable, RobotsStatus::Missing { url: shown, status })
            }
            Err(error) if error.too_many_redirects() => {
                (AccessResult::TooManyRedirects, RobotsStatus::Missing { url: shown, status: None })
            }
            Err(error) => {
                (AccessResult::Unreachable, RobotsStatus::Unreachable { url: shown, error: error.to_string() })
            }
        };
        Self { robots: Robots::from_access(access, ROBOTS_AGENT), status }
    }
}
