//! Reading header lines (`name: value`) from arguments or stdin.

use std::io::Read;

/// Header lines as owned `(name, value)` pairs, in order.
pub type Lines = Vec<(String, String)>;

/// Reads `name: value` lines from `args`, or from stdin when there are none.
/// Blank lines and an HTTP request or status line (`GET / HTTP/1.1`) are
/// skipped; any other line without a `:` is an error.
pub fn read(args: &[String]) -> Result<Lines, String> {
    let text = if args.is_empty() {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        s
    } else {
        args.join("\n")
    };
    parse(&text)
}

fn parse(text: &str) -> Result<Lines, String> {
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || is_start_line(line) {
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .filter(|(name, _)| !name.trim().is_empty())
            .ok_or_else(|| format!("line {} is not `name: value`: {line:?}", n + 1))?;
        lines.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Ok(lines)
}

fn is_start_line(line: &str) -> bool {
    line.contains(" HTTP/") || line.starts_with("HTTP/")
}

/// Borrowed pairs, the carrier the core reads.
pub fn borrow(lines: &Lines) -> Vec<(&str, &str)> {
    lines
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn skips_start_line_and_blanks() {
        let l = parse("GET / HTTP/1.1\r\nHost: x\r\n\r\nb3: 1\r\n").unwrap();
        assert_eq!(l, [("Host".into(), "x".into()), ("b3".into(), "1".into())]);
    }

    #[test]
    fn rejects_line_without_colon() {
        assert!(parse("traceparent 00-x").unwrap_err().contains("line 1"));
    }
}
