// The Swift package against the real host-built libfaro_ffi.so and real SQLite files: the
// demo listings and a generated 11k-record file for progress, cancellation and concurrent reads.
import Foundation
import XCTest
@testable import Faro

private let demoPath = ProcessInfo.processInfo.environment["FARO_DEMO_LISTINGS"] ?? "../data/demo/listings.jsonl"
private let demoCount: UInt64 = 73
private let tapachula = GeoPoint(lat: 14.9057, lon: -92.2630)
private let wednesdayMorning = HoursAt.localTime(year: 2026, month: 11, day: 25, hour: 10, minute: 30)

/// The demo file copied `copies` times with fresh ids into another dataset: a long import.
private func bulkFile(in dir: URL, copies: Int) throws -> URL {
    let lines = try String(contentsOfFile: demoPath, encoding: .utf8).split(separator: "\n").map(String.init)
    var out = lines[0].replacingOccurrences(of: "\"demo/route\"", with: "\"test/bulk\"") + "\n"
    for i in 0..<copies {
        for line in lines.dropFirst() where !line.isEmpty {
            out += line.replacingOccurrences(of: "\"id\":\"demo:", with: "\"id\":\"demo:bulk\(i)-") + "\n"
        }
    }
    let url = dir.appendingPathComponent("bulk-\(copies).jsonl")
    try out.write(to: url, atomically: true, encoding: .utf8)
    return url
}

private final class Recorder: ProgressListener, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [ProgressReport] = []
    var cancelAfter: UInt64?
    var handle: CancelHandle?
    var reports: [ProgressReport] { lock.lock(); defer { lock.unlock() }; return seen }
    func onProgress(progress: ProgressReport) {
        lock.lock(); seen.append(progress); lock.unlock()
        if let limit = cancelAfter, progress.recordsDone >= limit { handle?.cancel() }
    }
}

final class FaroTests: XCTestCase {
    var dir: URL!
    var faro: Faro!

    override func setUp() async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("faro-swift-\(UUID().uuidString)")
        faro = try await Faro.open(directory: dir.appendingPathComponent("store"))
        let summary = try await faro.importListings(file: URL(fileURLWithPath: demoPath))
        XCTAssertEqual(summary.dataset, "demo/route")
        XCTAssertEqual(summary.inserted, demoCount)
    }

    override func tearDown() async throws {
        faro.close()
        try? FileManager.default.removeItem(at: dir)
    }

    func testCountsByKindAndRepeatedImport() async throws {
        let count = try await faro.listingCount()
        XCTAssertEqual(count, demoCount)
        let counts = try await faro.counts()
        XCTAssertEqual(counts.count, 4)
        XCTAssertEqual(counts[.consulate], 0)
        XCTAssertEqual(counts.values.reduce(0, +), demoCount - 1, "the one closed listing is not counted")
        let kinds = try await faro.kindCounts()
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: kinds.map { ($0.kind, $0.count) }), counts)
        let again = try await faro.importListings(file: URL(fileURLWithPath: demoPath))
        XCTAssertEqual(again.unchanged, demoCount)
        let mexico = try await faro.counts(.country(code: "MX")).values.reduce(0, +)
        let near = try await faro.counts(.circle(center: tapachula, radiusM: 20_000)).values.reduce(0, +)
        XCTAssertTrue(near > 0 && near < mexico)
    }

    func testSearchWithFiltersAndLanguages() async throws {
        let legal = try await faro.search(SearchRequest(text: "juridica", kinds: [.legalAid], languages: ["fr", "es"]))
        XCTAssertFalse(legal.isEmpty)
        for hit in legal {
            XCTAssertEqual(hit.listing.kind, .legalAid)
            XCTAssertNotNil(hit.score)
            XCTAssertTrue(hit.listing.demo)
        }
        XCTAssertTrue(legal.contains { $0.listing.nameLanguage == "fr" })
        let vaccines = try await faro.search(SearchRequest(services: [.vaccination], inCountry: "CO", freeOnly: true))
        XCTAssertFalse(vaccines.isEmpty)
        for hit in vaccines {
            XCTAssertTrue(hit.listing.services.contains(.vaccination))
            XCTAssertEqual(hit.listing.address?.country, "CO")
        }
        let inRadius = try await faro.search(SearchRequest(near: tapachula, radiusM: 3_000, limit: 100))
        XCTAssertFalse(inRadius.isEmpty)
        for hit in inRadius { XCTAssertLessThanOrEqual(hit.distanceM!, 3_000) }
    }

    func testNearestIsSortedAndFiltered() async throws {
        let hits = try await faro.nearest(tapachula, kinds: [.shelter], limit: 5)
        XCTAssertEqual(hits.count, 5)
        let distances = hits.map { $0.distanceM! }
        XCTAssertEqual(distances, distances.sorted())
        XCTAssertTrue(hits.allSatisfy { $0.listing.kind == .shelter })
        XCTAssertLessThan(distances[0], 5_000)
    }

    func testOpenAtLocalTimeAndNextChangeAsDate() async throws {
        let open = try await faro.search(SearchRequest(near: tapachula, at: wednesdayMorning, openOnly: true, limit: 10))
        XCTAssertFalse(open.isEmpty)
        for hit in open { XCTAssertEqual(hit.listing.hours.state, .open) }
        let now = try await faro.nearest(tapachula, openNow: true)
        XCTAssertTrue(now.allSatisfy { $0.listing.hours.state == .open })
    }

    func testListingByIdWithPhonesAndHours() async throws {
        let es = try await faro.listing(id: "demo:san-diego-health-01", languages: ["es"], at: wednesdayMorning)
        let en = try await faro.listing(id: "demo:san-diego-health-01", languages: ["en"], at: wednesdayMorning)
        XCTAssertEqual(es.nameLanguage, "es")
        XCTAssertEqual(en.nameLanguage, "en")
        XCTAssertEqual(es.phones.map { $0.kind }, [.voice, .whatsapp])
        XCTAssertEqual(es.hours.state, .open)
        XCTAssertEqual(es.hours.nextChangeLocal, "2026-11-25T18:00")
        // 18:00 in Los Angeles (UTC-8 in November) is 02:00 UTC the next day.
        XCTAssertEqual(es.hours.nextChange, ISO8601DateFormatter().date(from: "2026-11-26T02:00:00Z"))
    }

    func testImportProgressAndStream() async throws {
        let file = try bulkFile(in: dir, copies: 40)
        let recorder = Recorder()
        let summary = try await faro.importListings(file: file) { recorder.onProgress(progress: $0) }
        XCTAssertEqual(summary.inserted, 40 * demoCount)
        let importing = recorder.reports.filter { $0.stage == .importing }
        XCTAssertGreaterThanOrEqual(importing.count, 5)
        XCTAssertEqual(recorder.reports.suffix(2).map { $0.stage }, [.committing, .finished])
        var events: [ImportEvent] = []
        for try await event in faro.importListingsStream(file: file) { events.append(event) }
        guard case .finished(let again)? = events.last else { return XCTFail("no finished event") }
        XCTAssertEqual(again.unchanged, 40 * demoCount)
    }

    func testCancellingAnImportKeepsNothing() async throws {
        let file = try bulkFile(in: dir, copies: 60)
        let recorder = Recorder()
        let handle = CancelHandle()
        recorder.cancelAfter = 512
        recorder.handle = handle
        XCTAssertThrowsError(try faro.raw.importListings(path: file.path, progress: recorder, cancel: handle)) { error in
            guard case FaroError.Cancelled(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("nothing was written"))
        }
        let count = try await faro.listingCount()
        XCTAssertEqual(count, demoCount)
        // Cancelling the task cancels the import too.
        let opened: Faro = faro
        let task = Task { try await opened.importListings(file: file) }
        try await Task.sleep(nanoseconds: 30_000_000)
        task.cancel()
        let result = await task.result
        switch result {
        case .success: XCTFail("the import finished before it was cancelled")
        case .failure(let error): XCTAssertTrue(error is CancellationError, "\(error)")
        }
        let after = try await faro.listingCount()
        XCTAssertEqual(after, demoCount)
    }

    func testReadsDuringAnImportSeeOldOrNewData() async throws {
        let file = try bulkFile(in: dir, copies: 60)
        let total = demoCount + 60 * demoCount
        let opened: Faro = faro
        let importer = Task { try await opened.importListings(file: file) }
        var counts: [UInt64] = []
        var searches = 0
        while true {
            counts.append(try await faro.listingCount())
            let hits = try await faro.search(SearchRequest(text: "salud", limit: 5))
            XCTAssertFalse(hits.isEmpty)
            searches += 1
            if counts.last == total { break }
        }
        _ = try await importer.value
        XCTAssertGreaterThan(searches, 0)
        XCTAssertTrue(counts.allSatisfy { $0 == demoCount || $0 == total }, "partial counts: \(Set(counts))")
    }

    func testThePackageBuildsInSwift6LanguageMode() {
        #if swift(>=6.0)
            // Package.swift: swift-tools-version 6.0 and swiftLanguageModes [.v6].
        #else
            XCTFail("the package must build in Swift 6 language mode")
        #endif
    }

    func testThePrivacyManifestDeclaresNoTrackingNoCollectionAndTheAPIReasons() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Faro/PrivacyInfo.xcprivacy")
        let plist = try PropertyListSerialization.propertyList(from: Data(contentsOf: file), format: nil)
        let manifest = try XCTUnwrap(plist as? [String: Any])
        XCTAssertEqual(manifest["NSPrivacyTracking"] as? Bool, false)
        XCTAssertEqual((manifest["NSPrivacyCollectedDataTypes"] as? [Any])?.count, 0)
        XCTAssertEqual((manifest["NSPrivacyTrackingDomains"] as? [Any])?.count, 0)
        let apis = try XCTUnwrap(manifest["NSPrivacyAccessedAPITypes"] as? [[String: Any]])
        var reasons: [String: [String]] = [:]
        for api in apis {
            reasons[api["NSPrivacyAccessedAPIType"] as? String ?? "?"] = api["NSPrivacyAccessedAPITypeReasons"] as? [String]
        }
        XCTAssertEqual(reasons["NSPrivacyAccessedAPICategoryFileTimestamp"], ["C617.1"])
        XCTAssertEqual(reasons["NSPrivacyAccessedAPICategoryDiskSpace"], ["E174.1"])
    }

    func testEveryErrorVariantReachableToday() async throws {
        let bad = dir.appendingPathComponent("bad.jsonl")
        let header = try String(contentsOfFile: demoPath, encoding: .utf8).split(separator: "\n")[0]
        try (header + "\n{\"id\":\"demo:x\",\"kind\":\"castle\"}\n").write(to: bad, atomically: true, encoding: .utf8)
        do { _ = try await faro.importListings(file: bad); XCTFail("accepted") } catch FaroError.BadInput(let reason) {
            XCTAssertTrue(reason.contains("bad.jsonl:2"), reason)
        }
        do { _ = try await faro.nearest(GeoPoint(lat: 95, lon: 0)); XCTFail("accepted") } catch FaroError.BadInput(let reason) {
            XCTAssertTrue(reason.contains("near"), reason)
        }
        do { _ = try await faro.listing(id: "demo:no-such-place"); XCTFail("found") } catch FaroError.NotFound(let reason) {
            XCTAssertTrue(reason.contains("demo:no-such-place"))
        }
        let broken = dir.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        let note = "this is not a database, it is a note"
        try note.write(to: broken.appendingPathComponent("directory.sqlite"), atomically: true, encoding: .utf8)
        // Damaged, not BadInput or Storage: the app can offer to sync again into a new store.
        do { _ = try await Faro.open(directory: broken); XCTFail("opened") } catch FaroError.Damaged(let reason) {
            XCTAssertTrue(reason.contains("damaged"), reason)
        }
        XCTAssertEqual(try String(contentsOf: broken.appendingPathComponent("directory.sqlite"), encoding: .utf8), note)
        // Cancelled: see testCancellingAnImportKeepsNothing. Internal needs a throwing listener,
        // which Swift's non-throwing protocol method cannot be; the Rust tests cover it.
        XCTAssertFalse(faro.isClosed())
        faro.close()
        faro.close()
        XCTAssertTrue(faro.isClosed())
        do { _ = try await faro.listingCount(); XCTFail("still open") } catch FaroError.Closed(let reason) {
            XCTAssertTrue(reason.contains("listing_count"))
        }
        // Network and NotVerified come with sync (issue 3); nothing reaches them yet.
    }
}
