package dev.traceprop

import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File

/**
 * The Kotlin conformance runner: every case of every `*.json` file in
 * `TRACEPROP_VECTORS` (default: the project's tests/vectors) through the
 * generated Kotlin API. Any mismatch, or any case it cannot run, fails.
 */
class VectorsTest {
    private fun vectorsDir(): File {
        val dir = System.getenv("TRACEPROP_VECTORS")?.takeIf { it.isNotEmpty() }
            ?: System.getProperty("traceprop.vectors")
        return File(dir)
    }

    @Test
    fun conformanceVectors() {
        val files = vectorsDir().listFiles { f -> f.name.endsWith(".json") }?.sortedBy { it.name }
            ?: error("cannot read ${vectorsDir()}")
        assertTrue(files.isNotEmpty(), "no vector files in ${vectorsDir()}")
        var passed = 0
        var failed = 0
        for (file in files) {
            val doc = JSONObject(file.readText())
            if (doc.optString("schema") != "traceprop-vectors/1") {
                println("FAIL ${file.name}: unknown schema")
                failed++
                continue
            }
            val cases = doc.getJSONArray("cases")
            for (i in 0 until cases.length()) {
                val case = cases.getJSONObject(i)
                try {
                    runCase(case)
                    passed++
                } catch (e: Throwable) {
                    failed++
                    println("FAIL ${file.name} :: ${case.optString("name")}: ${e.message}")
                }
            }
        }
        println("kotlin: $passed passed, $failed failed")
        assertEquals(0, failed, "$failed vector case(s) failed")
        assertTrue(passed > 0, "no vector case ran")
    }

    private fun knownKeys(obj: JSONObject, allowed: Set<String>) {
        val unknown = obj.keySet() - allowed
        check(unknown.isEmpty()) { "unknown field(s) $unknown" }
    }

    private fun checkPropagators(list: String) {
        val unknown = unknownPropagators(list)
        check(unknown.isEmpty()) { "unknown propagator(s) $unknown" }
    }

    private fun runCase(case: JSONObject) {
        knownKeys(case, setOf("name", "reason", "propagators", "policy", "extract", "inject", "inject_propagators", "expect"))
        check(case.optString("reason").isNotEmpty()) { "missing reason" }
        val propagators = case.getString("propagators")
        checkPropagators(propagators)
        val policy = case.optString("policy", "last")
        val expect = case.getJSONObject("expect")
        when {
            case.has("extract") && case.has("inject_propagators") -> {
                val to = case.getString("inject_propagators")
                checkPropagators(to)
                knownKeys(expect, setOf("headers"))
                val got = translate(headers(case.getJSONArray("extract")), propagators, to, policy)
                compareHeaders(got, expect.getJSONArray("headers"))
            }
            case.has("extract") && !case.has("inject") -> {
                val x = extract(headers(case.getJSONArray("extract")), propagators, policy)
                checkExtraction(x, expect)
            }
            case.has("inject") && !case.has("extract") -> {
                knownKeys(expect, setOf("headers"))
                val got = inject(propagation(case.getJSONObject("inject")), propagators)
                compareHeaders(got, expect.getJSONArray("headers"))
            }
            else -> error("a case needs exactly one of extract, inject, translate")
        }
    }

    private fun headers(arr: JSONArray): List<Header> =
        (0 until arr.length()).map {
            val pair = arr.getJSONArray(it)
            check(pair.length() == 2) { "bad header pair $pair" }
            Header(pair.getString(0), pair.getString(1))
        }

    private fun checkExtraction(x: Extraction, expect: JSONObject) {
        knownKeys(expect, setOf("context", "tracestate", "baggage", "source"))
        if (expect.has("context")) checkContext(x.context, expect.get("context"))
        if (expect.has("tracestate")) {
            val want = expect.get("tracestate").let { if (it == JSONObject.NULL) null else it as String }
            check(x.tracestate == want) { "tracestate: got ${x.tracestate}, want $want" }
        }
        if (expect.has("baggage")) {
            val got = JSONArray(x.baggage.map { m ->
                val item = JSONArray().put(m.key).put(m.value)
                if (m.properties.isNotEmpty()) {
                    item.put(m.properties.joinToString(";") { p -> if (p.value != null) "${p.key}=${p.value}" else p.key })
                }
                item
            })
            val want = expect.getJSONArray("baggage")
            check(got.similar(want)) { "baggage: got $got, want $want" }
        }
        if (expect.has("source")) {
            val want = expect.get("source").let { if (it == JSONObject.NULL) null else it as String }
            check(x.source == want) { "source: got ${x.source}, want $want" }
        }
    }

    private fun checkContext(got: SpanContext?, want: Any) {
        if (want == JSONObject.NULL) {
            check(got == null) { "context: got $got, want null" }
            return
        }
        val w = want as JSONObject
        checkNotNull(got) { "context: got null, want $w" }
        for (key in w.keySet()) {
            val g: Any? = when (key) {
                "trace_id" -> got.traceId
                "span_id" -> got.spanId
                "sampled" -> got.sampled
                "debug" -> got.debug
                "random" -> got.random
                "sampling_priority" -> got.samplingPriority
                "origin" -> got.origin
                else -> error("unknown context field $key")
            }
            val wv = w.get(key).let { if (it == JSONObject.NULL) null else it }
            check(g == wv) { "context.$key: got $g, want $wv" }
        }
    }

    private fun propagation(input: JSONObject): Propagation {
        knownKeys(input, setOf("trace_id", "span_id", "sampled", "random", "debug", "tracestate", "baggage",
            "sampling_priority", "origin", "dd_tags", "xray_extra"))
        fun str(k: String): String? = if (input.has(k) && !input.isNull(k)) input.getString(k) else null
        check(input.has("sampled")) { "missing sampled" }
        val ctx = SpanContext(
            traceId = input.getString("trace_id"),
            spanId = input.getString("span_id"),
            sampled = if (input.isNull("sampled")) null else input.getBoolean("sampled"),
            debug = input.optBoolean("debug", false),
            random = input.optBoolean("random", false),
            samplingPriority = if (input.has("sampling_priority") && !input.isNull("sampling_priority")) input.getInt("sampling_priority") else null,
            origin = str("origin"),
            ddTags = str("dd_tags"),
            xrayExtra = str("xray_extra"),
            sw8 = null,
        )
        val bag = input.optJSONArray("baggage") ?: JSONArray()
        val members = (0 until bag.length()).map {
            val m = bag.getJSONArray(it)
            val props = if (m.length() > 2) m.getString(2).split(";").filter { p -> p.isNotEmpty() }.map { p ->
                val kv = p.split("=", limit = 2)
                Property(kv[0], kv.getOrNull(1))
            } else emptyList()
            BaggageMember(m.getString(0), m.getString(1), props)
        }
        return Propagation(ctx, str("tracestate"), members)
    }

    private fun compareHeaders(got: List<Header>, want: JSONArray) {
        got.forEach { check(it.name == it.name.lowercase()) { "injected header name ${it.name} is not lowercase" } }
        val g = got.map { it.name to it.value }.sortedWith(compareBy({ it.first }, { it.second }))
        val w = headers(want).map { it.name.lowercase() to it.value }.sortedWith(compareBy({ it.first }, { it.second }))
        check(g == w) { "headers: got $g, want $w" }
    }
}
