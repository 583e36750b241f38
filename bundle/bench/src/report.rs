//! The report: one table (printed, and written as Markdown) plus every raw number as JSON, under the out dir.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;

use crate::machine::Machine;
use crate::profile::Profile;

/// One line of the table. `target` is reported, never asserted: benchmarks measure, tests assert.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub section: &'static str,
    pub what: String,
    pub value: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
}

impl Row {
    /// A measurement without a baseline.
    pub fn plain(section: &'static str, what: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            section,
            what: what.into(),
            value: value.into(),
            baseline: String::new(),
            ratio: String::new(),
            target: String::new(),
        }
    }

    /// A measurement against a baseline of the same run: `ratio = value / baseline`.
    pub fn versus(section: &'static str, what: impl Into<String>, value: String, baseline: String, ratio: f64) -> Self {
        Self { baseline, ratio: times(ratio), ..Self::plain(section, what, value) }
    }

    /// Adds a target line (`≤ 1.30× ✓`).
    pub fn target(mut self, target: Target, measured: f64) -> Self {
        self.target = target.judge(measured);
        self
    }
}

/// A published target: the measured value must stay at most / at least this.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    AtMost(f64, Unit),
    AtLeast(f64, Unit),
}

/// How a target's bound is written.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    Times,
    Millis,
    PerSecond,
    MiB,
}

impl Target {
    fn judge(self, measured: f64) -> String {
        let (sign, bound, unit, met) = match self {
            Target::AtMost(bound, unit) => ("≤", bound, unit, measured <= bound),
            Target::AtLeast(bound, unit) => ("≥", bound, unit, measured >= bound),
        };
        let bound = match unit {
            Unit::Times => times(bound),
            Unit::Millis => format!("{bound:.0} ms"),
            Unit::PerSecond => format!("{bound:.0}/s"),
            Unit::MiB => format!("{bound:.0} MiB"),
        };
        let mark = if measured.is_nan() {
            "?"
        } else if met {
            "✓"
        } else {
            "✗"
        };
        format!("{sign} {bound} {mark}")
    }
}

/// Everything one run produced.
#[derive(Debug)]
pub struct Report {
    pub title: String,
    pub command: String,
    pub machine: Machine,
    pub profile: Profile,
    pub started: String,
    pub rows: Vec<Row>,
    /// Markdown blocks printed after the table (the growth charts).
    pub charts: Vec<String>,
    pub notes: Vec<String>,
    /// Raw results by section, for the JSON file.
    pub raw: serde_json::Map<String, Value>,
}

impl Report {
    /// The Markdown text: header lines, the table, then the notes.
    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut out = format!("### {}\n\n", self.title);
        out += &format!("- command: `{}`\n", self.command);
        out += &format!(
            "- machine: {} cores ({}), Linux {}, load average at start {}\n",
            m.cores, m.cpu_model, m.kernel, m.load_average
        );
        out += &format!(
            "- profile: {} ({} connections, {:?} warm-up + {:?} per load phase, {} round(s), \
             {} start-ups per variant), started {}\n\n",
            self.profile.name,
            self.profile.connections,
            self.profile.warmup,
            self.profile.load,
            self.profile.rounds,
            self.profile.startup_runs,
            self.started
        );
        out += "| # | measurement | value | baseline | ratio | target |\n|---|---|---|---|---|---|\n";
        let mut rows: Vec<&Row> = self.rows.iter().collect();
        rows.sort_by_key(|row| row.section);
        for row in rows {
            out += &format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                row.section, row.what, row.value, row.baseline, row.ratio, row.target
            );
        }
        for chart in &self.charts {
            out += "\n";
            out += chart;
        }
        if !self.notes.is_empty() {
            out += "\n";
            for note in &self.notes {
                out += &format!("- {note}\n");
            }
        }
        out
    }

    /// Writes `bench.md` and `bench.json` into `out_dir`; returns their paths.
    pub fn write(&self, out_dir: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
        let markdown = out_dir.join("bench.md");
        std::fs::write(&markdown, self.markdown()).with_context(|| format!("writing {}", markdown.display()))?;
        let json = serde_json::json!({
            "title": self.title,
            "command": self.command,
            "machine": self.machine,
            "profile": self.profile,
            "started": self.started,
            "rows": self.rows,
            "notes": self.notes,
            "results": self.raw,
        });
        let json_path = out_dir.join("bench.json");
        let text = serde_json::to_string_pretty(&json).context("serializing the results")?;
        std::fs::write(&json_path, text + "\n").with_context(|| format!("writing {}", json_path.display()))?;
        Ok((markdown, json_path))
    }
}

/// `1.23×`.
pub fn times(ratio: f64) -> String {
    match ratio {
        r if r.is_nan() => "n/a".to_owned(),
        // A 304 against a full body is a ratio of a few thousandths: two decimals would print 0.00×.
        r if r < 0.1 => format!("{r:.4}×"),
        r => format!("{r:.2}×"),
    }
}

/// `12.3 MiB`.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// `12.3 ms`.
pub fn millis(ms: f64) -> String {
    format!("{ms:.1} ms")
}

/// `45.6 µs`.
pub fn micros(us: f64) -> String {
    format!("{us:.1} µs")
}

/// `12 345 req/s`.
pub fn per_second(rate: f64) -> String {
    if rate.is_nan() {
        return "n/a".to_owned();
    }
    format!("{} req/s", thousands(rate.round() as u64))
}

/// `1 234 567` (thin groups, readable in a terminal and in Markdown).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// `a / b`, NaN when `b` is zero.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { f64::NAN } else { a / b }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_marked_met_or_missed() {
        assert_eq!(Target::AtMost(1.3, Unit::Times).judge(1.1), "≤ 1.30× ✓");
        assert_eq!(Target::AtLeast(0.9, Unit::Times).judge(0.5), "≥ 0.90× ✗");
        assert_eq!(Target::AtMost(100.0, Unit::Millis).judge(f64::NAN), "≤ 100 ms ?");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(1_234_567), "1 234 567");
        assert_eq!(thousands(999), "999");
    }
}
