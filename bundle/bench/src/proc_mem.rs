//! A process's memory as Linux reports it: `VmRSS` from `/proc/<pid>/status` and `Pss` from
//! `/proc/<pid>/smaps_rollup` (shared pages divided among the processes sharing them, so N processes add up fairly).

use anyhow::{Context, bail};

/// Resident memory of one process, in bytes.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Memory {
    pub rss: u64,
    /// `None` where the kernel has no `smaps_rollup` (before 4.14) or hides it.
    pub pss: Option<u64>,
    /// The part of `rss` that is anonymous memory (heap, stacks: the process's own data), from `RssAnon`.
    pub anon: u64,
    /// The part of `rss` backed by files (the binary's code and read-only data, shared libraries), from `RssFile`.
    pub file: u64,
}

impl Memory {
    /// Reads both figures for `pid`.
    pub fn of(pid: u32) -> anyhow::Result<Self> {
        let status_path = format!("/proc/{pid}/status");
        let status = std::fs::read_to_string(&status_path).with_context(|| format!("reading {status_path}"))?;
        let Some(rss) = kib_field(&status, "VmRSS:") else { bail!("{status_path} has no VmRSS line") };
        let pss = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok().and_then(|t| kib_field(&t, "Pss:"));
        let anon = kib_field(&status, "RssAnon:").unwrap_or_default();
        let file = kib_field(&status, "RssFile:").unwrap_or_default();
        Ok(Self { rss, pss, anon, file })
    }

    /// The sum over several processes (`pss` only when every process has one).
    pub fn sum(all: &[Memory]) -> Memory {
        Memory {
            rss: all.iter().map(|m| m.rss).sum(),
            pss: all.iter().map(|m| m.pss).sum::<Option<u64>>(),
            anon: all.iter().map(|m| m.anon).sum(),
            file: all.iter().map(|m| m.file).sum(),
        }
    }

    /// The mean over several processes, or over several readings of one.
    pub fn mean(all: &[Memory]) -> Memory {
        let n = all.len().max(1) as u64;
        let sum = Memory::sum(all);
        Memory { rss: sum.rss / n, pss: sum.pss.map(|p| p / n), anon: sum.anon / n, file: sum.file / n }
    }
}

/// The value of a `Name:   1234 kB` line, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line.trim_start_matches(name).split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kib_fields_as_bytes() {
        let status = "Name:\tx\nVmHWM:\t  9000 kB\nVmRSS:\t    8192 kB\n";
        assert_eq!(kib_field(status, "VmRSS:"), Some(8 * 1024 * 1024));
        assert_eq!(kib_field(status, "Pss:"), None);
    }

    #[test]
    fn this_process_has_a_resident_size() {
        let memory = Memory::of(std::process::id()).unwrap();
        assert!(memory.rss > 0);
    }
}
