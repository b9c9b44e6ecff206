//! A small server-rendered SVG line chart of an indicator: nulmeting,
//! streefwaarden and metingen. A voorlopige meting has a hollow marker and
//! a dashed line to it, a definitieve one a filled marker and a solid line,
//! so the difference does not rest on colour; the legend names each. The
//! chart has a text alternative (`<title>`, `<desc>`); the page shows the
//! same figures in a table.

use maud::{html, Markup};

use super::fmt;

const W: f64 = 640.0;
const H: f64 = 320.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

const METING: &str = "#01689b";
const STREEF: &str = "#9a4a00";
const NUL: &str = "#1b1b1b";

/// A point on the year axis: `x` in years (2024.5 is the middle of 2024).
#[derive(Debug, Clone)]
pub struct Punt {
    pub x: f64,
    pub y: f64,
    pub voorlopig: bool,
}

/// The metingen of one area (a gemeente, or the whole area).
pub struct Reeks {
    pub naam: Option<String>,
    pub punten: Vec<Punt>,
}

/// A streefwaarde: (x, waarde, bandbreedte); `x` none: for the whole period.
pub type Streef = (Option<f64>, f64, Option<(f64, f64)>);

pub struct Grafiek {
    pub titel: String,
    pub uitleg: String,
    /// First and last year shown.
    pub jaren: (i32, i32),
    pub nulmeting: Option<Punt>,
    pub streefwaarden: Vec<Streef>,
    pub reeksen: Vec<Reeks>,
}

/// The year position of a meting's periode: `2024`, `2024-Q2`, `2024-03`.
pub fn x_van_periode(periode: &str) -> Option<f64> {
    let (jaar, rest) = periode.split_once('-').unwrap_or((periode, ""));
    let jaar: f64 = jaar.parse::<i32>().ok()?.into();
    if rest.is_empty() {
        return Some(jaar + 0.5);
    }
    if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
        let q: f64 = q.parse::<u8>().ok().filter(|q| (1..=4).contains(q))?.into();
        return Some(jaar + (q - 0.5) / 4.0);
    }
    let m: f64 = rest
        .parse::<u8>()
        .ok()
        .filter(|m| (1..=12).contains(m))?
        .into();
    Some(jaar + (m - 0.5) / 12.0)
}

impl Grafiek {
    /// Bottom and top of the value axis and the step between its ticks.
    fn y_range(&self) -> (f64, f64, f64) {
        let mut values: Vec<f64> = self
            .reeksen
            .iter()
            .flat_map(|r| r.punten.iter().map(|p| p.y))
            .collect();
        values.extend(self.nulmeting.iter().map(|p| p.y));
        for (_, v, band) in &self.streefwaarden {
            values.push(*v);
            if let Some((l, h)) = band {
                values.extend([*l, *h]);
            }
        }
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            return (0.0, 1.0, 0.25);
        }
        let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
        let pad = span * 0.1;
        let low = if lo >= 0.0 && lo - pad < 0.0 {
            0.0
        } else {
            lo - pad
        };
        // Round to a step of 1, 2, 2.5 or 5 times a power of ten.
        let step = nice_step((hi + pad - low) / 4.0);
        let y0 = (low / step).floor() * step;
        let y1 = ((hi + pad) / step).ceil() * step;
        (y0, if y1 > y0 { y1 } else { y0 + step }, step)
    }

    /// Tick values: from the bottom to the top of the axis, `step` apart.
    fn ticks(y0: f64, y1: f64, step: f64) -> Vec<f64> {
        let n = ((y1 - y0) / step).round() as i64;
        (0..=n.clamp(1, 12)).map(|i| y0 + step * i as f64).collect()
    }

    pub fn svg(&self) -> Markup {
        let (y0, y1, step) = self.y_range();
        let (j0, j1) = self.jaren;
        let years = f64::from(j1 - j0 + 1);
        let px = |x: f64| LEFT + (x - f64::from(j0)) / years * (W - LEFT - RIGHT);
        let py = |y: f64| TOP + (y1 - y) / (y1 - y0) * (H - TOP - BOTTOM);
        let ticks = Self::ticks(y0, y1, step);
        let round = |v: f64| (v * 100.0).round() / 100.0;
        html! {
            svg role="img" aria-labelledby="grafiek-titel grafiek-uitleg" viewBox=(format!("0 0 {W} {H}")) width=(W) height=(H) xmlns="http://www.w3.org/2000/svg" {
                title id="grafiek-titel" { (self.titel) }
                desc id="grafiek-uitleg" { (self.uitleg) }
                @for t in &ticks {
                    line x1=(LEFT) x2=(W - RIGHT) y1=(py(*t)) y2=(py(*t)) stroke="#d0d0d0" stroke-width="1" {}
                    text x=(LEFT - 8.0) y=(py(*t) + 4.0) text-anchor="end" font-size="12" fill="#1b1b1b" { (fmt::getal(round(*t))) }
                }
                @for j in j0..=j1 {
                    line x1=(px(f64::from(j))) x2=(px(f64::from(j))) y1=(TOP) y2=(H - BOTTOM) stroke="#e4e4e4" stroke-width="1" {}
                    text x=(px(f64::from(j) + 0.5)) y=(H - BOTTOM + 18.0) text-anchor="middle" font-size="12" fill="#1b1b1b" { (j) }
                }
                line x1=(LEFT) x2=(LEFT) y1=(TOP) y2=(H - BOTTOM) stroke="#1b1b1b" stroke-width="1.5" {}
                line x1=(LEFT) x2=(W - RIGHT) y1=(H - BOTTOM) y2=(H - BOTTOM) stroke="#1b1b1b" stroke-width="1.5" {}
                @for (x, v, band) in &self.streefwaarden {
                    @match x {
                        None => {
                            line x1=(LEFT) x2=(W - RIGHT) y1=(py(*v)) y2=(py(*v)) stroke=(STREEF) stroke-width="2" stroke-dasharray="1 3" {}
                        }
                        Some(x) => {
                            @if let Some((l, h)) = band {
                                line x1=(px(*x)) x2=(px(*x)) y1=(py(*l)) y2=(py(*h)) stroke=(STREEF) stroke-width="2" {}
                            }
                            (ruit(px(*x), py(*v)))
                        }
                    }
                }
                @if let Some(n) = &self.nulmeting {
                    rect x=(px(n.x) - 5.0) y=(py(n.y) - 5.0) width="10" height="10" fill=(NUL) {}
                }
                @for r in &self.reeksen {
                    @for pair in r.punten.windows(2) {
                        line x1=(px(pair[0].x)) y1=(py(pair[0].y)) x2=(px(pair[1].x)) y2=(py(pair[1].y))
                            stroke=(METING) stroke-width="2"
                            stroke-dasharray=[(pair[0].voorlopig || pair[1].voorlopig).then_some("6 4")] {}
                    }
                    @for p in &r.punten {
                        circle cx=(px(p.x)) cy=(py(p.y)) r="5" stroke=(METING) stroke-width="2"
                            fill=(if p.voorlopig { "#ffffff" } else { METING }) {}
                    }
                    @if let (Some(naam), Some(last)) = (&r.naam, r.punten.last()) {
                        text x=(px(last.x) + 8.0) y=(py(last.y) - 8.0) font-size="12" fill="#1b1b1b" { (naam) }
                    }
                }
            }
        }
    }
}

fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let f = raw / power;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

fn ruit(x: f64, y: f64) -> Markup {
    html! {
        path d=(format!("M{x} {} L{} {y} L{x} {} L{} {y} Z", y - 7.0, x + 7.0, y + 7.0, x - 7.0)) fill="#ffffff" stroke=(STREEF) stroke-width="2" {}
    }
}

/// The legend: each sign drawn and named (not by colour alone).
pub fn legenda() -> Markup {
    let sample = |inner: Markup| {
        html! { svg width="40" height="16" viewBox="0 0 40 16" aria-hidden="true" focusable="false" { (inner) } }
    };
    html! {
        ul.legenda {
            li { (sample(html! {
                line x1="2" x2="38" y1="8" y2="8" stroke=(METING) stroke-width="2" {}
                circle cx="20" cy="8" r="5" fill=(METING) stroke=(METING) stroke-width="2" {}
            })) "Meting, definitief (gevuld, doorgetrokken lijn)" }
            li { (sample(html! {
                line x1="2" x2="38" y1="8" y2="8" stroke=(METING) stroke-width="2" stroke-dasharray="6 4" {}
                circle cx="20" cy="8" r="5" fill="#ffffff" stroke=(METING) stroke-width="2" {}
            })) "Meting, voorlopig (open, gestippelde lijn)" }
            li { (sample(ruit(20.0, 8.0))) "Streefwaarde (ruit; met bandbreedte als lijn)" }
            li { (sample(html! {
                line x1="2" x2="38" y1="8" y2="8" stroke=(STREEF) stroke-width="2" stroke-dasharray="1 3" {}
            })) "Streefwaarde voor de hele periode" }
            li { (sample(html! { rect x="15" y="3" width="10" height="10" fill=(NUL) {} })) "Nulmeting (vierkant)" }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn periods_map_to_the_year_axis() {
        assert_eq!(super::x_van_periode("2024"), Some(2024.5));
        assert_eq!(super::x_van_periode("2024-Q1"), Some(2024.125));
        assert_eq!(super::x_van_periode("2024-12"), Some(2024.0 + 11.5 / 12.0));
        assert_eq!(super::x_van_periode("2024-13"), None);
    }

    #[test]
    fn the_value_axis_has_round_ticks() {
        assert_eq!(super::nice_step(2.3), 2.5);
        assert_eq!(super::nice_step(0.07), 0.1);
        let g = super::Grafiek {
            titel: String::new(),
            uitleg: String::new(),
            jaren: (2023, 2025),
            nulmeting: None,
            streefwaarden: vec![(Some(2024.5), 18.0, None)],
            reeksen: vec![super::Reeks {
                naam: None,
                punten: vec![super::Punt {
                    x: 2024.5,
                    y: 10.5,
                    voorlopig: false,
                }],
            }],
        };
        let (y0, y1, step) = g.y_range();
        assert_eq!((y0, y1, step), (7.5, 20.0, 2.5));
        assert_eq!(
            super::Grafiek::ticks(y0, y1, step),
            vec![7.5, 10.0, 12.5, 15.0, 17.5, 20.0]
        );
    }
}
