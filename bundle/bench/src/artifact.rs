//! Section 5, artifact: the size of the composite binary and, when `--standalone` built them, of each member built
//! alone (`--no-default-features --features <m>`) and their sum.

use std::path::Path;

use anyhow::Context;

use crate::bins::Binaries;
use crate::report::{Row, mib, ratio};

/// Binary sizes in bytes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ArtifactResult {
    pub composite_bytes: u64,
    /// `(member, bytes)`; empty without `--standalone`.
    pub standalone_bytes: Vec<(String, u64)>,
}

pub fn measure(bins: &Binaries) -> anyhow::Result<ArtifactResult> {
    let mut standalone_bytes = Vec::new();
    for (member, path) in &bins.standalone {
        standalone_bytes.push((member.clone(), size(path)?));
    }
    Ok(ArtifactResult { composite_bytes: size(&bins.composite)?, standalone_bytes })
}

impl ArtifactResult {
    pub fn rows(&self) -> Vec<Row> {
        let composite = mib(self.composite_bytes);
        if self.standalone_bytes.is_empty() {
            return vec![Row::plain(
                "5",
                "binary size: composite (standalone builds: run with --standalone)",
                composite,
            )];
        }
        let mut rows = Vec::new();
        for (member, bytes) in &self.standalone_bytes {
            rows.push(Row::plain("5", format!("binary size: {member} built alone"), mib(*bytes)));
        }
        let sum: u64 = self.standalone_bytes.iter().map(|(_, b)| b).sum();
        rows.push(Row::versus(
            "5",
            format!("binary size: composite vs {} standalone build(s), summed", self.standalone_bytes.len()),
            composite,
            mib(sum),
            ratio(self.composite_bytes as f64, sum as f64),
        ));
        rows
    }
}

fn size(path: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len())
}
