//! Starting a bundle binary the way Temps does — Gen B handshake, launch config on stdin, an empty environment
//! (newest hosts clear it) — through the dev host library, and the headers the Temps proxy adds to each request.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use http::{HeaderMap, HeaderName, HeaderValue};
use temps_bundle_devhost::{Caller, Generation, RunningPlugin, SpawnOptions};
use temps_bundle_protocol::headers;

/// Which process to start: the binary, the installed name (basename of its data dir) and, for split mode, the member.
#[derive(Debug, Clone)]
pub struct Launch {
    pub label: String,
    pub bin: std::path::PathBuf,
    pub installed_name: String,
    pub member: Option<String>,
    /// Gen B unless [`Launch::gen_a`] said otherwise.
    pub generation: Generation,
}

impl Launch {
    /// The whole bundle, installed under its own name.
    pub fn composite(label: &str, bin: &Path) -> Self {
        Self {
            label: label.to_owned(),
            bin: bin.to_owned(),
            installed_name: "temps-bundle".to_owned(),
            member: None,
            generation: Generation::B,
        }
    }

    /// The same process started by a Gen A host (`--auth-secret` in argv, no launch config, no identities).
    pub fn gen_a(self) -> Self {
        Self { generation: Generation::A, ..self }
    }

    /// One member alone (`--member <m>`, installed under the member's name).
    pub fn split(bin: &Path, member: &str) -> Self {
        Self {
            label: format!("split {member}"),
            bin: bin.to_owned(),
            installed_name: member.to_owned(),
            member: Some(member.to_owned()),
            generation: Generation::B,
        }
    }

    /// Spawn options as Temps would use them; `channel` says whether the platform channel is opened after `ready`.
    pub fn options(&self, channel: bool) -> SpawnOptions {
        let options = SpawnOptions::new(&self.bin, self.generation)
            .plugin_name(&self.installed_name)
            .clear_env(true)
            .connect_channel(channel)
            .handshake_timeout(Duration::from_secs(30));
        match &self.member {
            Some(member) => options.arg("--member").arg(member.as_str()),
            None => options,
        }
    }

    /// Spawns and completes the handshake and the channel; returns the plugin and how long it took.
    pub async fn start(&self) -> anyhow::Result<(RunningPlugin, Duration)> {
        let started = Instant::now();
        let plugin = RunningPlugin::spawn(self.options(true))
            .await
            .with_context(|| format!("starting {} ({})", self.label, self.bin.display()))?;
        Ok((plugin, started.elapsed()))
    }
}

/// The process id of a running plugin.
pub fn pid(plugin: &RunningPlugin) -> anyhow::Result<u32> {
    plugin.pid().context("the plugin process has already exited")
}

/// What the proxy of `plugin`'s host adds to a request from a signed-in admin: [`proxy_headers`] in Gen B; in Gen A
/// only the plugin name and request id (Gen A proxies send no signature and no identity).
pub fn host_headers(plugin: &RunningPlugin) -> anyhow::Result<HeaderMap> {
    let mut map = proxy_headers(plugin.plugin_name(), plugin.secret())?;
    if plugin.generation() == Generation::A {
        for name in [
            headers::AUTH_SIGNATURE,
            headers::USER_ROLE,
            headers::USER_PERMISSIONS,
            headers::USER_ID,
            headers::USER_EMAIL,
        ] {
            map.remove(name);
        }
    }
    Ok(map)
}

/// What the Temps proxy (Gen B) adds to a request from a signed-in admin: plugin name, request id, the per-process
/// secret and the caller's identity. The request id is fixed here (Temps sends a fresh UUID; the plugin only logs it),
/// so the load generator spends no time making UUIDs.
pub fn proxy_headers(installed_name: &str, secret: &str) -> anyhow::Result<HeaderMap> {
    let Caller::User { id, email, role, permissions } = Caller::admin() else {
        anyhow::bail!("the dev host's admin caller is not a user");
    };
    let pairs = [
        (headers::PLUGIN, installed_name.to_owned()),
        (headers::REQUEST_ID, "00000000-0000-4000-8000-000000000000".to_owned()),
        (headers::AUTH_SIGNATURE, secret.to_owned()),
        (headers::USER_ROLE, role),
        (headers::USER_PERMISSIONS, permissions.join(",")),
        (headers::USER_ID, id.to_string()),
        (headers::USER_EMAIL, email),
    ];
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let value = HeaderValue::try_from(value).with_context(|| format!("header {name} has an invalid value"))?;
        map.insert(HeaderName::from_static(name), value);
    }
    Ok(map)
}
