#!/usr/bin/env python3
"""Kotlin and Swift wrappers in step with the FFI (issue 13, item 6).

Every method the FFI exports on `FaroStore` must have its wrapper in both
android/src/main/kotlin/app/faro/Faro.kt and ios/Sources/Faro/Faro.swift: a public
function of the `Faro` class that calls it (`store.m(` in Kotlin, `raw.m(` in Swift), named
as the FFI names it (or as RENAMED says, the same in both languages), whose parameters and
result have the types the generated code gives them in that language, unless TRANSFORMED
says how the wrapper presents them. Both wrappers must offer the same public methods
(Kotlin's `xFlow` is Swift's `xStream`). And a backticked `Type.case` or `.case` in the
Swift wrapper's documentation and in ios/README.md must be a case the generated code (or the
wrapper) declares, and a `method(label:label:)` there must be a wrapper with those labels.

The list of methods and their types is read from the generated Swift
(ios/Sources/FaroFFI/FaroFFI.swift, `FaroStoreProtocol`; scripts/swift.sh fails when it is
not current), never written here: a method added to the FFI is checked at once. Kotlin's
types are the generated Swift types spelt as UniFFI spells them in Kotlin.

    python3 scripts/check_wrapper_parity.py              # check the repository
    python3 scripts/check_wrapper_parity.py --self-test  # the check fails on broken copies
"""

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATED = REPO / "ios/Sources/FaroFFI/FaroFFI.swift"
KOTLIN = REPO / "android/src/main/kotlin/app/faro/Faro.kt"
SWIFT = REPO / "ios/Sources/Faro/Faro.swift"
SWIFT_README = REPO / "ios/README.md"

# FFI method -> the wrapper's name in both languages, and why.
RENAMED = {
    # `close()`: Kotlin's AutoCloseable and Swift's usual name; the FFI cannot use it.
    "closeStore": "close",
    # An overload by argument (Kotlin ByteArray, Swift `data:`) of the file import.
    "importBundleBytes": "importBundle",
}

# FFI parameters a wrapper presents otherwise: FFI name -> {wrapper name: (Kotlin type,
# Swift type)}; None where the wrapper supplies it itself.
TRANSFORMED_PARAMS = {
    "path": {"file": ("File", "URL")},
    "progress": {"onProgress": ("(ProgressReport) -> Unit", "@escaping @Sendable (ProgressReport) -> Void")},
    "cancel": None,  # from the calling coroutine / task
    "bundle": {"bundle": ("ByteArray", "Data"), "data": ("ByteArray", "Data")},
}

# FFI methods whose result a wrapper reshapes: method -> (Kotlin type, Swift type).
TRANSFORMED_RESULTS = {
    "counts": ("Map<Kind, ULong>", "[Kind: UInt64]"),
    "closeStore": ("Unit", ""),
    "directory": ("File", "URL"),
}

# FFI methods left to `raw` (both wrappers expose the generated object), and why.
RAW_ONLY = {
    # A benchmark hook (SearchBenchmark.kt), not an app's call.
    "timeSearchInRust",
}

# Public wrapper methods with no FFI method of their name, in both languages.
WRAPPER_ONLY = {"open", "openDefault", "kindCounts"}

# `.macOS` and friends: Package.swift platforms, not enum cases.
PLATFORMS = {"macOS", "iOS", "tvOS", "watchOS", "visionOS", "macCatalyst"}

KOTLIN_PRIMITIVES = {
    "UInt8": "UByte", "UInt16": "UShort", "UInt32": "UInt", "UInt64": "ULong",
    "Int8": "Byte", "Int16": "Short", "Int32": "Int", "Int64": "Long",
    "Bool": "Boolean", "Data": "ByteArray", "Float": "Float", "Double": "Double", "String": "String",
}


def kotlin_type(swift: str) -> str:
    """The Kotlin spelling UniFFI gives a generated Swift type."""
    t = swift.strip()
    if t.endswith("?"):
        return kotlin_type(t[:-1]) + "?"
    if t.startswith("[") and t.endswith("]"):
        inner = t[1:-1]
        depth = 0
        for i, c in enumerate(inner):
            depth += c in "[<"
            depth -= c in "]>"
            if c == ":" and depth == 0:
                return f"Map<{kotlin_type(inner[:i])}, {kotlin_type(inner[i + 1:])}>"
        return f"List<{kotlin_type(inner)}>"
    return KOTLIN_PRIMITIVES.get(t, t)


def split_top(text: str, sep: str = ",") -> list:
    """`text` split at `sep` outside brackets, parentheses and generics."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([<{":
            depth += 1
        elif c in ")]>}" and not (c == ">" and text[i - 1] == "-"):
            depth -= 1
        elif c == sep and depth == 0:
            out.append(text[start:i])
            start = i + 1
    if text[start:].strip():
        out.append(text[start:])
    return [p.strip() for p in out if p.strip()]


def closing(text: str, open_at: int) -> int:
    """Index of the parenthesis closing the one at `open_at`."""
    depth = 0
    for i in range(open_at, len(text)):
        depth += text[i] == "("
        depth -= text[i] == ")"
        if depth == 0:
            return i
    raise ValueError("unbalanced parentheses")


def generated_methods(text: str) -> dict:
    """FaroStore's methods in the generated Swift: name -> (params {name: type}, result)."""
    block = re.search(r"public protocol FaroStoreProtocol\b.*?\n\}", text, re.S)
    if not block:
        raise SystemExit(f"{GENERATED}: no FaroStoreProtocol")
    out = {}
    for m in re.finditer(r"^\s*func (\w+)\((.*)\)\s*(?:async\s*)?(?:throws\s*)?(?:->\s*(.+?))?\s*$", block.group(0), re.M):
        params = {}
        for p in split_top(m.group(2)):
            name, typ = p.split(":", 1)
            params[name.split()[-1]] = typ.strip()
        out[m.group(1)] = (params, (m.group(3) or "").strip())
    return out


def class_body(text: str, header: str, path: Path) -> str:
    """The text of the class whose declaration matches `header`, to its closing `}` at column 0."""
    m = re.search(header, text, re.M)
    if not m:
        raise SystemExit(f"{path}: no class matching {header!r}")
    end = re.search(r"^\}", text[m.end():], re.M)
    return text[m.start(): m.end() + (end.start() if end else len(text))]


def wrappers(body: str, lang: str) -> list:
    """Public functions of a wrapper class: (name, params {name: type}, result, body, doc)."""
    if lang == "kotlin":
        # Members, and the companion object's (`open`, `openDefault`).
        start = re.compile(r"^ {4}(?: {4})?(?:(?:suspend|override|operator)\s+)*fun (\w+)\(", re.M)
        private = re.compile(r"^ {4}(?: {4})?(?:private|internal|protected)\b")
        call = "store"
    else:
        start = re.compile(r"^    public (?:static )?func (\w+)\(", re.M)
        private = None
        call = "raw"
    member = re.compile(r"^    (?:[a-z@][^\n]*\b(?:fun|func|val|var|let|init)\b|/\*\*|///|\})", re.M)
    out = []
    for m in start.finditer(body):
        line_start = body.rfind("\n", 0, m.start()) + 1
        labels = []
        if private and private.match(body, line_start):
            continue
        close = closing(body, m.end() - 1)
        params = {}
        for p in split_top(body[m.end(): close]):
            p = re.sub(r"\s*=\s*.*$", "", p, flags=re.S).strip()
            if ":" not in p:
                continue
            name, typ = p.split(":", 1)
            words = name.split()
            labels.append(words[-2] if len(words) > 1 and lang == "swift" else words[-1])
            typ = typ.strip()
            if lang == "kotlin" and "vararg" in words:
                typ = f"List<{typ}>"
            params[words[-1]] = typ
        rest = body[close + 1:]
        if lang == "kotlin":
            sig = re.match(r"\s*(?::\s*([^=\n{]+?))?\s*(=|\{)", rest)
            result = (sig.group(1) or "Unit").strip() if sig else "Unit"
        else:
            sig = re.match(r"\s*(?:async\s*)?(?:throws\s*)?(?:->\s*([^{]+?))?\s*\{", rest)
            result = (sig.group(1) or "").strip() if sig else ""
        nxt = member.search(body, close + 1 + (sig.end() if sig else 0))
        text = body[close + 1: nxt.start() if nxt else len(body)]
        doc_end = line_start
        doc = ""
        before = body[:doc_end].rstrip("\n").split("\n")
        lines = []
        while before and before[-1].strip().startswith(("///", "*", "/**")):
            lines.insert(0, before.pop())
        doc = "\n".join(lines)
        calls = set(re.findall(rf"\b{call}\.(\w+)\(", text))
        out.append({"name": m.group(1), "params": params, "labels": labels, "result": result, "calls": calls, "doc": doc})
    return out


def normal(t: str) -> str:
    return re.sub(r"\s+", "", t)


def enum_cases(text: str) -> dict:
    """Enum name -> its case names, in Swift source."""
    out = {}
    for m in re.finditer(r"^public\s+(?:indirect\s+)?enum (\w+)[^{]*\{(.*?)^\}", text, re.M | re.S):
        out[m.group(1)] = set(re.findall(r"^\s*case (\w+)", m.group(2), re.M))
    return out


def check(generated: str, kotlin: str, swift: str, readme: str = "") -> list:
    problems = []
    methods = generated_methods(generated)
    if not methods:
        return ["no FaroStore methods found in the generated Swift"]
    kt = wrappers(class_body(kotlin, r"^class Faro\b", KOTLIN), "kotlin")
    sw = wrappers(class_body(swift, r"^public final class Faro\b", SWIFT), "swift")
    for method, (params, result) in sorted(methods.items()):
        if method in RAW_ONLY:
            continue
        name = RENAMED.get(method, method)
        for lang, funcs, file in (("Kotlin", kt, KOTLIN.name), ("Swift", sw, SWIFT.name)):
            named = [f for f in funcs if f["name"] == name and method in f["calls"]]
            if not named:
                callers = sorted({f["name"] for f in funcs if method in f["calls"]})
                why = f" (called only by {', '.join(callers)})" if callers else ""
                problems.append(f"FaroStore.{method}: no {lang} wrapper `{name}` in {file}{why}")
                continue
            for f in named:
                problems += check_types(method, params, result, f, lang, file)
    kt_names = {re.sub(r"Flow$", "Stream", f["name"]) for f in kt}
    sw_names = {f["name"] for f in sw}
    expected = {RENAMED.get(m, m) for m in methods if m not in RAW_ONLY} | WRAPPER_ONLY
    for missing in sorted(kt_names - sw_names):
        problems.append(f"Kotlin `{missing.replace('Stream', 'Flow')}` has no Swift counterpart in {SWIFT.name}")
    for missing in sorted(sw_names - kt_names):
        problems.append(f"Swift `{missing}` has no Kotlin counterpart in {KOTLIN.name}")
    for extra in sorted((kt_names | sw_names) - expected - {n + "Stream" for n in expected}):
        problems.append(f"wrapper `{extra}` calls no FFI method of its name: add it to WRAPPER_ONLY if it is meant")
    problems += check_swift_docs(generated, swift, readme, sw)
    return problems


def check_types(method, params, result, f, lang, file) -> list:
    problems = []
    where = f"{lang} `{f['name']}` ({file}, FaroStore.{method})"
    spell = kotlin_type if lang == "Kotlin" else (lambda t: t)
    for p, typ in params.items():
        if p in f["params"]:
            want = spell(typ)
            if normal(f["params"][p]) != normal(want):
                problems.append(f"{where}: parameter `{p}` is {f['params'][p]}, the FFI's is {want}")
            continue
        shown = TRANSFORMED_PARAMS.get(p, "missing")
        if shown is None:
            continue
        if shown == "missing":
            problems.append(f"{where}: the FFI parameter `{p}` is not a parameter of the wrapper")
            continue
        hits = [(n, t) for n, t in shown.items() if n in f["params"]]
        if not hits:
            problems.append(f"{where}: the FFI parameter `{p}` is not a parameter of the wrapper")
        for n, types in hits:
            want = types[0] if lang == "Kotlin" else types[1]
            if normal(f["params"][n]) != normal(want):
                problems.append(f"{where}: parameter `{n}` is {f['params'][n]}, expected {want}")
    if method in TRANSFORMED_RESULTS:
        want = TRANSFORMED_RESULTS[method][0 if lang == "Kotlin" else 1]
    else:
        want = spell(result) if result else ("Unit" if lang == "Kotlin" else "")
    got = f["result"]
    if f["name"].endswith(("Flow", "Stream")):
        return problems
    if normal(got) != normal(want):
        problems.append(f"{where}: returns {got or 'nothing'}, the FFI returns {want or 'nothing'}")
    return problems


def check_swift_docs(generated: str, swift: str, readme: str, funcs: list) -> list:
    """Backticked `Type.case` and `.case` in the Swift wrapper's docs and in its README name
    real cases; `method(label:)` in the README names a wrapper with those labels."""
    cases = enum_cases(generated)
    cases.update(enum_cases(swift))
    problems = []
    blocks = [(SWIFT.name, swift, b) for b in re.finditer(r"(?:^[ \t]*///.*\n)+", swift, re.M)]
    blocks += [(SWIFT_README.name, readme, b) for b in re.finditer(r"(?:^.+\n)+", readme, re.M)]
    wrapped = {}
    for f in funcs:
        wrapped.setdefault(f["name"], []).append(f["labels"])
    for file, source, block in blocks:
        text = block.group(0)
        line = source[: block.start()].count("\n") + 1
        for name, labels in re.findall(r"`(\w+)\(((?:\w+:)*)\)`", text):
            said = labels.split(":")[:-1]
            if name in wrapped and not any(in_order(said, have) for have in wrapped[name]):
                problems.append(f"{file}:{line}: `{name}({labels})` matches no Swift wrapper's labels {wrapped[name]}")
        # The declaration a doc is on names types too (a stream's event enum).
        declaration = "\n".join(source[block.end():].split("\n")[:3]) if file == SWIFT.name else ""
        named = [t for t in re.findall(r"`(\w+)[.`]", text) if t in cases]
        named += [t for t in re.findall(r"\b(\w+)\b", text + declaration) if t in cases]
        for typ, case in re.findall(r"`(\w+)\.(\w+)`", text):
            if typ in cases and case not in cases[typ]:
                problems.append(f"{file}:{line}: `{typ}.{case}` is not a case of {typ} ({', '.join(sorted(cases[typ]))})")
        for case in re.findall(r"`\.(\w+)`", text):
            if case in PLATFORMS:
                continue
            owners = [t for t in set(named) if case in cases[t]]
            if not owners:
                problems.append(f"{file}:{line}: `.{case}` is not a case of any type this doc names ({', '.join(sorted(set(named))) or 'none'})")
    return problems


def in_order(said: list, have: list) -> bool:
    """`said` labels appear in `have` in the same order (defaulted ones may be left out)."""
    it = iter(have)
    return all(label in it for label in said)


def self_test() -> None:
    generated, kotlin, swift, readme = (p.read_text() for p in (GENERATED, KOTLIN, SWIFT, SWIFT_README))
    assert check(generated, kotlin, swift, readme) == [], "the repository must pass first"
    broken = {
        "a Kotlin wrapper removed": (generated, re.sub(r"store\.subscriptions\(\)", "listOf()", kotlin), swift),
        "a Swift wrapper removed": (generated, kotlin, re.sub(r"self\.raw\.datasetStatus\(\)", "fatalError()", swift)),
        "a method only the FFI has": (generated.replace(
            "public protocol FaroStoreProtocol: AnyObject, Sendable {",
            "public protocol FaroStoreProtocol: AnyObject, Sendable {\n    func reindex() throws  -> UInt64"), kotlin, swift),
        "a Kotlin type drifted": (generated, kotlin.replace("suspend fun listingCount(): ULong", "suspend fun listingCount(): Long"), swift),
        "a Swift type drifted": (generated, kotlin, swift.replace("limit: UInt32 = 20", "limit: Int = 20")),
        "a method in one language only": (generated, kotlin, re.sub(r"public func kindCounts\(", "func kindCountsGone(", swift)),
        "a Swift doc naming a case the generated code spells otherwise": (generated, kotlin, swift.replace("`FaroError.NotFound`", "`FaroError.notFound`", 1)),
    }
    readmes = {
        "the README naming a case the generated code spells otherwise": readme.replace("`.NotVerified`", "`.notVerified`", 1),
        "the README naming labels no wrapper has": readme.replace("`exportBundle(to:)`", "`exportBundle(path:)`", 1),
    }
    cases = [(what, g, k, s, readme) for what, (g, k, s) in broken.items()]
    cases += [(what, generated, kotlin, swift, r) for what, r in readmes.items()]
    for what, g, k, s, r in cases:
        assert (g, k, s, r) != (generated, kotlin, swift, readme), f"self-test could not break: {what}"
        found = check(g, k, s, r)
        assert found, f"the check passed with {what}"
        print(f"self-test: {what}: {found[0]}")
    print("wrapper parity self-test: ok")


def main() -> int:
    if "--self-test" in sys.argv[1:]:
        self_test()
        return 0
    problems = check(GENERATED.read_text(), KOTLIN.read_text(), SWIFT.read_text(), SWIFT_README.read_text())
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"wrapper parity: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"wrapper parity: {len(generated_methods(GENERATED.read_text()))} FaroStore methods, "
          "each wrapped in Kotlin and Swift with the FFI's names and types")
    return 0


if __name__ == "__main__":
    sys.exit(main())
