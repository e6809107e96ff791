//! Datadog codec tests that need std (strings, proptest): header, tags and
//! the `dd` tracestate member, through the public API.

mod datadog {
    use proptest::prelude::*;
    use std::{string::String, vec::Vec};
    use traceprop::datadog::*;
    use traceprop::*;
    use traceprop::{DatadogTags, Headers};

    fn tags_of(t: &DatadogTags<'_>) -> Vec<(String, String)> {
        t.iter()
            .filter(|t| t.name != tags::TID)
            .map(|t| (t.name.into(), std::format!("{}", t.value)))
            .collect()
    }

    proptest! {
        #[test]
        fn header_inject_then_extract(
            high: u64,
            low in 1u64..,
            s in 1u64..,
            sampled: Option<bool>,
            priority in proptest::option::of(-3i32..4),
            origin in proptest::option::of("[a-z=~-]([a-z=~ -]{0,10}[a-z=~-])?"),
            tags in proptest::collection::vec("_dd\\.p\\.[a-su-z.]{1,6}=[a-z0-9= ~-]{0,6}[a-z0-9]", 0..4),
        ) {
            let tags = tags.join(",");
            let mut ctx = SpanContext::new(TraceId::from_halves(high, low), SpanId::from_u64(s)).with_sampled(sampled);
            ctx.sampling_priority = priority;
            ctx.origin = origin.as_deref().map(Text::new);
            ctx.dd_tags = DatadogTags::Header(&tags);
            let mut out: Vec<(String, String)> = Vec::new();
            inject(&Propagation::new(ctx), &mut |k: &str, v: &str| out.push((k.into(), v.into()))).unwrap();
            let pairs: Vec<(&str, &str)> = out.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let back = extract(&Headers::collect(pairs.as_slice())).unwrap();
            prop_assert_eq!(back.trace_id, ctx.trace_id);
            prop_assert_eq!(back.span_id, ctx.span_id);
            let want_priority = priority.or(sampled.map(i32::from));
            prop_assert_eq!(back.sampling_priority, want_priority);
            prop_assert_eq!(back.sampled, want_priority.map(|p| p > 0));
            prop_assert_eq!(back.origin, ctx.origin);
            prop_assert_eq!(tags_of(&back.dd_tags), tags_of(&ctx.dd_tags));
        }

        #[test]
        fn tracestate_inject_then_apply(
            sampled: bool,
            priority: i32,
            origin in "[a-z=-]{1,12}",
            tags in proptest::collection::vec("_dd\\.p\\.[a-su-z.]{1,6}=[a-z0-9=-]{1,6}", 0..4),
        ) {
            let tags = tags.join(",");
            let mut ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(sampled));
            ctx.sampling_priority = Some(priority);
            ctx.origin = Some(Text::new(&origin));
            ctx.dd_tags = DatadogTags::Header(&tags);
            let mut ts_value = String::new();
            inject_tracestate(&Propagation::new(ctx), &mut |_: &str, v: &str| ts_value.push_str(v)).unwrap();
            let ts = traceprop::TraceState::parse(&ts_value).unwrap();
            let mut back = SpanContext::new(ctx.trace_id, ctx.span_id).with_sampled(Some(sampled));
            apply_tracestate(&ts, &mut back);
            let reconciled = if (priority > 0) == sampled { priority } else { i32::from(sampled) };
            prop_assert_eq!(back.sampling_priority, Some(reconciled));
            prop_assert_eq!(back.origin, ctx.origin);
            prop_assert_eq!(tags_of(&back.dd_tags), tags_of(&ctx.dd_tags));
        }
    }
}

mod tags {
    use traceprop::datadog::tags::*;
    use traceprop::*;
    use traceprop::{SpanId, TraceId};

    fn encoded(ctx: &SpanContext<'_>) -> std::string::String {
        let mut buf = [0u8; MAX_LEN];
        let n = encode(ctx, &mut buf).unwrap();
        std::string::String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn grammar() {
        assert!(parse(" _dd.p.a=1 , _dd.p.b=x y=z ").is_ok());
        assert_eq!(parse("_dd.p.a=1,"), Err(Error::Malformed));
        assert_eq!(parse("_dd.p.a"), Err(Error::Malformed));
        assert_eq!(parse("=1"), Err(Error::InvalidKey));
        assert_eq!(parse("_dd.p.a b=1"), Err(Error::InvalidKey));
        assert_eq!(parse("_dd.p.a="), Err(Error::InvalidValue));
        assert_eq!(parse("_dd.p.a=\u{e9}"), Err(Error::InvalidValue));
        let max = std::format!("_dd.p.a={}", "x".repeat(MAX_LEN - 8));
        assert!(parse(&max).is_ok());
    }

    #[test]
    fn tid_rederived_appended_or_dropped() {
        let mut ctx = SpanContext::new(TraceId::from_halves(0xab, 5), SpanId::from_u64(1));
        ctx.dd_tags = DatadogTags::TraceState("s:1;t.dm:-4;t.usr.id:a~b");
        assert_eq!(
            encoded(&ctx),
            "_dd.p.dm=-4,_dd.p.usr.id=a=b,_dd.p.tid=00000000000000ab"
        );
        ctx.trace_id = TraceId::from_u64(5);
        ctx.dd_tags = DatadogTags::Header("_dd.p.tid=00000000000000ab,_dd.p.tid=1");
        assert_eq!(encoded(&ctx), "");
    }

    #[test]
    fn oversized_keeps_tid_only() {
        let long = std::format!("_dd.p.a={}", "x".repeat(490));
        let mut ctx = SpanContext::new(TraceId::from_halves(1, 5), SpanId::from_u64(1));
        ctx.dd_tags = DatadogTags::Header(&long);
        assert_eq!(encoded(&ctx), "_dd.p.tid=0000000000000001");
        ctx.trace_id = TraceId::from_u64(5);
        assert_eq!(encoded(&ctx), long);
    }

    #[test]
    fn tracestate_tag_invalid_in_header_is_skipped() {
        let mut ctx = SpanContext::new(TraceId::from_u64(5), SpanId::from_u64(1));
        ctx.dd_tags = DatadogTags::TraceState("t.a b:1;t.c:x y");
        assert_eq!(encoded(&ctx), "_dd.p.c=x y");
    }
}

mod member {
    use std::string::String;
    use traceprop::datadog::member::*;
    use traceprop::datadog::Text;
    use traceprop::w3c::tracestate::TRUNCATE_LEN;
    use traceprop::TraceId;
    use traceprop::*;

    fn member(ctx: &SpanContext<'_>) -> String {
        let mut buf = [0u8; MAX_LEN];
        let n = encode(ctx, &mut buf).unwrap();
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    fn ctx() -> SpanContext<'static> {
        SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2))
    }

    #[test]
    fn sanitising() {
        let mut c = ctx();
        c.origin = Some(Text::new("a  b;c=d~e,\u{e9}"));
        c.dd_tags = DatadogTags::Header("_dd.p.k:x;y~=v w");
        assert_eq!(member(&c), "o:a_b_c~d_e__;p:0000000000000002;t.k_x_y_:v_w");
        c.origin = Some(Text::from_tracestate("synthetics~browser"));
        assert!(member(&c).starts_with("o:synthetics~browser;"));
    }

    #[test]
    fn parent_kept_from_member_or_span() {
        let mut c = ctx();
        c.dd_tags = DatadogTags::TraceState("s:1;p:0000000000000abc;t.dm:-4");
        c.sampling_priority = Some(1);
        assert_eq!(member(&c), "s:1;p:0000000000000abc;t.dm:-4");
        c.dd_tags = DatadogTags::TraceState("s:1;t.dm:-4");
        assert_eq!(member(&c), "s:1;t.dm:-4");
        c.dd_tags = DatadogTags::Header("_dd.p.tid=1111111111111111");
        c.sampling_priority = None;
        assert_eq!(member(&c), "");
    }

    #[test]
    fn fields_past_the_cap_are_skipped() {
        let long = std::format!("_dd.p.big={},_dd.p.dm=-4", "x".repeat(250));
        let mut c = ctx();
        c.sampling_priority = Some(1);
        c.dd_tags = DatadogTags::Header(&long);
        assert_eq!(member(&c), "s:1;p:0000000000000002;t.dm:-4");
    }

    #[test]
    fn reconciliation_table() {
        for (flag, s, want) in [
            (true, "s:2", 2),
            (true, "s:-1", 1),
            (true, "o:rum", 1),
            (false, "s:-1", -1),
            (false, "s:2", 0),
            (false, "s:x", 0),
        ] {
            let ts_value = std::format!("dd={s}");
            let ts = TraceState::parse(&ts_value).unwrap();
            let mut c = ctx().with_sampled(Some(flag));
            apply_tracestate(&ts, &mut c);
            assert_eq!(c.sampling_priority, Some(want), "{flag} {s}");
        }
    }

    #[test]
    fn truncates_others_never_dd() {
        let big = std::format!("a={},b={},c=3", "x".repeat(200), "y".repeat(200));
        let mut p = Propagation::new(ctx());
        p.tracestate = TraceState::parse(&big).unwrap();
        p.context.sampling_priority = Some(1);
        p.context.dd_tags = DatadogTags::Header(
            "_dd.p.v=vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv",
        );
        let mut out = String::new();
        inject_tracestate(&p, &mut |_: &str, v: &str| out.push_str(v)).unwrap();
        assert!(out.len() <= TRUNCATE_LEN, "{}", out.len());
        assert!(
            out.starts_with("dd=s:1;p:0000000000000002;t.v:vvv"),
            "{out}"
        );
        // Only b went: the right-most entry over 128 characters.
        assert!(out.contains(",a=xxx"), "{out}");
        assert!(!out.contains("b="), "{out}");
        assert!(out.ends_with(",c=3"), "{out}");
    }
}
