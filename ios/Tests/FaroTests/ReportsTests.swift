// Reports from the field from Swift (issue 11 item 3), against the real host-built
// libfaro_ffi.so and the real receiver. scripts/swift.sh runs `faro reports serve` on loopback
// behind scripts/report_gate.py (which forwards to it, answers 503 after the number of reports
// written to its `pass` file, and logs every byte it received), publishes the demo listings
// naming the gate as receiver in reports-repo's signed metadata, and passes the paths in the
// environment. Each test syncs a new phone, queues reports, sends them, and reads them back as
// the publisher does, with `faro reports read --json` and the receiver's private key.
import Foundation
import XCTest
@testable import Faro

private let env = ProcessInfo.processInfo.environment
private let quick = SyncSettings(connectTimeout: 5, readTimeout: 5, maxAttempts: 1)

/// Collects progress reports from the sending thread.
private final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [ProgressReport] = []
    var reports: [ProgressReport] { lock.lock(); defer { lock.unlock() }; return all }
    func add(_ p: ProgressReport) { lock.lock(); all.append(p); lock.unlock() }
}

final class ReportsTests: XCTestCase {
    var dir: URL!
    var repoURL: String!
    var root: Data!
    var gate: URL!
    var cli: String!
    var receiverKeys: String!
    var inbox: String!

    override func setUp() async throws {
        guard let url = env["FARO_REPORTS_REPO_URL"], let rootFile = env["FARO_REPORTS_ROOT_FILE"],
            let gateDir = env["FARO_REPORT_GATE"], let cliPath = env["FARO_CLI"],
            let keys = env["FARO_RECEIVER_KEYS"], let inboxDir = env["FARO_INBOX"]
        else {
            // Not silently green: these tests need scripts/swift.sh's receiver.
            XCTFail("run through scripts/swift.sh test (FARO_REPORTS_REPO_URL and friends are not set)")
            throw XCTSkip("no receiver")
        }
        (repoURL, cli, receiverKeys, inbox) = (url, cliPath, keys, inboxDir)
        root = try Data(contentsOf: URL(fileURLWithPath: rootFile))
        gate = URL(fileURLWithPath: gateDir)
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("faro-reports-\(UUID().uuidString)")
        try letThrough(-1)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Lets `count` more reports through the gate, then 503 (-1: all).
    private func letThrough(_ count: Int) throws {
        try "\(count) \(UUID().uuidString)".write(to: gate.appendingPathComponent("pass"), atomically: true, encoding: .utf8)
    }

    /// Every body the gate received so far.
    private func sentBytes() throws -> [String] {
        let text = (try? String(contentsOf: gate.appendingPathComponent("log.jsonl"), encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed) as! String
        }
    }

    /// The reports the publisher reads: idempotency key -> report, and how often each key came.
    private func publisherReads() throws -> [(key: String, report: [String: Any])] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cli)
        process.arguments = ["reports", "read", "--keys", receiverKeys, "--in", inbox, "--json"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let items = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        return items.map { item in
            XCTAssertNil(item["error"], "\(item)")
            return (item["idempotency_key"] as! String, item["report"] as? [String: Any] ?? [:])
        }
    }

    /// A new phone that trusts the reports repository and has synced its listings.
    private func syncedPhone(_ name: String = "phone") async throws -> Faro {
        let faro = try await Faro.open(directory: dir.appendingPathComponent(name))
        _ = try await faro.installTrustedRoot(root)
        _ = try await faro.sync(url: repoURL, datasets: ["demo/route"], settings: quick)
        return faro
    }

    private func draft(_ n: Int) -> ReportDraft {
        ReportDraft(kind: .other, text: "Report \(n) (demo) \(UUID().uuidString): the queue moved to the back door.")
    }

    func testReportsReachTheRealReceiverOnceEachSealedAndSurviveARestart() async throws {
        let fresh = try await Faro.open(directory: dir.appendingPathComponent("unsynced"))
        _ = try await fresh.installTrustedRoot(root)
        do {
            _ = try await fresh.report(draft(0))
            XCTFail("a report before any sync was queued")
        } catch FaroError.NoReceiver(let reason) {
            XCTAssertTrue(reason.contains("sync"), reason)
        }
        let noReports = try await fresh.reports()
        XCTAssertTrue(noReports.isEmpty)
        fresh.close()

        var phone = try await syncedPhone()
        do {
            _ = try await phone.report(ReportDraft(kind: .correction, text: "Closed (demo)."))
            XCTFail("a correction without its sub-kind was queued")
        } catch FaroError.BadInput(let reason) {
            XCTAssertTrue(reason.contains("sub_kind"), reason)
        }
        let tag = UUID().uuidString
        let closed = try await phone.report(
            ReportDraft(
                kind: .correction, subKind: .closed, text: "The health post (demo) closed. \(tag)",
                listing: "demo:necocli-health-01"))
        XCTAssertEqual(closed.status, .queued)
        XCTAssertEqual(closed.subKind, .closed)
        XCTAssertGreaterThan(closed.sealedBytes, 0)
        _ = try await phone.report(
            ReportDraft(kind: .suspectedScam, text: "Offers a bus north (demo). \(tag)", contact: "+1 201 555 0147"))
        _ = try await phone.report(
            ReportDraft(
                kind: .newPlace, text: "A parish kitchen (demo). \(tag)",
                place: ReportPlace(lat: 14.634915, lon: -90.506882, precise: false)))
        let dropped = try await phone.report(draft(4))
        let cancelled = try await phone.cancelReport(id: dropped.id)
        XCTAssertEqual(cancelled.status, .cancelled)
        do {
            _ = try await phone.cancelReport(id: dropped.id)
            XCTFail("a cancelled report was cancelled again")
        } catch FaroError.BadInput(_) {}
        let keys = Set(try await phone.reports().filter { $0.status == .queued }.map(\.idempotencyKey))
        XCTAssertEqual(keys.count, 3)

        // The app goes away; the outbox is in the database.
        phone.close()
        phone = try await Faro.open(directory: dir.appendingPathComponent("phone"))
        let rows = try await phone.reports()
        XCTAssertEqual(rows.map(\.id), [4, 3, 2, 1])

        let seen = Seen()
        let summary = try await phone.sendReports(settings: quick) { seen.add($0) }
        XCTAssertEqual([summary.sent, summary.refused, summary.waiting], [3, 0, 0])
        XCTAssertEqual(summary.outcomes.map(\.id), [1, 2, 3])
        XCTAssertTrue(summary.outcomes.allSatisfy { $0.status == .sent && $0.httpStatus == 201 })
        XCTAssertEqual(seen.reports.first?.stage, .sendingReports)
        XCTAssertEqual(seen.reports.first?.recordsTotal, 3)
        XCTAssertEqual(seen.reports.last?.stage, .finished)
        let after = try await phone.reports()
        XCTAssertEqual(after.filter { $0.status == .sent && $0.sealedBytes == 0 && $0.sent != nil }.count, 3)
        let again = try await phone.sendReports(settings: quick)
        XCTAssertEqual([again.sent, again.waiting], [0, 0])
        XCTAssertTrue(again.outcomes.isEmpty)
        let forgotten = try await phone.forgetReports()
        XCTAssertEqual(forgotten, 4)
        phone.close()

        // The publisher reads each report exactly once, with its key: what was written, no more.
        let read = try publisherReads().filter { keys.contains($0.key) }
        XCTAssertEqual(read.count, 3)
        XCTAssertEqual(Set(read.map(\.key)), keys)
        let byKind = Dictionary(uniqueKeysWithValues: read.map { ($0.report["kind"] as! String, $0.report) })
        XCTAssertEqual(byKind["correction"]?["sub_kind"] as? String, "closed")
        XCTAssertEqual((byKind["correction"]?["listing"] as? [String: Any])?["dataset"] as? String, "demo/route")
        XCTAssertEqual(byKind["suspected_scam"]?["contact"] as? String, "+1 201 555 0147")
        let place = byKind["new_place"]?["place"] as? [String: Any]
        XCTAssertEqual(place?["lat"] as? Double, 14.63)
        XCTAssertEqual(place?["lon"] as? Double, -90.51)
        XCTAssertEqual(place?["precision"] as? String, "rounded")
        // Nothing readable went over the wire.
        for body in try sentBytes() {
            XCTAssertFalse(body.contains(tag) || body.contains("201 555") || body.contains("demo"), body)
        }
    }

    func testAReceiverFailingHalfWayKeepsTheRestQueuedAndTheyGoLaterNoneTwice() async throws {
        let phone = try await syncedPhone()
        var queued: [QueuedReport] = []
        for n in 1...5 { queued.append(try await phone.report(draft(n))) }
        let keys = queued.map(\.idempotencyKey)
        let before = try sentBytes().count

        // Two go through, then the receiver answers 503: the send stops there.
        try letThrough(2)
        let first = try await phone.sendReports(settings: quick)
        XCTAssertEqual([first.sent, first.waiting], [2, 3])
        XCTAssertEqual(first.outcomes.map(\.status), [.sent, .sent, .queued])
        XCTAssertEqual(first.outcomes.last?.httpStatus, 503)
        XCTAssertEqual(try sentBytes().count - before, 3)
        let failed = try await phone.reports().first { $0.id == queued[2].id }!
        XCTAssertEqual(failed.status, .queued)
        XCTAssertEqual(failed.attempts, 1)
        XCTAssertNotNil(failed.nextTry)
        XCTAssertTrue(failed.lastError?.contains("503") ?? false, "\(String(describing: failed.lastError))")
        var read = try publisherReads().map(\.key).filter { keys.contains($0) }
        XCTAssertEqual(Set(read), Set(keys.prefix(2)))

        // The failed report waits for its backoff: a plain send tries nothing.
        try letThrough(-1)
        let early = try await phone.sendReports(settings: quick)
        XCTAssertTrue(early.outcomes.isEmpty)
        XCTAssertEqual(early.waiting, 3)

        // A cancelled task sends nothing and keeps the reports queued.
        let cancelledTask = Task { try await phone.sendReports(settings: quick, sendNow: true) }
        cancelledTask.cancel()
        do {
            _ = try await cancelledTask.value
        } catch is CancellationError {
            // Cancelled before or during a POST: the report in flight stays queued.
        }
        let waiting = try await phone.reports().filter { $0.status == .queued || $0.status == .sent }
        XCTAssertEqual(waiting.count, 5)

        // "Send now", as a stream: the rest go, each once.
        var events: [SendReportsEvent] = []
        for try await event in phone.sendReportsStream(settings: quick, sendNow: true) { events.append(event) }
        guard case .finished(let done)? = events.last else { return XCTFail("no finished event") }
        XCTAssertEqual(done.waiting, 0)
        let all = try await phone.reports()
        XCTAssertTrue(all.allSatisfy { $0.status == .sent })
        read = try publisherReads().map(\.key).filter { keys.contains($0) }
        XCTAssertEqual(read.count, 5)
        XCTAssertEqual(Set(read), Set(keys))
        // Every byte sent: the envelope's five fields, ciphertext, never the text.
        for body in try sentBytes().suffix(from: before) {
            let fields = try JSONSerialization.jsonObject(with: Data(body.utf8)) as! [String: Any]
            XCTAssertEqual(Set(fields.keys), ["faro_report", "key_id", "idempotency_key", "enc", "ct"])
            XCTAssertFalse(body.contains("back door"), body)
        }
        phone.close()
    }
}
