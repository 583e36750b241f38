//! Step progress and timings: each step prints its name when it starts and its duration when it ends, and the
//! command prints every step's timing at the end (also when a step failed, naming it).

use std::time::{Duration, Instant};

use anyhow::Context;

/// The steps of one command run.
#[derive(Debug)]
pub struct Steps {
    command: &'static str,
    started: Instant,
    done: Vec<(String, Duration)>,
}

impl Steps {
    /// Starts timing `command` (`bundle`, `ci`, …).
    pub fn new(command: &'static str) -> Self {
        Self { command, started: Instant::now(), done: Vec::new() }
    }

    /// Runs one step. On failure, prints the timings so far and returns the error with the step's name.
    pub fn run<T>(&mut self, name: &str, step: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
        let n = self.done.len() + 1;
        eprintln!("==> [{n}] {name}");
        let started = Instant::now();
        let result = step();
        let elapsed = started.elapsed();
        self.done.push((name.to_owned(), elapsed));
        match result {
            Ok(value) => {
                eprintln!("    {name}: done in {}", seconds(elapsed));
                Ok(value)
            }
            Err(error) => {
                self.print_timings(Some(name));
                Err(error)
                    .with_context(|| format!("{} failed at step `{name}` after {}", self.command, seconds(elapsed)))
            }
        }
    }

    /// Prints every step's timing and the total.
    pub fn finish(self) {
        self.print_timings(None);
        eprintln!("{} finished in {}", self.command, seconds(self.started.elapsed()));
    }

    fn print_timings(&self, failed: Option<&str>) {
        eprintln!("--- {} step timings", self.command);
        let width = self.done.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        for (name, elapsed) in &self.done {
            let mark = if Some(name.as_str()) == failed { "  FAILED" } else { "" };
            eprintln!("    {name:<width$}  {:>8}{mark}", seconds(*elapsed));
        }
    }
}

/// `1.23s`.
pub fn seconds(duration: Duration) -> String {
    format!("{:.2}s", duration.as_secs_f64())
}
