// Trusted sync, bundles, status, subscriptions, rights, warnings and check-contact from Swift,
// against the real host-built libfaro_ffi.so. scripts/swift.sh publishes the demo data with the
// host-built `faro` CLI, serves it on loopback (scripts/serve_repo.py: as published, slowed
// down, and with a tampered target), makes the demo bundle with `faro trust/sync/export`, and
// passes the URLs and paths in the environment.
import Foundation
import XCTest
@testable import Faro

private let env = ProcessInfo.processInfo.environment
private let datasets = ["demo/route", "rights/all", "warnings/demo"]
private let listings: UInt64 = 73
private let nearTapachula = GeoPoint(lat: 14.9057, lon: -92.2630)
private let quick = SyncSettings(connectTimeout: 5, readTimeout: 5, maxAttempts: 1)

/// Records reports and runs a hook on each, on the syncing thread.
private final class Hooked: ProgressListener, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [ProgressReport] = []
    let hook: (ProgressReport) -> Void
    init(_ hook: @escaping (ProgressReport) -> Void = { _ in }) { self.hook = hook }
    var reports: [ProgressReport] { lock.lock(); defer { lock.unlock() }; return seen }
    func onProgress(progress: ProgressReport) {
        hook(progress)
        lock.lock(); seen.append(progress); lock.unlock()
    }
}

/// A value written on one queue and read after a semaphore on another.
private final class Box: @unchecked Sendable {
    var value: UInt64?
}

private func applying(_ p: ProgressReport, _ dataset: String) -> Bool {
    p.stage == .applying && p.dataset == dataset
}

final class SyncTests: XCTestCase {
    var dir: URL!
    var repoURL: String!
    var slowURL: String!
    var tamperedURL: String!
    var root: Data!
    var bundle: URL!

    override func setUp() async throws {
        guard let url = env["FARO_REPO_URL"], let slow = env["FARO_SLOW_URL"], let tampered = env["FARO_TAMPERED_URL"],
            let rootFile = env["FARO_ROOT_FILE"], let bundleFile = env["FARO_DEMO_BUNDLE"]
        else {
            // Not silently green: these tests need scripts/swift.sh's server.
            XCTFail("run through scripts/swift.sh test (FARO_REPO_URL and friends are not set)")
            throw XCTSkip("no repository server")
        }
        (repoURL, slowURL, tamperedURL) = (url, slow, tampered)
        root = try Data(contentsOf: URL(fileURLWithPath: rootFile))
        bundle = URL(fileURLWithPath: bundleFile)
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("faro-sync-\(UUID().uuidString)")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// A new store that trusts the repository's shipped root, and nothing else.
    private func phone(_ name: String) async throws -> Faro {
        let faro = try await Faro.open(directory: dir.appendingPathComponent(name))
        let version = try await faro.installTrustedRoot(root)
        XCTAssertEqual(version, 1)
        return faro
    }

    func testARepositoryListsWhatItOffersAndAPlaceOrACountrySubscribesItsDatasets() async throws {
        let faro = try await phone("offer")
        defer { faro.close() }
        let offer = try await faro.availableDatasets(url: repoURL, settings: quick)
        XCTAssertEqual(offer.map { $0.dataset }, datasets)
        XCTAssertEqual(offer.map { $0.content }, [.listings, .rights, .warnings])
        let route = offer[0]
        XCTAssertEqual(route.records, listings)
        XCTAssertEqual(route.version, 1)
        XCTAssertTrue(route.demo)
        XCTAssertEqual(route.license, "CC0-1.0")
        XCTAssertEqual(route.region.origin, .signed)
        XCTAssertTrue(route.region.countries.contains("MX") && route.region.countries.contains("GT"))
        let box = try XCTUnwrap(route.region.bbox)
        XCTAssertTrue(box.south <= nearTapachula.lat && nearTapachula.lat <= box.north)
        XCTAssertTrue(offer[1].region.everywhere)
        XCTAssertTrue(offer.allSatisfy { !$0.subscribed && $0.heldVersion == nil && $0.downloadBytes > 0 })

        // A country no listing is in: only what applies everywhere.
        let brazil = try await faro.subscribeRegion(url: repoURL, region: .countries(codes: ["br"]), settings: quick)
        XCTAssertEqual(brazil.subscribed, ["rights/all"])
        XCTAssertTrue(brazil.unplaced.isEmpty)
        // Near Tapachula: the route's listings too; then a sync fetches them.
        let near = try await faro.subscribeRegion(
            url: repoURL, region: .near(lat: nearTapachula.lat, lon: nearTapachula.lon, radiusKm: 5), settings: quick)
        XCTAssertTrue(near.subscribed.contains("demo/route") && near.subscribed.contains("rights/all"))
        _ = try await faro.sync(url: repoURL, settings: quick)
        let count = try await faro.listingCount()
        XCTAssertEqual(count, listings)
        let after = try await faro.availableDatasets(url: repoURL, settings: quick).first { $0.dataset == "demo/route" }
        XCTAssertEqual(after?.subscribed, true)
        XCTAssertEqual(after?.heldVersion, 1)

        do {
            _ = try await faro.subscribeRegion(url: repoURL, region: .countries(codes: ["xx"]))
            XCTFail("an unknown country was accepted")
        } catch FaroError.BadInput(let reason) {
            XCTAssertTrue(reason.contains("\"xx\""), reason)
        }
    }

    func testSyncReportsProgressFillsTheStoreThenChangesNothing() async throws {
        let faro = try await phone("a")
        defer { faro.close() }
        var events: [SyncEvent] = []
        for try await event in faro.syncStream(url: repoURL, datasets: datasets, settings: quick) { events.append(event) }
        guard case .finished(let report)? = events.last else { return XCTFail("no finished event") }
        XCTAssertEqual(report.datasets.map { $0.dataset }, datasets)
        XCTAssertTrue(report.datasets.allSatisfy { $0.route == .snapshot && $0.version == 1 && $0.fromVersion == nil })
        let progress: [ProgressReport] = events.dropLast().compactMap {
            if case .progressed(let p) = $0 { return p } else { return nil }
        }
        XCTAssertEqual(progress.first?.stage, .checkingMetadata)
        XCTAssertEqual(progress.last?.stage, .finished)
        for dataset in datasets {
            let downloads = progress.filter { $0.stage == .downloading && $0.dataset == dataset }
            XCTAssertFalse(downloads.isEmpty, dataset)
            XCTAssertEqual(downloads.last?.bytesDone, downloads.last?.bytesTotal)
            XCTAssertTrue(progress.contains { applying($0, dataset) }, dataset)
        }
        let applied = progress.last { applying($0, "demo/route") }
        XCTAssertEqual(applied?.recordsDone, listings)
        XCTAssertEqual(applied?.recordsTotal, listings)
        let count = try await faro.listingCount()
        XCTAssertEqual(count, listings)

        let subscribed = try await faro.subscriptions()
        XCTAssertEqual(subscribed, datasets)
        let status = try await faro.datasetStatus()
        XCTAssertEqual(status.rootVersion, 1)
        XCTAssertTrue(status.pending.isEmpty)
        XCTAssertEqual(status.datasets.map { $0.content }, [.listings, .rights, .warnings])
        for d in status.datasets {
            XCTAssertFalse(d.stale)
            XCTAssertNotNil(d.verifiedAt)
            XCTAssertTrue(d.subscribed)
            XCTAssertEqual(d.route, .snapshot)
        }
        XCTAssertGreaterThanOrEqual(status.time.now, status.time.build)

        let again = try await faro.sync(url: repoURL)
        XCTAssertTrue(again.datasets.allSatisfy { $0.route == .unchanged && $0.bytesDownloaded == 0 })
        try await faro.unsubscribe(["rights/all"])
        let fewer = try await faro.subscriptions()
        XCTAssertEqual(fewer, ["demo/route", "warnings/demo"])
        try await faro.subscribe(["rights/all"])
    }

    func testCancellingKeepsNothingAndALaterSyncCompletes() async throws {
        let faro = try await phone("c")
        defer { faro.close() }
        // Cancelled through the handle while the first dataset is applied: rolled back.
        let handle = CancelHandle()
        let stop = Hooked { if applying($0, "demo/route") { handle.cancel() } }
        XCTAssertThrowsError(
            try faro.raw.sync(url: repoURL, datasets: datasets, progress: stop, cancel: handle, settings: quick)
        ) { error in
            guard case FaroError.Cancelled = error else { return XCTFail("\(error)") }
        }
        var count = try await faro.listingCount()
        XCTAssertEqual(count, 0)
        var status = try await faro.datasetStatus()
        XCTAssertTrue(status.datasets.isEmpty)
        XCTAssertEqual(status.pending, datasets)

        // Cancelling the task while it downloads from the slow server: CancellationError.
        let slow = slowURL!
        let task = Task { try await faro.sync(url: slow, settings: quick) }
        try await Task.sleep(nanoseconds: 150_000_000)
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result, error is CancellationError else {
            return XCTFail("expected CancellationError, got \(result)")
        }
        count = try await faro.listingCount()
        XCTAssertEqual(count, 0)

        let report = try await faro.sync(url: repoURL, settings: quick)
        XCTAssertEqual(report.datasets.map { $0.route }, [.snapshot, .snapshot, .snapshot])
        count = try await faro.listingCount()
        XCTAssertEqual(count, listings)
        status = try await faro.datasetStatus()
        XCTAssertEqual(status.datasets.count, 3)
    }

    func testAStoppedStreamThrowsCancellationErrorLikeACancelledSync() async throws {
        let faro = try await phone("s")
        defer { faro.close() }
        let url = slowURL!
        let task = Task {
            var events = 0
            for try await _ in faro.syncStream(url: url, datasets: datasets, settings: quick) { events += 1 }
            return events
        }
        try await Task.sleep(nanoseconds: 150_000_000)
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result, error is CancellationError else {
            return XCTFail("a stopped stream must throw CancellationError, got \(result)")
        }
        let count = try await faro.listingCount()
        XCTAssertEqual(count, 0)
        // A finished stream ends normally, with its `finished` event last.
        var last: SyncEvent?
        for try await event in faro.syncStream(url: repoURL, settings: quick) { last = event }
        guard case .finished? = last else { return XCTFail("no finished event") }
    }

    func testTheFirstRunBundleFromAppDataImportsIntoTheDefaultStore() async throws {
        let faro = try await Faro.openDefault(base: dir)
        defer { faro.close() }
        let expected = dir.appendingPathComponent(Faro.defaultFolder).standardizedFileURL.path
        XCTAssertEqual(faro.directory().standardizedFileURL.path, expected)
        XCTAssertTrue(FileManager.default.fileExists(atPath: expected + "/directory.sqlite"))
        _ = try await faro.installTrustedRoot(root)
        let junk = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7) })
        do { _ = try await faro.importBundle(data: junk); XCTFail("imported") } catch FaroError.NotVerified(let reason) {
            XCTAssertFalse(reason.contains(".faro-bundle"), reason)
        }
        // Cut short on the way: not verified either, and nothing is kept.
        let whole = try Data(contentsOf: bundle)
        do { _ = try await faro.importBundle(data: whole.prefix(whole.count / 2)); XCTFail("imported") }
        catch FaroError.NotVerified(_) {}
        let kept = try await faro.listingCount()
        XCTAssertEqual(kept, 0)
        let recorder = Hooked()
        let outcomes = try await faro.importBundle(data: try Data(contentsOf: bundle)) {
            recorder.onProgress(progress: $0)
        }
        XCTAssertEqual(outcomes.map { $0.dataset }, datasets)
        XCTAssertTrue(outcomes.allSatisfy { $0.applied && $0.version == 1 })
        XCTAssertEqual(recorder.reports.last?.stage, .finished)
        let count = try await faro.listingCount()
        XCTAssertEqual(count, listings)
        let left = try FileManager.default.contentsOfDirectory(atPath: expected).filter { $0.hasPrefix(".faro-bundle") }
        XCTAssertEqual(left, [], "scratch files left")
        // The same directory again: the data is there.
        faro.close()
        let again = try await Faro.openDefault(base: dir)
        defer { again.close() }
        let reopened = try await again.listingCount()
        XCTAssertEqual(reopened, listings)
    }

    func testReadsRunDuringASyncAndSeeTheOldDataUntilItCommits() async throws {
        let faro = try await phone("r")
        defer { faro.close() }
        let side = DispatchQueue(label: "reader")
        let readWhileApplying = Hooked { p in
            guard applying(p, "demo/route") else { return }
            // The sync holds its write transaction here: a read on another thread must still
            // finish, and see the data from before the sync.
            let done = DispatchSemaphore(value: 0)
            let count = Box()
            side.async { count.value = try? faro.raw.listingCount(); done.signal() }
            XCTAssertEqual(done.wait(timeout: .now() + 20), .success, "a read blocked by the sync")
            XCTAssertEqual(count.value, 0)
        }
        let slow = slowURL!
        let sync = Task {
            try await faro.sync(url: slow, datasets: datasets, settings: quick) {
                readWhileApplying.onProgress(progress: $0)
            }
        }
        var counts: [UInt64] = []
        var reads = 0
        let deadline = Date().addingTimeInterval(120)
        while counts.last != listings && Date() < deadline {
            counts.append(try await faro.listingCount())
            _ = try await faro.search(SearchRequest(text: "salud", limit: 5))
            _ = try await faro.warningsHere(near: nearTapachula)
            reads += 1
        }
        _ = try await sync.value
        XCTAssertGreaterThanOrEqual(reads, 3, "reads during the sync")
        XCTAssertTrue(counts.allSatisfy { $0 == 0 || $0 == listings }, "partial counts: \(Set(counts))")
        XCTAssertTrue(readWhileApplying.reports.contains { applying($0, "demo/route") })
    }

    func testTheDemoBundleImportsOfflineAndAnswersEveryQuestion() async throws {
        let faro = try await phone("b")
        defer { faro.close() }
        let recorder = Hooked()
        let outcomes = try await faro.importBundle(from: bundle) { recorder.onProgress(progress: $0) }
        XCTAssertEqual(outcomes.map { $0.dataset }, datasets)
        XCTAssertTrue(outcomes.allSatisfy { $0.applied && $0.version == 1 && $0.previousVersion == nil })
        XCTAssertEqual(recorder.reports.first?.stage, .checkingMetadata)
        XCTAssertEqual(recorder.reports.last?.stage, .finished)
        let status = try await faro.datasetStatus()
        XCTAssertTrue(status.datasets.allSatisfy { $0.route == .bundle })
        let again = try await faro.importBundle(from: bundle)
        XCTAssertTrue(again.allSatisfy { !$0.applied })

        // Search with filters, nearest, open at a time and now.
        let legal = try await faro.search(SearchRequest(text: "juridica", kinds: [.legalAid]))
        XCTAssertFalse(legal.isEmpty)
        XCTAssertTrue(legal.allSatisfy { $0.listing.kind == .legalAid })
        let vaccines = try await faro.search(SearchRequest(services: [.vaccination], inCountry: "CO", freeOnly: true))
        XCTAssertFalse(vaccines.isEmpty)
        XCTAssertTrue(vaccines.allSatisfy { $0.listing.address?.country == "CO" })
        let shelters = try await faro.nearest(nearTapachula, kinds: [.shelter], limit: 3)
        XCTAssertEqual(shelters.count, 3)
        XCTAssertEqual(shelters.map { $0.distanceM! }, shelters.map { $0.distanceM! }.sorted())
        let wednesday = HoursAt.localTime(year: 2026, month: 11, day: 25, hour: 10, minute: 30)
        let open = try await faro.search(SearchRequest(near: nearTapachula, at: wednesday, openOnly: true, limit: 10))
        XCTAssertFalse(open.isEmpty)
        XCTAssertTrue(open.allSatisfy { $0.listing.hours.state == .open })
        let openNow = try await faro.nearest(nearTapachula, openNow: true)
        XCTAssertTrue(openNow.allSatisfy { $0.listing.hours.state == .open })

        // Rights.
        let asylum = try await faro.rights(RightsQuery(text: "asilo", country: "MX", languages: ["es"]))
        XCTAssertTrue(asylum.contains { $0.id == "demo:mx-asylum-comar" }, "\(asylum.map { $0.id })")
        XCTAssertTrue(asylum.allSatisfy { $0.demo && ($0.countries.contains("all") || $0.countries.contains("MX")) })
        let health = try await faro.rights(RightsQuery(topics: [.health]))
        XCTAssertFalse(health.isEmpty)
        XCTAssertTrue(health.allSatisfy { $0.topics.contains(.health) })
        let consular = try await faro.article(id: "demo:consular-assistance", languages: ["en"])
        XCTAssertEqual(consular.language, "en")
        XCTAssertTrue(consular.related.ownConsulate)
        let help = try await faro.articleHelp(id: "demo:asylum", near: nearTapachula)
        XCTAssertFalse(help.isEmpty)
        XCTAssertTrue(help.allSatisfy { $0.listing.kind == .legalAid })

        // Warnings here and now.
        let here = try await faro.warningsHere(near: nearTapachula, country: "MX", languages: ["en"])
        let fake = try XCTUnwrap(here.first { $0.warning.id == "demo:w-fake-consulate-tapachula" })
        XCTAssertTrue(fake.here && fake.warning.active)
        XCTAssertEqual(fake.warning.kind, .impersonation)
        XCTAssertTrue(fake.warning.indicators.phones.contains("+12015550143"))
        XCTAssertFalse(here.contains { $0.warning.id == "demo:w-fake-shelter-withdrawn" })
        let panama = try await faro.warningsHere(country: "PA")
        XCTAssertEqual(panama.map { $0.warning.id }, ["demo:w-darien-kidnapping"])
        XCTAssertFalse(panama[0].here)
        let withdrawn = try await faro.warning(id: "demo:w-fake-shelter-withdrawn")
        XCTAssertFalse(withdrawn.active)

        // Is this contact real?
        let scam = try await faro.checkContact("+1 201-555-0143")
        XCTAssertEqual(scam.verdict, .warning)
        XCTAssertEqual(scam.kind, .phone)
        XCTAssertEqual(scam.normalized, "+12015550143")
        XCTAssertTrue(scam.matches.contains { $0.source == .warning && $0.id == "demo:w-fake-consulate-tapachula" })
        let official = try await faro.checkContact("(915) 555-0123", region: "US")
        XCTAssertEqual(official.verdict, .official)
        XCTAssertTrue(official.matches.contains { $0.source == .listing && $0.relation == .exact })
        XCTAssertEqual(official.matches.first?.datasetVerified, true)
        // 00 is not the US international prefix: read the route's way, it is still the scam.
        let foreign = try await faro.checkContact("001 201 555 0143", region: "US")
        XCTAssertEqual(foreign.verdict, .warning)
        XCTAssertEqual(foreign.also, ["+12015550143"])
        XCTAssertTrue(foreign.matches.contains { $0.relation == .otherReading && $0.id == "demo:w-fake-consulate-tapachula" })
        let invalid = try await faro.checkContact("???")
        XCTAssertEqual(invalid.verdict, .invalid)
        XCTAssertEqual(try normalizeContact(input: "55 1234 5678", region: "MX").normalized, "+525512345678")
    }

    func testEveryErrorVariantOfTheSyncSurface() async throws {
        let faro = try await phone("e")
        // Network: nothing listens on port 1.
        do { _ = try await faro.sync(url: "http://127.0.0.1:1/", datasets: datasets, settings: quick); XCTFail("synced") }
        catch FaroError.Network(let reason) { XCTAssertFalse(reason.isEmpty) }
        // NotVerified: a target changed after signing; nothing is applied.
        // (The datasets are named: a sync that verified nothing has saved no subscription.)
        do { _ = try await faro.sync(url: tamperedURL, datasets: datasets, settings: quick); XCTFail("synced") }
        catch FaroError.NotVerified(let reason) { XCTAssertTrue(reason.contains("hash"), reason) }
        let none = try await faro.listingCount()
        XCTAssertEqual(none, 0)
        do { _ = try await faro.installTrustedRoot(Data("{}".utf8)); XCTFail("trusted") } catch FaroError.NotVerified(_) {}
        // A file that is not a bundle is not verified, never "bad input".
        let junk = dir.appendingPathComponent("junk.bundle")
        try Data((0..<2048).map { UInt8(truncatingIfNeeded: $0 * 7) }).write(to: junk)
        do { _ = try await faro.importBundle(from: junk); XCTFail("imported") } catch FaroError.NotVerified(_) {}
        // BadInput.
        do { try await faro.subscribe(["../etc"]); XCTFail("subscribed") } catch FaroError.BadInput(_) {}
        do { _ = try await faro.rights(RightsQuery(country: "Mexico")); XCTFail("accepted") } catch FaroError.BadInput(_) {}
        // NotFound.
        do { _ = try await faro.article(id: "demo:no-such-article"); XCTFail("found") } catch FaroError.NotFound(_) {}
        do { _ = try await faro.warning(id: "demo:no-such-warning"); XCTFail("found") } catch FaroError.NotFound(_) {}
        // Storage: the bundle cannot be written there.
        _ = try await faro.sync(url: repoURL, datasets: datasets, settings: quick)
        let nowhere = dir.appendingPathComponent("no/such/folder/x.bundle")
        do { _ = try await faro.exportBundle(to: nowhere); XCTFail("written") } catch FaroError.Storage(_) {}
        // Cancelled: a handle cancelled before the call.
        let handle = CancelHandle()
        handle.cancel()
        XCTAssertThrowsError(try faro.raw.importBundle(path: bundle.path, progress: nil, cancel: handle)) { error in
            guard case FaroError.Cancelled = error else { return XCTFail("\(error)") }
        }
        // Internal needs a listener that throws, which Swift's non-throwing protocol method
        // cannot do; the Rust and Kotlin tests cover it. Closed:
        faro.close()
        do { _ = try await faro.datasetStatus(); XCTFail("still open") } catch FaroError.Closed(_) {}
        do { _ = try await faro.sync(url: repoURL); XCTFail("still open") } catch FaroError.Closed(_) {}
        do { _ = try await faro.checkContact("+12015550143"); XCTFail("still open") } catch FaroError.Closed(_) {}
    }
}
