//! A latency histogram of atomics, exposed as a Prometheus histogram. An observation is two relaxed atomic adds
//! (its bucket and the sum); prometheus-client's `Histogram` takes a mutex for every observation, which every
//! request of a member then contends for (`cargo xtask bench`, section 3). The count is the buckets' sum.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::{MetricType, TypedMetric};

use super::metrics::LATENCY_BUCKETS;

/// One per bound, and one above the last (`+Inf`).
pub(crate) const BUCKETS: usize = LATENCY_BUCKETS.len() + 1;

/// See the module documentation. Clones share the counts (a metric family hands out clones).
#[derive(Debug, Clone, Default)]
pub(crate) struct LatencyHistogram(Arc<Counts>);

#[derive(Debug, Default)]
struct Counts {
    buckets: [AtomicU64; BUCKETS],
    sum_ns: AtomicU64,
}

/// The bucket a latency falls in: the first bound it does not exceed, or the last (`+Inf`) one.
pub(crate) fn bucket_of(seconds: f64) -> usize {
    LATENCY_BUCKETS.iter().position(|bound| seconds <= *bound).unwrap_or(LATENCY_BUCKETS.len())
}

impl LatencyHistogram {
    pub(crate) fn observe(&self, seconds: f64) {
        if let Some(counter) = self.0.buckets.get(bucket_of(seconds)) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        // Saturating float-to-integer conversion: a negative or NaN duration adds nothing.
        let nanos = (seconds * 1e9) as u64;
        self.0.sum_ns.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The count of each bucket, the last one above every bound.
    pub(crate) fn bucket_counts(&self) -> [u64; BUCKETS] {
        std::array::from_fn(|i| self.0.buckets.get(i).map_or(0, |count| count.load(Ordering::Relaxed)))
    }

    /// `(sum in seconds, count, (upper bound, count) per bucket)`, the last bound being `+Inf`.
    fn snapshot(&self) -> (f64, u64, Vec<(f64, u64)>) {
        let bounds = LATENCY_BUCKETS.iter().copied().chain(std::iter::once(f64::INFINITY));
        let buckets: Vec<(f64, u64)> =
            bounds.zip(&self.0.buckets).map(|(bound, count)| (bound, count.load(Ordering::Relaxed))).collect();
        let count = buckets.iter().map(|(_, count)| count).sum();
        (self.0.sum_ns.load(Ordering::Relaxed) as f64 / 1e9, count, buckets)
    }
}

impl TypedMetric for LatencyHistogram {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for LatencyHistogram {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let (sum, count, buckets) = self.snapshot();
        encoder.encode_histogram::<NoLabelSet>(sum, count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

#[cfg(test)]
mod tests {
    use prometheus_client::encoding::text::encode;
    use prometheus_client::registry::Registry;

    use super::*;

    #[test]
    fn encodes_as_a_prometheus_histogram_with_cumulative_buckets() {
        let histogram = LatencyHistogram::default();
        for seconds in [0.0002, 0.0002, 0.003, 120.0] {
            histogram.observe(seconds);
        }
        let mut registry = Registry::default();
        registry.register("latency_seconds", "test", histogram.clone());
        let mut text = String::new();
        encode(&mut text, &registry).unwrap();
        for line in [
            "# TYPE latency_seconds histogram",
            "latency_seconds_count 4",
            r#"latency_seconds_bucket{le="0.0005"} 2"#,
            r#"latency_seconds_bucket{le="0.005"} 3"#,
            r#"latency_seconds_bucket{le="60.0"} 3"#,
            r#"latency_seconds_bucket{le="+Inf"} 4"#,
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
        let sum: f64 = text.lines().find_map(|l| l.strip_prefix("latency_seconds_sum ")).unwrap().parse().unwrap();
        assert!((sum - 120.0034).abs() < 1e-6, "{sum}");
    }
}
