// The idiomatic Swift face of Faro: async functions that run the synchronous core calls off
// the caller's thread, AsyncThrowingStreams of import and sync progress, and task cancellation
// wired to Faro's CancelHandle. Records, enums and FaroError are the generated ones (FaroFFI):
// Swift structs and enums, with Date for time values.
//
// Cancellation is one thing: a cancelled task, a stream whose consuming task is cancelled, and
// FaroError.Cancelled from Faro's own CancelHandle all reach the caller as CancellationError.
// Built in Swift 6 language mode: every closure sent to a queue is @Sendable.
import Foundation
@_exported import FaroFFI

/// What an import reports while it runs, then once when it is done.
public enum ImportEvent: Sendable {
    /// Work in progress (bytes read, records handled).
    case progressed(ProgressReport)
    /// The import committed; the summary says what it wrote.
    case finished(ImportSummary)
}

/// What a sync reports while it runs, then once when it is done.
public enum SyncEvent: Sendable {
    /// Work in progress: stage, dataset, bytes and records.
    case progressed(ProgressReport)
    /// The sync finished; the report says what it did with each dataset.
    case finished(SyncReport)
}

/// What sending the report outbox reports while it runs, then once when it is done.
public enum SendReportsEvent: Sendable {
    /// Work in progress: `recordsDone` of `recordsTotal` reports handled.
    case progressed(ProgressReport)
    /// The send finished; the summary says what became of each report tried.
    case finished(SendSummary)
}

extension HoursAt {
    /// Opening hours judged at a wall-clock time in each listing's own time zone.
    public static func localTime(year: Int, month: Int, day: Int, hour: Int, minute: Int) -> HoursAt {
        .localTime(dateTime: String(format: "%04d-%02d-%02dT%02d:%02d", year, month, day, hour, minute))
    }
}

/// Forwards progress reports to a closure.
private final class ClosureListener: ProgressListener, Sendable {
    let body: @Sendable (ProgressReport) -> Void
    init(_ body: @escaping @Sendable (ProgressReport) -> Void) { self.body = body }
    func onProgress(progress: ProgressReport) { body(progress) }
}

/// A stream event, and whether it is the last one (`finished`) rather than progress.
private struct Tagged<E: Sendable>: Sendable {
    let event: E
    let isFinal: Bool
}

/// Set once the blocking work behind a stream has returned; awaited by a cancelled consumer
/// so that, as with a cancelled call, the work has stopped (and rolled back) when
/// `CancellationError` is thrown.
private final class WorkDone: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func finish() {
        lock.lock()
        done = true
        let ready = waiters
        waiters = []
        lock.unlock()
        for waiter in ready { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            lock.lock()
            if done {
                lock.unlock()
                waiter.resume()
            } else {
                waiters.append(waiter)
                lock.unlock()
            }
        }
    }
}

/// The iterator of a progress stream, shared by the calls of the outer stream's `unfolding`
/// closure. They run one at a time (one consumer), which is what makes this box safe.
private final class StreamCursor<E: Sendable>: @unchecked Sendable {
    var iterator: AsyncThrowingStream<Tagged<E>, Error>.Iterator
    var ended = false
    init(_ stream: AsyncThrowingStream<Tagged<E>, Error>) { iterator = stream.makeAsyncIterator() }
}

/// An open Faro store. Every call runs on a background queue; errors are `FaroError`
/// (`.Network`, `.NotVerified`, `.BadInput`, `.Storage`, `.Damaged`, `.NotFound`, `.Closed`,
/// `.Busy`, `.Locked`, `.WrongKey`, `.NoReceiver`, `.Internal`, each with a readable `reason`:
/// `.Damaged` is a damaged database (offer to sync again), `.NotVerified` also a bundle file
/// that is not one or was altered, `.NoReceiver` a report before any sync, `.Internal` a
/// defect to report), and cancellation is `CancellationError`.
public final class Faro: @unchecked Sendable {
    /// The generated object, for calls this layer does not wrap.
    public let raw: FaroStore
    private let queue: DispatchQueue

    private init(raw: FaroStore, queue: DispatchQueue) {
        self.raw = raw
        self.queue = queue
    }

    /// The folder `openDefault` keeps the store in, inside Application Support.
    public static let defaultFolder = "faro"

    /// Opens (or creates) the store in `directory`.
    public static func open(directory: URL, queue: DispatchQueue = .global(qos: .userInitiated)) async throws -> Faro {
        let store = try await run(on: queue) { try FaroStore.open(dir: directory.path) }
        return Faro(raw: store, queue: queue)
    }

    /// Opens (or creates) the app's store in `Application Support/faro` (or in `faro` inside
    /// `base`, when given): excluded from iCloud and device backups (the data is downloaded
    /// again; a backup would keep a copy of what the person looked at), and on iOS protected
    /// with `completeUntilFirstUserAuthentication`, which keeps it encrypted until the phone is
    /// first unlocked after a restart but lets a background sync write to it while locked.
    /// Open one store per process and keep it (docs/mobile.md).
    public static func openDefault(
        base: URL? = nil, queue: DispatchQueue = .global(qos: .userInitiated)
    ) async throws -> Faro {
        let directory = try await run(on: queue) { try prepareDefaultDirectory(base: base) }
        let faro = try await open(directory: directory, queue: queue)
        // The database files exist now: give them the directory's protection class too.
        try await run(on: queue) { try protect(directory, andContents: true) }
        return faro
    }

    /// Creates `Application Support/faro` (or `base/faro`) and applies `openDefault`'s
    /// backup and protection settings to it.
    static func prepareDefaultDirectory(base: URL?) throws -> URL {
        let root =
            try base
            ?? FileManager.default.url(
                for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
        var directory = root.appendingPathComponent(defaultFolder, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        #if canImport(Darwin)
            var values = URLResourceValues()
            values.isExcludedFromBackup = true
            try directory.setResourceValues(values)
        #endif
        try protect(directory, andContents: false)
        return directory
    }

    /// iOS data protection `completeUntilFirstUserAuthentication` on `directory` (files created
    /// in it later inherit it) and, with `andContents`, on the files already in it.
    private static func protect(_ directory: URL, andContents: Bool) throws {
        #if os(iOS)
            let fm = FileManager.default
            let attributes: [FileAttributeKey: Any] = [.protectionKey: FileProtectionType.completeUntilFirstUserAuthentication]
            try fm.setAttributes(attributes, ofItemAtPath: directory.path)
            if andContents {
                for name in try fm.contentsOfDirectory(atPath: directory.path) {
                    try fm.setAttributes(attributes, ofItemAtPath: directory.appendingPathComponent(name).path)
                }
            }
        #endif
    }

    /// Searches offline: text, place, filters and opening hours together.
    public func search(_ request: SearchRequest) async throws -> [SearchHit] {
        try await run { try self.raw.search(request: request) }
    }

    /// The `limit` listings nearest to `near`, nearest first.
    public func nearest(
        _ near: GeoPoint, kinds: [Kind] = [], openNow: Bool = false, languages: [String] = [], limit: UInt32 = 20
    ) async throws -> [SearchHit] {
        try await run {
            try self.raw.nearest(near: near, kinds: kinds, openNow: openNow, languages: languages, limit: limit)
        }
    }

    /// The listing with `id`; throws `FaroError.NotFound` when there is none.
    public func listing(id: String, languages: [String] = [], at: HoursAt? = nil) async throws -> Listing {
        try await run { try self.raw.listing(id: id, languages: languages, at: at) }
    }

    /// Listings per kind in `region` (closed ones not counted).
    public func counts(_ region: CountRegion = .all) async throws -> [Kind: UInt64] {
        let counts = try await run { try self.raw.counts(region: region) }
        return Dictionary(uniqueKeysWithValues: counts.map { ($0.kind, $0.count) })
    }

    /// Listings per kind, as the core returns them (every kind, zeros included; closed ones
    /// not counted).
    public func kindCounts(_ region: CountRegion = .all) async throws -> [KindCount] {
        try await run { try self.raw.counts(region: region) }
    }

    /// Number of listings stored.
    public func listingCount() async throws -> UInt64 {
        try await run { try self.raw.listingCount() }
    }

    /// Imports a faro-listings file. Cancelling the task cancels the import, which then keeps
    /// nothing and throws `CancellationError`.
    public func importListings(
        file: URL, onProgress: @escaping @Sendable (ProgressReport) -> Void = { _ in }
    ) async throws -> ImportSummary {
        try await cancellable(onProgress) { listener, handle in
            try self.raw.importListings(path: file.path, progress: listener, cancel: handle)
        }
    }

    /// The same import as a stream: `.progressed` while it runs, then one `.finished`.
    /// Failures end the stream with the `FaroError`; cancelling the consuming task cancels the
    /// import and ends the stream with `CancellationError`; breaking out of the loop cancels it
    /// too.
    public func importListingsStream(file: URL) -> AsyncThrowingStream<ImportEvent, Error> {
        progressStream(ImportEvent.progressed, ImportEvent.finished) { listener, handle in
            try self.raw.importListings(path: file.path, progress: listener, cancel: handle)
        }
    }

    /// Installs the repository root the app ships (`metadata/1.root.json`); returns its
    /// version. Throws `FaroError.NotVerified` if it is not signed by its own keys.
    public func installTrustedRoot(_ root: Data) async throws -> UInt64 {
        try await run { try self.raw.installTrustedRoot(root: root) }
    }

    /// Syncs every subscribed dataset, after subscribing to `datasets`, from the repository at
    /// `url`. Reads from other tasks keep working and see the old data until each dataset
    /// commits. Cancelling the task stops the sync (the dataset in progress is rolled back)
    /// and throws `CancellationError`.
    public func sync(
        url: String, datasets: [String] = [], settings: SyncSettings? = nil,
        onProgress: @escaping @Sendable (ProgressReport) -> Void = { _ in }
    ) async throws -> SyncReport {
        try await cancellable(onProgress) { listener, handle in
            try self.raw.sync(url: url, datasets: datasets, progress: listener, cancel: handle, settings: settings)
        }
    }

    /// The same sync as a stream: `.progressed` while it runs, then one `.finished`. Failures
    /// end the stream with the `FaroError`; cancelling the consuming task cancels the sync (the
    /// dataset in progress is rolled back) and ends the stream with `CancellationError`;
    /// breaking out of the loop cancels it too.
    public func syncStream(
        url: String, datasets: [String] = [], settings: SyncSettings? = nil
    ) -> AsyncThrowingStream<SyncEvent, Error> {
        progressStream(SyncEvent.progressed, SyncEvent.finished) { listener, handle in
            try self.raw.sync(url: url, datasets: datasets, progress: listener, cancel: handle, settings: settings)
        }
    }

    /// Adds `datasets` (`directory/mx`, `rights/all`, ...) to the subscriptions.
    public func subscribe(_ datasets: [String]) async throws {
        try await run { try self.raw.subscribe(datasets: datasets) }
    }

    /// Removes `datasets` from the subscriptions; their data stays readable.
    public func unsubscribe(_ datasets: [String]) async throws {
        try await run { try self.raw.unsubscribe(datasets: datasets) }
    }

    /// The subscribed datasets, sorted.
    public func subscriptions() async throws -> [String] {
        try await run { try self.raw.subscriptions() }
    }

    /// Every dataset the repository at `url` offers (name, content, region, records, size of a
    /// first download, publisher, whether subscribed), verified from the installed root as a
    /// sync verifies it. Downloads metadata only.
    public func availableDatasets(url: String, settings: SyncSettings? = nil) async throws -> [AvailableDataset] {
        try await run { try self.raw.availableDatasets(url: url, settings: settings) }
    }

    /// Subscribes to the datasets of `url` for `region` (countries, or a point and radius), by
    /// the regions publishers sign; datasets with no known region come back in `unplaced`.
    /// Then `sync` fetches them.
    public func subscribeRegion(
        url: String, region: RegionChoice, settings: SyncSettings? = nil
    ) async throws -> RegionSubscription {
        try await run { try self.raw.subscribeRegion(url: url, region: region, settings: settings) }
    }

    /// Every dataset held, its version and whether it is still confirmed current.
    public func datasetStatus() async throws -> SyncStatus {
        try await run { try self.raw.datasetStatus() }
    }

    /// Writes a bundle of `datasets` (all held when empty) to `file`, for another phone.
    public func exportBundle(to file: URL, datasets: [String] = []) async throws -> ExportReport {
        try await run { try self.raw.exportBundle(path: file.path, datasets: datasets) }
    }

    /// Verifies the bundle `file` offline and applies each dataset newer than what is held.
    /// Cancelling the task stops it (nothing of the bundle is kept) and throws
    /// `CancellationError`.
    public func importBundle(
        from file: URL, onProgress: @escaping @Sendable (ProgressReport) -> Void = { _ in }
    ) async throws -> [BundleOutcome] {
        try await cancellable(onProgress) { listener, handle in
            try self.raw.importBundle(path: file.path, progress: listener, cancel: handle)
        }
    }

    /// `importBundle(from:)` for a bundle in memory, such as the first-run bundle an app ships
    /// as a resource or an asset catalog data set
    /// (`NSDataAsset(name: "faro-bundle")!.data`). Faro writes it to a scratch file in the
    /// store's directory, removed afterwards whatever happens.
    public func importBundle(
        data: Data, onProgress: @escaping @Sendable (ProgressReport) -> Void = { _ in }
    ) async throws -> [BundleOutcome] {
        try await cancellable(onProgress) { listener, handle in
            try self.raw.importBundleBytes(bundle: data, progress: listener, cancel: handle)
        }
    }

    /// Rights articles matching `query`.
    public func rights(_ query: RightsQuery) async throws -> [ArticleHit] {
        try await run { try self.raw.rights(query: query) }
    }

    /// The article with `id`; throws `FaroError.NotFound` when there is none.
    public func article(id: String, languages: [String] = []) async throws -> Article {
        try await run { try self.raw.article(id: id, languages: languages) }
    }

    /// Who can help with article `id` near `near` (for consular help: consulates of
    /// `nationality`).
    public func articleHelp(
        id: String, near: GeoPoint? = nil, nationality: String? = nil, languages: [String] = []
    ) async throws -> [SearchHit] {
        try await run { try self.raw.articleHelp(id: id, near: near, nationality: nationality, languages: languages) }
    }

    /// Warnings that apply now (trusted time) around `near` or in all of `country`.
    public func warningsHere(
        near: GeoPoint? = nil, country: String? = nil, kinds: [WarningKind] = [], languages: [String] = []
    ) async throws -> [WarningHit] {
        try await run { try self.raw.warningsHere(near: near, country: country, kinds: kinds, languages: languages) }
    }

    /// The warning with `id`, whatever its state; throws `FaroError.NotFound` when there is none.
    public func warning(id: String, languages: [String] = []) async throws -> Warning {
        try await run { try self.raw.warning(id: id, languages: languages) }
    }

    /// Is this phone number, link, e-mail or handle real? Never answers "safe".
    public func checkContact(_ input: String, region: String? = nil, languages: [String] = []) async throws
        -> ContactCheck
    {
        try await run { try self.raw.checkContact(input: input, region: region, languages: languages) }
    }

    /// Opens the person's saved places and notes with `key`: 32 random bytes the app made once
    /// and keeps in the Keychain (`kSecAttrAccessibleWhenUnlockedThisDeviceOnly`, never synced
    /// or backed up; docs/privacy.md). Throws `FaroError.WrongKey` if the data was made with
    /// another key (nothing changes), `FaroError.BadInput` if the key is not 32 bytes.
    public func unlockPersonalData(key: Data) async throws {
        try await run { try self.raw.unlockPersonalData(key: key) }
    }

    /// Closes the personal data and drops the keys derived from the app's key; idempotent.
    public func lockPersonalData() {
        raw.lockPersonalData()
    }

    /// Whether `unlockPersonalData(key:)` succeeded and nothing locked it since.
    public func isPersonalDataUnlocked() -> Bool {
        raw.isPersonalDataUnlocked()
    }

    /// Saves listing `listingId`, with an optional `label`; true if it was not saved yet.
    @discardableResult
    public func addFavorite(listingId: String, label: String? = nil) async throws -> Bool {
        try await run { try self.raw.addFavorite(listingId: listingId, label: label) }
    }

    /// Removes the saved listing `listingId`; true if it was saved.
    @discardableResult
    public func removeFavorite(listingId: String) async throws -> Bool {
        try await run { try self.raw.removeFavorite(listingId: listingId) }
    }

    /// Whether listing `listingId` is saved.
    public func isFavorite(listingId: String) async throws -> Bool {
        try await run { try self.raw.isFavorite(listingId: listingId) }
    }

    /// Saved places, oldest first, with the directory's current names and whether it still has them.
    public func favorites(languages: [String] = []) async throws -> [Favorite] {
        try await run { try self.raw.favorites(languages: languages) }
    }

    /// Writes a note, optionally about listing `listingId`; returns its id.
    @discardableResult
    public func addNote(text: String, listingId: String? = nil) async throws -> UInt64 {
        try await run { try self.raw.addNote(text: text, listingId: listingId) }
    }

    /// Replaces note `id`'s text; throws `FaroError.NotFound` when there is none.
    public func editNote(id: UInt64, text: String) async throws {
        try await run { try self.raw.editNote(id: id, text: text) }
    }

    /// Removes note `id`; true if it existed.
    @discardableResult
    public func removeNote(id: UInt64) async throws -> Bool {
        try await run { try self.raw.removeNote(id: id) }
    }

    /// The notes, oldest first; only those about `listingId` when given.
    public func notes(listingId: String? = nil) async throws -> [Note] {
        try await run { try self.raw.notes(listingId: listingId) }
    }

    /// Erases saved places, notes and anything else personal Faro keeps; needs no key, and the
    /// directory keeps answering. Delete the key from the Keychain too: that is what makes any
    /// copy the flash storage kept unreadable.
    public func forgetPersonalData() async throws {
        try await run { try self.raw.forgetPersonalData() }
    }

    // MARK: - Reports from the field (issue 11)

    /// Writes a report: checked, its place rounded unless marked precise, sealed at once to the
    /// receiver key in the repository's signed metadata and queued (it survives restarts).
    /// Throws `FaroError.NoReceiver` before a sync named a receiver (sync first) and
    /// `FaroError.BadInput` naming the field for a draft that cannot be sent.
    public func report(_ draft: ReportDraft) async throws -> QueuedReport {
        try await run { try self.raw.report(draft: draft) }
    }

    /// Every report in the outbox, newest first: kind, listing id and where it stands.
    public func reports() async throws -> [QueuedReport] {
        try await run { try self.raw.reports() }
    }

    /// Cancels a queued report (never sent, its sealed copy deleted); returns its row.
    public func cancelReport(id: Int64) async throws -> QueuedReport {
        try await run { try self.raw.cancelReport(id: id) }
    }

    /// Removes finished reports (sent, refused, cancelled) from the outbox; returns how many.
    public func forgetReports() async throws -> UInt64 {
        try await run { try self.raw.forgetReports() }
    }

    /// Sends the waiting reports that are due (all waiting ones with `sendNow`) to the receiver
    /// the signed metadata names; each reaches it once. A report the receiver does not take now
    /// stays queued for later and the send stops there (see the summary). Cancelling the task
    /// stops it (the report in flight stays queued) and throws `CancellationError`.
    public func sendReports(
        settings: SyncSettings? = nil, sendNow: Bool = false,
        onProgress: @escaping @Sendable (ProgressReport) -> Void = { _ in }
    ) async throws -> SendSummary {
        try await cancellable(onProgress) { listener, handle in
            try self.raw.sendReports(progress: listener, cancel: handle, settings: settings, sendNow: sendNow)
        }
    }

    /// The same send as a stream: `.progressed` per report, then one `.finished`. Failures end
    /// the stream with the `FaroError`; cancelling the consuming task cancels the send and ends
    /// the stream with `CancellationError`.
    public func sendReportsStream(
        settings: SyncSettings? = nil, sendNow: Bool = false
    ) -> AsyncThrowingStream<SendReportsEvent, Error> {
        progressStream(SendReportsEvent.progressed, SendReportsEvent.finished) { listener, handle in
            try self.raw.sendReports(progress: listener, cancel: handle, settings: settings, sendNow: sendNow)
        }
    }

    // MARK: - End of reports

    /// Closes the store; idempotent. Later calls throw `FaroError.Closed`.
    public func close() {
        raw.closeStore()
    }

    /// The store's directory, as given to `open`.
    public func directory() -> URL {
        URL(fileURLWithPath: raw.directory())
    }

    /// Whether `close()` was called.
    public func isClosed() -> Bool {
        raw.isClosed()
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await Faro.run(on: queue, body)
    }

    /// Runs long work on the queue with a fresh `CancelHandle` that the task's cancellation
    /// trips (the blocking call stops at its next check), reporting to `onProgress`.
    private func cancellable<T: Sendable>(
        _ onProgress: @escaping @Sendable (ProgressReport) -> Void,
        _ work: @escaping @Sendable (ProgressListener, CancelHandle) throws -> T
    ) async throws -> T {
        let handle = CancelHandle()
        let listener = ClosureListener(onProgress)
        return try await withTaskCancellationHandler {
            try await Faro.cancellationAsSwift { try await run { try work(listener, handle) } }
        } onCancel: {
            handle.cancel()
        }
    }

    /// Runs `body`, turning `FaroError.Cancelled` into `CancellationError`. Only a
    /// `CancelHandle` this layer created and tripped on the task's (or the stream consumer's)
    /// cancellation can end Faro's work with `Cancelled`, so it is the task's cancellation.
    private static func cancellationAsSwift<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch FaroError.Cancelled(reason: _) {
            throw CancellationError()
        }
    }

    /// Long work as a stream of `progressed` events ended by one `finished` event.
    ///
    /// Swift's `AsyncThrowingStream` ends a cancelled consumer's iteration with `nil`, as if the
    /// work had finished; the outer stream turns an end without the `finished` event into
    /// `CancellationError`, thrown once the work has stopped, so that a stopped stream and a
    /// cancelled call look the same.
    private func progressStream<T: Sendable, E: Sendable>(
        _ progressed: @escaping @Sendable (ProgressReport) -> E,
        _ finished: @escaping @Sendable (T) -> E,
        _ work: @escaping @Sendable (ProgressListener, CancelHandle) throws -> T
    ) -> AsyncThrowingStream<E, Error> {
        let workDone = WorkDone()
        let events = AsyncThrowingStream<Tagged<E>, Error> { continuation in
            let handle = CancelHandle()
            let listener = ClosureListener { continuation.yield(Tagged(event: progressed($0), isFinal: false)) }
            continuation.onTermination = { _ in handle.cancel() }
            queue.async {
                defer { workDone.finish() }
                do {
                    let result = try work(listener, handle)
                    continuation.yield(Tagged(event: finished(result), isFinal: true))
                    continuation.finish()
                } catch FaroError.Cancelled(reason: _) {
                    continuation.finish(throwing: CancellationError())
                } catch {
                    continuation.finish(throwing: error)
                }
            }
        }
        let cursor = StreamCursor(events)
        return AsyncThrowingStream(unfolding: {
            if cursor.ended { return nil }
            let next: Tagged<E>?
            do {
                next = try await cursor.iterator.next()
            } catch {
                cursor.ended = true
                throw error
            }
            guard let tagged = next else {
                // Ended without `finished` and without an error: the consumer was cancelled.
                // The handle is tripped; wait for the work to stop, as a cancelled call does.
                cursor.ended = true
                await workDone.wait()
                throw CancellationError()
            }
            cursor.ended = tagged.isFinal
            return tagged.event
        })
    }

    private static func run<T: Sendable>(
        on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
