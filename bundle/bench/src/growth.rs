//! Growth curves: how request throughput, p99 latency, start-up and RSS change with the number of (synthetic)
//! members, from the numbers sections 2 and 3 measured. Drawn twice: a text chart in the report (bars scaled to
//! the largest value, each labelled with its value and its ratio to 1 member) and `growth.svg` beside `bench.md`
//! (one panel per metric, members on a log axis), so a reader sees the slope, not three points.

use std::fmt::Write as _;

use crate::report::thousands;

/// One metric measured at several member counts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Curve {
    pub title: &'static str,
    pub unit: &'static str,
    /// `(members, value)`, fewest members first.
    pub points: Vec<(usize, f64)>,
}

/// Width of the longest bar, in characters.
const BAR: usize = 40;

/// The text chart of every curve, as a Markdown code block.
pub fn text_chart(curves: &[Curve]) -> String {
    let mut out = String::from("```text\n");
    for curve in curves.iter().filter(|c| !c.points.is_empty()) {
        let _ = writeln!(out, "{} ({}), by member count:", curve.title, curve.unit);
        let most = curve.points.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
        let one = curve.points.first().map_or(f64::NAN, |(_, v)| *v);
        for (members, value) in &curve.points {
            let width = if most > 0.0 { ((value / most) * BAR as f64).round() as usize } else { 0 };
            let _ = writeln!(
                out,
                "  {members:>4} | {:<BAR$} {} ({:.2}× of {})",
                "█".repeat(width),
                number(*value),
                value / one,
                curve.points.first().map_or(0, |(m, _)| *m),
            );
        }
        out.push('\n');
    }
    out.push_str("```\n");
    out
}

/// An SVG with one panel per curve: members on a log axis, the value on a linear axis from 0.
pub fn svg(curves: &[Curve]) -> String {
    let (panel_w, panel_h, margin) = (320.0, 200.0, 48.0);
    let curves: Vec<&Curve> = curves.iter().filter(|c| c.points.len() >= 2).collect();
    let width = panel_w * curves.len().max(1) as f64;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{panel_h}\" font-family=\"sans-serif\" \
         font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    for (index, curve) in curves.iter().enumerate() {
        let left = index as f64 * panel_w + margin;
        let (plot_w, plot_h, top) = (panel_w - margin - 16.0, panel_h - margin - 24.0, 24.0);
        let max_members = curve.points.iter().map(|(m, _)| *m).max().unwrap_or(1).max(2) as f64;
        let most = curve.points.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max).max(f64::MIN_POSITIVE);
        let x = |members: usize| left + (members.max(1) as f64).ln() / max_members.ln() * plot_w;
        let y = |value: f64| top + plot_h - value / most * plot_h;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"14\" font-weight=\"bold\">{} ({})</text>",
            left - margin + 8.0,
            escape(curve.title),
            escape(curve.unit)
        );
        let _ = writeln!(
            out,
            "<path d=\"M{left},{top} V{} H{}\" fill=\"none\" stroke=\"#888\"/>",
            top + plot_h,
            left + plot_w
        );
        let _ =
            writeln!(out, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 4.0, top + 4.0, number(most));
        let _ = writeln!(out, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>", left - 4.0, top + plot_h);
        let path: Vec<String> = curve.points.iter().map(|(m, v)| format!("{:.1},{:.1}", x(*m), y(*v))).collect();
        let _ = writeln!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2\"/>",
            path.join(" ")
        );
        for (members, value) in &curve.points {
            let _ =
                writeln!(out, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#2563eb\"/>", x(*members), y(*value));
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{members}</text>",
                x(*members),
                top + plot_h + 14.0
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">members (log scale)</text>",
            left + plot_w / 2.0,
            top + plot_h + 30.0
        );
    }
    out.push_str("</svg>\n");
    out
}

/// `12 345` for large values, `12.3` for small ones.
fn number(value: f64) -> String {
    if value.is_nan() {
        "n/a".to_owned()
    } else if value >= 1000.0 {
        thousands(value.round() as u64)
    } else {
        format!("{value:.1}")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve() -> Curve {
        Curve { title: "throughput", unit: "req/s", points: vec![(1, 100_000.0), (10, 50_000.0), (100, 25_000.0)] }
    }

    #[test]
    fn bars_scale_to_the_largest_value_and_show_the_ratio_to_the_first() {
        let chart = text_chart(&[curve()]);
        let lines: Vec<&str> = chart.lines().collect();
        assert!(lines[2].contains(&"█".repeat(BAR)), "{chart}");
        assert_eq!(lines[3].matches('█').count(), BAR / 2, "{chart}");
        assert!(lines[3].contains(" 50 000 (0.50× of 1)"), "{chart}");
        assert!(lines[4].contains("25 000 (0.25× of 1)"), "{chart}");
    }

    #[test]
    fn the_svg_has_one_point_per_measurement() {
        let svg = svg(&[curve()]);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    }
}
