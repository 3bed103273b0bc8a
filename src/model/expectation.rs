//! Regression expectations: what a scenario says a policy's metrics must
//! be (its `expect:` key), and whether a run meets them.

use super::metrics::{MetricValue, Metrics};
use std::cmp::Ordering;
use std::fmt;

/// A number written in an expectation, whole or not, as the file had it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// A whole number, compared exactly with counts.
    Whole(u64),
    /// Any other finite number.
    Real(f64),
}

impl Number {
    /// The value as a float (exact up to 2^53).
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Whole(n) => n as f64,
            Number::Real(x) => x,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Whole(n) => write!(f, "{n}"),
            Number::Real(x) => write!(f, "{x}"),
        }
    }
}

/// How `actual` compares with `expected`; `None` only for a NaN, which no
/// metric produces.
fn compare(actual: MetricValue, expected: Number) -> Option<Ordering> {
    match (actual, expected) {
        (MetricValue::Count(a), Number::Whole(e)) => Some(a.cmp(&e)),
        (MetricValue::Count(a), e) => (a as f64).partial_cmp(&e.as_f64()),
        (MetricValue::Real(a), e) => a.partial_cmp(&e.as_f64()),
    }
}

/// What a metric must be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// Exactly this value (a bare number in the file).
    Equal(Number),
    /// Between `min` and `max`, both inclusive; at least one is given.
    Range {
        /// Lowest value allowed.
        min: Option<Number>,
        /// Highest value allowed.
        max: Option<Number>,
    },
}

impl Bound {
    /// Whether `actual` meets the bound.
    pub fn holds(&self, actual: MetricValue) -> bool {
        use Ordering::{Equal, Greater, Less};
        match *self {
            Bound::Equal(e) => compare(actual, e) == Some(Equal),
            Bound::Range { min, max } => {
                let above = min.is_none_or(|m| matches!(compare(actual, m), Some(Greater | Equal)));
                let below = max.is_none_or(|m| matches!(compare(actual, m), Some(Less | Equal)));
                above && below
            }
        }
    }
}

impl fmt::Display for Bound {
    /// `= 0`, `>= 1`, `<= 2.5` or `in [0.9, 1]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Equal(e) => write!(f, "= {e}"),
            Bound::Range { min: Some(lo), max: Some(hi) } => write!(f, "in [{lo}, {hi}]"),
            Bound::Range { min: Some(lo), max: None } => write!(f, ">= {lo}"),
            Bound::Range { min: None, max: Some(hi) } => write!(f, "<= {hi}"),
            Bound::Range { min: None, max: None } => f.write_str("any value"),
        }
    }
}

/// One assertion of a scenario: a policy's metric must meet a bound.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// The policy, one of the scenario's.
    pub policy: String,
    /// The metric, one of [`super::metrics::METRIC_NAMES`].
    pub metric: &'static str,
    /// What it must be.
    pub bound: Bound,
    /// 1-based line of the metric's key in the scenario file.
    pub line: u64,
    /// 1-based column of that key.
    pub column: u64,
}

impl Expectation {
    /// The metric's value in `metrics` and whether it meets the bound.
    pub fn evaluate(&self, metrics: &Metrics) -> (MetricValue, bool) {
        let actual = metrics
            .get(self.metric)
            .expect("validation only accepts names from METRIC_NAMES, which Metrics::get knows");
        (actual, self.bound.holds(actual))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MetricValue::{Count, Real};

    fn range(min: Option<Number>, max: Option<Number>) -> Bound {
        Bound::Range { min, max }
    }

    #[test]
    fn equality_is_exact() {
        let zero = Bound::Equal(Number::Whole(0));
        assert!(zero.holds(Count(0)));
        assert!(!zero.holds(Count(1)));
        assert!(zero.holds(Real(0.0)));
        let half = Bound::Equal(Number::Real(0.5));
        assert!(half.holds(Real(0.5)));
        assert!(!half.holds(Real(0.5000001)));
        assert!(!half.holds(Count(0)));
        // Counts beyond 2^53 compare exactly with whole numbers.
        let big = Bound::Equal(Number::Whole(u64::MAX));
        assert!(big.holds(Count(u64::MAX)));
        assert!(!big.holds(Count(u64::MAX - 1)));
    }

    #[test]
    fn ranges_are_inclusive() {
        let b = range(Some(Number::Whole(1)), Some(Number::Whole(3)));
        assert!(!b.holds(Count(0)));
        assert!(b.holds(Count(1)));
        assert!(b.holds(Count(3)));
        assert!(!b.holds(Count(4)));
        let ratio = range(Some(Number::Real(0.99)), None);
        assert!(ratio.holds(Real(0.99)));
        assert!(ratio.holds(Real(1.0)));
        assert!(!ratio.holds(Real(0.98)));
        let at_most = range(None, Some(Number::Real(2.5)));
        assert!(at_most.holds(Count(2)));
        assert!(!at_most.holds(Count(3)));
    }

    #[test]
    fn shown_as_written() {
        assert_eq!(Bound::Equal(Number::Whole(0)).to_string(), "= 0");
        assert_eq!(range(Some(Number::Whole(1)), None).to_string(), ">= 1");
        assert_eq!(range(None, Some(Number::Real(2.5))).to_string(), "<= 2.5");
        assert_eq!(
            range(Some(Number::Real(0.9)), Some(Number::Whole(1))).to_string(),
            "in [0.9, 1]"
        );
    }
}
