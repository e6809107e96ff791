//! `traceprop`: decode, convert and explain distributed-tracing propagation
//! headers, for the people who debug broken traces by reading headers.
//!
//! ```text
//! traceprop decode < headers.txt          # every format found, verdicts, conflicts
//! traceprop convert --to tracecontext,b3  # a gateway in a pipe
//! traceprop id 67667974448284343          # one id in every encoding
//! ```

mod decode;
mod headers;
mod id;
mod output;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::process::ExitCode;
use traceprop::propagator::{self, Config, Format, Policy};

/// Decode, convert and explain distributed-tracing propagation headers.
#[derive(Parser)]
#[command(name = "traceprop", version)]
struct Cli {
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    json: bool,
    /// Colour the human output.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Reads header lines (`name: value`, from the arguments or stdin), detects
    /// every format present, and explains each verdict.
    Decode {
        /// Header lines; stdin when none.
        headers: Vec<String>,
    },
    /// Extracts the context and re-injects it into other formats.
    Convert {
        /// Formats to read (OTEL_PROPAGATORS syntax); every format by default.
        #[arg(long)]
        from: Option<String>,
        /// Formats to write (OTEL_PROPAGATORS syntax).
        #[arg(long)]
        to: String,
        /// Which valid format wins: `last` (OpenTelemetry) or `first` (Datadog).
        #[arg(long, default_value = "last")]
        policy: String,
        /// Header lines; stdin when none.
        headers: Vec<String>,
    },
    /// Shows one id in every encoding (hex, 64-bit, Datadog decimal + tid,
    /// X-Ray Root, Google Cloud decimal span id).
    Id {
        /// A 32- or 16-hex-digit id, a decimal id, or an X-Ray Root.
        value: String,
        /// Datadog's `_dd.p.tid` (the high 64 bits) for a decimal trace id.
        #[arg(long)]
        tid: Option<String>,
        /// Read a 16-digit all-numeric value as decimal, not hex.
        #[arg(long)]
        decimal: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let out = output::Style { color };
    let result = match cli.command {
        Command::Decode { headers } => {
            headers::read(&headers).map(|h| decode::run(&h, cli.json, out))
        }
        Command::Convert {
            from,
            to,
            policy,
            headers,
        } => convert(from.as_deref(), &to, &policy, &headers, cli.json),
        Command::Id {
            value,
            tid,
            decimal,
        } => id::run(&value, tid.as_deref(), decimal, cli.json, out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("traceprop: {e}");
            ExitCode::from(2)
        }
    }
}

/// Parses a propagator list, refusing unknown names (a typo should not pass
/// silently on the command line).
fn config(list: &str) -> Result<Config, String> {
    let unknown: Vec<&str> = Config::unknown_names(list).collect();
    if unknown.is_empty() {
        Ok(Config::parse(list))
    } else {
        Err(format!(
            "unknown propagator name(s): {} (known: {})",
            unknown.join(", "),
            Format::ALL.map(Format::name).join(", ")
        ))
    }
}

fn convert(
    from: Option<&str>,
    to: &str,
    policy: &str,
    args: &[String],
    json: bool,
) -> Result<(), String> {
    let policy = Policy::from_name(policy).ok_or("--policy must be `last` or `first`")?;
    let from = match from {
        Some(list) => config(list)?,
        None => Config::from_formats(&Format::ALL),
    }
    .with_policy(policy);
    let to = config(to)?;
    let lines = headers::read(args)?;
    let carrier = headers::borrow(&lines);
    let mut written = Vec::new();
    let found = propagator::translate(&from, &to, carrier.as_slice(), &mut |k: &str, v: &str| {
        written.push((k.to_owned(), v.to_owned()));
    });
    if found.context.is_none() {
        return Err("no valid trace context in the input".into());
    }
    if json {
        let headers: Vec<_> = written
            .iter()
            .map(|(k, v)| serde_json::json!([k, v]))
            .collect();
        println!("{}", serde_json::json!({ "headers": headers }));
    } else {
        for (k, v) in &written {
            println!("{k}: {v}");
        }
    }
    Ok(())
}
