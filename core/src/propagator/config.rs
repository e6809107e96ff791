//! Propagator configuration: `OTEL_PROPAGATORS`-style lists, Datadog's
//! `DD_TRACE_PROPAGATION_STYLE*` variables, and the extraction policy.
//!
//! Nothing here allocates: the environment is read through [`Env`] (any
//! closure returning a borrowed value), and unknown names come back as an
//! iterator borrowing those values.

use super::Format;
use crate::carrier::Header;

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
    ///
    /// ```
    /// use traceprop::propagator::Policy;
    /// assert_eq!(Policy::from_name("First"), Some(Policy::First));
    /// assert_eq!(Policy::from_name("middle"), None);
    /// ```
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

/// What the style name `b3` means in Datadog's variables. The Datadog tracers
/// disagree (everywhere else, and in `OTEL_PROPAGATORS`, `b3` is the single
/// header):
///
/// | tracer | `b3` in `DD_TRACE_PROPAGATION_STYLE*` |
/// |---|---|
/// | dd-trace-py, dd-trace-rb, dd-trace-js 6 | B3 single header |
/// | dd-trace-go, dd-trace-java (deprecated alias), dd-trace-js 5 | B3 multi headers |
///
/// Extraction reads both encodings either way; the choice decides what is
/// injected, so pick the one the receiving services' tracers understand.
/// `b3multi` and `b3 single header` are unambiguous everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DatadogB3 {
    /// `b3` is [`Format::B3`] (the single header): dd-trace-py, -rb, -js 6,
    /// and `OTEL_PROPAGATORS`. The default.
    #[default]
    Single,
    /// `b3` is [`Format::B3Multi`]: dd-trace-go, dd-trace-java, dd-trace-js 5.
    Multi,
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
    /// No format: extraction finds nothing, injection writes nothing.
    pub const NONE: Config = Config {
        formats: [Format::TraceContext; Format::COUNT],
        len: 0,
        policy: Policy::Last,
    };

    /// A configuration of these formats (duplicates dropped), policy `last`.
    ///
    /// ```
    /// use traceprop::propagator::{Config, Format};
    /// let c = Config::from_formats(&[Format::B3, Format::B3, Format::Datadog]);
    /// assert_eq!(c.formats(), &[Format::B3, Format::Datadog]);
    /// assert!(Config::from_formats(&[]).formats().is_empty());
    /// ```
    #[must_use]
    pub fn from_formats(formats: &[Format]) -> Self {
        let mut c = Config::NONE;
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
    /// Policy `last`.
    #[must_use]
    pub fn parse(list: &str) -> Self {
        let mut c = Config::NONE;
        let mut any = false;
        for name in names(list) {
            any = true;
            if is_none(name) {
                return Config::NONE;
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

    /// Parses a `DD_TRACE_PROPAGATION_STYLE`-style list the way the Datadog
    /// tracers do: split on `,`, trimmed, case-insensitive, de-duplicated,
    /// unknown names skipped; `none` alone means no propagation and is ignored
    /// next to other names (dd-trace-go warns, dd-trace-py skips it,
    /// dd-trace-java's `none` codec is a no-op); `b3` as `b3` says; empty means
    /// Datadog's default `datadog,tracecontext,baggage`. Policy `first`.
    /// Every libtraceprop name is accepted, not only Datadog's.
    ///
    /// ```
    /// use traceprop::propagator::{Config, DatadogB3, Format, Policy};
    /// let c = Config::parse_datadog("Datadog, b3 single header, none", DatadogB3::Multi);
    /// assert_eq!(c.formats(), &[Format::Datadog, Format::B3]);
    /// assert_eq!(c.policy(), Policy::First);
    /// assert_eq!(Config::parse_datadog("b3", DatadogB3::Multi).formats(), &[Format::B3Multi]);
    /// assert!(Config::parse_datadog("none", DatadogB3::Single).formats().is_empty());
    /// assert!(Config::parse_datadog("bogus", DatadogB3::Single).formats().is_empty());
    /// ```
    #[must_use]
    pub fn parse_datadog(list: &str, b3: DatadogB3) -> Self {
        let mut c = Config::NONE.with_policy(Policy::First);
        let mut any = false;
        for name in names(list) {
            any = true;
            match Format::from_name(name) {
                Some(Format::B3) if name.eq_ignore_ascii_case("b3") && b3 == DatadogB3::Multi => {
                    c.push(Format::B3Multi);
                }
                Some(f) => c.push(f),
                None => {}
            }
        }
        if any {
            c
        } else {
            Config::from_formats(&DATADOG_DEFAULT).with_policy(Policy::First)
        }
    }

    /// The names in `list` that are neither a format nor `none` (the same for
    /// both syntaxes).
    pub fn unknown_names(list: &str) -> impl Iterator<Item = &str> {
        names(list).filter(|n| !is_none(n) && Format::from_name(n).is_none())
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

    /// Whether extracting with this configuration reads header `name` (any
    /// case): a binding whose carrier is costly to read (a copy across a
    /// language boundary, a map that allocates per lookup) reads only these.
    ///
    /// ```
    /// use traceprop::propagator::Config;
    /// let c = Config::parse("tracecontext,jaeger");
    /// assert!(c.reads("TraceParent") && c.reads("uberctx-user"));
    /// assert!(!c.reads("b3") && !c.reads("user-agent") && !c.reads("uberctx-"));
    /// ```
    #[must_use]
    pub fn reads(&self, name: &str) -> bool {
        let header = Header::lookup(name);
        self.formats()
            .iter()
            .any(|f| match (header, f.baggage_prefix()) {
                (Some(h), _) => f.headers().contains(&h),
                (None, Some(prefix)) => {
                    name.len() > prefix.len()
                        && name
                            .get(..prefix.len())
                            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
                }
                (None, None) => false,
            })
    }
}

/// Datadog's default styles (dd-trace-go, -py, -js, -java).
const DATADOG_DEFAULT: [Format; 3] = [Format::Datadog, Format::TraceContext, Format::Baggage];

fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|n| !n.is_empty())
}

fn is_none(name: &str) -> bool {
    name.eq_ignore_ascii_case("none")
}

/// `OTEL_PROPAGATORS`: the OpenTelemetry propagator list.
pub const OTEL_PROPAGATORS: &str = "OTEL_PROPAGATORS";
/// `DD_TRACE_PROPAGATION_STYLE`: Datadog's styles for both directions.
pub const DD_STYLE: &str = "DD_TRACE_PROPAGATION_STYLE";
/// `DD_TRACE_PROPAGATION_STYLE_EXTRACT`: Datadog's extraction styles.
pub const DD_STYLE_EXTRACT: &str = "DD_TRACE_PROPAGATION_STYLE_EXTRACT";
/// `DD_TRACE_PROPAGATION_STYLE_INJECT`: Datadog's injection styles.
pub const DD_STYLE_INJECT: &str = "DD_TRACE_PROPAGATION_STYLE_INJECT";

/// Where configuration variables are read from. Any
/// `Fn(&str) -> Option<&'a str>` is an `Env`, so a caller with `std` passes a
/// closure over values it read beforehand.
///
/// ```
/// use traceprop::propagator::Env;
/// let env = |name: &str| (name == "OTEL_PROPAGATORS").then_some("b3");
/// assert_eq!(env.var("OTEL_PROPAGATORS"), Some("b3"));
/// assert_eq!(env.var("HOME"), None);
/// ```
pub trait Env<'a> {
    /// The value of variable `name`, or `None` when it is unset.
    fn var(&self, name: &str) -> Option<&'a str>;
}

impl<'a, F: Fn(&str) -> Option<&'a str>> Env<'a> for F {
    fn var(&self, name: &str) -> Option<&'a str> {
        self(name)
    }
}

/// A name in a configuration variable that is neither a format nor `none`,
/// and the variable it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownName<'a> {
    /// The variable, e.g. [`DD_STYLE_INJECT`].
    pub variable: &'static str,
    /// The name as written (trimmed).
    pub name: &'a str,
}

/// The variables a Datadog configuration comes from: the lists used for
/// extraction and injection, `None` for the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sources<'a> {
    extract: Option<(&'static str, &'a str)>,
    inject: Option<(&'static str, &'a str)>,
}

/// Separate extraction and injection configurations, as read from the
/// environment.
///
/// - OpenTelemetry's ([`EnvConfig::otel`]): `OTEL_PROPAGATORS`
///   ([`Config::parse`], policy `last`) for both directions.
/// - Datadog's ([`EnvConfig::datadog`]): its documented precedence, policy `first`:
///   `DD_TRACE_PROPAGATION_STYLE_EXTRACT` (resp. `_INJECT`), else
///   `DD_TRACE_PROPAGATION_STYLE`, else `OTEL_PROPAGATORS`, else
///   `datadog,tracecontext,baggage`; each read with [`Config::parse_datadog`].
///   A variable that is empty (or only commas and blanks) counts as unset.
/// - [`EnvConfig::from_env`] picks Datadog's when any
///   `DD_TRACE_PROPAGATION_STYLE*` variable is set, OpenTelemetry's otherwise.
///
/// ```
/// use traceprop::propagator::{DatadogB3, EnvConfig, Format, Policy, UnknownName};
/// let vars = [("DD_TRACE_PROPAGATION_STYLE", "datadog,b3"),
///             ("DD_TRACE_PROPAGATION_STYLE_INJECT", "tracecontext,zipkin")];
/// let env = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
/// let c = EnvConfig::from_env(&env);
/// assert_eq!(c.extract.formats(), &[Format::Datadog, Format::B3]);
/// assert_eq!(c.extract.policy(), Policy::First);
/// assert_eq!(c.inject.formats(), &[Format::TraceContext]);
/// assert_eq!(EnvConfig::unknown_names(&env).collect::<Vec<_>>(),
///            [UnknownName { variable: "DD_TRACE_PROPAGATION_STYLE_INJECT", name: "zipkin" }]);
/// assert_eq!(EnvConfig::datadog(&env, DatadogB3::Multi).extract.formats(),
///            &[Format::Datadog, Format::B3Multi]);
///
/// let nothing = |_: &str| None;
/// assert_eq!(EnvConfig::from_env(&nothing).extract.formats(),
///            &[Format::TraceContext, Format::Baggage]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvConfig {
    /// What to extract, and with which policy.
    pub extract: Config,
    /// What to inject.
    pub inject: Config,
}

impl EnvConfig {
    /// The OpenTelemetry configuration: `OTEL_PROPAGATORS` both ways, policy
    /// `last`; unset or empty means `tracecontext,baggage`.
    #[must_use]
    pub fn otel<'a>(env: &impl Env<'a>) -> Self {
        let c = Config::parse(env.var(OTEL_PROPAGATORS).unwrap_or(""));
        EnvConfig {
            extract: c,
            inject: c,
        }
    }

    /// The Datadog configuration (see [`EnvConfig`]), with `b3` in the
    /// `DD_TRACE_PROPAGATION_STYLE*` variables read as `b3` says (in
    /// `OTEL_PROPAGATORS` it is always the single header).
    #[must_use]
    pub fn datadog<'a>(env: &impl Env<'a>, b3: DatadogB3) -> Self {
        let s = datadog_sources(env);
        let parse = |src: Option<(&'static str, &'a str)>| match src {
            // `b3` in OTEL_PROPAGATORS is the single header, whoever reads it.
            Some((OTEL_PROPAGATORS, list)) => Config::parse_datadog(list, DatadogB3::Single),
            Some((_, list)) => Config::parse_datadog(list, b3),
            None => Config::parse_datadog("", b3),
        };
        EnvConfig {
            extract: parse(s.extract),
            inject: parse(s.inject),
        }
    }

    /// Datadog's configuration (with `b3` as the single header) when any
    /// `DD_TRACE_PROPAGATION_STYLE*` variable is set, else OpenTelemetry's.
    #[must_use]
    pub fn from_env<'a>(env: &impl Env<'a>) -> Self {
        if uses_datadog(env) {
            EnvConfig::datadog(env, DatadogB3::Single)
        } else {
            EnvConfig::otel(env)
        }
    }

    /// The unknown names in the variables [`EnvConfig::from_env`] reads (and
    /// [`EnvConfig::datadog`], which reads the same ones when a Datadog
    /// variable is set), each with its variable; report them, they are not
    /// fatal.
    pub fn unknown_names<'a, E: Env<'a>>(env: &E) -> impl Iterator<Item = UnknownName<'a>> {
        let (first, second) = if uses_datadog(env) {
            let s = datadog_sources(env);
            // A variable read for both directions is reported once.
            let same = s.inject.map(|(v, _)| v) == s.extract.map(|(v, _)| v);
            (s.extract, if same { None } else { s.inject })
        } else {
            (
                env.var(OTEL_PROPAGATORS).map(|v| (OTEL_PROPAGATORS, v)),
                None,
            )
        };
        [first, second]
            .into_iter()
            .flatten()
            .flat_map(|(variable, list)| {
                Config::unknown_names(list).map(move |name| UnknownName { variable, name })
            })
    }
}

/// The first of `vars` that is set to at least one name.
fn first_set<'a>(env: &impl Env<'a>, vars: &[&'static str]) -> Option<(&'static str, &'a str)> {
    vars.iter().find_map(|&v| {
        env.var(v)
            .filter(|list| names(list).next().is_some())
            .map(|list| (v, list))
    })
}

fn uses_datadog<'a>(env: &impl Env<'a>) -> bool {
    first_set(env, &[DD_STYLE_EXTRACT, DD_STYLE_INJECT, DD_STYLE]).is_some()
}

fn datadog_sources<'a>(env: &impl Env<'a>) -> Sources<'a> {
    let extract = first_set(env, &[DD_STYLE_EXTRACT, DD_STYLE, OTEL_PROPAGATORS]);
    let inject = first_set(env, &[DD_STYLE_INJECT, DD_STYLE, OTEL_PROPAGATORS]);
    Sources { extract, inject }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }

    #[test]
    fn datadog_precedence() {
        let vars = [
            (OTEL_PROPAGATORS, "b3multi"),
            (DD_STYLE, "datadog"),
            (DD_STYLE_EXTRACT, "tracecontext"),
        ];
        let c = EnvConfig::from_env(&env(&vars));
        assert_eq!(c.extract.formats(), &[Format::TraceContext]);
        assert_eq!(c.inject.formats(), &[Format::Datadog]);
        assert_eq!(c.inject.policy(), Policy::First);

        // OTEL_PROPAGATORS is Datadog's fallback once a DD variable is set.
        let vars = [(OTEL_PROPAGATORS, "b3multi"), (DD_STYLE_INJECT, "datadog")];
        let c = EnvConfig::from_env(&env(&vars));
        assert_eq!(c.extract.formats(), &[Format::B3Multi]);
        assert_eq!(c.extract.policy(), Policy::First);
        assert_eq!(c.inject.formats(), &[Format::Datadog]);

        // An empty variable counts as unset.
        let vars = [(DD_STYLE, " , "), (OTEL_PROPAGATORS, "jaeger")];
        let c = EnvConfig::from_env(&env(&vars));
        assert_eq!(c.extract.formats(), &[Format::Jaeger]);
        assert_eq!(c.extract.policy(), Policy::Last);

        // Only one direction set: the other takes Datadog's default.
        let c = EnvConfig::from_env(&env(&[(DD_STYLE_EXTRACT, "b3multi")]));
        assert_eq!(c.extract.formats(), &[Format::B3Multi]);
        assert_eq!(c.inject.formats(), &DATADOG_DEFAULT);

        let c = EnvConfig::datadog(&env(&[]), DatadogB3::Single);
        assert_eq!(c.extract.formats(), &DATADOG_DEFAULT);
        assert_eq!(c.inject, c.extract);
    }

    #[test]
    fn otel_keeps_none_anywhere_datadog_only_alone() {
        let c = EnvConfig::from_env(&env(&[(OTEL_PROPAGATORS, "b3,none")]));
        assert!(c.extract.formats().is_empty() && c.inject.formats().is_empty());
        let c = EnvConfig::from_env(&env(&[(DD_STYLE, "b3,none")]));
        assert_eq!(c.extract.formats(), &[Format::B3]);
        let c = EnvConfig::from_env(&env(&[(DD_STYLE, "None")]));
        assert!(c.extract.formats().is_empty());
    }

    #[test]
    fn unknown_names_name_their_variable_once() {
        let vars = [(DD_STYLE, "datadog,bogus"), (DD_STYLE_INJECT, "x , b3")];
        let got: [Option<UnknownName<'_>>; 3] = {
            let mut it = EnvConfig::unknown_names(&env(&vars));
            [it.next(), it.next(), it.next()]
        };
        assert_eq!(
            got,
            [
                Some(UnknownName {
                    variable: DD_STYLE,
                    name: "bogus"
                }),
                Some(UnknownName {
                    variable: DD_STYLE_INJECT,
                    name: "x"
                }),
                None
            ]
        );
        // Both directions read DD_STYLE: reported once.
        let vars = [(DD_STYLE, "bogus")];
        assert_eq!(EnvConfig::unknown_names(&env(&vars)).count(), 1);
        // OTEL_PROPAGATORS is not read when both DD directions are set.
        let vars = [(DD_STYLE, "datadog"), (OTEL_PROPAGATORS, "bogus")];
        assert_eq!(EnvConfig::unknown_names(&env(&vars)).count(), 0);
        let vars = [(OTEL_PROPAGATORS, "bogus,none")];
        assert_eq!(EnvConfig::unknown_names(&env(&vars)).count(), 1);
    }

    #[test]
    fn datadog_b3_meaning_in_the_environment() {
        let vars = [(DD_STYLE_INJECT, "b3"), (OTEL_PROPAGATORS, "b3")];
        let c = EnvConfig::datadog(&env(&vars), DatadogB3::Multi);
        assert_eq!(c.inject.formats(), &[Format::B3Multi]);
        assert_eq!(c.extract.formats(), &[Format::B3]);
    }

    #[test]
    fn datadog_b3_meaning() {
        for (b3, want) in [
            (DatadogB3::Single, Format::B3),
            (DatadogB3::Multi, Format::B3Multi),
        ] {
            assert_eq!(Config::parse_datadog("B3", b3).formats(), &[want]);
            assert_eq!(
                Config::parse_datadog("b3multi", b3).formats(),
                &[Format::B3Multi]
            );
            assert_eq!(
                Config::parse_datadog("b3 single header", b3).formats(),
                &[Format::B3]
            );
        }
        // `b3` in OTEL_PROPAGATORS is always the single header.
        assert_eq!(Config::parse("b3").formats(), &[Format::B3]);
    }
}
