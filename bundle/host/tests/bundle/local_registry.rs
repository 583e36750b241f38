//! A crates registry in a temp folder: Cargo's alternative-registry format, a git index in a local repository
//! and `.crate` files behind `file://` download URLs, so that registry members resolve and build with no network.
//! Cargo finds it as `registry = "local"` through `CARGO_REGISTRIES_LOCAL_INDEX` (see [`LocalRegistry::env`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

/// The registry's name in bundle files.
pub const NAME: &str = "local";

#[derive(Debug)]
pub struct LocalRegistry {
    dir: PathBuf,
    pub index_url: String,
}

impl LocalRegistry {
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.to_path_buf(), index_url: format!("file://{}", dir.join("index").display()) }
    }

    /// The environment that names the registry for Cargo.
    pub fn env(&self) -> (&'static str, &str) {
        ("CARGO_REGISTRIES_LOCAL_INDEX", &self.index_url)
    }

    /// Where to write the sources of `<package>-<version>` before [`LocalRegistry::publish`].
    pub fn source_dir(&self, package: &str, version: &str) -> PathBuf {
        self.dir.join("sources").join(format!("{package}-{version}"))
    }

    /// An index dependency entry; `registry: None` = this registry.
    pub fn dependency(name: &str, req: &str, default_features: bool, registry: Option<&str>) -> Value {
        json!({
            "name": name, "req": req, "features": [], "optional": false, "default_features": default_features,
            "target": null, "kind": "normal", "registry": registry,
        })
    }

    /// Packs the sources into `dl/<package>-<version>.crate` and commits their index entry (`deps` must say what
    /// the sources' `Cargo.toml` says: Cargo resolves from the index).
    pub fn publish(&self, package: &str, version: &str, deps: &[Value]) {
        let dl = self.dir.join("dl");
        std::fs::create_dir_all(&dl).unwrap();
        let crate_file = dl.join(format!("{package}-{version}.crate"));
        let mut tar = Command::new("tar");
        tar.arg("czf").arg(&crate_file).arg("-C").arg(self.dir.join("sources")).arg(format!("{package}-{version}"));
        run(&mut tar);
        let cksum = run(Command::new("sha256sum").arg(&crate_file)).split_whitespace().next().unwrap().to_owned();

        let index = self.dir.join("index");
        // Names of 4+ characters live at `<first two>/<next two>/<name>`.
        let entry = index.join(&package[..2]).join(&package[2..4]).join(package);
        std::fs::create_dir_all(entry.parent().unwrap()).unwrap();
        let line =
            json!({ "name": package, "vers": version, "deps": deps, "cksum": cksum, "features": {}, "yanked": false });
        std::fs::write(&entry, format!("{line}\n")).unwrap();
        let config = json!({ "dl": format!("file://{}/{{crate}}-{{version}}.crate", dl.display()) });
        std::fs::write(index.join("config.json"), config.to_string()).unwrap();
        let git = |args: &[&str]| run(Command::new("git").args(args).current_dir(&index));
        git(&["init", "-q"]);
        git(&["add", "."]);
        git(&["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", package]);
    }
}

fn run(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{command:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}
