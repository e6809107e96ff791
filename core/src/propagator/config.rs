//! Propagator configuration: `OTEL_PROPAGATORS`-style lists and the
//! extraction policy.

use super::Format;

/// Which format wins when several yield a valid context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// The last listed valid one (OpenTelemetry composite semantics).
    #[default]
    Last,
    /// The first listed valid one (Datadog semantics).
    First,
}

impl Policy {
    /// `last` or `first`, case-insensitive.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Policy> {
        if name.eq_ignore_ascii_case("last") {
            Some(Policy::Last)
        } else if name.eq_ignore_ascii_case("first") {
            Some(Policy::First)
        } else {
            None
        }
    }
}

/// An ordered, de-duplicated list of formats and an extraction policy.
///
/// ```
/// use traceprop::propagator::{Config, Format};
/// let c = Config::parse(" TraceContext , b3,bogus,b3");
/// assert_eq!(c.formats(), &[Format::TraceContext, Format::B3]);
/// assert_eq!(Config::unknown_names(" TraceContext , b3,bogus,b3").collect::<Vec<_>>(), ["bogus"]);
/// assert!(Config::parse("b3,none").formats().is_empty());
/// assert_eq!(Config::parse("").formats(), &[Format::TraceContext, Format::Baggage]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    formats: [Format; Format::COUNT],
    len: usize,
    policy: Policy,
}

impl Default for Config {
    /// `tracecontext,baggage`, policy `last` (the OpenTelemetry default).
    fn default() -> Self {
        Config::from_formats(&[Format::TraceContext, Format::Baggage])
    }
}

impl Config {
    /// A configuration of these formats (duplicates dropped), policy `last`.
    #[must_use]
    pub fn from_formats(formats: &[Format]) -> Self {
        let mut c = Config {
            formats: [Format::TraceContext; Format::COUNT],
            len: 0,
            policy: Policy::Last,
        };
        for &f in formats {
            c.push(f);
        }
        c
    }

    fn push(&mut self, f: Format) {
        if !self.formats().contains(&f) {
            if let Some(slot) = self.formats.get_mut(self.len) {
                *slot = f;
                self.len += 1;
            }
        }
    }

    /// Parses `OTEL_PROPAGATORS` syntax: split on `,`, trimmed, case-insensitive,
    /// de-duplicated; unknown names are skipped (see [`Config::unknown_names`]);
    /// `none` anywhere means no propagation; empty means `tracecontext,baggage`.
    #[must_use]
    pub fn parse(list: &str) -> Self {
        let mut c = Config::from_formats(&[]);
        let mut any = false;
        for name in names(list) {
            any = true;
            if name.eq_ignore_ascii_case("none") {
                return Config::from_formats(&[]);
            }
            if let Some(f) = Format::from_name(name) {
                c.push(f);
            }
        }
        if any {
            c
        } else {
            Config::default()
        }
    }

    /// The names in `list` that are neither a format nor `none`.
    pub fn unknown_names(list: &str) -> impl Iterator<Item = &str> {
        names(list).filter(|n| !n.eq_ignore_ascii_case("none") && Format::from_name(n).is_none())
    }

    /// The same formats with another policy.
    #[must_use]
    pub const fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The formats, in order.
    #[must_use]
    pub fn formats(&self) -> &[Format] {
        self.formats.get(..self.len).unwrap_or_default()
    }

    /// The policy.
    #[must_use]
    pub const fn policy(&self) -> Policy {
        self.policy
    }
}

fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|n| !n.is_empty())
}
