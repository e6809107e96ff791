//! Configurations: parsed once by the core, then carried by JS as a number.

use napi::bindgen_prelude::Either;
use napi_derive::napi;
use traceprop::propagator::{Config, EnvConfig, Format, Policy};
use traceprop::Error;

use crate::coded;

/// A [`Config`] packed into a JS number: bit 0 is the policy (1 = `first`),
/// then 4 bits per format (its index in [`Format::ALL`] plus one), in order,
/// zero-terminated. 1 + 4 * 11 = 45 bits, exact in an `f64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(u64);

impl Key {
    /// Packs `config`.
    pub fn of(config: &Config) -> Self {
        let mut bits = u64::from(config.policy() == Policy::First);
        for (i, f) in config.formats().iter().enumerate() {
            let index = Format::ALL.iter().position(|x| x == f).unwrap_or(0) as u64;
            bits |= (index + 1) << (1 + 4 * i);
        }
        Key(bits)
    }

    /// The number JS holds.
    pub fn to_f64(self) -> f64 {
        self.0 as f64
    }

    /// Unpacks a number made by [`Key::to_f64`].
    ///
    /// # Errors
    /// [`Error::UnknownPropagator`] for any number [`Key::of`] cannot produce.
    pub fn config(key: f64) -> Result<Config, Error> {
        let bad = Error::UnknownPropagator;
        if !(0.0..=(1u64 << (1 + 4 * Format::COUNT)) as f64).contains(&key) || key.fract() != 0.0 {
            return Err(bad);
        }
        let bits = key as u64;
        let mut formats = [Format::TraceContext; Format::COUNT];
        let mut len = 0;
        let mut rest = bits >> 1;
        while rest != 0 {
            let index = usize::try_from(rest & 0xf).map_err(|_| bad)?;
            let slot = formats.get_mut(len).ok_or(bad)?;
            *slot = *index
                .checked_sub(1)
                .and_then(|i| Format::ALL.get(i))
                .ok_or(bad)?;
            len += 1;
            rest >>= 4;
        }
        let policy = if bits & 1 == 1 {
            Policy::First
        } else {
            Policy::Last
        };
        let config = Config::from_formats(formats.get(..len).ok_or(bad)?).with_policy(policy);
        if Key::of(&config) == Key(bits) {
            Ok(config)
        } else {
            Err(bad)
        }
    }
}

/// A parsed configuration, as JS sees it.
#[napi(object, object_from_js = false)]
pub struct ConfigInfo {
    /// The packed configuration ([`Key`]).
    pub key: f64,
    /// The format names, in order.
    pub formats: Vec<&'static str>,
    /// `last` or `first`.
    pub policy: &'static str,
    /// Every header name the formats read, lowercase, without repeats.
    pub headers: Vec<&'static str>,
    /// The per-key baggage header prefixes the formats read.
    pub prefixes: Vec<&'static str>,
}

impl ConfigInfo {
    fn of(config: &Config) -> Self {
        let mut headers = Vec::new();
        let mut prefixes = Vec::new();
        for f in config.formats() {
            for h in f.headers() {
                if !headers.contains(&h.name()) {
                    headers.push(h.name());
                }
            }
            prefixes.extend(f.baggage_prefix());
        }
        ConfigInfo {
            key: Key::of(config).to_f64(),
            formats: config.formats().iter().map(|f| f.name()).collect(),
            policy: match config.policy() {
                Policy::Last => "last",
                Policy::First => "first",
            },
            headers,
            prefixes,
        }
    }
}

/// Parses an `OTEL_PROPAGATORS`-style list with a policy (`last` or `first`).
/// Unknown names are an error here: a caller that wants them skipped asks
/// [`unknown_propagators`] first.
#[napi]
pub fn configure(list: String, policy: String) -> Either<ConfigInfo, u32> {
    coded((|| {
        if Config::unknown_names(&list).next().is_some() {
            return Err(Error::UnknownPropagator);
        }
        let policy = Policy::from_name(&policy).ok_or(Error::InvalidValue)?;
        Ok(ConfigInfo::of(&Config::parse(&list).with_policy(policy)))
    })())
}

/// The names in `list` that are neither a format nor `none`.
#[napi]
pub fn unknown_propagators(list: String) -> Vec<String> {
    Config::unknown_names(&list).map(str::to_owned).collect()
}

/// The configuration read from the environment.
#[napi(object, object_from_js = false)]
pub struct EnvInfo {
    /// What to extract.
    pub extract: ConfigInfo,
    /// What to inject.
    pub inject: ConfigInfo,
    /// Unknown names as `[variable, name, variable, name, …]`.
    pub unknown: Vec<String>,
}

/// Reads the configuration the core's [`EnvConfig::from_env`] reads, from
/// `[variable, value, variable, value, …]` (the variables JS found set).
#[napi]
pub fn config_from_env(vars: Vec<String>) -> EnvInfo {
    let pairs: Vec<(&str, &str)> = vars
        .chunks_exact(2)
        .filter_map(|p| match p {
            [k, v] => Some((k.as_str(), v.as_str())),
            _ => None,
        })
        .collect();
    let env = |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    let c = EnvConfig::from_env(&env);
    EnvInfo {
        extract: ConfigInfo::of(&c.extract),
        inject: ConfigInfo::of(&c.inject),
        unknown: EnvConfig::unknown_names(&env)
            .flat_map(|u| [u.variable.to_owned(), u.name.to_owned()])
            .collect(),
    }
}

/// Every format name, in [`Format::ALL`] order (the record's source index).
#[napi]
pub fn format_names() -> Vec<&'static str> {
    Format::ALL.iter().map(|f| f.name()).collect()
}

/// The variables [`config_from_env`] reads.
#[napi]
pub fn env_variables() -> Vec<&'static str> {
    use traceprop::propagator::{DD_STYLE, DD_STYLE_EXTRACT, DD_STYLE_INJECT, OTEL_PROPAGATORS};
    vec![
        OTEL_PROPAGATORS,
        DD_STYLE,
        DD_STYLE_EXTRACT,
        DD_STYLE_INJECT,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for list in ["", "none", "b3,tracecontext", "grpc-trace-bin,sw8,xray"] {
            for policy in [Policy::Last, Policy::First] {
                let c = Config::parse(list).with_policy(policy);
                assert_eq!(Key::config(Key::of(&c).to_f64()), Ok(c), "{list}");
            }
        }
        let all = Config::from_formats(&Format::ALL);
        assert_eq!(Key::config(Key::of(&all).to_f64()), Ok(all));
    }

    #[test]
    fn foreign_numbers_are_refused() {
        // 30: format index 15 does not exist; 34: the same format twice.
        for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY, 1e300, 30.0, 34.0] {
            assert_eq!(Key::config(bad), Err(Error::UnknownPropagator), "{bad}");
        }
    }
}
